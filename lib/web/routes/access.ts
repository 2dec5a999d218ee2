/**
 * Accountants' access, on the web: the owner invites (POST /reports/access/invite), withdraws an
 * invitation (…/cancel) and removes access (…/remove), from the reports page's own section
 * (accessSection, loaded by the reports page); the invitee accepts from the emailed link
 * (GET /invitations/accept shows a button, POST uses the link: it signs them in, making the account if
 * needed, and the session then works on the business that invited them).
 */
import type { Hono } from "hono";
import { startSession } from "../../auth/sessions";
import { SECRET_PATTERN } from "../../auth/secrets";
import { endAccess } from "../../members/access";
import { acceptInvitation, INVITATION_PATH, inviteAccountant, type InviteProblem, openInvitation } from "../../members/invitations";
import { businessNameOf } from "../../members/types";
import type { Merchant } from "../../model";
import * as z from "zod/mini";
import { daybookIdField } from "../../ids";
import { approximateIp } from "../../auth/client-network";
import { getClientIp } from "../client-ip";
import type { AppEnv, WebDeps } from "../deps";
import { check, emailField, formFields, keptValue } from "../forms";
import { type AccessSectionProps, InvitationInvalidPage, InvitationPage, InviteProblemPage } from "../pages/access";
import type { Viewer } from "../pages/layout";
import { NotFoundPage } from "../pages/messages";
import { setSessionCookie, signedIn, viewerOf } from "../session";

const inviteForm = z.object({
  email: z.pipe(
    z.string({ error: "Enter the accountant's email address." }).check(z.trim(), z.minLength(1, "Enter the accountant's email address.")),
    emailField,
  ),
});
const removeForm = z.object({ personId: daybookIdField() });
const cancelForm = z.object({ invitationId: daybookIdField() });
const tokenField = z.string().check(z.regex(SECRET_PATTERN));

const PROBLEMS: Record<InviteProblem, string> = {
  "own-address": "That is your own address: you have access already. Enter your accountant's address.",
  "already-member": "That address has access already: it is on the list of accountants.",
  "invited-recently": "That address was sent an invitation less than a day ago, so nothing more was sent: ask them to look for it (in their spam folder too). You can send it again a day after the last one.",
  full: "A business can have at most 20 accountants and open invitations. Remove one, or withdraw an invitation, first.",
  "rate-limited": "daybook sends at most 20 invitations a day for a business. Try again tomorrow.",
};

const NOTICES = {
  invited: "Invitation sent. It works once, within 7 days; it appears below until it is accepted.",
  removed: "Access removed: that accountant can no longer see anything of this business, and no longer receives its reports.",
  withdrawn: "Invitation withdrawn: its link no longer works.",
} as const;
const isNotice = (value: string | undefined): value is keyof typeof NOTICES => value !== undefined && Object.hasOwn(NOTICES, value);

/** What the reports page's access section shows (the page renders it with AccessSection). */
export async function accessSection(deps: WebDeps, business: Merchant, viewer: Viewer, done: string | undefined): Promise<AccessSectionProps> {
  const owner = viewer.role !== "accountant";
  const [members, invitations] = owner
    ? await Promise.all([deps.members.listMembers(business.merchantId), deps.members.listInvitations(business.merchantId, deps.now())])
    : [[], []];
  return {
    viewer, businessId: business.merchantId, businessName: businessNameOf(business), members, invitations,
    ...(owner && isNotice(done) ? { notice: NOTICES[done] } : {}),
  };
}

export function addAccessRoutes(app: Hono<AppEnv>, deps: WebDeps): void {
  app.post("/reports/access/invite", async (c) => {
    const { merchant, person, viewer } = signedIn(c);
    const fields = await formFields(c);
    const value = keptValue(fields["email"]);
    const form = check(inviteForm, fields);
    if (!form.ok) return c.html(InviteProblemPage({ viewer, value, error: form.errors["email"] ?? "Enter an email address like name@example.com." }), 400);
    const outcome = await inviteAccountant(deps, { business: merchant, invitedBy: person, address: form.value.email });
    if (!outcome.ok) return c.html(InviteProblemPage({ viewer, value, error: PROBLEMS[outcome.problem] }), 400);
    deps.log("info", "accountant invited", { merchantId: merchant.merchantId, invitationId: outcome.invitation.invitationId });
    return c.redirect("/reports?access=invited#access", 303);
  });

  app.post("/reports/access/remove", async (c) => {
    const { merchant, viewer } = signedIn(c);
    const form = check(removeForm, await formFields(c));
    // Only this business's own accountants: any other id removes nothing and is not found.
    const removed = form.ok && (await endAccess(deps, merchant.merchantId, form.value.personId));
    if (!form.ok || !removed) return c.html(NotFoundPage({ viewer }), 404);
    deps.log("info", "accountant access removed", { merchantId: merchant.merchantId, personId: form.value.personId });
    return c.redirect("/reports?access=removed#access", 303);
  });

  app.post("/reports/access/cancel", async (c) => {
    const { merchant, viewer } = signedIn(c);
    const form = check(cancelForm, await formFields(c));
    const cancelled = form.ok && (await deps.members.cancelInvitation(merchant.merchantId, form.value.invitationId));
    if (!form.ok || !cancelled) return c.html(NotFoundPage({ viewer }), 404);
    deps.log("info", "invitation withdrawn", { merchantId: merchant.merchantId, invitationId: form.value.invitationId });
    return c.redirect("/reports?access=withdrawn#access", 303);
  });

  // A GET never uses the link: mail scanners fetch links, and would spend it before the person could.
  app.get(INVITATION_PATH, async (c) => {
    const token = tokenField.safeParse(c.req.query("token"));
    const opened = token.success ? await openInvitation(deps, token.data) : undefined;
    if (!token.success || !opened) return c.html(InvitationInvalidPage({ viewer: viewerOf(c) }), 400);
    return c.html(InvitationPage({ viewer: viewerOf(c), businessName: opened.businessName, email: opened.invitation.email, token: token.data }));
  });

  app.post(INVITATION_PATH, async (c) => {
    const token = tokenField.safeParse((await formFields(c))["token"]);
    const accepted = token.success ? await acceptInvitation(deps, token.data) : undefined;
    if (!accepted) {
      deps.log("info", "invitation refused");
      return c.html(InvitationInvalidPage({ viewer: viewerOf(c) }), 400);
    }
    // Whoever was signed in in this browser, the invitee is now: the link proved the address is theirs.
    const previous = c.get("session");
    if (previous) await deps.auth.deleteSession(previous.merchantId, previous.sessionHash);
    const { secret, session } = await startSession(deps.auth, {
      merchantId: accepted.person.merchantId, userAgent: c.req.header("User-Agent") ?? "", approximateIp: approximateIp(getClientIp(c)), now: deps.now(),
    });
    await deps.auth.setActingFor(session.sessionHash, accepted.person.merchantId, accepted.business.merchantId);
    setSessionCookie(c, secret);
    deps.log("info", accepted.created ? "account created by an invitation" : "invitation accepted", {
      personId: accepted.person.merchantId, businessId: accepted.business.merchantId,
    });
    return c.redirect("/clients", 303);
  });
}
