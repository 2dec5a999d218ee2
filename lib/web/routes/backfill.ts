/**
 * Backfill on the web (lib/schedule/backfill.ts does the work): GET /backfill shows the form, a
 * one-click "Post <weekday date>" per posting location (its last day ended and settled) and the
 * merchant's recent backfills; POST /backfill
 * asks for a range of days, POST /backfill/latest for a location's latest day that can be synced; both
 * answer 303 to GET /backfill/:backfillId, the backfill's progress. Every id is looked up in the
 * signed-in merchant's own partition: another merchant's location or backfill is not found. Where
 * there is no queue (deps.backfill unset) every page says backfill is not available here, 404.
 */
import type { Context, Hono } from "hono";
import { isCalendarDate } from "../../domain/business-day";
import {
  BackfillError, backfillableDays, type BackfillDeps, type BackfillProgress, getBackfill, listBackfills, requestBackfill,
} from "../../schedule/backfill";
import { postingProblem } from "../../locations/posting-status";
import type { Merchant } from "../../model";
import * as z from "zod/mini";
import { daybookIdField, POS_LOCATION_ID } from "../../ids";
import type { AppEnv, WebDeps } from "../deps";
import { formFields, keptValue } from "../forms";
import { type BackfillAttempt, type BackfillFormField, type BackfillLocation, BackfillPage, BackfillProgressPage, BackfillUnavailablePage } from "../pages/backfill";
import type { Viewer } from "../pages/layout";
import { NotFoundPage } from "../pages/messages";
import { requireSignedIn, signedIn } from "../session";

const RECENT_BACKFILLS = 10;

const day = (which: "first" | "last") => {
  const message = `Enter the ${which} day as a date, like 2025-06-01.`;
  return z.string({ error: message }).check(z.trim(), z.regex(/^\d{4}-\d{2}-\d{2}$/, message), z.refine(isCalendarDate, `That ${which} day is not a date on the calendar.`));
};

const locationIdField = z.string({ error: "Choose a location." }).check(z.minLength(1, "Choose a location."), z.regex(POS_LOCATION_ID, "Choose one of your locations."));

const rangeForm = z.object({ locationId: locationIdField, from: day("first"), to: day("last") }).check(
  z.refine((form) => form.from <= form.to, { message: "The last day must be the first day or after it.", path: ["to"] }),
);

const latestForm = z.object({ locationId: locationIdField });

/** Backfill ids are UUIDs; anything else names no backfill. */
const backfillIdParam = daybookIdField();

const FIELDS: readonly BackfillFormField[] = ["locationId", "from", "to"];

export function addBackfillRoutes(app: Hono<AppEnv>, deps: WebDeps): void {
  const backfillDeps = (setup: NonNullable<WebDeps["backfill"]>): BackfillDeps => ({ queue: setup.queue, store: deps.store, backfills: deps.backfills, dueIndex: deps.dueIndex, auth: deps.auth });

  app.get("/backfill", requireSignedIn(), async (c) => {
    const { merchant, viewer } = signedIn(c);
    const setup = deps.backfill;
    if (!setup) return unavailable(c, viewer);
    return c.html(await renderPage(deps, backfillDeps(setup), merchant, viewer, {}));
  });

  app.post("/backfill", requireSignedIn(), async (c) => {
    const { merchant, viewer } = signedIn(c);
    const setup = deps.backfill;
    if (!setup) return unavailable(c, viewer);
    const fields = await formFields(c);
    const attempt: BackfillAttempt = {
      values: { locationId: keptValue(fields["locationId"], 100), from: keptValue(fields["from"], 10), to: keptValue(fields["to"], 10) },
      errors: {},
    };
    const rejected = async () => c.html(await renderPage(deps, backfillDeps(setup), merchant, viewer, { attempt }), 400);

    const checked = rangeForm.safeParse(fields);
    if (!checked.success) {
      for (const issue of checked.error.issues) {
        const name = FIELDS.find((each) => each === issue.path[0]);
        if (name) attempt.errors[name] ??= issue.message;
      }
      return rejected();
    }
    const { locationId, from, to } = checked.data;
    // Only the merchant's own locations: any other id is one the select never offered.
    if ((await deps.store.getLocation(merchant.merchantId, locationId)) === undefined) {
      attempt.errors.locationId = "Choose one of your locations.";
      return rejected();
    }
    const started = await start(deps, backfillDeps(setup), merchant, { locationId, from, to });
    if (started instanceof BackfillError) {
      attempt.errors[fieldOf(started)] = sentence(started.message);
      return rejected();
    }
    return c.redirect(`/backfill/${started.backfillId}`, 303);
  });

  app.post("/backfill/latest", requireSignedIn(), async (c) => {
    const { merchant, viewer } = signedIn(c);
    const setup = deps.backfill;
    if (!setup) return unavailable(c, viewer);
    const checked = latestForm.safeParse(await formFields(c));
    const location = checked.success ? await deps.store.getLocation(merchant.merchantId, checked.data.locationId) : undefined;
    // The button's hidden field names a location of the merchant's; anything else is not found.
    if (!location) return c.html(NotFoundPage({ viewer }), 404);
    const { latest } = await backfillableDays(deps, location, deps.now());
    const started = await start(deps, backfillDeps(setup), merchant, { locationId: location.locationId, from: latest, to: latest });
    if (started instanceof BackfillError) {
      const latestProblem = { locationId: location.locationId, message: sentence(started.message) };
      return c.html(await renderPage(deps, backfillDeps(setup), merchant, viewer, { latestProblem }), 400);
    }
    return c.redirect(`/backfill/${started.backfillId}`, 303);
  });

  app.get("/backfill/:backfillId", requireSignedIn(), async (c) => {
    const { merchant, viewer } = signedIn(c);
    const setup = deps.backfill;
    if (!setup) return unavailable(c, viewer);
    const id = backfillIdParam.safeParse(c.req.param("backfillId"));
    const backfill = id.success ? await getBackfill(deps, merchant.merchantId, id.data) : undefined;
    if (!backfill) return c.html(NotFoundPage({ viewer }), 404);
    const location = await deps.store.getLocation(merchant.merchantId, backfill.locationId);
    return c.html(BackfillProgressPage({ viewer, backfill, locationName: location?.name ?? "A location no longer in daybook" }));
  });
}

function unavailable(c: Context<AppEnv>, viewer: Viewer) {
  return c.html(BackfillUnavailablePage({ viewer }), 404);
}

/** Queues the backfill; a BackfillError (returned) says why it cannot be done as asked. */
async function start(
  deps: WebDeps, backfillDeps: BackfillDeps, merchant: Merchant, range: { locationId: string; from: string; to: string },
): Promise<BackfillProgress | BackfillError> {
  try {
    const progress = await requestBackfill(backfillDeps, { merchantId: merchant.merchantId, ...range, requestedBy: "merchant" }, deps.now());
    deps.log("info", "backfill requested", {
      merchantId: merchant.merchantId, locationId: range.locationId, backfillId: progress.backfillId, days: progress.total,
    });
    return progress;
  } catch (error) {
    if (error instanceof BackfillError) return error;
    throw error;
  }
}

function fieldOf(error: BackfillError): BackfillFormField {
  return error.field === "from" || error.field === "to" ? error.field : "locationId";
}

/** requestBackfill's messages are written for a log line; on a page they start with a capital and end with a full stop. */
function sentence(message: string): string {
  const text = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

async function renderPage(
  deps: WebDeps, backfillDeps: BackfillDeps, merchant: Merchant, viewer: Viewer,
  extra: { attempt?: BackfillAttempt; latestProblem?: { locationId: string; message: string } },
) {
  const now = deps.now();
  const [saved, recent] = await Promise.all([
    deps.store.listLocations(merchant.merchantId),
    listBackfills(backfillDeps, merchant.merchantId, RECENT_BACKFILLS),
  ]);
  const connections = await deps.store.listConnections(merchant.merchantId);
  const locations: BackfillLocation[] = await Promise.all(saved.map(async (location) => {
    const problem = postingProblem(location, connections);
    return {
      location, ...(await backfillableDays(backfillDeps, location, now)),
      ...(problem ? { notPosting: location.awaitingStart ? "Not posting yet: review its mapping and start posting on the locations page." : `Not posting: ${location.postingStopped?.reason ?? problem.reason}. The locations page says what mends it.` } : {}),
    };
  }));
  return BackfillPage({ viewer, locations, recent, ...extra });
}
