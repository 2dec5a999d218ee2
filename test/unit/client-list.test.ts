/**
 * The accountant's client list (lib/members/client-list.ts, the page lib/web/pages/clients.tsx): a day
 * posted before whose check for later changes failed reads as posted, as its report, the digest and the
 * history page say it; a day with nothing in QuickBooks still reads Failed.
 */
import { describe, expect, it } from "vitest";
import { clientList } from "../../lib/members/client-list";
import { locationStatusOf } from "../../lib/members/location-status";
import type { LocationStatus, Membership } from "../../lib/members/types";
import type { SyncRecord } from "../../lib/model";
import { emptySummary } from "../../lib/domain/summary";
import { ClientsPage } from "../../lib/web/pages/clients";

const NOW = new Date("2025-06-15T14:00:00.000Z");
const at = "2025-06-15T10:00:00.000Z";
const failed = (posted: boolean): LocationStatus => ({
  name: "Main Street", timeZone: "America/New_York", businessDay: "2025-06-14", state: "failed", reason: "Square did not answer", failureKind: "retryable",
  ...(posted ? { posted: true as const } : {}), updatedAt: at,
});
const membership = (businessId: string, businessName: string, status: LocationStatus): Membership => ({
  businessId, personId: "p-books", businessName, createdAt: at, locations: { L1: status }, statusUpdatedAt: at,
});

const record = (posted: number): SyncRecord => ({
  merchantId: "m1", locationId: "L1", businessDay: "2025-06-14", state: "failed", attempts: 1, version: 3, updatedAt: at,
  lastError: { kind: "retryable", message: "Square did not answer", at },
  posted: Array.from({ length: posted }, (_, revision) => ({
    revision, docNumber: `DB250614-AB12C${String(revision)}`, entryId: "412", txnDate: "2025-06-14", requestId: "r1", summary: emptySummary("USD"), postedAt: at,
  })),
});

describe("the client list", () => {
  it("keeps on the list that a failed day has entries in QuickBooks", () => {
    const location = { name: "Main Street", timeZone: "America/New_York" };
    expect(locationStatusOf(record(1), location)).toMatchObject({ state: "failed", posted: true });
    expect(locationStatusOf(record(0), location)).not.toHaveProperty("posted");
  });

  it("says a day posted before whose check for later changes failed is posted, and lists it after what failed to post", async () => {
    const list = clientList([membership("b-alder", "Alder Bakery", failed(true)), membership("b-birch", "Birch Cafe", failed(false))], NOW);
    const [first, second] = list.attention;
    expect(first).toMatchObject({ businessName: "Birch Cafe", location: { state: "failed", words: "Failed on Saturday 14 June 2025: Square did not answer" } });
    expect(second).toMatchObject({
      businessName: "Alder Bakery", next: "/days/L1/2025-06-14",
      location: { state: "recheck-failed", words: "Posted; the check for later changes failed on Saturday 14 June 2025: Square did not answer" },
    });

    const element = ClientsPage({ viewer: { email: "books@ledger.example", formToken: "t", role: "owner" }, list, ownId: "p-books" });
    const page = (await Promise.resolve(element).then((each) => each.toString())).replace(/\s+/g, " ");
    expect(page).toContain("<strong>Posted; the check for later changes failed: </strong>Alder Bakery, Main Street. Posted; the check for later changes failed on Saturday 14 June 2025");
    expect(page).toContain("<strong>Failed: </strong>Birch Cafe, Main Street. Failed on Saturday 14 June 2025: Square did not answer.");
    // Each button names the location, its business and the day it opens: both businesses' locations are "Main Street".
    expect(page).toContain(">Open Main Street of Birch Cafe, Saturday 14 June 2025</button>");
    expect(page).toContain(">Open Main Street of Alder Bakery, Saturday 14 June 2025</button>");
    const buttons = [...page.matchAll(/<button type="submit">([^<]*)<\/button>/g)].map((match) => match[1]);
    expect(new Set(buttons).size).toBe(buttons.length);
    // Birch Cafe's three (its label, its words, its row in the table); none of Alder Bakery's.
    expect(page.match(/Failed/g)).toHaveLength(3);
  });
});

describe("a location's earlier days", () => {
  const day = (businessDay: string, state: SyncRecord["state"], posted = 0): SyncRecord => ({
    ...record(posted), businessDay, state, ...(state === "held" ? { heldReason: "this business reviews each entry" } : {}),
  });

  it("keeps the days before the latest still held or failed, oldest first, whatever came after them", () => {
    const location = { name: "Main Street", timeZone: "America/New_York" };
    const status = locationStatusOf(day("2025-06-14", "posted", 1), location, [
      day("2025-06-13", "failed", 1), day("2025-06-11", "held"), day("2025-06-12", "posted", 1), day("2025-06-10", "no-sales"), day("2025-06-14", "posted", 1),
    ]);
    expect(status.earlier).toEqual([
      { businessDay: "2025-06-11", state: "held", reason: "this business reviews each entry" },
      { businessDay: "2025-06-13", state: "failed", reason: "Square did not answer", posted: true },
    ]);
    expect(locationStatusOf(day("2025-06-14", "posted", 1), location, [day("2025-06-12", "posted", 1)])).not.toHaveProperty("earlier");
  });

  it("lists a held day a later posted day would hide, with its own button, and counts it in the business's state", async () => {
    const posted: LocationStatus = {
      name: "Main Street", timeZone: "America/New_York", businessDay: "2025-06-14", state: "posted", updatedAt: at,
      earlier: [{ businessDay: "2025-06-12", state: "held", reason: "this business reviews each entry" }],
    };
    const list = clientList([membership("b-alder", "Alder Bakery", posted), membership("b-birch", "Birch Cafe", { ...posted, earlier: [] })], NOW);
    expect(list.rows.map((row) => [row.businessName, row.state])).toEqual([["Alder Bakery", "held"], ["Birch Cafe", "posted"]]);
    expect(list.attention).toHaveLength(1);
    expect(list.attention[0]).toMatchObject({
      businessName: "Alder Bakery", next: "/days/L1/2025-06-12",
      location: { state: "held", businessDay: "2025-06-12", words: "Held for review, Thursday 12 June 2025: this business reviews each entry" },
    });
    const element = ClientsPage({ viewer: { email: "books@ledger.example", formToken: "t", role: "owner" }, list, ownId: "p-books" });
    const page = (await Promise.resolve(element).then((each) => each.toString())).replace(/\s+/g, " ");
    expect(page).toContain(">Review Main Street of Alder Bakery, Thursday 12 June 2025</button>");
    // The client's row says both: the held day and last night.
    expect(page).toContain("<li>Main Street: Held for review, Thursday 12 June 2025: this business reviews each entry</li><li>Main Street: Posted Saturday 14 June 2025</li>");
  });
});
