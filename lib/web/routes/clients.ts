/**
 * The client list (GET /clients, one query of the person's own partition), choosing the business the
 * session works on (POST /clients/switch: the person's own, or one that gave them access; GET
 * /clients/open, an email's link to one business's page, asks before switching), and leaving
 * a business (POST /clients/:businessId/leave). All three are about the person, whichever business
 * the session works on now.
 */
import type { Hono } from "hono";
import { endAccess } from "../../members/access";
import { clientList } from "../../members/client-list";
import * as z from "zod/mini";
import { daybookIdField } from "../../ids";
import { businessNameOf } from "../../members/types";
import type { AppEnv, WebDeps } from "../deps";
import { check, formFields } from "../forms";
import { ClientsPage } from "../pages/clients";
import { NotFoundPage } from "../pages/messages";
import { NotADaybookPage, OpenClientPage } from "../pages/open-client";
import { signedIn } from "../session";
import { sitePathField } from "../return-path";

const businessIdField = daybookIdField();
/** Where to go after switching: a path of this app, never another site. */
const nextField = z.optional(sitePathField);
const switchForm = z.object({ businessId: businessIdField, next: nextField });
const openQuery = z.object({ business: businessIdField, next: sitePathField });

const NOTICES = { left: "You left that business: it no longer appears here, and you receive none of its reports." } as const;

export function addClientRoutes(app: Hono<AppEnv>, deps: WebDeps): void {
  app.get("/clients", async (c) => {
    const { person, merchant, role, viewer } = signedIn(c);
    const memberships = await deps.members.listMemberships(person.merchantId);
    const current = role === "accountant" ? memberships.find((each) => each.businessId === merchant.merchantId) : undefined;
    const notice = c.req.query("done") === "left" ? NOTICES.left : undefined;
    return c.html(ClientsPage({
      viewer, list: clientList(memberships, deps.now()), ownId: person.merchantId,
      ...(current ? { current: { businessId: current.businessId, name: current.businessName } } : {}),
      ...(notice ? { notice } : {}),
    }));
  });

  app.post("/clients/switch", async (c) => {
    const { person, sessionHash, viewer } = signedIn(c);
    const form = check(switchForm, await formFields(c));
    if (!form.ok) return c.html(NotFoundPage({ viewer }), 404);
    const { businessId, next } = form.value;
    const own = businessId === person.merchantId;
    // Only a business that gave this person access: any other id is simply not found.
    if (!own && !(await deps.members.getMembership(person.merchantId, businessId))) return c.html(NotFoundPage({ viewer }), 404);
    await deps.auth.setActingFor(sessionHash, person.merchantId, own ? undefined : businessId);
    deps.log("info", "working on a business", { personId: person.merchantId, businessId, own });
    return c.redirect(next ?? (own ? "/connections" : "/history"), 303);
  });

  app.get("/clients/open", async (c) => {
    const { person, merchant, role, viewer } = signedIn(c);
    const query = check(openQuery, { business: c.req.query("business"), next: c.req.query("next") });
    if (!query.ok) {
      if (query.errors.business !== undefined) return c.html(NotFoundPage({ viewer }), 404);
      return c.html(NotADaybookPage({ viewer }), 400);
    }
    const { business, next } = query.value;
    if (business === merchant.merchantId) return c.redirect(next, 303);
    const own = business === person.merchantId;
    const membership = own ? undefined : await deps.members.getMembership(person.merchantId, business);
    if (!own && !membership) return c.html(NotFoundPage({ viewer }), 404);
    return c.html(OpenClientPage({
      viewer, next, current: role === "accountant" ? businessNameOf(merchant) : "your own account",
      target: { businessId: business, name: membership ? membership.businessName : "your own account" },
    }));
  });

  app.post("/clients/:businessId/leave", async (c) => {
    const { person, sessionHash, viewer } = signedIn(c);
    const id = businessIdField.safeParse(c.req.param("businessId"));
    const left = id.success && id.data !== person.merchantId && (await endAccess(deps, id.data, person.merchantId));
    if (!left) return c.html(NotFoundPage({ viewer }), 404);
    if (c.get("session")?.actingFor === id.data) await deps.auth.setActingFor(sessionHash, person.merchantId, undefined);
    deps.log("info", "accountant left a business", { personId: person.merchantId, businessId: id.data });
    return c.redirect("/clients?done=left", 303);
  });
}
