/**
 * The routes behind a recipient's links (lib/report/unsubscribe.ts, lib/report/confirm-recipient.ts):
 *
 * - `/unsubscribe?token=` (RFC 8058 one-click): GET shows a page naming the business, with the choice of
 *   getting the digest less often, and the Unsubscribe button; POST acts. Mail clients POST
 *   `List-Unsubscribe=One-Click` cross-site, with no Origin or their own and no form token, so this is
 *   the one POST the same-origin check lets through (security.ts ONE_CLICK_UNSUBSCRIBE_PATH): the
 *   signed token in the query is the authority, and it can only stop email to the one address it names.
 * - `POST /unsubscribe/frequency?token=`: the recipient's own choice of how often (from that page).
 * - `POST /unsubscribe/undo?token=`: subscribes again, with the short-lived link the unsubscribed page
 *   carries; only the recipient has it.
 * - `/recipients/confirm?token=`: GET shows the business and a button (mail scanners open links, so a
 *   GET confirms nothing); POST confirms.
 *
 * Using any of them twice changes nothing more.
 */
import type { Context, Hono } from "hono";
import { SignedLinkError } from "../../links/signed-link";
import { businessOf, confirmFromLink, readConfirmLink } from "../../report/confirm-recipient";
import { DIGEST_FREQUENCIES } from "../../report/recipients";
import {
  type LinkTarget, linkTargetName, readUnsubscribeLink, resubscribeFromLink, resubscribeToken, setFrequencyFromLink, unsubscribeFromLink, type UnsubscribeDeps,
} from "../../report/unsubscribe";
import * as z from "zod/mini";
import type { AppEnv, WebDeps } from "../deps";
import { check, formFields } from "../forms";
import {
  ConfirmRecipientPage, LinkProblemPage, RecipientConfirmedPage, ResubscribedPage, UnsubscribeConfirmPage, UnsubscribedPage,
} from "../pages/email-links";
import { NotFoundPage } from "../pages/messages";
import { ONE_CLICK_UNSUBSCRIBE_PATH } from "../security";
import { viewerOf } from "../session";
import { linkToken } from "./days";

const INCOMPLETE = "This link is incomplete. Open it from the email again, or copy the whole address.";
const GONE = "This business is no longer in daybook, so it sends you nothing.";
const frequencyForm = z.object({ frequency: z.enum(DIGEST_FREQUENCIES, { error: "Choose how often, then save." }) });

export function addUnsubscribeRoutes(app: Hono<AppEnv>, deps: WebDeps): void {
  const linkDeps = (key: Buffer): UnsubscribeDeps => ({ recipients: deps.recipients, store: deps.store, members: deps.members, email: deps.email, publicUrl: deps.publicUrl, linkKey: key, now: deps.now });

  /** Runs `act` with the link's token and the link key, answering 404 where links are off and 400 for a link that is not valid. */
  const withLink = (source: "query" | "form", act: (c: Context<AppEnv>, deps: UnsubscribeDeps, token: string) => Promise<Response>) => async (c: Context<AppEnv>) => {
    const links = deps.links;
    if (!links) return c.html(NotFoundPage({ viewer: viewerOf(c) }), 404);
    const raw = source === "query" ? c.req.query("token") : (await formFields(c))["token"];
    const token = linkToken.safeParse(raw);
    if (!token.success) return linkProblem(c, INCOMPLETE);
    try {
      return await act(c, linkDeps(links.key), token.data);
    } catch (error) {
      if (error instanceof SignedLinkError) return linkProblem(c, error.message);
      throw error;
    }
  };

  const choicePage = (c: Context<AppEnv>, token: string, target: LinkTarget, notice?: string) => c.html(UnsubscribeConfirmPage({
    viewer: viewerOf(c), token, business: linkTargetName(target), frequency: target.recipient?.frequency, unsubscribed: target.unsubscribed, several: target.clients !== undefined,
    ...(notice ? { notice } : {}),
  }));

  app.get(ONE_CLICK_UNSUBSCRIBE_PATH, withLink("query", async (c, linkDeps, token) => {
    const target = await readUnsubscribeLink(linkDeps, token);
    if (!target) return linkProblem(c, GONE);
    return choicePage(c, token, target);
  }));

  app.post(ONE_CLICK_UNSUBSCRIBE_PATH, withLink("query", async (c, linkDeps, token) => {
    const target = await unsubscribeFromLink(linkDeps, token);
    if (!target) return linkProblem(c, GONE);
    deps.log("info", "recipient unsubscribed", { merchantId: target.merchant.merchantId });
    return c.html(UnsubscribedPage({ viewer: viewerOf(c), business: linkTargetName(target), several: target.clients !== undefined, resubscribeToken: resubscribeToken(linkDeps, target.merchant.merchantId, target.hash) }));
  }));

  app.post("/unsubscribe/frequency", withLink("query", async (c, linkDeps, token) => {
    const form = check(frequencyForm, await formFields(c));
    const current = await readUnsubscribeLink(linkDeps, token);
    if (!current) return linkProblem(c, GONE);
    if (!form.ok) return c.html(UnsubscribeConfirmPage({ viewer: viewerOf(c), token, business: businessOf(current.merchant), frequency: current.recipient?.frequency, unsubscribed: current.unsubscribed, notice: form.errors["frequency"] ?? "Choose how often, then save." }), 400);
    const target = await setFrequencyFromLink(linkDeps, token, form.value.frequency);
    if (!target) return linkProblem(c, GONE);
    deps.log("info", "recipient chose how often", { merchantId: target.merchant.merchantId, frequency: form.value.frequency });
    return choicePage(c, token, target, target.recipient && !target.unsubscribed ? "Saved: from the next morning." : undefined);
  }));

  app.post("/unsubscribe/undo", withLink("query", async (c, linkDeps, token) => {
    const target = await resubscribeFromLink(linkDeps, token);
    if (!target) return linkProblem(c, GONE);
    deps.log("info", "recipient subscribed again", { merchantId: target.merchant.merchantId });
    return c.html(ResubscribedPage({ viewer: viewerOf(c), business: linkTargetName(target) }));
  }));

  app.get("/recipients/confirm", withLink("query", async (c, linkDeps, token) => {
    const target = await readConfirmLink(linkDeps, token);
    if (!target) return linkProblem(c, GONE);
    if (!target.recipient) return linkProblem(c, `This address is no longer on ${businessOf(target.merchant)}'s list, so there is nothing to confirm.`);
    return c.html(ConfirmRecipientPage({ viewer: viewerOf(c), business: businessOf(target.merchant), address: target.recipient.address, token, confirmed: target.recipient.status === "confirmed" }));
  }));

  app.post("/recipients/confirm", withLink("form", async (c, linkDeps, token) => {
    const target = await confirmFromLink(linkDeps, token);
    if (!target) return linkProblem(c, GONE);
    if (!target.recipient) return linkProblem(c, `This address is no longer on ${businessOf(target.merchant)}'s list, so there is nothing to confirm.`);
    deps.log("info", "recipient confirmed", { merchantId: target.merchant.merchantId });
    return c.html(RecipientConfirmedPage({ viewer: viewerOf(c), business: businessOf(target.merchant), address: target.recipient.address }));
  }));
}

function linkProblem(c: Context<AppEnv>, sentence: string) {
  return c.html(LinkProblemPage({ viewer: viewerOf(c), sentence }), 400);
}
