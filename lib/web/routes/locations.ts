/**
 * The locations page: the merchant's set-up locations, each posting or saying "Not posting: <why>" with
 * the one action that mends it; and each active Square or Clover connection's locations with their
 * daybook settings (time zone, day start, QuickBooks company), and the form that saves them.
 *
 * Setting a location up (go-live step 1 done) gives it a mapping suggested from the QuickBooks chart of
 * accounts and what the POS has, and sends the merchant to review it (step 2): the location is saved
 * awaiting its start and is not scheduled; nothing posts until "Start posting" (lib/web/routes/go-live.ts).
 * A started location's new time zone or day start applies from a day the merchant picks, the next day
 * not yet posted at the earliest; the days before keep theirs (lib/domain/day-settings.ts).
 */
import type { Context, Hono } from "hono";
import { addDays, businessDayOf, isCalendarDate } from "../../domain/business-day";
import { changeDaySettings, DaySettingsError, sameDaySettings } from "../../domain/day-settings";
import { captureAccountLabels } from "../../locations/account-labels";
import { suggestDefaultMapping } from "../../locations/default-mapping";
import { missingAccounts } from "../../locations/missing-accounts";
import type { PosCatalog } from "../../locations/pos-catalog";
import { postingProblem, reconcilePostingStatus } from "../../locations/posting-status";
import { latestLocationStatuses, recentSyncRecords } from "../../members/location-status";
import { checkTags, choiceOfAnotherCompany, choosesAny, type SentTags, sentTags, type Tags, TRACKING_FIELDS, type TrackingField } from "../../locations/tracking-tags";
import type { PosLocation } from "../../locations/readers";
import { expectedCloverDeposit } from "../../payouts/clover-expected-deposit";
import { daySummary } from "../../report/day-figures";
import { firstDayDueAfter } from "../../schedule/due-days";
import { registerStoredLocation, scheduleOf } from "../../schedule/due-index";
import type { Connection, LocationConfig, Merchant, PosSource, SyncRecord } from "../../model";
import * as z from "zod/mini";
import { daybookIdField, isPosLocationId, posLocationIdField } from "../../ids";
import type { AppEnv, WebDeps } from "../deps";
import { connectionIdField, formFields, keptValue } from "../forms";
import { timeZoneField, timeZoneList } from "../time-zones";
import { formatDay } from "../pages/format";
import { postingSentence } from "../pages/posting-status";
import type { Viewer } from "../pages/layout";
import { type DepositStatus, type LocationAttempt, type LocationField, LocationsPage, type PosConnectionLocations, type SavedLocation } from "../pages/locations";
import { mappingPath } from "../pages/mapping";
import type { CompanyTracking } from "../pages/tracking-fieldset";
import { NotFoundPage } from "../pages/messages";
import { requireSignedIn, signedIn } from "../session";
import { redactForLog } from "../redact-for-log";

const connectionId = connectionIdField;

const locationForm = z.object({
  posConnectionId: connectionId,
  locationId: posLocationIdField(),
  timeZone: timeZoneField,
  dayStart: z.string({ error: "Enter when the business day starts." }).check(
    z.trim(),
    z.regex(/^([01]\d|2[0-3]):(00|15|30|45)$/, "Enter a time on the quarter hour, like 04:00 or 05:30."),
  ),
  quickbooksConnectionId: daybookIdField("Choose a QuickBooks company."),
  applyFrom: z.optional(z.string().check(
    z.trim(),
    z.regex(/^(\d{4}-\d{2}-\d{2})?$/, "Enter the first day the change applies to as a date, like 2025-06-01."),
    z.refine((value) => value === "" || isCalendarDate(value), "That day is not a date on the calendar."),
  )),
});

const FIELDS: readonly LocationField[] = ["timeZone", "dayStart", "quickbooksConnectionId", "applyFrom"];

const isActivePos = (connection: Connection) => connection.status === "active" && (connection.provider === "square" || connection.provider === "clover");
const isActiveQuickBooks = (connection: Connection) => connection.status === "active" && connection.provider === "quickbooks";

export function addLocationRoutes(app: Hono<AppEnv>, deps: WebDeps): void {
  // The page reads with tokens only, through the process's one keeper (deps.readers).
  app.get("/locations", requireSignedIn(), async (c) => {
    const { merchant, viewer } = signedIn(c);
    const saved = c.req.query("saved") !== undefined;
    const accounts = c.req.query("accounts");
    // go-live's redirect names the location that started; any other value names none, and shows no notice.
    const startedId = c.req.query("started");
    const started = startedId !== undefined && isPosLocationId(startedId) ? await deps.store.getLocation(merchant.merchantId, startedId) : undefined;
    const notice = saved ? "Location saved."
      : started?.postingFrom ? postingSentence(started.name, started.postingFrom)
      : accounts === "created" ? "daybook created the missing accounts in QuickBooks. Set up the location again."
      : accounts === "none" ? "This company's chart of accounts already has those accounts: nothing was created."
      : undefined;
    return c.html(await renderPage(deps, merchant, viewer, notice ? { notice } : {}));
  });

  app.post("/locations", requireSignedIn(), async (c) => {
    const { merchant, viewer } = signedIn(c);
    const fields = await formFields(c);
    const merchantId = merchant.merchantId;

    // Another merchant's connection, or a location its POS does not have: not found, nothing read or stored.
    const posConnectionId = connectionId.safeParse(fields["posConnectionId"]);
    const pos = posConnectionId.success ? await deps.store.getConnection(merchantId, posConnectionId.data) : undefined;
    if (!pos || !isActivePos(pos)) return notFound(c, viewer);
    let posLocation: PosLocation | undefined;
    try {
      posLocation = (await deps.readers.posLocations(pos)).find((location) => location.locationId === fields["locationId"]);
    } catch (error) {
      logReadFailure(deps, "pos", pos, error);
      return c.html(await renderPage(deps, merchant, viewer, {}), 502);
    }
    if (!posLocation) return notFound(c, viewer);

    const attempt: LocationAttempt = {
      posConnectionId: pos.connectionId,
      locationId: posLocation.locationId,
      values: {
        timeZone: keptValue(fields["timeZone"], 64), dayStart: keptValue(fields["dayStart"], 5), quickbooksConnectionId: keptValue(fields["quickbooksConnectionId"], 100),
        applyFrom: keptValue(fields["applyFrom"], 10),
      },
      errors: {},
    };
    const sent = sentTags(fields);
    if (sent) attempt.tracking = { chosen: sent, errors: {} };
    const rejected = async () => c.html(await renderPage(deps, merchant, viewer, { attempt }), 400);

    const checked = locationForm.safeParse(fields);
    if (!checked.success) {
      for (const issue of checked.error.issues) {
        const name = FIELDS.find((each) => each === issue.path[0]);
        if (name) attempt.errors[name] ??= issue.message;
      }
      return rejected();
    }
    const form = checked.data;
    const quickBooks = await deps.store.getConnection(merchantId, form.quickbooksConnectionId);
    if (!quickBooks) return notFound(c, viewer);
    if (!isActiveQuickBooks(quickBooks)) {
      attempt.errors.quickbooksConnectionId = "This QuickBooks company is not connected. Reconnect it on the connections page, or choose another.";
      return rejected();
    }

    const existing = await deps.store.getLocation(merchantId, posLocation.locationId);
    // A mapping the merchant already has for this company is kept: a reconnect gives the same company a new connection id.
    const previousCompany = existing && (await deps.store.getConnection(merchantId, existing.quickbooksConnectionId));
    const sameCompany = previousCompany !== undefined && previousCompany.externalId === quickBooks.externalId;

    const otherCompany = sent && choiceOfAnotherCompany(sent, quickBooks.connectionId);
    if (otherCompany) {
      attempt.tracking = { chosen: { location: "", class: "" }, errors: otherCompany };
      return rejected();
    }
    const tagged = await chosenTags(deps, quickBooks, sent, sameCompany ? existing?.quickBooksTags : undefined);
    if (!tagged.ok) {
      attempt.tracking = { chosen: sent ?? { location: "", class: "" }, errors: tagged.errors };
      return c.html(await renderPage(deps, merchant, viewer, { attempt }), tagged.status);
    }

    let mapping = sameCompany ? existing?.mapping : undefined;
    let accountLabels = mapping ? existing?.accountLabels : undefined;
    if (!mapping) {
      let chart;
      try {
        chart = await deps.readers.quickBooks(quickBooks).listActiveAccounts();
      } catch (error) {
        logReadFailure(deps, "quickbooks", quickBooks, error);
        attempt.errors.quickbooksConnectionId = "daybook could not read this company's chart of accounts. Try again in a minute; if it keeps failing, reconnect QuickBooks.";
        return c.html(await renderPage(deps, merchant, viewer, { attempt }), 502);
      }
      const catalog = await readCatalog(deps, pos, posLocation.locationId);
      const source = pos.provider as PosSource;
      const suggested = suggestDefaultMapping(chart, { source, ...(catalog ? { tenders: catalog.tenders.map((tender) => tender.key), nonRevenueItems: catalog.nonRevenueItems } : {}) });
      if (!suggested.ok) {
        // The clearing and liability accounts daybook can create on request (POST /quickbooks/:connectionId/create-accounts).
        // The accounts the location's own items need are offered on its mapping page, once it is set up.
        const missing = missingAccounts(chart, { source });
        if (missing.length > 0) attempt.createAccounts = { quickbooksConnectionId: quickBooks.connectionId, source, missing };
        const remedy = missing.length > 0 ? "Create it in QuickBooks, or let daybook create the missing accounts below, then save again." : "Create it in QuickBooks, then save again.";
        attempt.errors.quickbooksConnectionId = `This company's chart of accounts lacks ${suggested.missing.join("; ")}. ${remedy}`;
        return rejected();
      }
      mapping = suggested.mapping;
      accountLabels = captureAccountLabels(chart, mapping);
    }

    const now = deps.now();
    const settings = { timeZone: form.timeZone, dayStart: form.dayStart };
    const common = {
      merchantId, locationId: posLocation.locationId, source: pos.provider as PosSource, name: posLocation.name,
      posConnectionId: pos.connectionId, quickbooksConnectionId: quickBooks.connectionId, currency: posLocation.currency, mapping,
      ...(accountLabels ? { accountLabels } : {}),
      ...(tagged.tags ? { quickBooksTags: tagged.tags } : {}),
      updatedAt: now.toISOString(),
    };
    if (!existing) {
      // Go-live step 2: reviewed before anything posts. Not scheduled until "Start posting".
      await deps.store.putLocation({ ...common, ...settings, awaitingStart: true });
      await adoptTimeZone(deps, merchant, form.timeZone);
      deps.log("info", "location set up", { merchantId, locationId: posLocation.locationId, source: common.source });
      return c.redirect(`${mappingPath(posLocation.locationId)}?setup`, 303);
    }

    let daySettings: Pick<LocationConfig, "timeZone" | "dayStart" | "earlierDaySettings"> = settings;
    if (!existing.awaitingStart && !sameDaySettings(existing, settings)) {
      // Nothing already posted moves: the change applies from the next day not yet posted, or a later one.
      const earliest = await nextUnpostedDay(deps, existing, now);
      const from = form.applyFrom || earliest;
      if (from < earliest) {
        attempt.errors.applyFrom = `${formatDay(from)} is already posted, or being posted, with the day starting ${existing.dayStart} (${existing.timeZone}): choose ${earliest} or later.`;
        return rejected();
      }
      try {
        daySettings = changeDaySettings(existing, settings, from);
      } catch (error) {
        if (!(error instanceof DaySettingsError)) throw error;
        attempt.errors.applyFrom = `${error.message.charAt(0).toUpperCase()}${error.message.slice(1)}.`;
        return rejected();
      }
    } else if (!existing.awaitingStart) {
      daySettings = { timeZone: existing.timeZone, dayStart: existing.dayStart, earlierDaySettings: existing.earlierDaySettings };
    }
    // What the form decides comes from it: tags and account names not chosen now are not kept from before.
    const { quickBooksTags: _tags, accountLabels: _labels, ...kept } = existing;
    const location: LocationConfig = { ...kept, ...common, ...daySettings };
    await deps.store.putLocation(location);
    await adoptTimeZone(deps, merchant, form.timeZone);
    // A location that posts is scheduled by its new settings and company, from the day it was due for.
    if (!location.awaitingStart && !location.postingStopped) await registerStoredLocation(deps, merchantId, location.locationId, now);
    await reconcilePostingStatus(deps, merchantId);
    deps.log("info", "location saved", { merchantId, locationId: location.locationId, source: location.source });
    return c.redirect("/locations?saved", 303);
  });
}

/** A merchant without a zone of their own takes the one their location was saved with: nearly nobody has to choose one. */
async function adoptTimeZone(deps: WebDeps, merchant: Merchant, timeZone: string): Promise<void> {
  if (merchant.timeZone === undefined && (await deps.store.adoptMerchantTimeZone(merchant.merchantId, timeZone))) {
    deps.log("info", "time zone taken from a location", { merchantId: merchant.merchantId });
  }
}

/** The first business day a change of day settings may apply to: none from it on has been sent for posting. */
async function nextUnpostedDay(deps: WebDeps, location: LocationConfig, now: Date): Promise<string> {
  if (location.postingStopped) return location.postingStopped.resumeFrom;
  const entry = await deps.dueIndex.get(location.merchantId, location.locationId);
  return firstDayDueAfter(now, scheduleOf(location, entry?.settleMinutes));
}

async function readCatalog(deps: WebDeps, pos: Connection, locationId: string): Promise<PosCatalog | undefined> {
  try {
    return await deps.readers.posCatalog(pos, locationId);
  } catch (error) {
    logReadFailure(deps, "pos", pos, error);
    return undefined;
  }
}

function notFound(c: Context<AppEnv>, viewer: Viewer) {
  return c.html(NotFoundPage({ viewer }), 404);
}

function logReadFailure(deps: WebDeps, what: "pos" | "quickbooks", connection: Connection, error: unknown): void {
  const failure = error instanceof Error ? error : new Error(String(error));
  deps.log("warn", "locations page could not read a provider", {
    merchantId: connection.merchantId, connectionId: connection.connectionId, provider: connection.provider, what, error: failure.name, message: redactForLog(failure.message).slice(0, 300),
  });
}

async function renderPage(deps: WebDeps, merchant: Merchant, viewer: Viewer, extra: { notice?: string; attempt?: LocationAttempt }) {
  const [connections, locations] = await Promise.all([deps.store.listConnections(merchant.merchantId), deps.store.listLocations(merchant.merchantId)]);
  const pos: PosConnectionLocations[] = await Promise.all(connections.filter(isActivePos).map(async (connection) => {
    try {
      return { connection, locations: await deps.readers.posLocations(connection) };
    } catch (error) {
      logReadFailure(deps, "pos", connection, error);
      return { connection, locations: undefined, problem: "daybook could not read this account's locations just now. Reload the page in a minute; if it keeps failing, reconnect the account on the connections page." };
    }
  }));
  const now = deps.now();
  // Each location's recent days, one query a location: its latest day (as the API's locations and the client list read it) and a Clover location's deposits.
  const recent = await recentSyncRecords(deps.store, merchant.merchantId, now, locations);
  const lastDays = latestLocationStatuses(locations, recent);
  const saved: SavedLocation[] = await Promise.all(locations.map(async (location) => {
    const lastDay = lastDays[location.locationId];
    return { location, problem: postingProblem(location, connections), nextUnposted: await nextUnpostedDay(deps, location, now), ...(lastDay ? { lastDay } : {}) };
  }));
  const quickBooks = connections.filter(isActiveQuickBooks);
  return LocationsPage({
    viewer, pos, quickBooks, saved, timeZones: timeZoneList(), deposits: await depositsOf(deps, locations, recent), ...extra,
    ...(pos.length > 0 ? { tracking: await companiesTracking(deps, quickBooks) } : {}),
  });
}

const TRACKING_UNREADABLE = "daybook could not read this QuickBooks company's locations and classes just now. Reload the page in a minute to choose them.";

/** Each company's Location and Class lists, for the tracking choice. */
async function companiesTracking(deps: WebDeps, companies: Connection[]): Promise<Record<string, CompanyTracking>> {
  const read = await Promise.all(companies.map(async (company): Promise<[string, CompanyTracking]> => {
    try {
      return [company.connectionId, { lists: await deps.readers.quickBooks(company).readTracking() }];
    } catch (error) {
      logReadFailure(deps, "quickbooks", company, error);
      return [company.connectionId, { problem: TRACKING_UNREADABLE }];
    }
  }));
  return Object.fromEntries(read);
}

type ChosenTags = { ok: true; tags: Tags | undefined } | { ok: false; status: 400 | 502; errors: Partial<Record<TrackingField, string>> };

/**
 * The location's QuickBooks tags after this save: checked against the company's lists as they are now
 * when the form chose any; none when it chose none; when the form did not offer the choice (the lists
 * could not be read), the tags it had with the same company.
 */
async function chosenTags(deps: WebDeps, company: Connection, sent: SentTags | undefined, kept: Tags | undefined): Promise<ChosenTags> {
  if (!sent) return { ok: true, tags: kept };
  if (!choosesAny(sent)) return { ok: true, tags: undefined };
  let lists;
  try {
    lists = await deps.readers.quickBooks(company).readTracking();
  } catch (error) {
    logReadFailure(deps, "quickbooks", company, error);
    const field = sent.location !== "" ? TRACKING_FIELDS.location : TRACKING_FIELDS.class;
    return { ok: false, status: 502, errors: { [field]: "daybook could not read this company's locations and classes to check the choice. Try again in a minute." } };
  }
  const checked = checkTags(lists, sent);
  return checked.ok ? { ok: true, tags: checked.tags } : { ok: false, status: 400, errors: checked.errors };
}

/** Clover locations show the expected card deposits of their latest days read. */
const CLOVER_DEPOSIT_DAYS = 3;

/**
 * Where each Square location that posts its payouts stands: the last night's check, and payouts waiting;
 * each Clover location's expected card deposits of its last days.
 */
async function depositsOf(deps: WebDeps, saved: LocationConfig[], recent: Record<string, SyncRecord[]>): Promise<Record<string, DepositStatus>> {
  const clover = saved.filter((location) => location.source === "clover").map((location): [string, DepositStatus] => {
    const today = businessDayOf(deps.now().getTime(), location.timeZone, location.dayStart);
    const records = (recent[location.locationId] ?? []).filter((record) => record.businessDay >= addDays(today, -7));
    const expected = records.flatMap((record) => {
      const summary = daySummary(record);
      return summary ? [expectedCloverDeposit(record.businessDay, summary)] : [];
    }).reverse().slice(0, CLOVER_DEPOSIT_DAYS);
    return [location.locationId, { waiting: { count: 0 }, clover: expected }];
  });
  const paidOut = saved.filter((location) => location.source === "square" && location.mapping.payouts);
  return Object.fromEntries([...clover, ...await Promise.all(paidOut.map(async (location): Promise<[string, DepositStatus]> => {
    const [check, records] = await Promise.all([
      deps.payouts.getCheck(location.merchantId, location.locationId),
      deps.payouts.listPayouts(location.merchantId, location.locationId),
    ]);
    const waiting = records.filter((record) => record.state === "held" || record.state === "failed");
    const reason = waiting[0]?.heldReason ?? waiting[0]?.lastError?.message;
    return [location.locationId, {
      ...(check ? { lastRunAt: check.lastRunAt } : {}),
      ...(check?.lastError ? { problem: check.lastError.message } : {}),
      waiting: { count: waiting.length, ...(reason ? { reason } : {}) },
    }];
  }))]);
}
