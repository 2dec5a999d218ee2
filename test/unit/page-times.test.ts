/** Times on the pages: in the business's zone with its abbreviation (lib/web/pages/format.ts formatInstant), or UTC said as such. */
import { describe, expect, it } from "vitest";
import type { Session } from "../../lib/auth/types";
import type { Viewer } from "../../lib/web/pages/layout";
import { SessionsPage } from "../../lib/web/pages/sessions";

const session: Session = {
  sessionHash: "a".repeat(64), merchantId: "m1",
  createdAt: "2026-03-07T15:03:00.000Z", lastSeenAt: "2026-07-04T16:30:00.000Z",
  idleExpiresAt: "2026-07-04T17:00:00.000Z", absoluteExpiresAt: "2026-07-05T03:03:00.000Z",
  userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
  approximateIp: "198.51.100.0/24",
};

async function sessionsPage(viewer: Viewer): Promise<string> {
  const element = SessionsPage({ viewer, sessions: [session], currentSessionHash: session.sessionHash });
  return (await Promise.resolve(element).then((each) => each.toString())).replace(/\s+/g, " ");
}

const CHOOSE_LINK = '<a href="/account#time-zone">Choose your time zone</a>';

describe("the sessions page's times", () => {
  it("are in the merchant's zone with its abbreviation, winter and summer", async () => {
    const html = await sessionsPage({ email: "owner@example.com", formToken: "t", role: "owner", timeZone: "America/Los_Angeles" });
    expect(html).toContain("<td>Sat 7 Mar 2026, 07:03 PST</td>");
    expect(html).toContain("<td>Sat 4 Jul 2026, 09:30 PDT</td>");
    expect(html).not.toContain("UTC");
    expect(html).not.toContain(CHOOSE_LINK);
  });

  it("stay in UTC for a merchant without a zone, and the page says so with the link to choose one", async () => {
    const html = await sessionsPage({ email: "owner@example.com", formToken: "t", role: "owner" });
    expect(html).toContain("<td>Sat 7 Mar 2026, 15:03 UTC</td>");
    expect(html).toContain(`Times are in UTC: you have not chosen your time zone yet (setting up your first location takes its zone). ${CHOOSE_LINK}.`);
  });

  it("tell an accountant whose client has no zone that its owner chooses it, without a link the accountant may not follow", async () => {
    const html = await sessionsPage({ email: "books@example.com", formToken: "t", role: "accountant", businessName: "Alder Bakery" });
    expect(html).toContain("<td>Sat 7 Mar 2026, 15:03 UTC</td>");
    expect(html).toContain("Times are in UTC: this business has not chosen its time zone yet. Its owner chooses it on their account page.");
    expect(html).not.toContain(CHOOSE_LINK);
  });
});
