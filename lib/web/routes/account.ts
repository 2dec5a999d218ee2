/**
 * The account page: the time zone the pages show times in, the person's own "no invitations" (signed
 * in, the address is proved theirs: lib/members/invitation-stops.ts), the export download and account
 * deletion.
 */
import type { Context, Hono } from "hono";
import { normaliseEmail } from "../../auth/sign-in";
import { deleteAccount } from "../../account/delete-account";
import { chooseInvitationsFor, invitationsStoppedFor } from "../../members/invitation-stops";
import type { Merchant } from "../../model";
import type { AppEnv, WebDeps } from "../deps";
import { check, emailField, formFields, keptValue } from "../forms";
import { timeZoneField, timeZoneList } from "../time-zones";
import { AccountDeletedPage, AccountPage } from "../pages/account";
import { NotFoundPage } from "../pages/messages";
import { clearSessionCookie, requireSignedIn, signedIn } from "../session";
import * as z from "zod/mini";
import { connectionDeps } from "./connections";

const deleteForm = z.object({ email: emailField });
const timeZoneForm = z.object({ timeZone: timeZoneField });
const invitationsForm = z.object({ invitations: z.enum(["allow", "stop"], { error: "Choose whether daybook may send you invitations." }) });
const NOTICES = { stopped: "Saved: daybook sends you no invitations.", allowed: "Saved: businesses on daybook may invite you again." } as const;
type AccountPageProps = Parameters<typeof AccountPage>[0];

export function addAccountRoutes(app: Hono<AppEnv>, deps: WebDeps): void {
  /** The page, with what the person's own address asked of invitations (their sign-in address: the owner's page is theirs alone). */
  const page = async (c: Context<AppEnv>, merchant: Merchant, props: Omit<AccountPageProps, "merchant" | "timeZones">, status: 200 | 400 = 200) =>
    c.html(AccountPage({ ...props, merchant, timeZones: timeZoneList(), invitationsStopped: await invitationsStoppedFor(deps, merchant.email) }), status);

  app.get("/account", requireSignedIn(), async (c) => {
    const { merchant, viewer } = signedIn(c);
    const invitations = c.req.query("invitations");
    const notice = c.req.query("named") !== undefined ? "Business name saved."
      : c.req.query("zone") !== undefined && merchant.timeZone ? `Time zone saved: daybook's pages show times in ${merchant.timeZone}.`
      : invitations === "stopped" || invitations === "allowed" ? NOTICES[invitations]
      : undefined;
    return page(c, merchant, { viewer, ...(notice ? { notice } : {}) });
  });

  app.post("/account/time-zone", requireSignedIn(), async (c) => {
    const { merchant, viewer } = signedIn(c);
    const fields = await formFields(c);
    const form = check(timeZoneForm, fields);
    if (!form.ok) {
      const timeZoneError = form.errors["timeZone"] ?? "Enter a time zone.";
      return page(c, merchant, { viewer, typedTimeZone: keptValue(fields["timeZone"], 64), timeZoneError }, 400);
    }
    await deps.store.setMerchantTimeZone(merchant.merchantId, form.value.timeZone);
    deps.log("info", "time zone saved", { merchantId: merchant.merchantId });
    return c.redirect("/account?zone#time-zone", 303);
  });

  app.post("/account/invitations", requireSignedIn(), async (c) => {
    const { merchant, person, viewer } = signedIn(c);
    const form = check(invitationsForm, await formFields(c));
    if (!form.ok) return page(c, merchant, { viewer, invitationsError: form.errors["invitations"] ?? "Choose whether daybook may send you invitations." }, 400);
    const allow = form.value.invitations === "allow";
    // The person's own sign-in address: what they proved is theirs (on the owner's page, the business's too).
    await chooseInvitationsFor(deps, person.email, allow);
    deps.log("info", allow ? "invitations allowed again by the address" : "invitations stopped by the address", { merchantId: merchant.merchantId });
    return c.redirect(`/account?invitations=${allow ? "allowed" : "stopped"}#invitations`, 303);
  });

  app.get("/account/export", requireSignedIn(), async (c) => {
    const { merchant, viewer } = signedIn(c);
    const now = deps.now();
    const held = await deps.store.exportMerchant(merchant.merchantId);
    if (!held) return c.html(NotFoundPage({ viewer }), 404);
    const sessions = (await deps.auth.listSessions(merchant.merchantId, now)).map((session) => ({
      createdAt: session.createdAt,
      lastSeenAt: session.lastSeenAt,
      idleExpiresAt: session.idleExpiresAt,
      absoluteExpiresAt: session.absoluteExpiresAt,
      userAgent: session.userAgent,
      approximateIp: session.approximateIp,
    }));
    const body = JSON.stringify({ exportedAt: now.toISOString(), ...held, sessions }, null, 2);
    deps.log("info", "account exported", { merchantId: merchant.merchantId });
    return c.body(body, 200, {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="daybook-export-${now.toISOString().slice(0, 10)}.json"`,
    });
  });

  app.post("/account/delete", requireSignedIn(), async (c) => {
    const { merchant, viewer } = signedIn(c);
    const fields = await formFields(c);
    const form = check(deleteForm, fields);
    const typed = keptValue(fields["email"]);
    if (!form.ok) return page(c, merchant, { viewer, typedConfirmation: typed, confirmationError: form.errors["email"] }, 400);
    if (normaliseEmail(form.value.email) !== merchant.email) {
      return page(c, merchant, { viewer, typedConfirmation: typed, confirmationError: "That is not the address you signed in with. Type it exactly to confirm." }, 400);
    }

    const merchantId = merchant.merchantId;
    const deleted = await deleteAccount({ ...(await connectionDeps(deps)), auth: deps.auth, dueIndex: deps.dueIndex, digests: deps.digests, members: deps.members, recipients: deps.recipients, now: deps.now }, merchantId);
    clearSessionCookie(c);
    const revoke = (outcome: string) => deleted.connections.filter((ended) => ended.outcome === outcome).length;
    deps.log(revoke("failed") > 0 ? "warn" : "info", "account deleted", {
      merchantId, items: deleted.items, revoked: revoke("revoked"), notRevocable: revoke("not-revocable"), revokeFailed: revoke("failed"),
    });
    return c.html(AccountDeletedPage({ connections: deleted.connections, cloverAppId: deps.webhooks.cloverAppId }));
  });
}
