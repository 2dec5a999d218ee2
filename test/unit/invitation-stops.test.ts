/**
 * An invitee's "Don't send me invitations" (lib/members/invitation-stops.ts) and what it means for
 * sending one (lib/members/invitations.ts inviteRefusal): the decisions, on a member store of a few
 * lines in memory.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signLink, SignedLinkError } from "../../lib/links/signed-link";
import {
  allowFromLink, allowToken, chooseInvitationsFor, type InvitationStopDeps, invitationsStoppedFor, readStopLink, stopFromLink, stopInvitationsUrl,
} from "../../lib/members/invitation-stops";
import { inviteRefusal, MAX_ACCESS, REINVITE_AFTER_MS } from "../../lib/members/invitations";
import type { InvitationStop } from "../../lib/members/types";
import { addressHash } from "../../lib/report/recipients";

const NOW = new Date("2026-03-02T10:00:00.000Z");
const ADDRESS = "books@firm.example";

function world() {
  const stops = new Map<string, InvitationStop>();
  const open = new Map<string, string[]>([[addressHash(ADDRESS), ["i1", "i2"]]]);
  const deps: InvitationStopDeps = {
    linkKey: randomBytes(32),
    now: () => NOW,
    store: { getMerchant: (id) => Promise.resolve(id === "biz" ? { merchantId: "biz", name: "Alder Bakery", email: "owner@alder.example", createdAt: NOW.toISOString() } : undefined) },
    members: {
      stopInvitations: (stop) => Promise.resolve(!stops.has(stop.addressHash) && Boolean(stops.set(stop.addressHash, stop))),
      findInvitationStop: (hash) => Promise.resolve(stops.get(hash)),
      liftInvitationStop: (hash) => Promise.resolve(stops.delete(hash)),
      cancelInvitationsTo: (hash) => {
        const ids = open.get(hash) ?? [];
        open.delete(hash);
        return Promise.resolve(ids.length);
      },
    },
  };
  const tokenOf = (url: string) => new URL(url).searchParams.get("token") ?? "";
  return { deps, stops, tokenOf, stopToken: tokenOf(stopInvitationsUrl({ ...deps, publicUrl: "https://daybook.test" }, "biz", " Books@Firm.example ")) };
}

describe("the stop link", () => {
  it("names the business and changes nothing when read; used, it stops the address (by its hash alone) and withdraws its open invitations; used again, nothing more", async () => {
    const { deps, stops, stopToken } = world();
    expect(await readStopLink(deps, stopToken)).toEqual({ addressHash: addressHash(ADDRESS), businessId: "biz", businessName: "Alder Bakery", stopped: false });
    expect(stops.size).toBe(0);

    expect(await stopFromLink(deps, stopToken)).toMatchObject({ stopped: true, withdrawn: 2 });
    expect([...stops.values()]).toEqual([{ addressHash: addressHash(ADDRESS), stoppedAt: NOW.toISOString() }]);
    expect(JSON.stringify([...stops.values()])).not.toContain("firm");

    const later = { ...deps, now: () => new Date(NOW.getTime() + 86_400_000) };
    expect(await stopFromLink(later, stopToken)).toMatchObject({ stopped: true, withdrawn: 0 });
    expect(stops.get(addressHash(ADDRESS))?.stoppedAt).toBe(NOW.toISOString());
    expect(await readStopLink(deps, stopToken)).toMatchObject({ stopped: true });
  });

  it("is refused, with a sentence and nothing changed, when tampered with, signed with another key, made for another purpose or expired", async () => {
    const { deps, stops, stopToken } = world();
    const [payload, signature] = stopToken.split(".") as [string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
    const otherAddress = Buffer.from(JSON.stringify({ ...claims, subject: addressHash("victim@elsewhere.example") })).toString("base64url");
    const expiresAt = Math.floor(NOW.getTime() / 1000) + 3600;
    const refused = [
      `${otherAddress}.${signature}`,
      signLink({ purpose: "stop-invitations", merchantId: "biz", subject: addressHash("victim@elsewhere.example"), expiresAt }, randomBytes(32)),
      // A recipient's unsubscribe link, or the undo link, for the same address.
      signLink({ purpose: "unsubscribe", merchantId: "biz", subject: addressHash(ADDRESS), expiresAt }, deps.linkKey),
      signLink({ purpose: "allow-invitations", merchantId: "biz", subject: addressHash(ADDRESS), expiresAt }, deps.linkKey),
      stopToken.slice(0, -2),
    ];
    for (const token of refused) {
      await expect(stopFromLink(deps, token), token).rejects.toThrow(SignedLinkError);
    }
    const aYearOn = { ...deps, now: () => new Date(NOW.getTime() + 366 * 86_400_000) };
    await expect(stopFromLink(aYearOn, stopToken)).rejects.toThrow("This link has expired");
    expect(stops.size).toBe(0);
  });

  it("is undone only by the address: the stopped page's own link, for a week, or signed in with the address", async () => {
    const { deps, stops, stopToken } = world();
    const stopped = await stopFromLink(deps, stopToken);
    const undo = allowToken(deps, stopped);
    // The stop link itself does not lift it.
    await expect(allowFromLink(deps, stopToken)).rejects.toThrow(SignedLinkError);
    await expect(allowFromLink({ ...deps, now: () => new Date(NOW.getTime() + 8 * 86_400_000) }, undo)).rejects.toThrow("This link has expired");
    expect(await allowFromLink(deps, undo)).toBe(true);
    expect(stops.size).toBe(0);

    await chooseInvitationsFor(deps, "BOOKS@firm.example", false);
    expect(await invitationsStoppedFor(deps, ADDRESS)).toBe(true);
    expect(await invitationsStoppedFor(deps, "someone.else@firm.example")).toBe(false);
    await chooseInvitationsFor(deps, ADDRESS, true);
    expect(await invitationsStoppedFor(deps, ADDRESS)).toBe(false);
  });
});

describe("sending an invitation", () => {
  const base = { email: ADDRESS, members: [], open: [], earlier: [], stopped: false, now: NOW };
  const sentAgo = (ms: number) => ({ createdAt: new Date(NOW.getTime() - ms).toISOString() });

  it("sends nothing to an address that asked for none, whatever else stands: neither waiting a day nor making room would send it", () => {
    expect(inviteRefusal(base)).toBeUndefined();
    expect(inviteRefusal({ ...base, stopped: true })).toBe("stopped");
    const earlier = [sentAgo(REINVITE_AFTER_MS - 1)];
    expect(inviteRefusal({ ...base, stopped: true, earlier, open: earlier })).toBe("stopped");
    expect(inviteRefusal({ ...base, stopped: true, open: Array.from({ length: MAX_ACCESS }, () => sentAgo(0)) })).toBe("stopped");
  });

  it("says an address with access has it, before anything about invitations", () => {
    expect(inviteRefusal({ ...base, stopped: true, members: [{ email: ADDRESS }] })).toBe("already-member");
  });
});
