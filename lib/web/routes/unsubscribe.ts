/**
 * One-click unsubscribe (RFC 8058) from a report email. GET (a person following the link) shows a
 * button; POST acts. Mail clients POST `List-Unsubscribe=One-Click` cross-site, with no Origin or
 * their own and no form token, so this is the one POST the same-origin check lets through
 * (security.ts ONE_CLICK_UNSUBSCRIBE_PATH): the signed token in the query is the authority, and it can
 * only stop reports to the one address it names. Using it twice changes nothing.
 */
import type { Context, Hono } from "hono";
import { SignedLinkError, verifyLink } from "../../links/signed-link";
import { unsubscribeFromLink } from "../../report/unsubscribe";
import type { AppEnv, WebDeps } from "../deps";
import { LinkProblemPage, UnsubscribeConfirmPage, UnsubscribedPage } from "../pages/email-links";
import { NotFoundPage } from "../pages/messages";
import { ONE_CLICK_UNSUBSCRIBE_PATH } from "../security";
import { viewerOf } from "../session";
import { linkToken } from "./days";

const INCOMPLETE = "This link is incomplete. Open it from the email again, or copy the whole address.";

export function addUnsubscribeRoutes(app: Hono<AppEnv>, deps: WebDeps): void {
  app.get(ONE_CLICK_UNSUBSCRIBE_PATH, (c) => {
    const links = deps.links;
    if (!links) return c.html(NotFoundPage({ viewer: viewerOf(c) }), 404);
    const token = linkToken.safeParse(c.req.query("token"));
    if (!token.success) return linkProblem(c, INCOMPLETE);
    try {
      verifyLink(token.data, "unsubscribe", links.key, deps.now());
    } catch (error) {
      if (error instanceof SignedLinkError) return linkProblem(c, error.message);
      throw error;
    }
    return c.html(UnsubscribeConfirmPage({ viewer: viewerOf(c), token: token.data }));
  });

  app.post(ONE_CLICK_UNSUBSCRIBE_PATH, async (c) => {
    const links = deps.links;
    if (!links) return c.html(NotFoundPage({ viewer: viewerOf(c) }), 404);
    const token = linkToken.safeParse(c.req.query("token"));
    if (!token.success) return linkProblem(c, INCOMPLETE);
    try {
      await unsubscribeFromLink({ recipients: deps.recipients, linkKey: links.key, now: deps.now }, token.data);
    } catch (error) {
      if (error instanceof SignedLinkError) return linkProblem(c, error.message);
      throw error;
    }
    deps.log("info", "recipient unsubscribed");
    return c.html(UnsubscribedPage({ viewer: viewerOf(c) }));
  });
}

function linkProblem(c: Context<AppEnv>, sentence: string) {
  return c.html(LinkProblemPage({ viewer: viewerOf(c), sentence }), 400);
}
