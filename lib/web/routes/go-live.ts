/**
 * Go-live step 3: POST /locations/:locationId/start, "Start posting from <date>". Until then a set-up
 * location is not in the due-index and no day of it is posted by anyone (lib/sync/sync-day.ts refuses).
 * Starting records the first day to post (LocationConfig.postingFrom: the nightly schedule, backfills and
 * the sync never post a day before it) and schedules the location: a first day that has already ended
 * is posted at once as a backfill up to the last complete day (the merchant lands on its progress), the
 * nights carry on from the day after; a first day still to come is simply the first the nights post.
 * Where there is no queue (deps.backfill unset), the scheduler's own catch-up posts the days that have
 * ended, a week at most.
 */
import type { Context, Hono } from "hono";
import { addDays, businessDayOf, isCalendarDate } from "../../domain/business-day";
import { postingProblem } from "../../locations/posting-status";
import { BackfillError, MAX_BACKFILL_DAYS_BACK, requestBackfill } from "../../schedule/backfill";
import { lastDayDueBy, MAX_CATCH_UP_DAYS } from "../../schedule/due-days";
import { registerStoredLocation, scheduleOf } from "../../schedule/due-index";
import { ConflictError } from "../../store/store";
import type { LocationConfig, Merchant } from "../../model";
import * as z from "zod/mini";
import { posLocationIdField } from "../../ids";
import type { AppEnv, WebDeps } from "../deps";
import { formFields, keptValue } from "../forms";
import { formatDay } from "../pages/format";
import type { Viewer } from "../pages/layout";
import { MappingPage, mappingPath } from "../pages/mapping";
import { NotFoundPage, ProblemPage } from "../pages/messages";
import { requireSignedIn, signedIn } from "../session";
import { mappingPage } from "./mapping";

const locationIdParam = posLocationIdField();
const DAY_MESSAGE = "Enter the first day to post as a date, like 2025-06-01.";
const startForm = z.object({
  from: z.string({ error: DAY_MESSAGE }).check(z.trim(), z.regex(/^\d{4}-\d{2}-\d{2}$/, DAY_MESSAGE), z.refine(isCalendarDate, "That day is not a date on the calendar.")),
});

export function addGoLiveRoutes(app: Hono<AppEnv>, deps: WebDeps): void {
  app.post("/locations/:locationId/start", requireSignedIn(), async (c) => {
    const { merchant, viewer } = signedIn(c);
    const id = locationIdParam.safeParse(c.req.param("locationId"));
    const location = id.success ? await deps.store.getLocation(merchant.merchantId, id.data) : undefined;
    if (!location) return c.html(NotFoundPage({ viewer }), 404);
    if (!location.awaitingStart) {
      return c.html(ProblemPage({
        title: "Already posting", viewer, next: { href: "/locations", label: "Back to locations" },
        children: `daybook already posts ${location.name}${location.postingFrom ? ` from ${formatDay(location.postingFrom)}` : ""}. To post earlier days, use the backfill page.`,
      }), 409);
    }
    const fields = await formFields(c);
    const typed = keptValue(fields["from"], 10);
    const refuse = async (error: string, status: 400 | 409 = 400) => {
      const page = await mappingPage(deps, merchant, viewer, location, { start: { value: typed, error } });
      return c.html(MappingPage(page.props), status);
    };
    const checked = startForm.safeParse(fields);
    if (!checked.success) return refuse(checked.error.issues[0]?.message ?? DAY_MESSAGE);
    const from = checked.data.from;

    const now = deps.now();
    const today = businessDayOf(now.getTime(), location.timeZone, location.dayStart);
    const lastComplete = lastDayDueBy(now, scheduleOf(location));
    const earliest = addDays(today, -MAX_BACKFILL_DAYS_BACK);
    if (from < earliest) return refuse(`daybook reaches back at most ${String(MAX_BACKFILL_DAYS_BACK)} days: choose ${formatDay(earliest)} or later.`);
    if (from > addDays(today, MAX_BACKFILL_DAYS_BACK)) return refuse(`Choose a day within ${String(MAX_BACKFILL_DAYS_BACK)} days from today.`);
    const backfill = from <= lastComplete ? deps.backfill : undefined;
    if (from <= lastComplete && !backfill && from < addDays(lastComplete, 1 - MAX_CATCH_UP_DAYS)) {
      return refuse(`This installation cannot backfill, and the nightly run catches up a week at most: choose ${formatDay(addDays(lastComplete, 1 - MAX_CATCH_UP_DAYS))} or later.`);
    }
    const { awaitingStart: _waiting, ...rest } = location;
    const problem = postingProblem(rest, await deps.store.listConnections(merchant.merchantId));
    if (problem) return refuse(`daybook cannot post ${location.name} now: ${problem.reason}. ${problem.action.label} on the connections page, then start.`, 409);

    const started: LocationConfig = { ...rest, postingFrom: from, updatedAt: deps.now().toISOString() };
    try {
      await deps.store.replaceLocation(started, location.updatedAt);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      return changedMeanwhile(c, viewer, location);
    }
    // Ended days go to the backfill; the nights start after them (or at the first day, if it is still to come).
    await registerStoredLocation(deps, merchant.merchantId, location.locationId, now, { from: backfill ? addDays(lastComplete, 1) : from });
    deps.log("info", "location started", { merchantId: merchant.merchantId, locationId: location.locationId, from, backfill: backfill !== undefined });
    if (!backfill) return c.redirect(`/locations?started=${encodeURIComponent(location.locationId)}`, 303);
    return startBackfill(c, deps, backfill, merchant, viewer, started, from, lastComplete);
  });
}

async function startBackfill(
  c: Context<AppEnv>, deps: WebDeps, setup: NonNullable<WebDeps["backfill"]>, merchant: Merchant, viewer: Viewer, location: LocationConfig, from: string, to: string,
) {
  try {
    const progress = await requestBackfill(
      { queue: setup.queue, store: deps.store, backfills: deps.backfills, dueIndex: deps.dueIndex, auth: deps.auth },
      { merchantId: merchant.merchantId, locationId: location.locationId, from, to, requestedBy: "merchant" }, deps.now(),
    );
    return c.redirect(`/backfill/${progress.backfillId}`, 303);
  } catch (error) {
    if (!(error instanceof BackfillError)) throw error;
    deps.log("warn", "starting a location's backfill was refused", { merchantId: merchant.merchantId, locationId: location.locationId });
    return c.html(ProblemPage({
      title: "Posting started, the backfill did not", viewer, next: { href: "/backfill", label: "Go to the backfill page" },
      children: `daybook posts ${location.name}'s nights from ${formatDay(addDays(to, 1))}, but could not queue ${from} to ${to}: ${error.message}. Ask for those days on the backfill page.`,
    }), 409);
  }
}

function changedMeanwhile(c: Context<AppEnv>, viewer: Viewer, location: LocationConfig) {
  return c.html(ProblemPage({
    title: "The location changed", viewer, next: { href: mappingPath(location.locationId), label: "Open the mapping again" },
    children: `${location.name} changed since the page was loaded, so it was not started. Open the mapping again and start from there.`,
  }), 409);
}
