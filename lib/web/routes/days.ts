/**
 * Approving a held day (review mode): from the signed link in its report (GET shows the day and a
 * button, POST queues the approval) or, signed in, from the merchant's own pages. The signed link is
 * the authority on /approve: it acts for the link's merchant whoever is signed in. Approving twice
 * queues one job (lib/worker/approve.ts).
 */
import type { Context, Hono } from "hono";
import { SignedLinkError } from "../../links/signed-link";
import type { LocationDay } from "../../sync/sync-day";
import * as z from "zod/mini";
import { posLocationIdField } from "../../ids";
import { approveDay, ApproveError, approveFromLink, approveLinkDay, type ApproveDeps } from "../../worker/approve";
import type { AppEnv, EmailLinks, WebDeps } from "../deps";
import { check, formFields } from "../forms";
import { DayReportsPage } from "../pages/day-reports";
import { ApproveConfirmPage, ApprovedPage, type HeldDay, LinkProblemPage } from "../pages/email-links";
import { NotFoundPage, ProblemPage } from "../pages/messages";
import { requireSignedIn, signedIn, viewerOf } from "../session";

/** Signed tokens are a few hundred characters; anything much longer is not one. */
export const linkToken = z.string().check(z.minLength(1), z.maxLength(2000));
const approveForm = z.object({ token: linkToken });
// No "#" in a location id: it separates the parts of the table's keys (lib/store/keys.ts), which refuse it.
const dayParams = z.object({ locationId: posLocationIdField(), businessDay: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/)) });

const INCOMPLETE = "This link is incomplete. Open it from the email again, or copy the whole address.";

export function addDayRoutes(app: Hono<AppEnv>, deps: WebDeps): void {
  app.get("/approve", async (c) => {
    const links = deps.links;
    if (!links) return c.html(NotFoundPage({ viewer: viewerOf(c) }), 404);
    const token = linkToken.safeParse(c.req.query("token"));
    if (!token.success) return linkProblem(c, INCOMPLETE);
    let day: LocationDay;
    try {
      day = approveLinkDay(token.data, links.key, deps.now());
    } catch (error) {
      if (error instanceof SignedLinkError) return linkProblem(c, error.message);
      throw error;
    }
    const held = await heldDay(deps, day);
    if (!held) return linkProblem(c, "This location is no longer in daybook.");
    return c.html(ApproveConfirmPage({ viewer: viewerOf(c), day: held, token: token.data }));
  });

  app.post("/approve", async (c) => {
    const links = deps.links;
    if (!links) return c.html(NotFoundPage({ viewer: viewerOf(c) }), 404);
    const form = check(approveForm, await formFields(c));
    if (!form.ok) return linkProblem(c, INCOMPLETE);
    let day: LocationDay;
    try {
      day = await approveFromLink(approveDeps(deps, links), form.value.token);
    } catch (error) {
      if (error instanceof SignedLinkError) return linkProblem(c, error.message);
      if (error instanceof ApproveError) return c.html(LinkProblemPage({ viewer: viewerOf(c), sentence: error.message }), error.status);
      throw error;
    }
    deps.log("info", "day approved", { via: "link", businessDay: day.businessDay });
    return c.html(ApprovedPage({ viewer: viewerOf(c), businessDay: day.businessDay }));
  });

  // The day's reports, where the emails' "open it in daybook" link leads; kept for the life of the account.
  app.get("/days/:locationId/:businessDay", requireSignedIn(), async (c) => {
    const { merchant, viewer } = signedIn(c);
    const params = dayParams.safeParse(c.req.param());
    // Only this merchant's own locations: another merchant's location id is simply not found.
    const location = params.success ? await deps.store.getLocation(merchant.merchantId, params.data.locationId) : undefined;
    if (!params.success || !location) return c.html(NotFoundPage({ viewer }), 404);
    const { businessDay } = params.data;
    const [reports, record] = await Promise.all([
      deps.reports.listDay(merchant.merchantId, location.locationId, businessDay),
      deps.store.getSyncRecord(merchant.merchantId, location.locationId, businessDay),
    ]);
    return c.html(DayReportsPage({
      viewer, locationName: location.name, locationId: location.locationId, timeZone: location.timeZone, businessDay,
      reports: reports.reverse(), approvable: deps.links !== undefined && record?.state === "held", accountLabels: location.accountLabels,
    }));
  });

  app.post("/days/:locationId/:businessDay/approve", requireSignedIn(), async (c) => {
    const { merchant, viewer } = signedIn(c);
    const links = deps.links;
    const params = dayParams.safeParse(c.req.param());
    // Only this merchant's own locations: another merchant's location id is simply not found.
    const location = links && params.success ? await deps.store.getLocation(merchant.merchantId, params.data.locationId) : undefined;
    if (!links || !params.success || !location) return c.html(NotFoundPage({ viewer }), 404);
    try {
      await approveDay(approveDeps(deps, links), { merchantId: merchant.merchantId, locationId: location.locationId, businessDay: params.data.businessDay });
    } catch (error) {
      if (error instanceof ApproveError) {
        return c.html(ProblemPage({ viewer, title: "This day was not approved", next: { href: "/history", label: "Back to your history" }, children: error.message }), error.status);
      }
      throw error;
    }
    deps.log("info", "day approved", { via: "web", businessDay: params.data.businessDay });
    return c.html(ApprovedPage({ viewer, businessDay: params.data.businessDay }));
  });
}

function approveDeps(deps: WebDeps, links: EmailLinks): ApproveDeps {
  return { store: deps.store, queue: links.queue, linkKey: links.key, now: deps.now };
}

function linkProblem(c: Context<AppEnv>, sentence: string) {
  return c.html(LinkProblemPage({ viewer: viewerOf(c), sentence }), 400);
}

/** What the confirm page shows of the day: the location, and the held entry from the day's latest held report. */
async function heldDay(deps: WebDeps, day: LocationDay): Promise<HeldDay | undefined> {
  const [location, record, reports] = await Promise.all([
    deps.store.getLocation(day.merchantId, day.locationId),
    deps.store.getSyncRecord(day.merchantId, day.locationId, day.businessDay),
    deps.reports.listDay(day.merchantId, day.locationId, day.businessDay),
  ]);
  if (!location) return undefined;
  const held = reports.filter((report) => report.status === "held").at(-1)?.content;
  const entry = held?.entry;
  return {
    locationName: location.name,
    locationId: location.locationId,
    // The names the held report kept, else the location's.
    accountLabels: held?.accountLabels ?? location.accountLabels,
    businessDay: day.businessDay,
    posted: record?.state === "posted",
    ...(entry ? { entry } : {}),
    ...(held?.heldReason ?? record?.heldReason ? { heldReason: held?.heldReason ?? record?.heldReason } : {}),
  };
}
