/**
 * A connection a provider refuses tells the merchant, wherever daybook finds out: on the merchant's
 * own pages and in the nightly worker, through the one token keeper of the process, which sends the
 * reconnect email (lib/connections/reconnect-email.ts) once. The world is the web app with its worker
 * in one process, as the local stack runs them.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { generateDay } from "../../sandbox/square/generate-day";
import { processJob } from "../../lib/worker/process-job";
import { merchantWithLocation } from "./email-links-world";
import { createWebWorld, PUBLIC_URL, type WebWorld, workerOf } from "./world";

const keepers = vi.hoisted(() => ({ made: 0 }));
vi.mock("../../lib/oauth/token-keeper", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../lib/oauth/token-keeper")>();
  return {
    ...original,
    createTokenKeeper: (...args: Parameters<typeof original.createTokenKeeper>) => {
      keepers.made++;
      return original.createTokenKeeper(...args);
    },
  };
});

let world: WebWorld;
let made = 0;
let addressCount = 0;
const newAddress = () => `reconnect-${String(++addressCount)}-${String(Date.now())}@example.com`;

beforeAll(async () => {
  world = await createWebWorld();
  made = keepers.made;
});

afterAll(async () => {
  await world.close();
});

describe("a refused connection", () => {
  it("emails the merchant when QuickBooks refuses daybook while the merchant reads the mapping page", async () => {
    const address = newAddress();
    const browser = world.browser();
    const { merchantId, location, realmId } = await merchantWithLocation(world, browser, address, 0);
    world.quickbooks.revokeAll(realmId);
    const before = (await world.emails()).length;

    const page = await browser.get(`/locations/${location.locationId}/mapping`);
    expect(page.status).toBeGreaterThanOrEqual(400);

    const sent = (await world.emails()).slice(before);
    expect(sent.map(({ to, purpose, subject }) => ({ to, purpose, subject }))).toEqual([
      { to: address, purpose: "reconnect", subject: "Reconnect QuickBooks to daybook" },
    ]);
    expect(sent[0]!.raw).toContain(`${PUBLIC_URL}/connections`);
    const books = (await world.deps.store.listConnections(merchantId)).find((connection) => connection.provider === "quickbooks");
    expect(books).toMatchObject({ status: "needs-reconnect" });
  });

  it("emails the merchant once when QuickBooks refuses the nightly worker, beside the day's alert", async () => {
    const address = newAddress();
    const browser = world.browser();
    const { merchantId, location, realmId } = await merchantWithLocation(world, browser, address, 1);
    // A day with sales: a day with none has nothing to post and asks QuickBooks nothing.
    const day = generateDay({ seed: 7, sales: 3, date: "2025-06-01", timeZone: location.timeZone, dayStart: location.dayStart, locationId: location.locationId, noiseRate: 0, returnRate: 0, openRate: 0 });
    world.square.setCatalog(world.accounts.square[1]!, day.catalog);
    world.square.addOrders(location.locationId, day.orders);
    world.quickbooks.revokeAll(realmId);
    const before = (await world.emails()).length;

    const result = await processJob(workerOf(world), { merchantId, locationId: location.locationId, businessDay: "2025-06-01", kind: "first" }, { number: 1, max: 5 });
    expect(result.status).toBe("failed");

    const sent = (await world.emails()).slice(before).filter((email) => email.to === address);
    expect(sent.filter((email) => email.purpose === "reconnect").map((email) => email.subject)).toEqual(["Reconnect QuickBooks to daybook"]);
    expect(sent.filter((email) => email.purpose === "alert")).toHaveLength(1);
  });
});

describe("the process's token keeper", () => {
  it("is one for the whole process: the pages, the webhooks and the worker share it, so one refresh serves them all", async () => {
    const browser = world.browser();
    const { location, realmId } = await merchantWithLocation(world, browser, newAddress(), 0);
    await browser.get("/locations");
    await browser.get(`/locations/${location.locationId}/mapping`);
    await browser.get(`/disconnect/quickbooks?realmId=${realmId}`);
    workerOf(world);
    expect(made).toBe(1);
    expect(keepers.made).toBe(1);
  });
});
