/** The sessions page: every browser signed in to the account, and ending one or all the others. */
import type { Hono } from "hono";
import type { AppEnv, WebDeps } from "../deps";
import { check, formFields } from "../forms";
import { NotFoundPage } from "../pages/messages";
import { SessionsPage } from "../pages/sessions";
import { clearSessionCookie, requireSignedIn, signedIn } from "../session";
import * as z from "zod/mini";

const endSessionForm = z.object({ session: z.string().check(z.regex(/^[0-9a-f]{64}$/)) });

export function addSessionRoutes(app: Hono<AppEnv>, deps: WebDeps): void {
  app.get("/sessions", requireSignedIn(), async (c) => {
    const { merchant, sessionHash, viewer } = signedIn(c);
    const sessions = await deps.auth.listSessions(merchant.merchantId, deps.now());
    const ended = c.req.query("ended");
    const notice = ended === undefined ? undefined : /^\d{1,4}$/.test(ended) ? `Ended ${ended} session${ended === "1" ? "" : "s"}.` : undefined;
    return c.html(SessionsPage({ viewer, sessions, currentSessionHash: sessionHash, ...(notice ? { notice } : {}) }));
  });

  app.post("/sessions/end", requireSignedIn(), async (c) => {
    const { merchant, sessionHash, viewer } = signedIn(c);
    const form = check(endSessionForm, await formFields(c));
    // Only this merchant's sessions can be ended: the store answers false for anyone else's.
    const ended = form.ok && (await deps.auth.deleteSession(merchant.merchantId, form.value.session));
    if (!form.ok || !ended) return c.html(NotFoundPage({ viewer }), 404);
    if (form.value.session === sessionHash) {
      clearSessionCookie(c);
      return c.redirect("/sign-in", 303);
    }
    return c.redirect("/sessions?ended=1", 303);
  });

  app.post("/sessions/end-others", requireSignedIn(), async (c) => {
    const { merchant, sessionHash } = signedIn(c);
    const count = await deps.auth.deleteSessions(merchant.merchantId, sessionHash);
    return c.redirect(`/sessions?ended=${count}`, 303);
  });
}
