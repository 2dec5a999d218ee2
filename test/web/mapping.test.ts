/**
 * The mapping page, every part real: a merchant with a set-up location chooses, per figure of the
 * daily entry, an account of its QuickBooks company's chart (read from the simulator with the stored
 * tokens); saving checks each choice against the chart as it is now. A chart that lacks the clearing or
 * liability accounts gets an offer to create them, which creates each once and never changes or
 * deletes anything in QuickBooks.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Mapping } from "../../lib/domain/mapping";
import { mappedAccountIds } from "../../lib/locations/account-labels";
import type { LocationConfig } from "../../lib/model";
import { DEFAULT_ACCOUNT_IDS as IDS, DEFAULT_ACCOUNTS } from "../../sandbox/quickbooks/server";
import { summaryOf } from "../support/summaries";
import { type ConnectedMerchant, connectedMerchant, createWebWorld, expectCleanLogs, type WebWorld } from "./world";

let world: WebWorld;
beforeAll(async () => {
  world = await createWebWorld();
});
afterAll(async () => {
  // daybook only ever created accounts and nothing else was written to QuickBooks.
  expect(world.quickbooks.forbiddenWrites()).toEqual([]);
  expectCleanLogs(world);
  await world.close();
});

const FIGURES = ["sales", "discounts", "returns", "serviceCharges", "tax", "tips", "giftCards", "nonRevenue", "tenders", "fees", "rounding", "overShort"] as const;

let counter = 0;
let lastRealm = 0;
type Merchant = ConnectedMerchant;

/** A QuickBooks company of its own, with the default chart minus the given accounts. */
function company(without: string[] = [], extra: typeof DEFAULT_ACCOUNTS = []): string {
  lastRealm += 1;
  const realmId = `9140${String(Date.now() % 1e8).padStart(8, "0")}${String(lastRealm).padStart(4, "0")}`;
  world.quickbooks.addCompany({ realmId, companyName: `Mapping Books ${String(lastRealm)}`, accounts: [...DEFAULT_ACCOUNTS.filter((account) => !without.includes(account.Id)), ...extra] });
  return realmId;
}

async function merchantWith(realmId: string): Promise<Merchant> {
  counter += 1;
  return connectedMerchant(world, realmId, { ip: `192.0.2.${String(counter)}`, email: `mapping${String(counter)}.${String(Date.now())}@example.com` });
}

async function setUp(merchant: Merchant): Promise<Response> {
  return merchant.browser.post("/locations", {
    posConnectionId: (await merchant.connection("square")).connectionId, locationId: merchant.locationId,
    timeZone: "America/New_York", dayStart: "04:00", quickbooksConnectionId: (await merchant.connection("quickbooks")).connectionId,
  });
}

const stored = async (merchant: Merchant) => (await world.deps.store.getLocation(merchant.merchantId, merchant.locationId))!;
const mappingUrl = (merchant: Merchant) => `/locations/${merchant.locationId}/mapping`;

interface Option {
  value: string;
  text: string;
  selected: boolean;
  group: string | undefined;
}

/** The select named `name`: its attributes and options (with their optgroup). */
function select(html: string, name: string): { tag: string; options: Option[] } {
  const match = new RegExp(`(<select[^>]*name="${name}"[^>]*>)([\\s\\S]*?)</select>`).exec(html);
  if (!match) throw new Error(`no select ${name}`);
  const options: Option[] = [];
  let group: string | undefined;
  for (const part of match[2]!.matchAll(/<optgroup label="([^"]*)">|<\/optgroup>|<option value="([^"]*)"( selected(?:="")?)?>([^<]*)<\/option>/g)) {
    if (part[1] !== undefined) group = part[1];
    else if (part[0] === "</optgroup>") group = undefined;
    else options.push({ value: part[2]!, selected: part[3] !== undefined, text: part[4]!, group });
  }
  return { tag: match[1]!, options };
}
const selectedValue = (html: string, name: string) => select(html, name).options.filter((option) => option.selected).map((option) => option.value);

const unescapeHtml = (text: string) => text.replace(/&(amp|lt|gt|quot|#39);/g, (_, name: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" })[name]!);

/** The form as the page would send it unchanged: every select's selected value, and the hidden item keys. */
function formOf(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  const form = /<form method="post" action="\/locations\/[^"]+\/mapping"[\s\S]*?<\/form>/.exec(html)?.[0] ?? "";
  for (const [, name] of form.matchAll(/<select[^>]*name="([^"]+)"/g)) fields[name!] = selectedValue(form, name!)[0] ?? "";
  for (const [, name, value] of form.matchAll(/<input type="hidden" name="([A-Za-z]+Key-\d+)" value="([^"]*)"/g)) fields[name!] = unescapeHtml(value!);
  return fields;
}

/** The field name of an item's select, found by its key. */
function itemFieldOf(html: string, key: string): string {
  const escaped = key.replace(/&/g, "&amp;").replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const name = new RegExp(`<input type="hidden" name="([A-Za-z]+)Key-(\\d+)" value="${escaped}"`).exec(html);
  if (!name) throw new Error(`no item ${key}`);
  return `${name[1]!}-${name[2]!}`;
}

describe("the mapping page", () => {
  let a: Merchant;

  beforeAll(async () => {
    a = await merchantWith(company());
    expect((await setUp(a)).status).toBe(303);
  });

  it("is linked from the locations page", async () => {
    const html = await (await a.browser.get("/locations")).text();
    expect(html).toContain(`<a href="/locations/${a.locationId}/mapping">Edit mapping for Main Street</a>`);
  });

  it("shows one labelled select per figure, offering only active accounts of fitting types, grouped by type, with the choice and the suggestion marked", async () => {
    const response = await a.browser.get(mappingUrl(a));
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("Mapping for Main Street");
    expect(html).toContain("Save mapping");
    expect(html).not.toContain("Create the missing accounts in QuickBooks");
    const mapping = (await stored(a)).mapping;
    for (const figure of FIGURES) {
      expect(html, figure).toMatch(new RegExp(`<label for="mapping-${figure}">[^<]+</label>\\s*<p id="mapping-${figure}-hint"`));
      const { tag, options } = select(html, figure);
      expect(tag).toContain(`aria-describedby="mapping-${figure}-hint"`);
      const values = options.map((option) => option.value);
      for (const never of [IDS.accountsReceivable, IDS.accountsPayable, IDS.inactiveSales]) expect(values, figure).not.toContain(never);
      expect(options.every((option) => option.group !== undefined), figure).toBe(true);
      expect(selectedValue(html, figure), figure).toEqual([mapping.defaults[figure]]);
      // The stored mapping is daybook's suggestion, so the selected account carries the mark.
      expect(options.find((option) => option.selected)?.text, figure).toMatch(/\(suggested\)$/);
      expect(options.filter((option) => option.text.endsWith("(suggested)")), figure).toHaveLength(1);
    }
    expect(select(html, "sales").options.map((option) => [option.group, option.value])).toEqual([["Income", IDS.sales], ["Income", IDS.discounts]]);
    expect(select(html, "tax").options.map((option) => option.group)).toEqual(["Other Current Liability", "Other Current Liability", "Other Current Liability"]);
    expect(new Set(select(html, "tenders").options.map((option) => option.group))).toEqual(new Set(["Bank", "Other Current Asset"]));
    expect(select(html, "sales").options[0]?.text).toBe("Sales of Product Income (suggested)");
  });

  it("shows every item with its account or the default, and saves each change, keeping what the page does not show", async () => {
    const before = await stored(a);
    const mapping: Mapping = {
      ...before.mapping, categories: { FOOD: IDS.sales, "Wine & Beer": IDS.sales }, tenders: { CASH: IDS.undepositedFunds }, taxes: { State: IDS.salesTax },
      serviceCharges: { Delivery: IDS.sales }, nonRevenue: { "Gift Card": IDS.giftCards }, returnsToCategoryAccounts: true, holdTolerance: 250,
    };
    await world.deps.store.putLocation({ ...before, mapping });
    const page = await (await a.browser.get(mappingUrl(a))).text();
    for (const legend of ["Sales by category", "Payments by tender", "Sales tax by tax", "Service charges", "Non-revenue items", "Payouts"]) expect(page).toContain(`<legend>${legend}</legend>`);
    expect(page).toContain("Sales – Wine &amp; Beer");
    const form = formOf(page);
    const wine = itemFieldOf(page, "Wine & Beer");
    expect(form[wine]).toBe(IDS.sales);
    // A tender Square has that the mapping does not name: on its default, the card clearing account.
    const card = itemFieldOf(page, "CARD");
    expect(form[card]).toBe("");
    expect(select(page, card).options[0]?.text).toBe("Default (Card Clearing) (suggested)");
    // Cash's suggestion is Undeposited Funds, which it has.
    expect(select(page, itemFieldOf(page, "CASH")).options.find((option) => option.selected)?.text).toBe("Undeposited Funds (suggested)");

    world.clock.advance(60_000);
    const response = await a.browser.post(mappingUrl(a), {
      ...form, tips: IDS.giftCards, [wine]: IDS.discounts, [card]: IDS.checking, [itemFieldOf(page, "State")]: "", payoutsBank: IDS.checking,
    });
    expect(response.status).toBe(303);
    expect(response.headers.get("Location")).toBe(`${mappingUrl(a)}?saved`);
    const after = await stored(a);
    const { taxes: _cleared, ...rest } = mapping;
    expect(after.mapping).toEqual({
      ...rest, defaults: { ...mapping.defaults, tips: IDS.giftCards }, categories: { FOOD: IDS.sales, "Wine & Beer": IDS.discounts },
      tenders: { CASH: IDS.undepositedFunds, CARD: IDS.checking }, payouts: { bank: IDS.checking },
    });
    expect(after.updatedAt).toBe(world.clock.date().toISOString());
    // The chart read to check the choices gives the accounts' names.
    expect(after.accountLabels).toEqual(expect.objectContaining({ [IDS.giftCards]: { name: "Gift Cards Outstanding" }, [IDS.discounts]: { name: "Discounts Given" } }));
    expect(after.mappingSeen).toEqual(expect.arrayContaining(["categories:Wine & Beer", "tenders:CARD", "taxes:State", "nonRevenue:Gift Card"]));
    const shown = await (await a.browser.get(`${mappingUrl(a)}?saved`)).text();
    // Not started yet: saving posts nothing, and the page does not say otherwise.
    expect(shown).toContain('role="status">Mapping saved. Nothing is posted until you start posting, at the end of this page.</p>');
    expect(selectedValue(shown, "tips")).toEqual([IDS.giftCards]);
  });

  it("refuses an item's account of a type that does not suit it, next to its select, and stores nothing", async () => {
    const before = await stored(a);
    const page = await (await a.browser.get(mappingUrl(a))).text();
    const card = itemFieldOf(page, "CARD");
    const response = await a.browser.post(mappingUrl(a), { ...formOf(page), [card]: IDS.sales });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(select(html, card).tag).toContain('aria-invalid="true"');
    expect(html).toMatch(new RegExp(`id="mapping-${card}-error"[^>]*>Payments – Card needs an account of type Other Current Asset, Bank or Other Current Liability`));
    expect(selectedValue(html, card)).toEqual([IDS.sales]);
    expect(await stored(a)).toEqual(before);
  });

  it("puts what the nightly sync found and nobody mapped at the top of the page, marked new, until the mapping is saved with it", async () => {
    const b = await merchantWith(company());
    expect((await setUp(b)).status).toBe(303);
    // The page saved once, as reviewed: what it listed then is not new.
    expect((await b.browser.post(mappingUrl(b), formOf(await (await b.browser.get(mappingUrl(b))).text()))).status).toBe(303);
    // A night then used a category and a tender the page has not listed.
    await world.deps.store.saveSyncRecord({
      merchantId: b.merchantId, locationId: b.locationId, businessDay: "2025-05-31", state: "posted", posted: [], attempts: 1, updatedAt: world.clock.date().toISOString(),
      lastSummary: summaryOf({ sales: { GEN_CAT_SEASONAL: 5_000 }, categoryNames: { GEN_CAT_SEASONAL: "Seasonal" }, payments: { "OTHER:Town voucher": 5_000 } }),
    }, 0);
    const page = await (await b.browser.get(mappingUrl(b))).text();
    const fresh = /<legend>New since the mapping was last saved<\/legend>([\s\S]*?)<\/fieldset>/.exec(page)?.[1] ?? "";
    expect(page.indexOf("<legend>New since the mapping was last saved</legend>")).toBeLessThan(page.indexOf("<legend>Default accounts</legend>"));
    expect([...fresh.matchAll(/<label for="[^"]+">([^<]+)<\/label>/g)].map((label) => label[1])).toEqual(["Sales – Seasonal (new)", "Payments – Other – Town voucher (new)"]);

    const voucher = itemFieldOf(page, "OTHER:Town voucher");
    expect((await b.browser.post(mappingUrl(b), { ...formOf(page), [voucher]: IDS.undepositedFunds })).status).toBe(303);
    const saved = await (await b.browser.get(mappingUrl(b))).text();
    expect(saved).not.toContain("New since the mapping was last saved");
    expect(saved).toContain(">Sales – Seasonal</label>");
    expect((await stored(b)).mapping.tenders).toMatchObject({ "OTHER:Town voucher": IDS.undepositedFunds });
  });

  it("captures every mapped account's number and name when the mapping is saved, and only then", async () => {
    lastRealm += 1;
    const realmId = `9141${String(Date.now() % 1e8).padStart(8, "0")}${String(lastRealm).padStart(4, "0")}`;
    const numbers: Record<string, string> = { [IDS.sales]: "4000", [IDS.discounts]: "4900", [IDS.salesTax]: "2200", [IDS.tips]: "2300", [IDS.cardClearing]: "1210" };
    world.quickbooks.addCompany({ realmId, companyName: "Numbered Books", accounts: DEFAULT_ACCOUNTS.map((account) => ({ ...account, ...(numbers[account.Id] ? { AcctNum: numbers[account.Id] } : {}) })) });
    const numbered = await merchantWith(realmId);
    expect((await setUp(numbered)).status).toBe(303);
    // Setting the location up suggested a mapping from the chart, and named its accounts from the same read.
    const set = await stored(numbered);
    expect(set.accountLabels?.[IDS.sales]).toEqual({ number: "4000", name: "Sales of Product Income" });
    expect(Object.keys(set.accountLabels ?? {}).sort()).toEqual(mappedAccountIds(set.mapping).sort());
    // The mapping page names each account as the reports and emails do: its number, then its name.
    const page = await (await numbered.browser.get(mappingUrl(numbered))).text();
    expect(select(page, "sales").options.map((option) => option.text)).toEqual(["4000 Sales of Product Income (suggested)", "4900 Discounts Given"]);
    expect(select(page, "tenders").options.find((option) => option.selected)?.text).toBe("1210 Card Clearing (suggested)");

    // Renamed in QuickBooks: nothing reads the chart until the mapping is saved again.
    world.quickbooks.renameAccount(realmId, IDS.tips, "Tips Owed to Staff");
    expect((await stored(numbered)).accountLabels?.[IDS.tips]).toEqual({ number: "2300", name: "Tips Payable" });
    const again = await (await numbered.browser.get(mappingUrl(numbered))).text();
    // An unnumbered account by its name alone; an item's default by number and name too.
    expect(select(again, "tenders").options.map((option) => option.text)).toEqual(["Undeposited Funds", "1210 Card Clearing (suggested)", "Checking"]);
    expect(select(again, itemFieldOf(again, "CARD")).options[0]?.text).toBe("Default (1210 Card Clearing) (suggested)");
    expect(again).toContain("Default: 1210 Card Clearing.");
    const form = formOf(again);
    expect((await numbered.browser.post(mappingUrl(numbered), form)).status).toBe(303);
    const saved = await stored(numbered);
    expect(saved.accountLabels?.[IDS.tips]).toEqual({ number: "2300", name: "Tips Owed to Staff" });
    expect(Object.keys(saved.accountLabels ?? {}).sort()).toEqual(mappedAccountIds(saved.mapping).sort());
  });

  it.each([
    ["another company's", "sales", "777", "not an active account of this QuickBooks company"],
    ["an inactive", "sales", IDS.inactiveSales, "not an active account of this QuickBooks company"],
    ["an unknown", "fees", "123456", "not an active account of this QuickBooks company"],
    ["a wrong-type (income for tax)", "tax", IDS.sales, "Sales tax needs an account of type Other Current Liability"],
    ["an Accounts Receivable", "tenders", IDS.accountsReceivable, "Payments needs an account of type Other Current Asset or Bank"],
    ["an empty", "overShort", "", "Choose an account for Over/short"],
  ])("refuses %s account for %s next to that select, keeps every choice and stores nothing", async (_what, field, value, message) => {
    company([], [{ Id: "777", Name: "Elsewhere Sales", AccountType: "Income", AccountSubType: "SalesOfProductIncome", Active: true }]);
    const before = await stored(a);
    const form = formOf(await (await a.browser.get(mappingUrl(a))).text());
    const other = field === "discounts" ? "returns" : "discounts";
    const response = await a.browser.post(mappingUrl(a), { ...form, [other]: IDS.sales, [field]: value });
    expect(response.status).toBe(400);
    const html = await response.text();
    const { tag } = select(html, field);
    expect(tag).toContain('aria-invalid="true"');
    expect(tag).toContain(`aria-describedby="mapping-${field}-hint mapping-${field}-error"`);
    expect(html).toMatch(new RegExp(`id="mapping-${field}-error"[^>]*>[^<]*${message.replace(/[()/]/g, "\\$&")}`));
    expect(selectedValue(html, field)).toEqual([value]);
    expect(selectedValue(html, other)).toEqual([IDS.sales]);
    expect(await stored(a)).toEqual(before);
  });

  it("answers 404 for another merchant's location or an unknown one, reading and storing nothing", async () => {
    const b = await merchantWith(company());
    expect((await setUp(b)).status).toBe(303);
    const bLocation = await stored(b);
    const form = formOf(await (await b.browser.get(mappingUrl(b))).text());
    // A and B use the same Square location id: make B's a location A does not have.
    const foreignId = "LOCB-ONLY";
    await world.deps.store.putLocation({ ...bLocation, locationId: foreignId, name: "B Street" });
    const requests = () => world.quickbooks.requestLog().filter((record) => record.realmId === b.realmId).length;
    const seen = requests();
    for (const id of [foreignId, "NO-SUCH-LOCATION"]) {
      for (const response of [
        await a.browser.get(`/locations/${id}/mapping`),
        await a.browser.post(`/locations/${id}/mapping`, { ...form, sales: IDS.discounts }),
        await a.browser.post(`/locations/${id}/mapping/create-accounts`),
      ]) {
        expect(response.status).toBe(404);
        expect(await response.text()).not.toContain("B Street");
      }
    }
    const bQuickBooks = await b.connection("quickbooks");
    expect((await a.browser.post(`/quickbooks/${bQuickBooks.connectionId}/create-accounts`, { return: "/locations" })).status).toBe(404);
    expect(requests()).toBe(seen);
    expect(await world.deps.store.getLocation(b.merchantId, foreignId)).toEqual({ ...bLocation, locationId: foreignId, name: "B Street" });
    expect(await stored(b)).toEqual(bLocation);
  });
});

describe("creating the missing accounts", () => {
  const LACKING = [IDS.cardClearing, IDS.salesTax, IDS.tips, IDS.giftCards];
  const createdNames = (realmId: string) => {
    const defaults = new Set(DEFAULT_ACCOUNTS.map((account) => account.Id));
    return world.quickbooks.accounts(realmId).filter((account) => !defaults.has(account.Id));
  };

  it("is offered when a location cannot be set up for lack of them, creates each once, and then the location saves", async () => {
    const c = await merchantWith(company(LACKING));
    const refused = await setUp(c);
    expect(refused.status).toBe(400);
    const html = await refused.text();
    const quickBooks = await c.connection("quickbooks");
    expect(html).toContain(`action="/quickbooks/${quickBooks.connectionId}/create-accounts"`);
    expect(html).toContain("Create the missing accounts in QuickBooks");
    expect(html).toContain('name="return" value="/locations"');
    expect(html).toContain("Square Clearing: Other Current Asset");

    const wrongReturn = await c.browser.post(`/quickbooks/${quickBooks.connectionId}/create-accounts`, { return: "https://elsewhere.example/", source: "square" });
    expect(wrongReturn.status).toBe(400);
    expect(createdNames(c.realmId)).toEqual([]);

    const pressed = await c.browser.post(`/quickbooks/${quickBooks.connectionId}/create-accounts`, { return: "/locations", source: "square" });
    expect(pressed.status).toBe(303);
    expect(pressed.headers.get("Location")).toBe("/locations?accounts=created");
    const created = createdNames(c.realmId);
    expect(created.map(({ Name, AccountType, AccountSubType, Active }) => ({ Name, AccountType, AccountSubType, Active }))).toEqual([
      { Name: "Square Clearing", AccountType: "Other Current Asset", AccountSubType: "OtherCurrentAssets", Active: true },
      { Name: "Sales Tax Collected (POS)", AccountType: "Other Current Liability", AccountSubType: "SalesTaxPayable", Active: true },
      { Name: "Tips Payable", AccountType: "Other Current Liability", AccountSubType: "OtherCurrentLiabilities", Active: true },
      { Name: "Gift Card Liability", AccountType: "Other Current Liability", AccountSubType: "OtherCurrentLiabilities", Active: true },
    ]);
    expect(await (await c.browser.get("/locations?accounts=created")).text()).toContain("daybook created the missing accounts in QuickBooks");

    const again = await c.browser.post(`/quickbooks/${quickBooks.connectionId}/create-accounts`, { return: "/locations", source: "square" });
    expect(again.headers.get("Location")).toBe("/locations?accounts=none");
    expect(createdNames(c.realmId)).toEqual(created);

    expect((await setUp(c)).status).toBe(303);
    const byName = (name: string) => created.find((account) => account.Name === name)!.Id;
    expect((await stored(c)).mapping.defaults).toMatchObject({
      tenders: byName("Square Clearing"), tax: byName("Sales Tax Collected (POS)"), tips: byName("Tips Payable"), giftCards: byName("Gift Card Liability"),
    });
  });

  it("is offered on the mapping page of a location whose company lacks a clearing account; the new account can then be mapped", async () => {
    const d = await merchantWith(company([IDS.cardClearing]));
    expect((await setUp(d)).status).toBe(303);
    expect((await stored(d)).mapping.defaults.tenders).toBe(IDS.undepositedFunds);
    const page = await (await d.browser.get(mappingUrl(d))).text();
    expect(page).toContain(`action="/locations/${d.locationId}/mapping/create-accounts"`);
    expect(page).toContain("Square Clearing: Other Current Asset, for card payments");

    const pressed = await d.browser.post(`${mappingUrl(d)}/create-accounts`);
    expect(pressed.status).toBe(303);
    expect(pressed.headers.get("Location")).toBe(`${mappingUrl(d)}?accounts=created`);
    const again = await d.browser.post(`${mappingUrl(d)}/create-accounts`);
    expect(again.headers.get("Location")).toBe(`${mappingUrl(d)}?accounts=none`);
    const created = createdNames(d.realmId);
    expect(created.map((account) => account.Name)).toEqual(["Square Clearing"]);
    const clearingId = created[0]!.Id;

    const after = await (await d.browser.get(`${mappingUrl(d)}?accounts=created`)).text();
    expect(after).toContain("daybook created the missing accounts in QuickBooks");
    expect(after).not.toContain("Create the missing accounts in QuickBooks");
    expect(select(after, "tenders").options.find((option) => option.value === clearingId)?.text).toBe("Square Clearing (suggested)");

    const before: LocationConfig = await stored(d);
    const saved = await d.browser.post(mappingUrl(d), { ...formOf(after), tenders: clearingId });
    expect(saved.status).toBe(303);
    expect((await stored(d)).mapping).toEqual({ ...before.mapping, defaults: { ...before.mapping.defaults, tenders: clearingId } });
  });
});
