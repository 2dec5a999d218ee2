/**
 * The mapping page (go-live step 2): for a set-up location, which QuickBooks account each item and
 * figure of its daily entry goes to, chosen from the company's active chart of accounts (read with the
 * stored tokens, as the locations page does): every category, tender, tax, service charge and
 * non-revenue item its POS has or recent days used (lib/locations/mapping-items.ts), the default
 * accounts, and for Square where payouts arrive. Saving checks every choice against the chart as it is
 * now and stores the mapping, keeping every part of it the page does not show. The page previews the
 * location's last complete day as the entry daybook would post (lib/locations/preview.ts) and, for a
 * location not started yet, offers step 3 (lib/web/routes/go-live.ts).
 *
 * And the offer to create the clearing and liability accounts a chart lacks (lib/locations/missing-accounts.ts):
 * - POST /locations/:locationId/mapping/create-accounts for a set-up location's company;
 * - POST /quickbooks/:connectionId/create-accounts for a company chosen on the locations page for a
 *   location that is not set up yet (a location that failed to save has no location id to hang it on),
 *   with a `return` field that may only be "/locations".
 * Both re-read the chart first and create only what is still missing, so pressing twice creates nothing
 * more; a name QuickBooks already has (fault 6240) is not created again. Nothing in QuickBooks is ever
 * changed or deleted.
 */
import type { Context, Hono } from "hono";
import { addDays } from "../../domain/business-day";
import { tenderLabel } from "../../domain/journal-entry";
import { type Mapping, mappingSchema } from "../../domain/mapping";
import type { DailySummary } from "../../domain/summary";
import { captureAccountLabels } from "../../locations/account-labels";
import { suggestDefaultMapping } from "../../locations/default-mapping";
import { accountsFor, type DefaultFigure, FIGURES } from "../../locations/mapping-figures";
import { groupRule, ITEM_GROUPS, type ItemGroupName, itemField, itemKeyField, type MappingItem, mappingItems, seenKey, seenList } from "../../locations/mapping-items";
import { type AccountToCreate, type LocationItems, missingAccounts } from "../../locations/missing-accounts";
import type { PosCatalog } from "../../locations/pos-catalog";
import { postingProblem } from "../../locations/posting-status";
import { chartLabels, type DayPreview, previewDay } from "../../locations/preview";
import { QuickBooksError, type QuickBooksAccount } from "../../quickbooks/types";
import { lastDayDueBy } from "../../schedule/due-days";
import { scheduleOf } from "../../schedule/due-index";
import { MAX_BACKFILL_DAYS_BACK } from "../../schedule/backfill";
import type { Connection, LocationConfig, Merchant, PosSource } from "../../model";
import * as z from "zod/mini";
import { posLocationIdField } from "../../ids";
import type { AppEnv, WebDeps } from "../deps";
import { connectionIdField, formFields, keptValue } from "../forms";
import type { Viewer } from "../pages/layout";
import { MappingPage, type MappingPageProps, mappingPath, type MappingValues, PAYOUTS_BANK_FIELD, type StartForm } from "../pages/mapping";
import { NotFoundPage, ProblemPage } from "../pages/messages";
import { requireSignedIn, signedIn } from "../session";
import { redactForLog } from "../redact-for-log";

const locationIdParam = posLocationIdField();
const connectionIdParam = connectionIdField;
const createAccountsForm = z.object({
  return: z.literal("/locations", { error: "daybook cannot go back to that page." }),
  source: z.optional(z.enum(["square", "clover"])),
});
const noticeQuery = z.optional(z.enum(["created", "none"]));
/** An item's key as the POS gives it: a category id, a tender key, a name. */
const itemKey = z.string().check(z.minLength(1), z.maxLength(255), z.refine((key) => !/\p{Cc}/u.test(key), "no control characters"));
/** More items than any POS location has: the rest of a form this long is not read. */
const MAX_ITEMS_PER_GROUP = 1000;
/** How many of the days before the preview day the page looks at for items the nightly sync saw. */
const RECENT_DAYS = 14;

const NOTICES = {
  saved: "Mapping saved. daybook posts this location's next entries with it.",
  savedNotStarted: "Mapping saved. Nothing is posted until you start posting, at the end of this page.",
  setup: "Location set up. Review the mapping and the preview of a day below, then start posting: nothing is posted before that.",
  created: "daybook created the missing accounts in QuickBooks. Where they fit, they are marked (suggested) below: choose them and save the mapping.",
  none: "This company's chart of accounts already has those accounts: nothing was created.",
} as const;

/** What went wrong talking to QuickBooks, for the person, with the status to answer. */
interface Trouble {
  status: 409 | 502;
  message: string;
}

export function addMappingRoutes(app: Hono<AppEnv>, deps: WebDeps): void {
  app.get("/locations/:locationId/mapping", requireSignedIn(), async (c) => {
    const { merchant, viewer } = signedIn(c);
    const found = await findLocation(c, deps, merchant);
    if (!found) return notFound(c, viewer);
    const { location } = found;
    const accounts = noticeQuery.safeParse(c.req.query("accounts"));
    const notice = c.req.query("saved") !== undefined ? (location.awaitingStart ? NOTICES.savedNotStarted : NOTICES.saved)
      : c.req.query("setup") !== undefined ? NOTICES.setup
      : accounts.success && accounts.data !== undefined ? NOTICES[accounts.data] : undefined;
    const page = await mappingPage(deps, merchant, viewer, location, { ...(notice ? { notice } : {}) });
    return c.html(MappingPage(page.props), page.status);
  });

  app.post("/locations/:locationId/mapping", requireSignedIn(), async (c) => {
    const { merchant, viewer } = signedIn(c);
    const found = await findLocation(c, deps, merchant);
    if (!found) return notFound(c, viewer);
    const { location } = found;
    const fields = await formFields(c);
    const sent = sentChoices(fields);
    const values: MappingValues = {
      defaults: Object.fromEntries(FIGURES.map((rule) => [rule.figure, keptValue(fields[rule.figure], 20)])) as Record<DefaultFigure, string>,
      items: Object.fromEntries(sent.items.map((item) => [seenKey(item.group, item.key), item.value])),
      payoutsBank: keptValue(fields[PAYOUTS_BANK_FIELD], 20),
    };
    const read = await readChart(deps, merchant, location.quickbooksConnectionId);
    if (!read.ok) {
      const page = await mappingPage(deps, merchant, viewer, location, { values, problem: `Nothing was saved: ${read.trouble.message}` });
      return c.html(MappingPage(page.props), read.trouble.status);
    }

    const errors = { ...sent.errors, ...checkChoices(read.chart, location, fields, sent.items) };
    if (Object.keys(errors).length > 0) {
      const page = await mappingPage(deps, merchant, viewer, location, { values, errors }, read.chart);
      return c.html(MappingPage(page.props), 400);
    }

    const stored = location.mapping;
    const overrides = (group: ItemGroupName, current: Record<string, string> | undefined) => {
      const next = new Map(Object.entries(current ?? {}));
      for (const item of sent.items.filter((each) => each.group === group)) {
        if (item.value === "") next.delete(item.key);
        else next.set(item.key, item.value);
      }
      return next.size > 0 ? Object.fromEntries(next) : undefined;
    };
    const { payouts: storedPayouts, categories, tenders, taxes, serviceCharges, nonRevenue, ...rest } = stored;
    const payoutsBank = fields[PAYOUTS_BANK_FIELD];
    const payouts = location.source !== "square" || payoutsBank === undefined ? storedPayouts
      : payoutsBank === "" ? undefined : { ...storedPayouts, bank: payoutsBank };
    const pieces = {
      categories: overrides("categories", categories), tenders: overrides("tenders", tenders), taxes: overrides("taxes", taxes),
      serviceCharges: overrides("serviceCharges", serviceCharges), nonRevenue: overrides("nonRevenue", nonRevenue),
    };
    const mapping: Mapping = mappingSchema.parse({
      ...rest,
      defaults: Object.fromEntries(FIGURES.map((rule) => [rule.figure, fields[rule.figure]])),
      ...Object.fromEntries(Object.entries(pieces).filter(([, value]) => value !== undefined)),
      ...(payouts ? { payouts } : {}),
    });
    const seen = seenList(sent.items.map((item) => ({ group: item.group, key: item.key }) as MappingItem));
    // The chart was just read to check the choices: the accounts' names come with it.
    const accountLabels = captureAccountLabels(read.chart, mapping, location.accountLabels);
    await deps.store.putLocation({ ...location, mapping, mappingSeen: seen, accountLabels, updatedAt: deps.now().toISOString() });
    deps.log("info", "mapping saved", { merchantId: merchant.merchantId, locationId: location.locationId, items: sent.items.length });
    return c.redirect(`${mappingPath(location.locationId)}?saved`, 303);
  });

  app.post("/locations/:locationId/mapping/create-accounts", requireSignedIn(), async (c) => {
    const { merchant, viewer } = signedIn(c);
    const found = await findLocation(c, deps, merchant);
    if (!found) return notFound(c, viewer);
    const { location } = found;
    const back = mappingPath(location.locationId);
    const connection = await deps.store.getConnection(merchant.merchantId, location.quickbooksConnectionId);
    if (!connection || !isActiveQuickBooks(connection)) return c.html(notCreatedPage(viewer, back, notConnected), 409);
    const result = await createMissing(deps, connection, location.source, await locationItems(deps, merchant, location));
    if (!result.ok) return c.html(notCreatedPage(viewer, back, result.trouble.message), result.trouble.status);
    return c.redirect(`${back}?accounts=${result.created.length > 0 ? "created" : "none"}`, 303);
  });

  app.post("/quickbooks/:connectionId/create-accounts", requireSignedIn(), async (c) => {
    const { merchant, viewer } = signedIn(c);
    const id = connectionIdParam.safeParse(c.req.param("connectionId"));
    const connection = id.success ? await deps.store.getConnection(merchant.merchantId, id.data) : undefined;
    if (!connection || connection.provider !== "quickbooks") return notFound(c, viewer);
    const form = createAccountsForm.safeParse(await formFields(c));
    if (!form.success) {
      return c.html(ProblemPage({
        title: "This form was not accepted", viewer, next: { href: "/locations", label: "Go to the locations page" },
        children: "daybook could not use this form. Go back to the locations page, reload it and try again.",
      }), 400);
    }
    if (!isActiveQuickBooks(connection)) return c.html(notCreatedPage(viewer, form.data.return, notConnected), 409);
    const result = await createMissing(deps, connection, form.data.source);
    if (!result.ok) return c.html(notCreatedPage(viewer, form.data.return, result.trouble.message), result.trouble.status);
    return c.redirect(`${form.data.return}?accounts=${result.created.length > 0 ? "created" : "none"}`, 303);
  });
}

const notConnected = "This QuickBooks company is not connected. Reconnect QuickBooks on the connections page, then try again.";

const isActiveQuickBooks = (connection: Connection) => connection.status === "active" && connection.provider === "quickbooks";

function notFound(c: Context<AppEnv>, viewer: Viewer) {
  return c.html(NotFoundPage({ viewer }), 404);
}

function notCreatedPage(viewer: Viewer, back: string, message: string) {
  return ProblemPage({
    title: "The accounts were not created", viewer, next: { href: back, label: back === "/locations" ? "Back to locations" : "Back to the mapping" },
    children: message,
  });
}

/** The signed-in merchant's location named in the path; undefined for another merchant's or an unknown one (nothing else is read). */
async function findLocation(c: Context<AppEnv>, deps: WebDeps, merchant: Merchant): Promise<{ location: LocationConfig } | undefined> {
  const locationId = locationIdParam.safeParse(c.req.param("locationId"));
  if (!locationId.success) return undefined;
  const location = await deps.store.getLocation(merchant.merchantId, locationId.data);
  return location ? { location } : undefined;
}

interface SentItem {
  group: ItemGroupName;
  key: string;
  value: string;
}

/** The items the form sent: per group, key and choice by position until the first gap; a key the form mangled is an error. */
function sentChoices(fields: Record<string, string>): { items: SentItem[]; errors: Record<string, string> } {
  const items: SentItem[] = [];
  const errors: Record<string, string> = {};
  for (const rule of ITEM_GROUPS) {
    for (let index = 0; index < MAX_ITEMS_PER_GROUP; index++) {
      const key = fields[itemKeyField(rule.group, index)];
      if (key === undefined) break;
      const checked = itemKey.safeParse(key);
      if (!checked.success) {
        errors[seenKey(rule.group, keptValue(key, 255))] = "This item's name did not come back as the page sent it. Open the mapping again.";
        continue;
      }
      items.push({ group: rule.group, key, value: keptValue(fields[itemField(rule.group, index)], 20) });
    }
  }
  return { items, errors };
}

/** Every choice: an active account of this company's chart now, of a type that suits what it is for. */
function checkChoices(chart: readonly QuickBooksAccount[], location: LocationConfig, fields: Record<string, string>, items: readonly SentItem[]): Record<string, string> {
  const errors: Record<string, string> = {};
  const byId = new Map(chart.filter((account) => account.active).map((account) => [account.id, account]));
  const problem = (id: string | undefined, label: string, types: readonly string[], optional: boolean): string | undefined => {
    if (id === undefined || id === "") return optional ? undefined : `Choose an account for ${label}.`;
    if (!byId.has(id)) return "That account is not an active account of this QuickBooks company. Choose one from the list.";
    if (!accountsFor(types, chart).some((account) => account.id === id)) {
      const typeList = types.length <= 1 ? types.join("") : `${types.slice(0, -1).join(", ")} or ${types.slice(-1).join("")}`;
      return `${label} needs an account of type ${typeList}. Choose one from the list.`;
    }
    return undefined;
  };
  for (const rule of FIGURES) {
    const message = problem(fields[rule.figure], rule.label, rule.types, false);
    if (message) errors[rule.figure] = message;
  }
  for (const item of items) {
    const rule = groupRule(item.group);
    const message = problem(item.value, rule.itemLabel(item.group === "tenders" ? tenderLabel(item.key) : item.key), rule.types, true);
    if (message) errors[seenKey(item.group, item.key)] = message;
  }
  if (location.source === "square") {
    const message = problem(fields[PAYOUTS_BANK_FIELD], "The payouts' bank account", ["Bank"], true);
    if (message) errors[PAYOUTS_BANK_FIELD] = message;
    const payouts = location.mapping.payouts;
    if (!message && fields[PAYOUTS_BANK_FIELD] === "" && payouts && Object.keys(payouts).some((key) => key !== "bank")) {
      errors[PAYOUTS_BANK_FIELD] = "This location's payouts mapping names other accounts too, so it needs its bank account. Choose one.";
    }
  }
  return errors;
}

function storedValues(location: LocationConfig, items: readonly MappingItem[]): MappingValues {
  return {
    defaults: { ...location.mapping.defaults },
    items: Object.fromEntries(items.map((item) => [seenKey(item.group, item.key), item.accountId ?? ""])),
    payoutsBank: location.mapping.payouts?.bank ?? "",
  };
}

/**
 * Everything the page shows, read for the location: the chart (unless given), what the POS has, the
 * items recent days used, the preview of the last complete day, and step 3 for a location not started.
 * The POS's lists and the preview are best effort: the page works without them and says so.
 */
async function mappingPage(
  deps: WebDeps, merchant: Merchant, viewer: Viewer, location: LocationConfig,
  extra: { notice?: string; problem?: string; values?: MappingValues; errors?: Record<string, string>; start?: Partial<StartForm> },
  knownChart?: QuickBooksAccount[],
): Promise<{ props: MappingPageProps; status: 200 | 400 | 409 | 502 }> {
  const problem = location.awaitingStart ? undefined : postingProblem(location, await deps.store.listConnections(merchant.merchantId));
  const base = {
    viewer, location, missing: [] as AccountToCreate[], items: [] as MappingItem[], errors: extra.errors ?? {}, ...(problem ? { postingProblem: problem } : {}),
  };
  let chart = knownChart;
  if (!chart) {
    const read = await readChart(deps, merchant, location.quickbooksConnectionId);
    if (!read.ok) {
      return { props: { ...base, chart: undefined, values: extra.values ?? storedValues(location, []), problem: extra.problem ?? read.trouble.message }, status: read.trouble.status };
    }
    chart = read.chart;
  }
  const now = deps.now();
  const dueEntry = await deps.dueIndex.get(location.merchantId, location.locationId);
  const lastComplete = lastDayDueBy(now, scheduleOf(location, dueEntry?.settleMinutes));
  const pos = await deps.store.getConnection(merchant.merchantId, location.posConnectionId);
  const posActive = pos?.status === "active" ? pos : undefined;

  const [catalog, preview, recent] = await Promise.all([
    posActive ? readCatalog(deps, posActive, location.locationId) : Promise.resolve(undefined),
    posActive ? readPreview(deps, location, posActive, lastComplete, now, chart) : Promise.resolve({ problem: "The preview needs the POS connection: reconnect it on the connections page." }),
    recentSummaries(deps, location, lastComplete),
  ]);
  const items = mappingItems({
    mapping: location.mapping, chart, catalog, recent, previewed: "preview" in preview ? preview.preview.summary : undefined, seen: location.mappingSeen,
  });
  const values = extra.values ?? storedValues(location, items);
  // A choice sent for an item the page no longer lists is kept as sent; one the page lists but the form did not send shows as stored.
  for (const item of items) values.items[seenKey(item.group, item.key)] ??= item.accountId ?? "";
  const suggestion = suggestDefaultMapping(chart);
  const today = addDays(lastComplete, 1);
  const start: StartForm | undefined = location.awaitingStart
    ? {
      suggested: lastComplete, earliest: addDays(today, -MAX_BACKFILL_DAYS_BACK), latest: addDays(today, MAX_BACKFILL_DAYS_BACK),
      value: extra.start?.value ?? lastComplete, ...(extra.start?.error ? { error: extra.start.error } : {}),
    }
    : undefined;
  return {
    props: {
      ...base, chart, items, values,
      missing: missingAccounts(chart, { source: location.source, items: itemKinds(items) }),
      ...(suggestion.ok ? { suggested: suggestion.mapping.defaults } : {}),
      ...(catalog === undefined && posActive ? { catalogProblem: `daybook could not read ${location.source === "square" ? "Square" : "Clover"}'s own lists just now, so this page shows only what recent days used. Reload it in a minute.` } : {}),
      ...("preview" in preview ? { preview: preview.preview } : { previewProblem: preview.problem }),
      ...(start ? { start } : {}),
      ...(extra.notice ? { notice: extra.notice } : {}),
      ...(extra.problem ? { problem: extra.problem } : {}),
    },
    status: extra.errors && Object.keys(extra.errors).length > 0 ? 400 : 200,
  };
}

export { mappingPage };

const itemKinds = (items: readonly MappingItem[]): LocationItems => ({
  tenders: items.filter((item) => item.group === "tenders").map((item) => item.key),
  nonRevenueItems: items.filter((item) => item.group === "nonRevenue").map((item) => item.key),
});

/** The location's tenders and non-revenue items (what the POS has, what recent days used), for the accounts they need. */
async function locationItems(deps: WebDeps, merchant: Merchant, location: LocationConfig): Promise<LocationItems> {
  const pos = await deps.store.getConnection(merchant.merchantId, location.posConnectionId);
  const dueEntry = await deps.dueIndex.get(location.merchantId, location.locationId);
  const [catalog, recent] = await Promise.all([
    pos?.status === "active" ? readCatalog(deps, pos, location.locationId) : Promise.resolve(undefined),
    recentSummaries(deps, location, lastDayDueBy(deps.now(), scheduleOf(location, dueEntry?.settleMinutes))),
  ]);
  return itemKinds(mappingItems({ mapping: location.mapping, chart: [], catalog, recent }));
}

async function readCatalog(deps: WebDeps, pos: Connection, locationId: string): Promise<PosCatalog | undefined> {
  try {
    return await deps.readers.posCatalog(pos, locationId);
  } catch (error) {
    logTrouble(deps, pos, "read the POS's lists", error);
    return undefined;
  }
}

async function readPreview(
  deps: WebDeps, location: LocationConfig, pos: Connection, day: string, now: Date, chart: readonly QuickBooksAccount[],
): Promise<{ preview: DayPreview } | { problem: string }> {
  try {
    return { preview: await previewDay(deps.readers, location, pos, day, now, chartLabels(chart, location.accountLabels)) };
  } catch (error) {
    logTrouble(deps, pos, "preview a day", error);
    return { problem: "daybook could not read the last complete day from the POS just now, so there is no preview. Reload the page in a minute." };
  }
}

/** The summaries the nightly sync kept for the days up to `lastDay`: the items it saw. */
async function recentSummaries(deps: WebDeps, location: LocationConfig, lastDay: string): Promise<DailySummary[]> {
  const days = Array.from({ length: RECENT_DAYS }, (_, back) => addDays(lastDay, -back));
  const records = await Promise.all(days.map((day) => deps.store.getSyncRecord(location.merchantId, location.locationId, day)));
  return records.flatMap((record) => (record?.lastSummary ? [record.lastSummary] : []));
}

type ChartRead = { ok: true; chart: QuickBooksAccount[] } | { ok: false; trouble: Trouble };

async function readChart(deps: WebDeps, merchant: Merchant, connectionId: string): Promise<ChartRead> {
  const connection = await deps.store.getConnection(merchant.merchantId, connectionId);
  if (!connection || !isActiveQuickBooks(connection)) {
    return { ok: false, trouble: { status: 409, message: "This location's QuickBooks company is not connected. Reconnect QuickBooks on the connections page, or choose another company for the location on the locations page." } };
  }
  try {
    return { ok: true, chart: await deps.readers.quickBooks(connection).listActiveAccounts() };
  } catch (error) {
    return { ok: false, trouble: troubleOf(deps, connection, "read the chart of accounts", error) };
  }
}

type Created = { ok: true; created: AccountToCreate[] } | { ok: false; trouble: Trouble };

/** Re-reads the chart and creates what is still missing, one account at a time; never updates or deletes. */
async function createMissing(deps: WebDeps, connection: Connection, source: PosSource | undefined, items?: LocationItems): Promise<Created> {
  const client = deps.readers.quickBooks(connection);
  const created: AccountToCreate[] = [];
  try {
    const plan = missingAccounts(await client.listActiveAccounts(), { ...(source ? { source } : {}), ...(items ? { items } : {}) });
    for (const account of plan) {
      try {
        await client.createAccount({ name: account.name, accountType: account.accountType, accountSubType: account.accountSubType });
        created.push(account);
      } catch (error) {
        // Someone created it since the chart was read (another press of the button): it is there now.
        if (error instanceof QuickBooksError && error.details.code === "6240") continue;
        throw error;
      }
    }
  } catch (error) {
    if (created.length > 0) logCreated(deps, connection, created);
    const trouble = troubleOf(deps, connection, "create accounts", error);
    const partly = created.length > 0 ? ` It did create ${created.map((account) => account.name).join(", ")}; pressing the button again creates only what is still missing.` : "";
    return { ok: false, trouble: { ...trouble, message: trouble.message + partly } };
  }
  if (created.length > 0) logCreated(deps, connection, created);
  return { ok: true, created };
}

function logCreated(deps: WebDeps, connection: Connection, created: AccountToCreate[]): void {
  deps.log("info", "quickbooks accounts created", {
    merchantId: connection.merchantId, connectionId: connection.connectionId, count: created.length, kinds: created.map((account) => account.kind).join(","),
  });
}

function logTrouble(deps: WebDeps, connection: Connection, what: string, error: unknown): void {
  const failure = error instanceof Error ? error : new Error(String(error));
  deps.log("warn", `mapping page could not use ${connection.provider}`, {
    merchantId: connection.merchantId, connectionId: connection.connectionId, what, error: failure.name, message: redactForLog(failure.message).slice(0, 300),
  });
}

function troubleOf(deps: WebDeps, connection: Connection, what: string, error: unknown): Trouble {
  logTrouble(deps, connection, what, error);
  const kind = (error as { kind?: unknown } | undefined)?.kind;
  if (kind === "needs-reconnect") {
    return { status: 409, message: "QuickBooks no longer accepts daybook's connection to this company. Reconnect QuickBooks on the connections page, then try again." };
  }
  return { status: 502, message: `daybook could not ${what} in QuickBooks just now. Try again in a minute; if it keeps failing, reconnect QuickBooks.` };
}
