/**
 * The invitation an accountant receives (lib/members/invitations.ts), on the in-memory runtime: what
 * access gives, named as the emails that follow name themselves (the morning digest, one email for
 * every business the accountant works on), and the link; and the invitee's own "Don't send me
 * invitations" link, after which no business's invitation reaches the address.
 */
import { afterEach, expect, it } from "vitest";
import { allowFromLink, allowToken, stopFromLink } from "../../lib/members/invitation-stops";
import { inviteAccountant } from "../../lib/members/invitations";
import { createEngineWorld, type EngineWorld, MERCHANT_ID } from "./runtime";

let world: EngineWorld;
afterEach(async () => {
  await world.close();
});

it("names what the accountant will receive as the emails that follow call it: the morning digest, one email with every business", async () => {
  world = await createEngineWorld();
  const { storage } = world.services;
  const deps = { store: storage.store, members: storage.members, auth: storage.auth, recipients: storage.recipients, email: world.services.email, publicUrl: world.services.publicUrl, linkKey: world.worker.linkKey, now: () => world.clock.at };
  const business = (await storage.store.getMerchant(MERCHANT_ID))!;
  expect((await inviteAccountant(deps, { business, invitedBy: business, address: "cpa@ledger.example" })).ok).toBe(true);
  const invitation = world.email.sent.find((email) => email.purpose === "invitation")!;
  expect(invitation.subject).toBe("Main Street Coffee invited you to daybook");
  const text = invitation.text.replace(/\s+/g, " ");
  expect(text).toContain("You will also get its morning digest, in one email with every other business you work on in daybook.");
  expect(text).not.toContain("daily reports");
  expect(text).toMatch(/https:\/\/daybook\.test\/invitations\/accept\?token=[\w-]+/);
  expect(text).toMatch(/Don't send me invitations \(from Main Street Coffee or any other business, in daybook\): https:\/\/daybook\.test\/invitations\/stop\?token=[\w-]+\.[\w-]+/);
  expect(invitation.html).toContain(">Don't send me invitations</a>");
});

it("goes to an address once a day from a business: sent again the same day, nothing is sent and the first link still works; the next day it replaces it", async () => {
  world = await createEngineWorld();
  const { storage } = world.services;
  const deps = { store: storage.store, members: storage.members, auth: storage.auth, recipients: storage.recipients, email: world.services.email, publicUrl: world.services.publicUrl, linkKey: world.worker.linkKey, now: () => world.clock.at };
  const business = (await storage.store.getMerchant(MERCHANT_ID))!;
  const invitations = () => world.email.sent.filter((email) => email.purpose === "invitation");
  const first = await inviteAccountant(deps, { business, invitedBy: business, address: "cpa@ledger.example" });
  world.clock.at = new Date(world.clock.at.getTime() + 23 * 3600 * 1000);
  expect(await inviteAccountant(deps, { business, invitedBy: business, address: "CPA@ledger.example" })).toEqual({ ok: false, problem: "invited-recently" });
  expect(invitations()).toHaveLength(1);
  expect((await storage.members.listInvitations(MERCHANT_ID, world.clock.at)).map((invitation) => invitation.invitationId)).toEqual([first.ok ? first.invitation.invitationId : ""]);

  world.clock.at = new Date(world.clock.at.getTime() + 3600 * 1000);
  const again = await inviteAccountant(deps, { business, invitedBy: business, address: "cpa@ledger.example" });
  expect(again.ok).toBe(true);
  expect(invitations()).toHaveLength(2);
  expect((await storage.members.listInvitations(MERCHANT_ID, world.clock.at)).map((invitation) => invitation.invitationId)).toEqual([again.ok ? again.invitation.invitationId : ""]);
});

it("sends nothing to an address that used its \"Don't send me invitations\" link, from any business, until the address allows them again", async () => {
  world = await createEngineWorld();
  const { storage } = world.services;
  const deps = { store: storage.store, members: storage.members, auth: storage.auth, recipients: storage.recipients, email: world.services.email, publicUrl: world.services.publicUrl, linkKey: world.worker.linkKey, now: () => world.clock.at };
  const first = (await storage.store.getMerchant(MERCHANT_ID))!;
  const second = { merchantId: "m-birch", name: "Birch Cafe", email: "owner@birch.example", createdAt: world.clock.at.toISOString() };
  await storage.store.createMerchant(second);
  const invitations = () => world.email.sent.filter((email) => email.purpose === "invitation");
  const openTo = async () => (await Promise.all([first, second].map((business) => storage.members.listInvitations(business.merchantId, world.clock.at)))).flat();
  for (const business of [first, second]) expect((await inviteAccountant(deps, { business, invitedBy: business, address: "cpa@ledger.example" })).ok).toBe(true);
  expect(await openTo()).toHaveLength(2);

  const token = /\/invitations\/stop\?token=([\w.-]+)/.exec(invitations()[0]!.text)?.[1] ?? "";
  const stopped = await stopFromLink(deps, token);
  expect(stopped.withdrawn).toBe(2);
  expect(await openTo()).toEqual([]);

  // A day on (past the once-a-day limit), from either business: refused, nothing sent, nothing kept.
  world.clock.at = new Date(world.clock.at.getTime() + 25 * 3600 * 1000);
  for (const business of [first, second]) {
    expect(await inviteAccountant(deps, { business, invitedBy: business, address: " CPA@ledger.example" })).toEqual({ ok: false, problem: "stopped" });
  }
  expect(invitations()).toHaveLength(2);
  expect(await openTo()).toEqual([]);

  expect(await allowFromLink(deps, allowToken(deps, stopped))).toBe(true);
  expect((await inviteAccountant(deps, { business: second, invitedBy: second, address: "cpa@ledger.example" })).ok).toBe(true);
  expect(invitations()).toHaveLength(3);
});
