/** The account page: the time zone the pages show times in, the export download and account deletion. */
import type { Hono } from "hono";
import { normaliseEmail } from "../../auth/sign-in";
import { deleteAccount } from "../../account/delete-account";
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

export function addAccountRoutes(app: Hono<AppEnv>, deps: WebDeps): void {
  app.get("/account", requireSignedIn(), (c) => {
    const { merchant, viewer } = signedIn(c);
    const notice = c.req.query("named") !== undefined ? "Business name saved."
      : c.req.query("zone") !== undefined && merchant.timeZone ? `Time zone saved: daybook's pages show times in ${merchant.timeZone}.`
      : undefined;
    return c.html(AccountPage({ viewer, merchant, timeZones: timeZoneList(), ...(notice ? { notice } : {}) }));
  });

  app.post("/account/time-zone", requireSignedIn(), async (c) => {
    const { merchant, viewer } = signedIn(c);
    const fields = await formFields(c);
    const form = check(timeZoneForm, fields);
    if (!form.ok) {
      const timeZoneError = form.errors["timeZone"] ?? "Enter a time zone.";
      return c.html(AccountPage({ viewer, merchant, timeZones: timeZoneList(), typedTimeZone: keptValue(fields["timeZone"], 64), timeZoneError }), 400);
    }
    await deps.store.setMerchantTimeZone(merchant.merchantId, form.value.timeZone);
    deps.log("info", "time zone saved", { merchantId: merchant.merchantId });
    return c.redirect("/account?zone#time-zone", 303);
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
    if (!form.ok) return c.html(AccountPage({ viewer, merchant, timeZones: timeZoneList(), typedConfirmation: typed, confirmationError: form.errors["email"] }), 400);
    if (normaliseEmail(form.value.email) !== merchant.email) {
      return c.html(AccountPage({ viewer, merchant, timeZones: timeZoneList(), typedConfirmation: typed, confirmationError: "That is not the address you signed in with. Type it exactly to confirm." }), 400);
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
