/**
 * The mapping page: for a set-up location, which QuickBooks account each figure of its daily entry
 * goes to, chosen from the company's active chart of accounts (read with the stored tokens, as the
 * locations page does). Saving checks every choice against the chart as it is now and stores the
 * mapping, keeping every part of it the page does not show.
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
import { type Mapping, mappingSchema } from "../../domain/mapping";
import { captureAccountLabels } from "../../locations/account-labels";
import { suggestDefaultMapping } from "../../locations/default-mapping";
import { accountsFor, CATEGORY_TYPES, type DefaultFigure, FIGURES } from "../../locations/mapping-figures";
import { type AccountToCreate, missingAccounts } from "../../locations/missing-accounts";
import { QuickBooksError, type QuickBooksAccount } from "../../quickbooks/types";
import type { Connection, LocationConfig, Merchant, PosSource } from "../../model";
import * as z from "zod/mini";
import type { AppEnv, WebDeps } from "../deps";
import { connectionIdField, formFields, keptValue } from "../forms";
import type { Viewer } from "../pages/layout";
import { categoryField, categoryKeyField, MappingPage, type MappingPageProps, mappingPath, type MappingValues } from "../pages/mapping";
import { NotFoundPage, ProblemPage } from "../pages/messages";
import { requireSignedIn, signedIn } from "../session";

const locationIdParam = z.string().check(z.minLength(1), z.maxLength(100), z.regex(/^[^#]+$/));
const connectionIdParam = connectionIdField;
const createAccountsForm = z.object({
  return: z.literal("/locations", { error: "daybook cannot go back to that page." }),
  source: z.optional(z.enum(["square", "clover"])),
});
const noticeQuery = z.optional(z.enum(["created", "none"]));

const NOTICES = {
  saved: "Mapping saved. daybook posts this location's next entries with it.",
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
    const notice = c.req.query("saved") !== undefined ? NOTICES.saved : accounts.success && accounts.data !== undefined ? NOTICES[accounts.data] : undefined;
    const values = storedValues(location.mapping);
    const read = await readChart(deps, merchant, location.quickbooksConnectionId);
    if (!read.ok) return c.html(MappingPage(pageProps(viewer, location, undefined, values, {}, { problem: read.trouble.message })), read.trouble.status);
    return c.html(MappingPage(pageProps(viewer, location, read.chart, values, {}, notice ? { notice } : {})));
  });

  app.post("/locations/:locationId/mapping", requireSignedIn(), async (c) => {
    const { merchant, viewer } = signedIn(c);
    const found = await findLocation(c, deps, merchant);
    if (!found) return notFound(c, viewer);
    const { location } = found;
    const fields = await formFields(c);
    const stored = location.mapping;
    const storedCategories = Object.entries(stored.categories ?? {});

    // The categories are sent by position; a list that changed since the page was loaded is not guessed at.
    if (storedCategories.some(([key], index) => fields[categoryKeyField(index)] !== key)) {
      return c.html(ProblemPage({
        title: "The mapping changed", viewer, next: { href: mappingPath(location.locationId), label: "Open the mapping again" },
        children: "This location's categories changed since the page was loaded, so nothing was saved. Open the mapping again and make your choices there.",
      }), 409);
    }

    const sent: MappingValues = {
      defaults: Object.fromEntries(FIGURES.map((rule) => [rule.figure, keptValue(fields[rule.figure], 20)])) as Record<DefaultFigure, string>,
      categories: storedCategories.map(([key], index) => [key, keptValue(fields[categoryField(index)], 20)]),
    };
    const read = await readChart(deps, merchant, location.quickbooksConnectionId);
    if (!read.ok) return c.html(MappingPage(pageProps(viewer, location, undefined, sent, {}, { problem: `Nothing was saved: ${read.trouble.message}` })), read.trouble.status);

    const checked = choicesSchema(read.chart, storedCategories.length).safeParse(fields);
    if (!checked.success) {
      const errors: Record<string, string> = {};
      for (const issue of checked.error.issues) {
        const field = String(issue.path[0] ?? "");
        errors[field] ??= issue.message;
      }
      return c.html(MappingPage(pageProps(viewer, location, read.chart, sent, errors, {})), 400);
    }

    const choices = checked.data;
    const mapping: Mapping = mappingSchema.parse({
      ...stored,
      defaults: Object.fromEntries(FIGURES.map((rule) => [rule.figure, choices[rule.figure]])),
      ...(stored.categories ? { categories: Object.fromEntries(storedCategories.map(([key], index) => [key, choices[categoryField(index)]])) } : {}),
    });
    // The chart was just read to check the choices: the accounts' names come with it.
    const accountLabels = captureAccountLabels(read.chart, mapping, location.accountLabels);
    await deps.store.putLocation({ ...location, mapping, accountLabels, updatedAt: deps.now().toISOString() });
    deps.log("info", "mapping saved", { merchantId: merchant.merchantId, locationId: location.locationId });
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
    const result = await createMissing(deps, connection, location.source);
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

function storedValues(mapping: Mapping): MappingValues {
  return { defaults: { ...mapping.defaults }, categories: Object.entries(mapping.categories ?? {}) };
}

function pageProps(
  viewer: Viewer, location: LocationConfig, chart: QuickBooksAccount[] | undefined, values: MappingValues, errors: Record<string, string>,
  extra: { notice?: string; problem?: string },
): MappingPageProps {
  const suggestion = chart ? suggestDefaultMapping(chart) : undefined;
  return {
    viewer, location, chart, values, errors,
    missing: chart ? missingAccounts(chart, { source: location.source }) : [],
    ...(suggestion?.ok ? { suggested: suggestion.mapping.defaults } : {}),
    ...extra,
  };
}

/** Every choice: an active account of this company's chart now, of a type that suits the figure. */
function choicesSchema(chart: readonly QuickBooksAccount[], categoryCount: number) {
  const byId = new Map(chart.filter((account) => account.active).map((account) => [account.id, account]));
  const choice = (label: string, types: readonly string[]) => {
    const fits = new Set(accountsFor(types, chart).map((account) => account.id));
    const typeList = types.length <= 1 ? types.join("") : `${types.slice(0, -1).join(", ")} or ${types.slice(-1).join("")}`;
    return z.string({ error: `Choose an account for ${label}.` }).check(
      z.minLength(1, `Choose an account for ${label}.`),
      z.refine((id) => id === "" || byId.has(id), "That account is not an active account of this QuickBooks company. Choose one from the list."),
      z.refine((id) => !byId.has(id) || fits.has(id), `${label} needs an account of type ${typeList}. Choose one from the list.`),
    );
  };
  const shape: Record<string, ReturnType<typeof choice>> = {};
  for (const rule of FIGURES) shape[rule.figure] = choice(rule.label, rule.types);
  for (let index = 0; index < categoryCount; index += 1) shape[categoryField(index)] = choice("This category", CATEGORY_TYPES);
  return z.object(shape);
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
async function createMissing(deps: WebDeps, connection: Connection, source: PosSource | undefined): Promise<Created> {
  const client = deps.readers.quickBooks(connection);
  const created: AccountToCreate[] = [];
  try {
    const plan = missingAccounts(await client.listActiveAccounts(), source ? { source } : {});
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

function troubleOf(deps: WebDeps, connection: Connection, what: string, error: unknown): Trouble {
  const failure = error instanceof Error ? error : new Error(String(error));
  deps.log("warn", "mapping page could not use QuickBooks", {
    merchantId: connection.merchantId, connectionId: connection.connectionId, what, error: failure.name, message: failure.message.slice(0, 300),
  });
  const kind = (error as { kind?: unknown } | undefined)?.kind;
  if (kind === "needs-reconnect") {
    return { status: 409, message: "QuickBooks no longer accepts daybook's connection to this company. Reconnect QuickBooks on the connections page, then try again." };
  }
  return { status: 502, message: `daybook could not ${what} in QuickBooks just now. Try again in a minute; if it keeps failing, reconnect QuickBooks.` };
}
