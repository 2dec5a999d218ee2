/**
 * What the accountants' tests share: an owner inviting an address from the reports page (and the
 * link the outbox got), the invitee accepting it in a browser, and days of a location as the worker
 * leaves them (a record, and for a posted day its report with the entry's lines).
 */
import { expect } from "vitest";
import type { LocationConfig, SyncRecord } from "../../lib/model";
import { summaryOf } from "../support/summaries";
import { type Browser, PUBLIC_URL, type WebWorld } from "./world";

export const INVITATION_LINK = /https:\/\/daybook\.test\/invitations\/accept\?token=([A-Za-z0-9_-]{43})/;
/** The invitation email's "Don't send me invitations" link: a signed link (payload.signature). */
export const STOP_LINK = /https:\/\/daybook\.test\/invitations\/stop\?token=([\w-]+\.[\w-]+)/;

/** The owner invites `email` from the reports page; returns the invitation's link from the outbox. */
export async function invite(world: WebWorld, owner: Browser, email: string): Promise<string> {
  const before = (await world.emails()).length;
  const sent = await owner.post("/reports/access/invite", { email });
  expect(sent.status).toBe(303);
  expect(sent.headers.get("Location")).toBe("/reports?access=invited#access");
  const emails = (await world.emails()).slice(before);
  expect(emails).toHaveLength(1);
  const message = emails[0]!;
  expect(message.to).toBe(email.toLowerCase());
  expect(message.purpose).toBe("invitation");
  const link = INVITATION_LINK.exec(message.raw)?.[0];
  if (!link) throw new Error("the invitation email has no link");
  return link;
}

/** Opens the invitation's link and presses its button, as a person does; returns the POST's answer. */
export async function accept(browser: Browser, link: string): Promise<Response> {
  const landing = await browser.get(link.slice(PUBLIC_URL.length));
  expect(landing.status).toBe(200);
  const token = /name="token" value="([A-Za-z0-9_-]{43})"/.exec(await landing.text())?.[1];
  if (!token) throw new Error("the invitation page has no token field");
  return browser.post("/invitations/accept", { token });
}

/** A location-day as the worker leaves it; a posted day also gets the report the worker kept of its entry. */
export async function dayOf(world: WebWorld, location: LocationConfig, businessDay: string, state: "posted" | "held" | "failed"): Promise<SyncRecord> {
  const at = world.clock.date().toISOString();
  const summary = summaryOf({ sales: { FOOD: 12_500 } });
  const docNumber = `DB${businessDay.replaceAll("-", "").slice(2)}-TEST01`;
  const record = await world.deps.store.saveSyncRecord({
    merchantId: location.merchantId, locationId: location.locationId, businessDay, state, attempts: 1, lastSummary: summary, updatedAt: at,
    posted: state === "posted" ? [{ revision: 0, docNumber, entryId: "1234", txnDate: businessDay, requestId: "req-1", summary, postedAt: at }] : [],
    ...(state === "held" ? { heldReason: "Review mode is on: the entry waits for approval." } : {}),
    ...(state === "failed" ? { lastError: { kind: "needs-reconnect" as const, message: "QuickBooks refused the connection.", at } } : {}),
  }, 0);
  if (state === "posted") {
    await world.deps.reports.save({
      merchantId: location.merchantId, locationId: location.locationId, businessDay, reportId: "R0000", status: "posted", alert: false, createdAt: at,
      content: {
        merchantName: "", locationName: location.name, source: location.source, businessDay, timeZone: location.timeZone, status: "posted",
        connectionsUrl: `${PUBLIC_URL}/connections`, reportUrl: `${PUBLIC_URL}/days/${location.locationId}/${businessDay}`, warnings: [],
        entry: {
          docNumber, txnDate: businessDay, currency: "USD", total: 12_500,
          lines: [
            { description: "Card payments", postingType: "Debit", amount: 12_500, accountId: location.mapping.defaults.tenders },
            { description: "Sales", postingType: "Credit", amount: 12_500, accountId: location.mapping.defaults.sales },
          ],
        },
      },
    });
  }
  return record;
}
