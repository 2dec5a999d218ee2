/**
 * Two promises checked over every kind of item daybook keeps, one of each written through the real
 * stores (test/support/every-item-kind.ts), so a kind added later is checked once it is written there:
 * a merchant's export holds every item daybook keeps in their partition, without a secret or a hash
 * of one; deleting an account leaves nothing in the table that names it (its id or its address), in
 * its own partition or anyone else's.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { deleteAccount } from "../../lib/account/delete-account";
import { endAccess } from "../../lib/members/access";
import { addressHash } from "../../lib/report/recipients";
import { itemKindOf } from "../../lib/store/retention";
import { createLocalVault } from "../../lib/vault/local";
import { binaryIn } from "../support/binary";
import { ACCOUNTANT_EMAIL, ACCOUNTANT_ID, AT, BUSINESS_ID, OWNER_EMAIL, REPORT_CONTENTS, withEveryItemKind } from "../support/every-item-kind";

describe("the export, over every kind of item", () => {
  it("holds every item of the account's partition, the business's and the accountant's, readable, with no secret and no hash of one", async () => {
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
        // What daybook keeps compressed (reports, sync records' entries, payout records) is there as the JSON it holds, never as bytes.
        expect(binaryIn(exported), merchantId).toEqual([]);
        // A report's content is the very JSON text it was saved as, whether it is kept packed or whole.
        const reports = other.filter((item) => String(item["status"]) === "no-sales" || String(item["status"]) === "failed").map((item) => item["content"]);
        expect(reports.sort(), merchantId).toEqual(merchantId === BUSINESS_ID ? REPORT_CONTENTS.map((content) => JSON.stringify(content)).sort() : []);
        expect(held.filter((item) => String(item["SK"]).startsWith("REPORT#")).map((item) => Object.keys(item).filter((name) => name === "packed" || name === "contentZ")).sort())
          .toEqual(merchantId === BUSINESS_ID ? [["contentZ"], ["packed"]] : []);
      }
    });
  }, 30_000);
});

describe("deleting an account, over every kind of item", () => {
  it("leaves nothing naming the business or its owner in any partition (but a 15-minute sign-in link), and then nothing naming the accountant it gave access to once that account goes too", async () => {
    await withEveryItemKind(async ({ storage, scan }) => {
      const deps = { ...storage, vault: createLocalVault(randomBytes(32)), providers: {}, now: () => new Date(AT) };
      const naming = async (...needles: string[]) => (await scan()).filter((item) => needles.some((needle) => JSON.stringify(item).includes(needle)));
      // What may still name it: an item the table's TTL removes within the promised 30 days (a sign-in
      // link asked for before, which lives 15 minutes and is found only by its token's hash).
      const keptBeyondThePromise = async (...needles: string[]) => (await naming(...needles))
        .filter((item) => !(typeof item["expiresAt"] === "number" && item["expiresAt"] <= Date.parse(AT) / 1000 + 30 * 86_400))
        .map((item) => `${itemKindOf(item) ?? "unknown kind"}: ${String(item["PK"])} ${String(item["SK"])}`);
      expect(await naming(BUSINESS_ID)).not.toEqual([]);

      await deleteAccount(deps, BUSINESS_ID);
      expect(await keptBeyondThePromise(BUSINESS_ID, OWNER_EMAIL)).toEqual([]);
      expect((await naming(BUSINESS_ID, OWNER_EMAIL)).map((item) => itemKindOf(item))).toEqual(["sign-in-link"]);
      // The owner's address's "no invitations" is the address's wish, not the account's data (it names neither): it stays.
      expect(await storage.members.findInvitationStop(addressHash(OWNER_EMAIL))).toEqual({ addressHash: addressHash(OWNER_EMAIL), stoppedAt: AT });
      expect(await naming(ACCOUNTANT_ID)).not.toEqual([]);

      await deleteAccount(deps, ACCOUNTANT_ID);
      expect(await keptBeyondThePromise(ACCOUNTANT_ID, ACCOUNTANT_EMAIL)).toEqual([]);
      expect(await naming(ACCOUNTANT_ID, ACCOUNTANT_EMAIL)).toEqual([]);
    });
  }, 30_000);

  it("leaves nothing naming the business in the accountant's partition once the access ended, so a later deletion of the business leaves nothing there either", async () => {
    await withEveryItemKind(async ({ storage, scan }) => {
      const inAccountantsPartition = async () => (await scan())
        .filter((item) => item["PK"] === `MERCHANT#${ACCOUNTANT_ID}` && JSON.stringify(item).includes(BUSINESS_ID))
        .map((item) => `${itemKindOf(item) ?? "unknown kind"}: ${String(item["SK"])}`);
      expect(await inAccountantsPartition()).not.toEqual([]);
      expect(await endAccess(storage, BUSINESS_ID, ACCOUNTANT_ID)).toBe(true);
      expect(await inAccountantsPartition()).toEqual([]);
    });
  }, 30_000);
});
