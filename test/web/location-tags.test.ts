/**
 * Tagging a location with a QuickBooks Location and/or Class on the locations page, every part real:
 * the choice is offered from the chosen company's lists only when its preferences track them, and
 * saving checks it against those lists as QuickBooks has them then (a 400 next to the field otherwise).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_ACCOUNTS } from "../../sandbox/quickbooks/server";
import { type ConnectedMerchant, connectedMerchant, createWebWorld, expectCleanLogs, type WebWorld } from "./world";

let world: WebWorld;
beforeAll(async () => {
  world = await createWebWorld();
});
afterAll(async () => {
  expect(world.quickbooks.forbiddenWrites()).toEqual([]);
  expectCleanLogs(world);
  await world.close();
});

let counter = 0;
function company(tracked: boolean): string {
  counter += 1;
  const realmId = `9150${String(Date.now() % 1e8).padStart(8, "0")}${String(counter).padStart(4, "0")}`;
  world.quickbooks.addCompany({
    realmId, companyName: `Tagged Books ${String(counter)}`, accounts: [...DEFAULT_ACCOUNTS],
    ...(tracked ? { trackDepartments: true, classTracking: "per-line" as const } : {}),
    departments: [{ Id: "1", Name: "Main Street", Active: true }, { Id: "2", Name: "Old Pier", Active: false }],
    classes: [{ Id: "5", Name: "Coffee bar", Active: true }],
  });
  return realmId;
}

interface Merchant extends ConnectedMerchant {
  /** The location form's fields as the page sends them. */
  form: Record<string, string>;
}

async function merchantWith(realmId: string): Promise<Merchant> {
  counter += 1;
  const merchant = await connectedMerchant(world, realmId, { ip: `198.51.100.${String(counter)}`, email: `tags${String(counter)}.${String(Date.now())}@example.com` });
  const form = {
    posConnectionId: (await merchant.connection("square")).connectionId, locationId: merchant.locationId, timeZone: "America/New_York", dayStart: "04:00",
    quickbooksConnectionId: (await merchant.connection("quickbooks")).connectionId,
  };
  // A browser sends the company whose lists the page offered with the choice.
  const html = await (await merchant.browser.get("/locations")).text();
  if (html.includes('name="trackingCompany"')) Object.assign(form, { trackingCompany: form.quickbooksConnectionId });
  return { ...merchant, form };
}

const tagsOf = async (merchant: Merchant) => (await world.deps.store.getLocation(merchant.merchantId, merchant.locationId))?.quickBooksTags;
const options = (html: string, name: string) => {
  const select = new RegExp(`<select[^>]*name="${name}"[^>]*>([\\s\\S]*?)</select>`).exec(html)?.[1];
  return select === undefined ? undefined : [...select.matchAll(/<option value="([^"]*)"[^>]*>([^<]*)<\/option>/g)].map(([, value, text]) => [value, text]);
};
const fieldError = (html: string, name: string) => {
  const tag = new RegExp(`<select[^>]*name="${name}"[^>]*>`).exec(html)?.[0] ?? "";
  const describedBy = /aria-describedby="([^"]+)"/.exec(tag)?.[1];
  return { invalid: tag.includes('aria-invalid="true"'), error: describedBy && new RegExp(`<p id="${describedBy}" class="error" role="alert">([^<]*)</p>`).exec(html)?.[1] };
};

describe("tagging a location with a QuickBooks Location and Class", () => {
  it("offers the company's active Locations and Classes when it tracks them, and stores the choice by id and name", async () => {
    const merchant = await merchantWith(company(true));
    const page = await (await merchant.browser.get("/locations")).text();
    expect(page).toContain("<legend>QuickBooks tracking</legend>");
    expect(options(page, "trackingLocation")).toEqual([["", "None"], ["1", "Main Street"]]);
    expect(options(page, "trackingClass")).toEqual([["", "None"], ["5", "Coffee bar"]]);
    expect(page).toMatch(/<label for="[^"]+-trackingLocation">Location in QuickBooks<\/label>/);

    const saved = await merchant.browser.post("/locations", { ...merchant.form, trackingLocation: "1", trackingClass: "5" });
    expect(saved.status).toBe(303);
    expect(await tagsOf(merchant)).toEqual({ location: { id: "1", name: "Main Street" }, class: { id: "5", name: "Coffee bar" } });
    const shown = await (await merchant.browser.get("/locations")).text();
    expect(shown).toMatch(/<option value="1" selected="">Main Street<\/option>/);

    // Choosing none clears them.
    expect((await merchant.browser.post("/locations", { ...merchant.form, trackingLocation: "", trackingClass: "" })).status).toBe(303);
    expect(await tagsOf(merchant)).toBeUndefined();
  });

  it("refuses an inactive or unknown Location, or a tag of a list the company does not track, next to the field, storing nothing", async () => {
    const merchant = await merchantWith(company(true));
    expect((await merchant.browser.post("/locations", { ...merchant.form, trackingClass: "5", trackingLocation: "" })).status).toBe(303);
    for (const [field, value] of [["trackingLocation", "2"], ["trackingLocation", "77"], ["trackingClass", "x"]] as const) {
      const refused = await merchant.browser.post("/locations", { ...merchant.form, trackingLocation: "", trackingClass: "", [field]: value });
      expect(refused.status, `${field}=${value}`).toBe(400);
      const shown = fieldError(await refused.text(), field);
      expect(shown.invalid).toBe(true);
      expect(shown.error).toMatch(/^That is not an active (location|class) of this QuickBooks company\. Choose one from the list, or none\.$/);
    }
    expect(await tagsOf(merchant)).toEqual({ class: { id: "5", name: "Coffee bar" } });

    const untracked = await merchantWith(company(false));
    const page = await (await untracked.browser.get("/locations")).text();
    expect(page).toContain("This QuickBooks company does not track locations or classes.");
    expect(options(page, "trackingLocation")).toBeUndefined();
    const refused = await untracked.browser.post("/locations", { ...untracked.form, trackingLocation: "1" });
    expect(refused.status).toBe(400);
    expect(/<p id="[^"]+-trackingLocation-error" class="error" role="alert">([^<]*)<\/p>/.exec(await refused.text())?.[1]).toBe(
      "This QuickBooks company does not track locations, so its entries cannot carry one. Turn locations on in QuickBooks, or choose none.",
    );
    expect(await world.deps.store.getLocation(untracked.merchantId, untracked.locationId)).toBeUndefined();
  });

  it("asks again for a choice made from another company's lists: the ids are that company's", async () => {
    const merchant = await merchantWith(company(true));
    const refused = await merchant.browser.post("/locations", { ...merchant.form, trackingCompany: "another-connection", trackingLocation: "1", trackingClass: "" });
    expect(refused.status).toBe(400);
    const html = await refused.text();
    expect(fieldError(html, "trackingLocation")).toEqual({
      invalid: true, error: "The locations and classes shown were another QuickBooks company&#39;s. Choose again from this company&#39;s lists, shown now, or none.",
    });
    expect(html).toContain(`name="trackingCompany" value="${merchant.form["quickbooksConnectionId"]!}"`);
    expect(await world.deps.store.getLocation(merchant.merchantId, merchant.locationId)).toBeUndefined();
  });

  it("says which saved tag the company no longer tracks, and saving drops it", async () => {
    const merchant = await merchantWith(company(true));
    expect((await merchant.browser.post("/locations", { ...merchant.form, trackingLocation: "1", trackingClass: "5" })).status).toBe(303);
    world.quickbooks.setTracking(merchant.realmId, { classes: "off" });
    const page = await (await merchant.browser.get("/locations")).text();
    expect(page).toContain("This location&#39;s entries were tagged Class Coffee bar, which this QuickBooks company no longer tracks; saving removes it.");
    expect(options(page, "trackingClass")).toBeUndefined();
    expect((await merchant.browser.post("/locations", { ...merchant.form, trackingLocation: "1" })).status).toBe(303);
    expect(await tagsOf(merchant)).toEqual({ location: { id: "1", name: "Main Street" } });

    world.quickbooks.setTracking(merchant.realmId, { departments: false });
    const none = await (await merchant.browser.get("/locations")).text();
    expect(none).toContain("This location&#39;s entries were tagged Location Main Street, which this QuickBooks company no longer tracks; saving removes it.");
    // The page sends the choice empty, as a browser would submit it.
    expect(none).toMatch(/<input type="hidden" name="trackingLocation" value=""/);
    expect((await merchant.browser.post("/locations", { ...merchant.form, trackingLocation: "", trackingClass: "" })).status).toBe(303);
    expect(await tagsOf(merchant)).toBeUndefined();
  });
});
