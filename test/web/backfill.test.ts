/**
 * The backfill pages, every part real: the app with a FIFO queue on moto_server behind the real SQS
 * job queue (what was queued is read back from it), the DynamoDB stores, and the nightly worker's
 * processJob with the simulators, to end the queued days.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { openTokens } from "../../lib/oauth/tokens";
import { syncJobSchema, type SyncJob } from "../../lib/schedule/job";
import type { LocationConfig } from "../../lib/model";
import { createApp } from "../../lib/web/app";
import { processJob } from "../../lib/worker/process-job";
import { type EmailLinksWorld, useLinkedWebWorld } from "./email-links-world";
import { type Browser, type WebWorld, workerOf } from "./world";

let world: WebWorld;
let links: EmailLinksWorld;
useLinkedWebWorld((opened, openedLinks) => {
  world = opened;
  links = openedLinks;
});

let counter = 0;
const newAddress = () => `backfill${++counter}.${Date.now()}@example.com`;
// The world's clock: 2025-06-02 10:00 in New York. With the day starting at 04:00, 06-01 ended at
// 06-02 08:00Z and settled two hours later; 06-02 is today.
const LATEST = "2025-06-01";
const EARLIEST = "2025-03-04";

const queuedJobs = async (): Promise<SyncJob[]> => (await links.drain()).map((message) => syncJobSchema.parse(message.body));

/** The element with this id's opening tag and its text, and the error message it is described by. */
function fieldOf(html: string, id: string): { tag: string; error: string | undefined } {
  const tag = new RegExp(`<(input|select)[^>]*id="${id}"[^>]*>`).exec(html)?.[0] ?? "";
  const describedBy = /aria-describedby="([^"]+)"/.exec(tag)?.[1];
  const error = describedBy === undefined ? undefined : new RegExp(`<p id="${describedBy}"[^>]*role="alert"[^>]*>([^<]*)</p>`).exec(html)?.[1];
  return { tag, error };
}

const MAPPING = {
  defaults: { sales: "1", discounts: "2", returns: "2", serviceCharges: "3", tax: "4", tips: "5", giftCards: "6", nonRevenue: "7", tenders: "8", fees: "9", rounding: "10", overShort: "10" },
};

/**
 * Signs the browser in as a new merchant, connects Square and QuickBooks through their consent pages
 * and sets up the Square account's own location (so the worker can read it).
 */
async function merchantWithLocation(browser: Browser, accountIndex = 0): Promise<LocationConfig> {
  const email = newAddress();
  await browser.signIn(email);
  expect((await browser.connect("square", world.accounts.square[accountIndex])).status).toBe(303);
  expect((await browser.connect("quickbooks", world.accounts.quickbooks[accountIndex])).status).toBe(303);
  const merchantId = (await world.deps.store.findMerchantByEmail(email))!.merchantId;
  const connections = await world.deps.store.listConnections(merchantId);
  const square = connections.find((connection) => connection.provider === "square" && connection.status === "active")!;
  const books = connections.find((connection) => connection.provider === "quickbooks" && connection.status === "active")!;
  const { accessToken } = await openTokens(world.deps.vault, square);
  const listed = await fetch(`${world.square.url}/v2/locations`, { headers: { Authorization: `Bearer ${accessToken}`, Accept: "application/json" } });
  const locationId = ((await listed.json()) as { locations: { id: string }[] }).locations[0]!.id;
  const location: LocationConfig = {
    merchantId, locationId, source: "square", name: "Main Street", posConnectionId: square.connectionId, quickbooksConnectionId: books.connectionId,
    timeZone: "America/New_York", dayStart: "04:00", currency: "USD", mapping: MAPPING, updatedAt: world.clock.date().toISOString(),
  };
  await world.deps.store.putLocation(location);
  return location;
}

const statusOf = (html: string) => /<p role="status">([^<]*)<\/p>/.exec(html)?.[1];

async function runQueued(jobs: SyncJob[]): Promise<void> {
  const worker = workerOf(world);
  for (const job of jobs) await processJob(worker, job, { number: 1, max: 3 });
}

describe("the backfill pages", () => {
  let owner: Browser;
  let location: LocationConfig;
  beforeAll(async () => {
    owner = world.browser();
    location = await merchantWithLocation(owner);
  });

  it("offers the form and a one-click post of the latest day for each set-up location, named by its weekday and date", async () => {
    const page = await owner.get("/backfill");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<label for="backfill-locationId">Location</label>');
    expect(html).toContain('<label for="backfill-from">First day</label>');
    expect(html).toContain('<label for="backfill-to">Last day</label>');
    expect(html).toMatch(/<option value="[^"]+" selected="">Main Street<\/option>/);
    expect(html).toContain(">Start backfill</button>");
    expect(html).toContain("Main Street: Sunday 1 June 2025, the latest day that has ended and settled (its day starts at 04:00, America/New_York).");
    expect(html).toContain("A backfill reaches back at most 90 days, and up to the latest day that has ended (Main Street: Sunday 1 June 2025).");
    expect(html).toMatch(/<form method="post" action="\/backfill\/latest">(?:(?!<\/form>)[\s\S])*>Post Sun 1 Jun<\/button>/);
    expect(html).not.toContain("Sync yesterday");
    expect(html).not.toContain("http-equiv");
  });

  it("names the day a location's own day start and zone make the latest, not the calendar's yesterday", async () => {
    // 14:00Z is 01:00 on 06-03 in Nouméa: with the day starting at 04:00 the business day is still 06-02, and 06-01 the latest ended.
    const browser = world.browser();
    const noumea = await merchantWithLocation(browser, 1);
    await world.deps.store.putLocation({ ...noumea, timeZone: "Pacific/Noumea" });
    const html = await (await browser.get("/backfill")).text();
    expect(html).toMatch(/>Post Sun 1 Jun<\/button>/);
    const started = await browser.post("/backfill/latest", { locationId: noumea.locationId });
    expect(started.status).toBe(303);
    expect((await queuedJobs()).map((job) => job.businessDay)).toEqual(["2025-06-01"]);
  });

  it("refuses a range it cannot carry out with the reason next to the field, keeps what was typed, and queues nothing", async () => {
    const cases: { fields: Record<string, string>; field: string; message: RegExp }[] = [
      { fields: { from: "2025-5-1", to: LATEST }, field: "backfill-from", message: /^Enter the first day as a date, like 2025-06-01\.$/ },
      { fields: { from: "2025-02-30", to: LATEST }, field: "backfill-from", message: /^That first day is not a date on the calendar\.$/ },
      { fields: { from: "2025-05-10", to: "" }, field: "backfill-to", message: /^Enter the last day as a date/ },
      { fields: { from: "2025-05-10", to: "2025-05-09" }, field: "backfill-to", message: /^The last day must be the first day or after it\.$/ },
      { fields: { from: "2025-05-30", to: "2025-06-02" }, field: "backfill-to", message: new RegExp(`^2025-06-02 is not yet over and settled in America/New_York; the latest day that can be backfilled now is ${LATEST}\\.$`) },
      { fields: { from: "2025-03-03", to: "2025-03-05" }, field: "backfill-from", message: new RegExp(`^A backfill reaches back at most 90 days: the earliest day that can be asked for now is ${EARLIEST}\\.$`) },
      { fields: { locationId: "LOCNOTMINE", from: "2025-05-10", to: "2025-05-11" }, field: "backfill-locationId", message: /^Choose one of your locations\.$/ },
      { fields: { locationId: "", from: "2025-05-10", to: "2025-05-11" }, field: "backfill-locationId", message: /^Choose a location\.$/ },
    ];
    for (const { fields, field, message } of cases) {
      const response = await owner.post("/backfill", { locationId: location.locationId, ...fields });
      expect(response.status, JSON.stringify(fields)).toBe(400);
      const html = await response.text();
      const shown = fieldOf(html, field);
      expect(shown.tag, field).toContain('aria-invalid="true"');
      expect(shown.error, JSON.stringify(fields)).toMatch(message);
      for (const name of ["from", "to"] as const) {
        if (fields[name] !== undefined && fields[name] !== "") expect(fieldOf(html, `backfill-${name}`).tag).toContain(`value="${fields[name]}"`);
      }
    }
    expect(await queuedJobs()).toEqual([]);
  });

  it("queues a range, shows its progress as the days end, and says when it has finished", async () => {
    const started = await owner.post("/backfill", { locationId: location.locationId, from: "2025-05-28", to: "2025-05-30" });
    expect(started.status).toBe(303);
    const progressPath = started.headers.get("Location") ?? "";
    expect(progressPath).toMatch(/^\/backfill\/[0-9a-f-]{36}$/);
    const backfillId = progressPath.slice("/backfill/".length);
    const jobs = await queuedJobs();
    expect(jobs.map((job) => [job.businessDay, job.kind, job.backfillId])).toEqual([
      ["2025-05-28", "backfill", backfillId], ["2025-05-29", "backfill", backfillId], ["2025-05-30", "backfill", backfillId],
    ]);

    const running = await (await owner.get(progressPath)).text();
    expect(statusOf(running)).toBe("0 of 3 days");
    expect(running).toContain('<meta http-equiv="refresh" content="2"/>');
    expect(running).toMatch(/<progress[^>]*max="3"[^>]*value="0"/);
    expect(running).not.toContain("Backfill finished");
    // What the merchant will get by email, as the worker sends it (one summary when the last day ends), never a report a day.
    expect(running).toContain("one summary of all its days is emailed to the owner and the daily report recipients once the last day has ended");
    expect(running).not.toContain("each day&#39;s report is emailed");
    expect(running).not.toContain("each day's report is emailed");

    await runQueued(jobs.slice(0, 2));
    const halfway = await (await owner.get(progressPath)).text();
    expect(statusOf(halfway)).toBe("2 of 3 days");
    // The simulator holds no sales for those days.
    expect(halfway).toContain("<tr><th scope=\"row\">No sales</th><td>2</td></tr>");
    expect(halfway).toContain("<tr><th scope=\"row\">Posted</th><td>0</td></tr>");

    await runQueued(jobs.slice(2));
    // The last day again, as a redelivery would run it: still three days.
    await runQueued(jobs.slice(2));
    const finished = await (await owner.get(progressPath)).text();
    expect(statusOf(finished)).toBe("3 of 3 days");
    expect(finished).toContain("<h1>Backfill finished</h1>");
    expect(finished).not.toContain("http-equiv");
    expect(finished).toContain(`href="/history?location=${location.locationId}"`);
    expect(finished).toContain("<tr><th scope=\"row\">No sales</th><td>3</td></tr>");
    expect(finished).toContain("<tr><th scope=\"row\">Failed</th><td>0</td></tr>");

    const listed = await (await owner.get("/backfill")).text();
    expect(listed).toContain(`<a href="${progressPath}">Wednesday 28 May 2025 to Friday 30 May 2025</a>`);
    expect(listed).toContain("3 of 3 days, finished");
  });

  it("posts the latest day with one click", async () => {
    const page = await owner.get("/backfill");
    await page.arrayBuffer();
    const started = await owner.post("/backfill/latest", { locationId: location.locationId });
    expect(started.status).toBe(303);
    const jobs = await queuedJobs();
    expect(jobs.map((job) => [job.locationId, job.businessDay, job.kind])).toEqual([[location.locationId, LATEST, "backfill"]]);
    expect(statusOf(await (await owner.get(started.headers.get("Location") ?? "")).text())).toBe("0 of 1 days");
  });

  it("finds no other merchant's backfill or location, and no backfill that does not exist", async () => {
    const started = await owner.post("/backfill", { locationId: location.locationId, from: LATEST, to: LATEST });
    const progressPath = started.headers.get("Location") ?? "";
    await queuedJobs();
    const other = world.browser();
    const otherLocation = await merchantWithLocation(other, 1);
    expect((await other.get(progressPath)).status).toBe(404);
    expect((await other.get("/backfill/not-a-backfill")).status).toBe(404);
    expect((await other.get("/backfill/has%23hash")).status).toBe(404);
    expect((await other.post("/backfill/latest", { locationId: location.locationId })).status).toBe(404);
    expect((await other.post("/backfill", { locationId: location.locationId, from: LATEST, to: LATEST })).status).toBe(400);
    expect(await queuedJobs()).toEqual([]);
    // The other merchant's own page lists only its own location, and none of the first merchant's backfills.
    const html = await (await other.get("/backfill")).text();
    expect(html).toContain(otherLocation.locationId);
    expect(html).not.toContain(location.locationId);
    expect(html).not.toContain("Recent backfills");
  });
});

describe("refusals that are not the form's", () => {
  it("says the location is not posting, instead of a button, when QuickBooks needs reconnecting, and why a backfill is refused", async () => {
    const browser = world.browser();
    const disconnected = await merchantWithLocation(browser, 1);
    await world.deps.store.setConnectionStatus(disconnected.merchantId, disconnected.quickbooksConnectionId, "needs-reconnect", "the refresh token expired");
    const refused = await browser.post("/backfill/latest", { locationId: disconnected.locationId });
    expect(refused.status).toBe(400);
    const html = await refused.text();
    expect(html).toContain("<p id=\"latest-0\">Main Street: Not posting: QuickBooks no longer accepts daybook&#39;s access. The locations page says what mends it.</p>");
    expect(html).toContain("<p id=\"latest-0-error\" class=\"error\" role=\"alert\">QuickBooks no longer accepts daybook&#39;s access to Main Street&#39;s company: reconnect QuickBooks on the connections page first.</p>");
    expect(html).not.toMatch(/>Post [A-Z][a-z]{2} \d+ [A-Z][a-z]{2}<\/button>/);
    const ranged = await browser.post("/backfill", { locationId: disconnected.locationId, from: LATEST, to: LATEST });
    expect(ranged.status).toBe(400);
    expect(fieldOf(await ranged.text(), "backfill-locationId").error).toBe("QuickBooks no longer accepts daybook&#39;s access to Main Street&#39;s company: reconnect QuickBooks on the connections page first.");
    expect(await queuedJobs()).toEqual([]);
  });

  it("says backfill is not available here, on every backfill page", async () => {
    const browser = world.browser();
    await browser.signIn(newAddress());
    const { backfill, ...withoutBackfill } = world.deps;
    expect(backfill).toBeDefined();
    world.app = createApp(withoutBackfill);
    try {
      for (const response of [
        await browser.get("/backfill"), await browser.get("/backfill/anything"),
        await browser.post("/backfill", { locationId: "L1", from: LATEST, to: LATEST }), await browser.post("/backfill/latest", { locationId: "L1" }),
      ]) {
        expect(response.status).toBe(404);
        expect(await response.text()).toContain("Backfill is not available here");
      }
    } finally {
      world.app = createApp(world.deps);
    }
  });
});
