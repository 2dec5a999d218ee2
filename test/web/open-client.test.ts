/**
 * An email's link to one business's page (GET /clients/open), as the combined digest carries them:
 * an accountant working on client A opens client B's day and is asked before the session switches
 * (a GET changes nothing); on B already, or an owner on their own business, goes straight there; a
 * business that gave no access is not found, and a link to another site is not followed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDigest } from "../../lib/report/digest";
import { accept, dayOf, invite } from "./accountants-world";
import { addEmailLinks, type EmailLinksWorld, merchantWithLocation, type MerchantWithLocation } from "./email-links-world";
import { type Browser, createWebWorld, expectCleanLogs, PUBLIC_URL, type WebWorld } from "./world";

let world: WebWorld;
let links: EmailLinksWorld;
let ownerA: Browser;
let ownerB: Browser;
let ownerC: Browser;
let accountant: Browser;
let a: MerchantWithLocation;
let b: MerchantWithLocation;
let strangerId = "";
const DAY = "2025-06-01";

beforeAll(async () => {
  world = await createWebWorld();
  links = await addEmailLinks(world);
  ownerA = world.browser({ userAgent: "Owner A/1" });
  ownerB = world.browser({ userAgent: "Owner B/1" });
  ownerC = world.browser({ userAgent: "Owner C/1" });
  accountant = world.browser({ userAgent: "Accountant/1" });
  a = await merchantWithLocation(world, ownerA, "owner.a@example.com", 0);
  b = await merchantWithLocation(world, ownerB, "owner.b@example.com", 1);
  await ownerC.signIn("owner.c@example.com");
  strangerId = (await world.deps.store.findMerchantByEmail("owner.c@example.com"))!.merchantId;
  await world.deps.store.putMerchant({ ...(await world.deps.store.getMerchant(a.merchantId))!, name: "Alder Bakery" });
  await world.deps.store.putMerchant({ ...(await world.deps.store.getMerchant(b.merchantId))!, name: "Birch Cafe" });
  await dayOf(world, a.location, DAY, "posted");
  await dayOf(world, b.location, DAY, "posted");
  expect((await accept(accountant, await invite(world, ownerA, "books@example.com"))).status).toBe(303);
  expect((await accept(accountant, await invite(world, ownerB, "books@example.com"))).status).toBe(303);
});

afterAll(async () => {
  expectCleanLogs(world);
  links.close();
  await world.close();
});

/** The links the digest of `business`'s day carries, as buildDigest makes them. */
async function digestLinksOf(business: MerchantWithLocation, name: string) {
  const to = world.clock.date();
  const model = await buildDigest(
    { store: world.deps.store, reports: world.deps.reports, publicUrl: PUBLIC_URL, linkKey: links.key, now: () => world.clock.date() },
    { merchantId: business.merchantId, name }, [business.location],
    { kind: "daily", first: DAY, last: DAY, window: { from: new Date(to.getTime() - 86_400_000), to } },
  );
  return { day: model.lines[0]!.dayUrl.slice(PUBLIC_URL.length), history: model.historyUrl.slice(PUBLIC_URL.length) };
}

const page = async (response: Response) => ({ status: response.status, text: await response.text() });
const actingFor = async (browser: Browser) => (await page(await browser.get("/clients"))).text.match(/You are working on ([^.]+)\./)?.[1];
const dayPath = (business: MerchantWithLocation) => `/days/${business.location.locationId}/${DAY}`;

describe("a digest's link to a client's day", () => {
  it("goes through /clients/open with the business and the day's path", async () => {
    const { day, history } = await digestLinksOf(b, "Birch Cafe");
    expect(day).toBe(`/clients/open?business=${b.merchantId}&next=${encodeURIComponent(dayPath(b))}`);
    expect(history).toBe(`/clients/open?business=${b.merchantId}&next=%2Fhistory`);
  });

  it("asks an accountant working on A before switching to B, and the button lands on B's day", async () => {
    expect((await accountant.post("/clients/switch", { businessId: a.merchantId })).status).toBe(303);
    const { day } = await digestLinksOf(b, "Birch Cafe");
    const asked = await page(await accountant.get(day));
    expect(asked.status).toBe(200);
    expect(asked.text).toContain("This link is for Birch Cafe. You are working on Alder Bakery now.");
    expect(asked.text.match(/<h1>/g)).toHaveLength(1);
    // Opening the link changed nothing: the session still works on A.
    expect(await actingFor(accountant)).toBe("Alder Bakery");

    const form = /<form method="post" action="\/clients\/switch"[^>]*>([\s\S]*?)<\/form>/.exec(asked.text.slice(asked.text.indexOf("<main")))?.[1] ?? "";
    const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(form)?.[1]?.replaceAll("&amp;", "&");
    expect(field("businessId")).toBe(b.merchantId);
    expect(field("next")).toBe(dayPath(b));
    expect(field("form_token")).toMatch(/^[0-9a-f]{64}$/);
    expect(form).toContain("Work on Birch Cafe and open the page</button>");

    const switched = await accountant.post("/clients/switch", { businessId: field("businessId")!, next: field("next")!, form_token: field("form_token")! });
    expect(switched.status).toBe(303);
    expect(switched.headers.get("Location")).toBe(dayPath(b));
    const landed = await page(await accountant.get(dayPath(b)));
    expect(landed.status).toBe(200);
    expect(landed.text).toContain("Working on Birch Cafe");
  });

  it("goes straight to the day when the session already works on B", async () => {
    const { day, history } = await digestLinksOf(b, "Birch Cafe");
    const straight = await accountant.get(day);
    expect(straight.status).toBe(303);
    expect(straight.headers.get("Location")).toBe(dayPath(b));
    const toHistory = await accountant.get(history);
    expect(toHistory.headers.get("Location")).toBe("/history");
  });

  it("asks before going back to the person's own account from a client", async () => {
    const own = await page(await accountant.get(`/clients/open?business=${(await world.deps.store.findMerchantByEmail("books@example.com"))!.merchantId}&next=%2Fhistory`));
    expect(own.status).toBe(200);
    expect(own.text).toContain("This link is for your own account. You are working on Birch Cafe now.");
    expect(await actingFor(accountant)).toBe("Birch Cafe");
  });

  it("is not found for a business that gave no access, and the session stays on B", async () => {
    for (const business of [strangerId, "00000000-0000-0000-0000-000000000000", "not a business id"]) {
      const refused = await page(await accountant.get(`/clients/open?${new URLSearchParams({ business, next: dayPath(a) }).toString()}`));
      expect(refused.status, business).toBe(404);
      expect(refused.text).toContain("There is nothing here, or it is not yours to see.");
      expect(refused.text).not.toContain("Main Street");
    }
    expect(await actingFor(accountant)).toBe("Birch Cafe");
  });

  it("goes straight to the day for an owner on their own business", async () => {
    const { day } = await digestLinksOf(a, "Alder Bakery");
    const straight = await ownerA.get(day);
    expect(straight.status).toBe(303);
    expect(straight.headers.get("Location")).toBe(dayPath(a));
    expect((await ownerA.get(dayPath(a))).status).toBe(200);
  });

  it("does not follow a next that is another site, or no page at all", async () => {
    for (const next of ["//evil.example", "https://evil.example", "/\\evil.example", "", "history"]) {
      const refused = await page(await accountant.get(`/clients/open?${new URLSearchParams({ business: a.merchantId, next }).toString()}`));
      expect(refused.status, next).toBe(400);
      expect(refused.text).toContain("It names no page of daybook, so daybook did not follow it.");
    }
    const noNext = await accountant.get(`/clients/open?business=${a.merchantId}`);
    expect(noNext.status).toBe(400);
    expect(await actingFor(accountant)).toBe("Birch Cafe");
  });

  it("sends a person who is not signed in to the sign-in page, changing nothing, and back to the link once signed in", async () => {
    const { day } = await digestLinksOf(b, "Birch Cafe");
    const before = await actingFor(accountant);
    // The accountant on another device, or after the session ended: signed out.
    const elsewhere = world.browser({ userAgent: "Accountant's phone/1" });
    const sent = await elsewhere.get(day);
    expect(sent.status).toBe(303);
    expect(sent.headers.get("Location")).toBe(`/sign-in?next=${encodeURIComponent(day)}`);
    expect(await actingFor(accountant)).toBe(before);

    const form = await (await elsewhere.get(sent.headers.get("Location") ?? "")).text();
    const next = /name="next" value="([^"]*)"/.exec(form)?.[1]?.replaceAll("&amp;", "&");
    expect(next).toBe(day);
    const link = await elsewhere.requestSignInLinkFor("books@example.com", { next: next ?? "" });
    const confirmed = await elsewhere.useSignInLink(link);
    expect(confirmed.headers.get("Location")).toBe(day);
    // The link itself then asks before switching to Birch Cafe, as it does for a signed-in accountant.
    const asked = await page(await elsewhere.get(day));
    expect(asked.status).toBe(200);
    expect(asked.text).toContain("Birch Cafe");
  });
});
