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
import { returnPath } from "../return-path";
import { clearSessionCookie, requireSignedIn, setSessionCookie, signedIn } from "../session";
import * as z from "zod/mini";

const signInForm = z.object({ email: emailField });
const linkToken = z.string().check(z.regex(SECRET_PATTERN));

export function addSignInRoutes(app: Hono<AppEnv>, deps: WebDeps): void {
  /** An accountant's home is the client list; everyone else's, their connections. */
  const home = async (personId: string) => ((await deps.members.listMemberships(personId)).length > 0 ? "/clients" : "/connections");

  app.get("/", async (c) => {
    const person = c.get("person");
    return c.redirect(person ? await home(person.merchantId) : "/sign-in", 303);
  });

  app.get("/sign-in", async (c) => {
    const person = c.get("person");
    const next = returnPath(c.req.query("next"));
    if (person) return c.redirect(next ?? (await home(person.merchantId)), 303);
    return c.html(SignInPage(next === undefined ? {} : { next }));
  });

  app.post("/sign-in", async (c) => {
    const fields = await formFields(c);
    const form = check(signInForm, fields);
    // A page to return to that is not one of this site's is dropped, not refused: the person still signs in.
    const next = returnPath(fields["next"]);
    if (!form.ok) return c.html(SignInPage({ email: keptValue(fields["email"]), error: form.errors["email"], ...(next === undefined ? {} : { next }) }), 400);
    const outcome = await requestSignInLink(deps, { address: form.value.email, clientIp: getClientIp(c), next });
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
    // Back to the page the person was going to, if they were going somewhere. Otherwise home; the
    // business's name is asked once, on the first sign-in (and on later ones until it is given); an
    // accountant's home is the client list, and is not held up by it.
    const next = returnPath(result.next) ?? (await home(session.merchantId));
    return c.redirect(next === "/connections" && result.merchant.name.trim() === "" ? "/business-name" : next, 303);
  });

  app.post("/sign-out", requireSignedIn(), async (c) => {
    const { person, sessionHash } = signedIn(c);
    await deps.auth.deleteSession(person.merchantId, sessionHash);
    clearSessionCookie(c);
    return c.redirect("/sign-in", 303);
  });
}
