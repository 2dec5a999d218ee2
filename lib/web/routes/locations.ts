/**
 * The locations page: each active Square or Clover connection's locations with their daybook settings
 * (time zone, day start, QuickBooks company), and the form that saves them. Saving a location gives it
 * a mapping suggested from the QuickBooks chart of accounts (kept when the company stays the same) and
 * puts it in the due-index, so the scheduler posts its days from then on.
 */
import type { Context, Hono } from "hono";
import { isTimeZone, timeZoneProblem } from "../../domain/business-day";
import { captureAccountLabels } from "../../locations/account-labels";
import { suggestDefaultMapping } from "../../locations/default-mapping";
import { missingAccounts } from "../../locations/missing-accounts";
import { checkTags, choiceOfAnotherCompany, choosesAny, type SentTags, sentTags, type Tags, TRACKING_FIELDS, type TrackingField } from "../../locations/tracking-tags";
import type { PosLocation } from "../../locations/readers";
import { registerStoredLocation } from "../../schedule/due-index";
import type { Connection, LocationConfig, Merchant, PosSource } from "../../model";
import * as z from "zod/mini";
import type { AppEnv, WebDeps } from "../deps";
import { connectionIdField, formFields, keptValue } from "../forms";
import type { Viewer } from "../pages/layout";
import { type LocationAttempt, LocationsPage, type PosConnectionLocations } from "../pages/locations";
import type { CompanyTracking } from "../pages/tracking-fieldset";
import { NotFoundPage } from "../pages/messages";
import { requireSignedIn, signedIn } from "../session";

const connectionId = connectionIdField;

const locationForm = z.object({
  posConnectionId: connectionId,
  locationId: z.string().check(z.minLength(1), z.maxLength(100), z.regex(/^[^#]+$/)),
  timeZone: z.string({ error: "Enter a time zone." }).check(
    z.trim(),
    z.minLength(1, "Enter a time zone, e.g. America/New_York."),
    z.maxLength(64, "That is not a time zone daybook knows. Use a name like America/New_York."),
    z.refine(isTimeZone, "That is not a time zone daybook knows. Use a name like America/New_York."),
    // Abbreviations and bare offsets (EST, CET, Etc/GMT+5) are refused, with the reason; UTC is fine.
    z.superRefine((zone, ctx) => {
      const problem = isTimeZone(zone) ? timeZoneProblem(zone) : undefined;
      if (problem) ctx.addIssue({ code: "custom", message: `${problem}.` });
    }),
  ),
  dayStart: z.string({ error: "Enter when the business day starts." }).check(
    z.trim(),
    z.regex(/^([01]\d|2[0-3]):(00|15|30|45)$/, "Enter a time on the quarter hour, like 04:00 or 05:30."),
  ),
  quickbooksConnectionId: z.string({ error: "Choose a QuickBooks company." }).check(z.regex(/^[A-Za-z0-9-]{1,64}$/, "Choose a QuickBooks company.")),
});

const FIELDS = ["timeZone", "dayStart", "quickbooksConnectionId"] as const;

const isActivePos = (connection: Connection) => connection.status === "active" && (connection.provider === "square" || connection.provider === "clover");
const isActiveQuickBooks = (connection: Connection) => connection.status === "active" && connection.provider === "quickbooks";

export function addLocationRoutes(app: Hono<AppEnv>, deps: WebDeps): void {
  // The page reads with tokens only, through the process's one keeper (deps.readers).
  app.get("/locations", requireSignedIn(), async (c) => {
    const { merchant, viewer } = signedIn(c);
    const saved = c.req.query("saved") !== undefined;
    const accounts = c.req.query("accounts");
    const notice = saved ? "Location saved. daybook posts its days from now on."
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
      values: { timeZone: keptValue(fields["timeZone"], 64), dayStart: keptValue(fields["dayStart"], 5), quickbooksConnectionId: keptValue(fields["quickbooksConnectionId"], 100) },
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
      const suggested = suggestDefaultMapping(chart);
      if (!suggested.ok) {
        // The clearing and liability accounts daybook can create on request (POST /quickbooks/:connectionId/create-accounts).
        const source = pos.provider as PosSource;
        const missing = missingAccounts(chart, { source });
        if (missing.length > 0) attempt.createAccounts = { quickbooksConnectionId: quickBooks.connectionId, source, missing };
        const remedy = missing.length > 0 ? "Create it in QuickBooks, or let daybook create the missing accounts below, then save again." : "Create it in QuickBooks, then save again.";
        attempt.errors.quickbooksConnectionId = `This company's chart of accounts lacks ${suggested.missing.join("; ")}. ${remedy}`;
        return rejected();
      }
      mapping = suggested.mapping;
      accountLabels = captureAccountLabels(chart, mapping);
    }

    const location: LocationConfig = {
      merchantId,
      locationId: posLocation.locationId,
      source: pos.provider as LocationConfig["source"],
      name: posLocation.name,
      posConnectionId: pos.connectionId,
      quickbooksConnectionId: quickBooks.connectionId,
      timeZone: form.timeZone,
      dayStart: form.dayStart,
      currency: posLocation.currency,
      mapping,
      ...(accountLabels ? { accountLabels } : {}),
      ...(tagged.tags ? { quickBooksTags: tagged.tags } : {}),
      updatedAt: deps.now().toISOString(),
    };
    await deps.store.putLocation(location);
    await registerStoredLocation(deps, merchantId, location.locationId, deps.now());
    deps.log("info", "location saved", { merchantId, locationId: location.locationId, source: location.source });
    return c.redirect("/locations?saved", 303);
  });
}

function notFound(c: Context<AppEnv>, viewer: Viewer) {
  return c.html(NotFoundPage({ viewer }), 404);
}

function logReadFailure(deps: WebDeps, what: "pos" | "quickbooks", connection: Connection, error: unknown): void {
  const failure = error instanceof Error ? error : new Error(String(error));
  deps.log("warn", "locations page could not read a provider", {
    merchantId: connection.merchantId, connectionId: connection.connectionId, provider: connection.provider, what, error: failure.name, message: failure.message.slice(0, 300),
  });
}

async function renderPage(deps: WebDeps, merchant: Merchant, viewer: Viewer, extra: { notice?: string; attempt?: LocationAttempt }) {
  const connections = await deps.store.listConnections(merchant.merchantId);
  const pos: PosConnectionLocations[] = await Promise.all(connections.filter(isActivePos).map(async (connection) => {
    try {
      return { connection, locations: await deps.readers.posLocations(connection) };
    } catch (error) {
      logReadFailure(deps, "pos", connection, error);
      return { connection, locations: undefined, problem: "daybook could not read this account's locations just now. Reload the page in a minute; if it keeps failing, reconnect the account on the connections page." };
    }
  }));
  const quickBooks = connections.filter(isActiveQuickBooks);
  return LocationsPage({
    viewer, pos, quickBooks, saved: await deps.store.listLocations(merchant.merchantId), ...extra,
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
