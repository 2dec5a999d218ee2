/**
 * Accountants' access, on the web: the owner invites (POST /reports/access/invite), withdraws an
 * invitation (…/cancel) and removes access (…/remove), from the reports page's own section
 * (accessSection, loaded by the reports page); the invitee accepts from the emailed link
 * (GET /invitations/accept shows a button, POST uses the link: it signs them in, making the account if
 * needed, and the session then works on the business that invited them). The invitee's other link,
 * "Don't send me invitations" (lib/members/invitation-stops.ts): GET /invitations/stop shows a button,
 * POST stops them (token in the form, as on the accept page) and offers POST /invitations/allow to undo
 * it. Without the link key (deps.links) no invitation is sent: it could not carry that link.
 */
import type { Context, Hono } from "hono";
import { startSession } from "../../auth/sessions";
import { SECRET_PATTERN } from "../../auth/secrets";
import { endAccess } from "../../members/access";
import { SignedLinkError } from "../../links/signed-link";
import {
  ALLOW_INVITATIONS_PATH, allowFromLink, allowToken, type InvitationStopDeps, readStopLink, STOP_INVITATIONS_PATH, stopFromLink,
} from "../../members/invitation-stops";
import { acceptInvitation, INVITATION_PATH, inviteAccountant, type InviteProblem, openInvitation } from "../../members/invitations";
import { businessNameOf } from "../../members/types";
import type { Merchant } from "../../model";
import * as z from "zod/mini";
import { daybookIdField } from "../../ids";
import { approximateIp } from "../../auth/client-network";
import { getClientIp } from "../client-ip";
import type { AppEnv, WebDeps } from "../deps";
import { check, emailField, formFields, keptValue } from "../forms";
import {
  type AccessSectionProps, InvitationInvalidPage, InvitationPage, InvitationsAllowedPage, InvitationsStoppedPage, InviteProblemPage, StopInvitationsPage,
} from "../pages/access";
import { LinkProblemPage } from "../pages/email-links";
import type { Viewer } from "../pages/layout";
import { NotFoundPage } from "../pages/messages";
import { setSessionCookie, signedIn, viewerOf } from "../session";
import { linkToken } from "./days";

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
  stopped: "That address has asked daybook to send it no invitations, so nothing was sent. Only its owner can change that: ask them to sign in to daybook with it and allow invitations on their account page, then invite them again.",
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
    const links = deps.links;
    if (!links) return c.html(NotFoundPage({ viewer }), 404);
    const fields = await formFields(c);
    const value = keptValue(fields["email"]);
    const form = check(inviteForm, fields);
    if (!form.ok) return c.html(InviteProblemPage({ viewer, value, error: form.errors["email"] ?? "Enter an email address like name@example.com." }), 400);
    const outcome = await inviteAccountant({ ...deps, linkKey: links.key }, { business: merchant, invitedBy: person, address: form.value.email });
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

  /** Runs `act` with the form's or the query's link token, answering 404 where links are off and a sentence (400) for a link that is not valid. */
  const withStopLink = (source: "query" | "form", act: (c: Context<AppEnv>, stopDeps: InvitationStopDeps, token: string) => Promise<Response>) => async (c: Context<AppEnv>) => {
    const links = deps.links;
    if (!links) return c.html(NotFoundPage({ viewer: viewerOf(c) }), 404);
    const token = linkToken.safeParse(source === "query" ? c.req.query("token") : (await formFields(c))["token"]);
    if (!token.success) return c.html(LinkProblemPage({ viewer: viewerOf(c), sentence: "This link is incomplete. Open it from the email again, or copy the whole address." }), 400);
    try {
      return await act(c, { store: deps.store, members: deps.members, linkKey: links.key, now: deps.now }, token.data);
    } catch (error) {
      if (error instanceof SignedLinkError) return c.html(LinkProblemPage({ viewer: viewerOf(c), sentence: error.message }), 400);
      throw error;
    }
  };

  app.get(STOP_INVITATIONS_PATH, withStopLink("query", async (c, stopDeps, token) => {
    const target = await readStopLink(stopDeps, token);
    return c.html(StopInvitationsPage({ viewer: viewerOf(c), businessName: target.businessName, token, stopped: target.stopped }));
  }));

  app.post(STOP_INVITATIONS_PATH, withStopLink("form", async (c, stopDeps, token) => {
    const target = await stopFromLink(stopDeps, token);
    deps.log("info", "invitations stopped by the address", { withdrawn: target.withdrawn });
    return c.html(InvitationsStoppedPage({ viewer: viewerOf(c), allowToken: allowToken(stopDeps, target) }));
  }));

  app.post(ALLOW_INVITATIONS_PATH, withStopLink("form", async (c, stopDeps, token) => {
    const lifted = await allowFromLink(stopDeps, token);
    deps.log("info", "invitations allowed again by the address", { lifted });
    return c.html(InvitationsAllowedPage({ viewer: viewerOf(c) }));
  }));
}
