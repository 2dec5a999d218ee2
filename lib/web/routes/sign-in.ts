/** Sign-in by emailed link, and sign-out. */
import type { Hono } from "hono";
import { startSession } from "../../auth/sessions";
import { requestSignInLink, signInLinkAddress, useSignInLink } from "../../auth/sign-in";
import { SECRET_PATTERN } from "../../auth/secrets";
import { approximateIp } from "../../auth/client-network";
import { getClientIp } from "../client-ip";
import type { AppEnv, WebDeps } from "../deps";
import { check, emailField, formFields, keptValue } from "../forms";
import { CheckEmailPage, ConfirmSignInPage, SignInLinkInvalidPage, SignInPage } from "../pages/sign-in";
import { clearSessionCookie, requireSignedIn, setSessionCookie, signedIn } from "../session";
import * as z from "zod/mini";

const signInForm = z.object({ email: emailField });
const linkToken = z.string().check(z.regex(SECRET_PATTERN));

export function addSignInRoutes(app: Hono<AppEnv>, deps: WebDeps): void {
  app.get("/", (c) => c.redirect(c.get("session") ? "/connections" : "/sign-in", 303));

  app.get("/sign-in", (c) => (c.get("session") ? c.redirect("/connections", 303) : c.html(SignInPage({}))));

  app.post("/sign-in", async (c) => {
    const fields = await formFields(c);
    const form = check(signInForm, fields);
    if (!form.ok) return c.html(SignInPage({ email: keptValue(fields["email"]), error: form.errors["email"] }), 400);
    const outcome = await requestSignInLink(deps, { address: form.value.email, clientIp: getClientIp(c) });
    deps.log("info", "sign-in link requested", { outcome });
    // The same page whatever happened: it must not tell whether the address has an account or was limited.
    return c.html(CheckEmailPage());
  });

  // A GET never uses the link: mail scanners fetch links, and would burn it before the person could.
  // It names the address the link signs in, so nobody signs in to an account they did not mean to.
  app.get("/sign-in/confirm", async (c) => {
    const token = linkToken.safeParse(c.req.query("token"));
    const email = token.success ? await signInLinkAddress(deps, token.data) : undefined;
    return token.success && email !== undefined ? c.html(ConfirmSignInPage({ token: token.data, email })) : c.html(SignInLinkInvalidPage(), 400);
  });

  app.post("/sign-in/confirm", async (c) => {
    const token = linkToken.safeParse((await formFields(c))["token"]);
    const result = token.success ? await useSignInLink(deps, token.data) : undefined;
    if (!result) {
      deps.log("info", "sign-in link refused");
      return c.html(SignInLinkInvalidPage(), 400);
    }
    const previous = c.get("session");
    if (previous) await deps.auth.deleteSession(previous.merchantId, previous.sessionHash);
    const { secret, session } = await startSession(deps.auth, {
      merchantId: result.merchant.merchantId,
      userAgent: c.req.header("User-Agent") ?? "",
      approximateIp: approximateIp(getClientIp(c)),
      now: deps.now(),
    });
    setSessionCookie(c, secret);
    deps.log("info", result.created ? "account created" : "signed in", { merchantId: session.merchantId });
    // The business's name is asked once, on the first sign-in (and on later ones until it is given).
    return c.redirect(result.merchant.name.trim() === "" ? "/business-name" : "/connections", 303);
  });

  app.post("/sign-out", requireSignedIn(), async (c) => {
    const { merchant, sessionHash } = signedIn(c);
    await deps.auth.deleteSession(merchant.merchantId, sessionHash);
    clearSessionCookie(c);
    return c.redirect("/sign-in", 303);
  });
}
