/**
 * The business's block is one thing (lib/report/digest-document.ts businessBlocks): the business's own
 * digest is that block in its envelope, and the accountants' combined digest carries the very same block
 * for each client, its headings one level down. So a section added to a business's digest (its
 * deposits, say) shows in both without more work.
 */
import { describe, expect, it } from "vitest";
import type { CombinedDigestModel, DigestModel } from "../../lib/report/digest";
import type { DepositsSection } from "../../lib/report/digest-deposits";
import { businessBlocks, combinedDocument, combinedSubject, digestDocument } from "../../lib/report/digest-document";
import { renderEmail } from "../../lib/report/email-document";

const model = (businessName: string, held: boolean): DigestModel => ({
  businessName, kind: "daily", first: "2025-06-14", last: "2025-06-14",
  lines: [{
    location: { locationId: "L1", name: `${businessName} shop`, source: "square", currency: "USD" }, businessDay: "2025-06-14",
    state: held ? "held" : "posted", adjustments: 0, totals: undefined, entries: [], dayUrl: "https://daybook.test/days/L1/2025-06-14",
  }],
  exceptions: held
    ? [{
      kind: "held", locationId: "L1", businessDay: "2025-06-14", approveUrl: "https://daybook.test/approve?token=t",
      content: {
        merchantName: businessName, locationName: `${businessName} shop`, source: "square", businessDay: "2025-06-14", timeZone: "America/New_York", status: "held",
        heldReason: "The POS figures are short by 5.00 USD", connectionsUrl: "https://daybook.test/connections", reportUrl: "https://daybook.test/days/L1/2025-06-14", warnings: [],
      },
    }]
    : [],
  newUnmapped: [], repeatedUnmapped: [{ locationName: `${businessName} shop`, count: 2, mappingUrl: "https://daybook.test/locations/L1/mapping" }],
  historyUrl: "https://daybook.test/history",
});

describe("the digest's business block", () => {
  it("is the whole of the business's own digest but its title and footer", () => {
    const own = model("Alder Bakery", true);
    const document = digestDocument(own, { address: "books@ledger.example", frequency: "daily", unsubscribeUrl: "https://daybook.test/unsubscribe?token=u" });
    expect(document.blocks).toEqual(businessBlocks(own));
  });

  it("is each client's section of the combined digest, its headings a level down, the client needing attention first as given", () => {
    const clients = [model("Main Street Coffee", true), model("Alder Bakery", false)];
    const combined: CombinedDigestModel = { kind: "daily", first: "2025-06-14", last: "2025-06-14", clients, notReady: [], clientsUrl: "https://daybook.test/clients" };
    const document = combinedDocument(combined, { address: "books@ledger.example", unsubscribeUrl: "https://daybook.test/unsubscribe?token=u" });
    const headed = clients.map((client) => document.blocks.findIndex((block) => block.kind === "heading" && block.text.startsWith(client.businessName) && block.level === undefined));
    expect(headed[0]).toBeGreaterThan(0);
    expect(headed[1]).toBeGreaterThan(headed[0] ?? 0);
    clients.forEach((client, index) => {
      const own = businessBlocks(client);
      const start = (headed[index] ?? 0) + 1;
      expect(document.blocks.slice(start, start + own.length)).toEqual(own.map((block) => (block.kind === "heading" || block.kind === "list" ? { ...block, level: 3 } : block)));
    });
    expect(combinedSubject(combined)).toBe("Your clients: Saturday 14 June 2025 – 2 clients, 1 needs attention");
    expect(document.blocks[headed[0] ?? 0]).toEqual({ kind: "heading", text: "Main Street Coffee: 1 held day" });
  });
});

describe("the combined digest's payouts daybook does not post", () => {
  const squareAt = (name: string, posting: boolean) => ({ source: "square" as const, locationId: `L-${name}`, name, currency: "USD", posting, payouts: [] });
  const withDeposits = (businessName: string, locations: ReturnType<typeof squareAt>[]): DigestModel =>
    ({ ...model(businessName, false), deposits: { first: "2025-06-14", last: "2025-06-14", locations } satisfies DepositsSection });
  const audience = { address: "books@ledger.example", unsubscribeUrl: "https://daybook.test/unsubscribe?token=u" };

  it("says it once, after the clients, each location with its client, never once per client; a business's own digest still says it", () => {
    const alder = withDeposits("Alder Bakery", [squareAt("Main Street", false)]);
    const birch = withDeposits("Birch Cafe", [squareAt("Harbour", false), squareAt("Pier", false)]);
    const cedar = withDeposits("Cedar Deli", [squareAt("Uptown", true)]);
    const combined: CombinedDigestModel = { kind: "daily", first: "2025-06-14", last: "2025-06-14", clients: [alder, birch, cedar], notReady: [], clientsUrl: "https://daybook.test/clients" };
    const document = combinedDocument(combined, audience);
    const text = renderEmail(document).text.replace(/\s+/g, " ");
    expect(text.match(/does not post the Square payouts/g)).toHaveLength(1);
    expect(text).toContain("Square payouts daybook does not post");
    expect(text).toContain("daybook does not post the Square payouts of Alder Bakery (Main Street) and Birch Cafe (Harbour and Pier): their mappings name no bank account for them. " +
      "Match their deposits in the bank feed as before, or choose the bank account Square pays into on each location's mapping page to have daybook post them.");
    // After every client's section; a client with nothing else to say of its deposits has no Deposits heading left empty.
    const said = document.blocks.findIndex((block) => block.kind === "paragraph" && block.text.includes("does not post the Square payouts"));
    expect(said).toBeGreaterThan(document.blocks.findIndex((block) => block.kind === "heading" && block.text === "Cedar Deli"));
    expect(document.blocks.filter((block) => block.kind === "heading" && block.text === "Deposits")).toHaveLength(1);
    expect(text).toContain("Uptown: no Square payout arrived on Saturday 14 June 2025.");

    const own = renderEmail(digestDocument(alder, { ...audience, frequency: "daily" })).text.replace(/\s+/g, " ");
    expect(own).toContain("daybook does not post the Square payouts of Main Street: its mapping names no bank account for them.");
  });

  it("says nothing of it when every client posts its payouts", () => {
    const combined: CombinedDigestModel = { kind: "daily", first: "2025-06-14", last: "2025-06-14", clients: [withDeposits("Cedar Deli", [squareAt("Uptown", true)])], notReady: [], clientsUrl: "https://daybook.test/clients" };
    expect(renderEmail(combinedDocument(combined, audience)).text).not.toContain("does not post");
  });
});

describe("the digest's small print and links", () => {
  const audience = { address: "books@ledger.example", frequency: "daily" as const, unsubscribeUrl: "https://daybook.test/unsubscribe?token=u" };

  it("says a backfill's summary is that, not the daily digest its reason names", () => {
    const backfill: DigestModel = { ...model("Alder Bakery", false), kind: "backfill", first: "2025-06-09" };
    const footer = digestDocument(backfill, audience).footer.map((line) => line.text);
    expect(footer[0]).toBe("This email is the one summary of a backfill of Alder Bakery's days, sent when its last day ended; it comes on top of the digest.");
    expect(footer[1]).toBe("You get Alder Bakery's daily digest from daybook at books@ledger.example.");
    expect(digestDocument(model("Alder Bakery", false), audience).footer.map((line) => line.text).join(" ")).not.toContain("backfill");
  });

  it("links an adjusted day to its page, as a held or failed one is", () => {
    const own = model("Alder Bakery", false);
    const base = { merchantName: "Alder Bakery", locationName: "Alder Bakery shop", source: "square" as const, businessDay: "2025-06-13", timeZone: "America/New_York",
      connectionsUrl: "https://daybook.test/connections", reportUrl: "https://daybook.test/days/L1/2025-06-13", warnings: [] };
    own.exceptions = [{ kind: "adjusted", locationId: "L1", businessDay: "2025-06-13", content: { ...base, status: "adjusted" } }];
    expect(JSON.stringify(businessBlocks(own))).toContain('"links":[{"text":"Open the day","url":"https://daybook.test/days/L1/2025-06-13"}]');
  });
});

describe("the digest's lines", () => {
  it("are explained once per email, what each column holds, when they carry figures: once in a combined digest of many clients too", () => {
    const audience = { address: "books@ledger.example", frequency: "daily" as const, unsubscribeUrl: "https://daybook.test/unsubscribe?token=u" };
    const legendsOf = (document: { footer: { text: string }[]; blocks: unknown[] }) =>
      [...document.footer.map((line) => line.text), ...document.blocks.map((block) => JSON.stringify(block))].filter((text) => text.includes("Card and Cash are payments less refunds"));
    const own = model("Alder Bakery", false);
    expect(legendsOf(digestDocument(own, audience))).toEqual([]);
    const withFigures = (client: DigestModel): DigestModel => ({
      ...client, lines: client.lines.map((line) => ({ ...line, totals: { currency: "USD", netSales: 100, tax: 8, tips: 0, card: 108, cash: 0, fees: 3, feesReported: true } })),
    });
    expect(legendsOf(digestDocument(withFigures(own), audience))).toEqual([
      "Net sales are sales less discounts and returns, before tax and tips; tips include automatic gratuities. Card and Cash are payments less refunds (Cash also less cash back given), before processing fees; gift cards and other tenders are in neither. Fees are the processing fees on the day's payments.",
    ]);
    const clients = [withFigures(model("Main Street Coffee", true)), withFigures(model("Birch Cafe", false)), withFigures(own)];
    const combined: CombinedDigestModel = { kind: "daily", first: "2025-06-14", last: "2025-06-14", clients, notReady: [], clientsUrl: "https://daybook.test/clients" };
    expect(legendsOf(combinedDocument(combined, audience))).toHaveLength(1);
  });

  it("are counted in one order in the summary, posted first, whatever the locations' names", () => {
    const own = model("Alder Bakery", false);
    const line = own.lines[0]!;
    const at = (name: string, state: (typeof line)["state"], entries: (typeof line)["entries"] = []) => ({ ...line, location: { ...line.location, locationId: name, name }, state, entries });
    own.lines = [at("Airport", "no-sales"), at("Bay", "failed"), at("Cove", "held"), at("Dock", "posted"), at("Elm", "failed", [{ docNumber: "DB250614-AB12CD" }]), at("Fir", "posted")];
    const summary = businessBlocks(own)[0];
    expect(summary).toMatchObject({ kind: "paragraph" });
    expect(summary?.kind === "paragraph" && summary.text).toMatch(/^6 locations, 6 days: 2 posted, 1 posted; re-check failed, 1 no sales, 1 held for review, 1 failed\. /);
  });

  it("say a day posted before whose check for later changes failed is posted, with its entry, not failed", () => {
    const own = model("Alder Bakery", false);
    const line = own.lines[0]!;
    own.lines = [{ ...line, state: "failed", entries: [{ docNumber: "DB250614-AB12CD" }] }, { ...line, location: { ...line.location, locationId: "L2", name: "Other shop" }, state: "failed" }];
    const text = JSON.stringify(businessBlocks(own));
    expect(text).toContain("Posted; re-check failed");
    // A day with no entry in QuickBooks stays failed.
    expect(text).toContain("Failed");
  });

  it("head a day posted before whose check for later changes failed as posted, in its section and in the client's heading of the combined digest", () => {
    const own = model("Alder Bakery", false);
    const line = own.lines[0]!;
    const content = {
      merchantName: "Alder Bakery", locationName: "Alder Bakery shop", source: "square" as const, businessDay: "2025-06-14", timeZone: "America/New_York", status: "failed" as const,
      failure: { kind: "retryable" as const, message: "Square did not answer" }, connectionsUrl: "https://daybook.test/connections", reportUrl: "https://daybook.test/days/L1/2025-06-14", warnings: [],
    };
    own.lines = [{ ...line, state: "failed", entries: [{ docNumber: "DB250614-AB12CD" }] }, { ...line, businessDay: "2025-06-13", state: "failed" }];
    own.exceptions = [
      { kind: "failed", locationId: "L1", businessDay: "2025-06-14", content: { ...content, postedBefore: ["DB250614-AB12CD"] } },
      { kind: "failed", locationId: "L1", businessDay: "2025-06-13", content: { ...content, businessDay: "2025-06-13" } },
    ];
    const headings = businessBlocks(own).flatMap((block) => (block.kind === "heading" ? [block.text] : []));
    expect(headings).toContain("Alder Bakery shop, Saturday 14 June 2025: posted; the check for later changes failed");
    expect(headings).toContain("Alder Bakery shop, Friday 13 June 2025: failed");
    const combined: CombinedDigestModel = { kind: "daily", first: "2025-06-14", last: "2025-06-14", clients: [own], notReady: [], clientsUrl: "https://daybook.test/clients" };
    const document = combinedDocument(combined, { address: "books@ledger.example", unsubscribeUrl: "https://daybook.test/unsubscribe?token=u" });
    expect(document.blocks).toContainEqual({ kind: "heading", text: "Alder Bakery: 1 failed day, 1 posted day whose re-check failed" });
  });
});
