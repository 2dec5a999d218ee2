/**
 * Nobody receives email they did not agree to, and nobody receives too much: the daily caps every email
 * passes through (lib/email/caps.ts, wired in by lib/wiring around every sender), and a recipient's
 * consent (lib/report/confirm-recipient.ts, lib/report/unsubscribe.ts), on the in-memory runtime's real
 * stores.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { HeldEmail } from "../../lib/email/caps";
import type { OutgoingEmail } from "../../lib/email/email";
import { confirmFromLink, inviteRecipient, resendConfirmation } from "../../lib/report/confirm-recipient";
import { addressHash, recipientsOf, removeAddress, updateRecipients, withFrequency } from "../../lib/report/recipients";
import { readUnsubscribeLink, resubscribeFromLink, resubscribeToken, unsubscribeFromLink } from "../../lib/report/unsubscribe";
import { unsubscribeUrl } from "../../lib/report/links";
import type { Merchant } from "../../lib/model";
import { createEngineWorld, type EngineWorld, MERCHANT_ID, OWNER } from "./runtime";

let world: EngineWorld;
afterEach(async () => {
  await world.close();
});

const alert = (to: string, merchantId = MERCHANT_ID): OutgoingEmail => ({ to: [to], subject: "Action needed", text: "…", purpose: "alert", merchantId });

describe("the daily caps", () => {
  it("hold back an address's email past its cap, whatever merchant it is about, and say so: a count on the merchant's page, a log line and metric", async () => {
    const held: HeldEmail[] = [];
    world = await createEngineWorld({ emailCaps: { perRecipient: 3, perMerchant: 100, ownerAlerts: 100 }, onEmailHeld: (each) => held.push(each) });
    const { email } = world.services;
    // The other merchant's account: what is held for it is kept in its partition, which lives with its profile.
    await world.services.storage.store.createMerchant({ merchantId: "m-other", name: "Other Cafe", email: "owner@other.example", createdAt: "2025-06-01T00:00:00.000Z" });
    for (let index = 0; index < 3; index++) await email.send(alert("victim@example.com"));
    await email.send(alert("victim@example.com", "m-other"));
    expect(world.email.sent).toHaveLength(3);
    expect(held).toEqual([{ merchantId: "m-other", purpose: "alert", reason: "recipient" }]);
    expect(await world.services.storage.heldEmails.listHeld("m-other", new Date("2025-06-01T00:00:00.000Z"))).toEqual([{ day: "2025-06-15", count: 1, purposes: ["alert"], alerts: [] }]);
    // Another address about the same merchant still goes.
    await email.send(alert("other@example.com"));
    expect(world.email.sent).toHaveLength(4);
    // A new UTC day, a new count.
    world.clock.at = new Date("2025-06-16T00:00:01.000Z");
    await email.send(alert("victim@example.com"));
    expect(world.email.sent).toHaveLength(5);
  });

  it("hold back a merchant's email past its cap, to any address, for every purpose but sign-in", async () => {
    const held: HeldEmail[] = [];
    world = await createEngineWorld({ emailCaps: { perRecipient: 100, perMerchant: 4, ownerAlerts: 100 }, onEmailHeld: (each) => held.push(each) });
    const { email } = world.services;
    const purposes = ["digest", "confirm-recipient", "backfill-summary", "unsubscribe-notice", "posting-status", "reconnect"] as const;
    for (const [index, purpose] of purposes.entries()) await email.send({ ...alert(`a${String(index)}@example.com`), purpose });
    expect(world.email.sent.map((each) => each.purpose)).toEqual(purposes.slice(0, 4));
    expect(held.map((each) => [each.purpose, each.reason])).toEqual([["posting-status", "merchant"], ["reconnect", "merchant"]]);
    expect(await world.services.storage.heldEmails.listHeld(MERCHANT_ID, new Date("2025-06-15T00:00:00.000Z"))).toEqual([
      { day: "2025-06-15", count: 2, purposes: ["posting-status", "reconnect"], alerts: [] },
    ]);
    for (let index = 0; index < 10; index++) await email.send({ to: [OWNER], subject: "Sign in", text: "…", purpose: "sign-in" });
    expect(world.email.sent.filter((each) => each.purpose === "sign-in")).toHaveLength(10);
  });
});

describe("a recipient's consent", () => {
  const merchant = (): Merchant => ({ merchantId: MERCHANT_ID, name: "Main Street Coffee", email: OWNER, createdAt: "2025-06-01T00:00:00.000Z" });
  const deps = () => ({ ...world.digests, recipients: world.services.storage.recipients, store: world.services.storage.store, now: () => world.clock.at });
  const list = async () => recipientsOf(await world.services.storage.recipients.get(MERCHANT_ID), OWNER);
  const tokenOf = (text: string, path: string) => new RegExp(`https://daybook\\.test${path}\\?token=([\\w.-]+)`).exec(text)?.[1] ?? "";

  it("asks a new address once, and adding it again (even after removing it) sends nothing more while the link works", async () => {
    world = await createEngineWorld();
    expect(await inviteRecipient(deps(), merchant(), "Books@Example.com ")).toBe("pending");
    expect(await inviteRecipient(deps(), merchant(), "books@example.com")).toBe("already-listed");
    await updateRecipients(world.services.storage.recipients, MERCHANT_ID, (current) => ({ list: removeAddress(current, OWNER, "books@example.com", world.clock.at), result: undefined }));
    expect(await inviteRecipient(deps(), merchant(), "books@example.com")).toBe("pending-already-invited");
    expect(world.email.sent.map((each) => [each.to.join(), each.purpose, each.subject])).toEqual([["books@example.com", "confirm-recipient", "Confirm: daybook's reports for Main Street Coffee"]]);
    const confirmation = world.email.sent[0]!;
    expect(confirmation.merchantId).toBe(MERCHANT_ID);
    expect(confirmation.text.replace(/\s+/g, " ")).toContain(`${OWNER} asked daybook to send books@example.com the daily digest of Main Street Coffee`);
    expect(confirmation.text).toContain("Confirm and receive the digest: https://daybook.test/recipients/confirm?token=");
    expect(confirmation.text).toContain("Refuse these emails: https://daybook.test/unsubscribe?token=");
    expect(await list()).toMatchObject([{ address: OWNER, status: "confirmed" }, { address: "books@example.com", status: "pending" }]);

    // Eight days on, the first link has expired: removed and added again, it is asked again, once.
    world.clock.at = new Date("2025-06-23T09:00:00.000Z");
    await updateRecipients(world.services.storage.recipients, MERCHANT_ID, (current) => ({ list: removeAddress(current, OWNER, "books@example.com", world.clock.at), result: undefined }));
    expect(await inviteRecipient(deps(), merchant(), "books@example.com")).toBe("pending");
    expect(world.email.sent.filter((each) => each.purpose === "confirm-recipient")).toHaveLength(2);

    const confirmed = await confirmFromLink(deps(), tokenOf(world.email.sent[1]!.text, "/recipients/confirm"));
    expect(confirmed?.recipient).toMatchObject({ address: "books@example.com", status: "confirmed" });
  });

  it("asks again for what the merchant chose since: a pending address set to weekly is asked for the weekly digest, not a daily one", async () => {
    world = await createEngineWorld();
    await inviteRecipient(deps(), merchant(), "books@example.com");
    await updateRecipients(world.services.storage.recipients, MERCHANT_ID, (current) => ({ list: withFrequency(current, OWNER, "books@example.com", "weekly"), result: undefined }));
    world.clock.at = new Date("2025-06-23T09:00:00.000Z");
    expect(await resendConfirmation(deps(), merchant(), "books@example.com")).toBe("sent");
    const again = world.email.sent.filter((each) => each.purpose === "confirm-recipient").at(-1)!.text.replace(/\s+/g, " ");
    expect(again).toContain(`${OWNER} asked daybook to send books@example.com the weekly digest of Main Street Coffee: every Monday morning,`);
    expect(again).not.toContain("every morning");
    await updateRecipients(world.services.storage.recipients, MERCHANT_ID, (current) => ({ list: withFrequency(current, OWNER, "books@example.com", "exceptions"), result: undefined }));
    world.clock.at = new Date("2025-07-01T09:00:00.000Z");
    expect(await resendConfirmation(deps(), merchant(), "books@example.com")).toBe("sent");
    expect(world.email.sent.at(-1)!.text.replace(/\s+/g, " ")).toContain("the digest of Main Street Coffee on the mornings when something needs attention");
  });

  it("counts the sign-in address as confirmed, and never asks it", async () => {
    world = await createEngineWorld();
    expect(await world.services.storage.recipients.addressesThatMayReceive(MERCHANT_ID, OWNER)).toEqual([OWNER]);
    expect(await inviteRecipient(deps(), merchant(), "books@example.com")).toBe("pending");
    // Pending: not among the addresses other emails about the merchant may go to.
    expect(await world.services.storage.recipients.addressesThatMayReceive(MERCHANT_ID, OWNER)).toEqual([OWNER]);
    await confirmFromLink(deps(), tokenOf(world.email.sent[0]!.text, "/recipients/confirm"));
    expect(await world.services.storage.recipients.addressesThatMayReceive(MERCHANT_ID, OWNER)).toEqual([OWNER, "books@example.com"]);
  });

  it("keeps an unsubscribe when the merchant adds the address again, tells the merchant once, and lets only the recipient undo it", async () => {
    world = await createEngineWorld();
    await inviteRecipient(deps(), merchant(), "books@example.com");
    await confirmFromLink(deps(), tokenOf(world.email.sent[0]!.text, "/recipients/confirm"));
    const link = tokenOf(unsubscribeUrl({ ...deps(), now: () => world.clock.at }, MERCHANT_ID, "books@example.com"), "/unsubscribe");
    await unsubscribeFromLink(deps(), link);
    await unsubscribeFromLink(deps(), link);
    const notices = world.email.sent.filter((each) => each.purpose === "unsubscribe-notice");
    expect(notices.map((each) => [each.to.join(), each.subject])).toEqual([[OWNER, "books@example.com unsubscribed from Main Street Coffee's daybook reports"]]);
    expect(await world.services.storage.recipients.addressesThatMayReceive(MERCHANT_ID, OWNER)).toEqual([OWNER]);

    const before = world.email.sent.length;
    await updateRecipients(world.services.storage.recipients, MERCHANT_ID, (current) => ({ list: removeAddress(current, OWNER, "books@example.com", world.clock.at), result: undefined }));
    expect(await inviteRecipient(deps(), merchant(), "books@example.com")).toBe("unsubscribed");
    expect(world.email.sent).toHaveLength(before);
    expect(await world.services.storage.recipients.addressesThatMayReceive(MERCHANT_ID, OWNER)).toEqual([OWNER]);

    // The recipient, from the page their link opened.
    const target = await readUnsubscribeLink(deps(), link);
    await resubscribeFromLink(deps(), resubscribeToken(deps(), MERCHANT_ID, target!.hash));
    expect((await world.services.storage.recipients.get(MERCHANT_ID)).unsubscribed.map((each) => each.hash)).not.toContain(addressHash("books@example.com"));
  });
});
