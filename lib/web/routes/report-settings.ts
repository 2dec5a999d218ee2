/**
 * The reports page: who receives the signed-in merchant's digests (lib/report/recipients.ts), how
 * often each gets it, who has not confirmed yet or unsubscribed, emails the daily caps held back, and
 * review mode (lib/report/review-mode.ts). Adding an address sends it one confirmation email
 * (lib/report/confirm-recipient.ts) and nothing else until it confirms. Only the signed-in merchant's own
 * items are read or written; every form is checked first, and a form that cannot be used changes nothing.
 */
import type { Context, Hono } from "hono";
import { bucketHash } from "../../auth/bucket-hash";
import { type InviteOutcome, inviteRecipient, resendConfirmation } from "../../report/confirm-recipient";
import { formatDay } from "../../report/format";
import {
  addressHash, DIGEST_FREQUENCIES, isUnsubscribed, MAX_RECIPIENTS, mayResendConfirmation, type RecipientList, recipientsOf, removeAddress, updateRecipients, withFrequency,
} from "../../report/recipients";
import { normalizeEmail } from "../../store/keys";
import type { Merchant } from "../../model";
import * as z from "zod/mini";
import type { AppEnv, WebDeps } from "../deps";
import { check, emailField, formFields, keptValue } from "../forms";
import type { Viewer } from "../pages/layout";
import { type RecipientRow, ReportSettingsPage, type ReportSettingsProps } from "../pages/report-settings";
import { accessSection } from "./access";
import { requireSignedIn, signedIn } from "../session";

export { MAX_RECIPIENTS };

/** New addresses asked to confirm per merchant and UTC day: a list of ten fits, a mailing list does not. */
export const CONFIRMATIONS_PER_DAY = 10;
/** How far back the page shows emails the caps held back. */
const HELD_SHOWN_DAYS = 7;

const recipientForm = z.object({
  email: z.pipe(
    z.string({ error: "Enter the email address that should receive the reports." }).check(z.trim(), z.minLength(1, "Enter the email address that should receive the reports.")),
    emailField,
  ),
});
const addressForm = z.object({ email: z.string().check(z.trim(), z.minLength(1), z.maxLength(320)) });
const frequencyForm = z.object({
  email: z.string().check(z.trim(), z.minLength(1), z.maxLength(320)),
  frequency: z.enum(DIGEST_FREQUENCIES, { error: "Choose daily, weekly or only when something needs attention." }),
});
const reviewForm = z.object({
  reviewMode: z.optional(z.literal("on", { error: "Tick the box to hold each day's entry, or leave it clear to post entries without approval." })),
});

const NOTICES = {
  removed: "Recipient removed: daybook sends it nothing more.",
  frequency: "Saved: that recipient gets the digest as chosen from the next morning.",
  "review-on": "Review mode is on: each day's entry waits for approval before daybook posts it.",
  "review-off": "Review mode is off: daybook posts each day's entry without waiting for approval.",
  owner: "Added: your own address gets the daily digest.",
  invited: "Confirmation sent: the address gets nothing else from daybook until it confirms, within 7 days.",
  "invited-already": "That address was sent a confirmation in the last 7 days, so nothing more was sent: ask them to use that email's link.",
  resent: "Confirmation sent again.",
} as const;
const isNotice = (value: string | undefined): value is keyof typeof NOTICES => value !== undefined && Object.hasOwn(NOTICES, value);

type Extra = Pick<ReportSettingsProps, "notice" | "problem" | "add" | "reviewError">;

export function addReportSettingsRoutes(app: Hono<AppEnv>, deps: WebDeps): void {
  const { recipients: recipientStore, settings } = deps;

  const render = async (merchant: Merchant, viewer: Viewer, extra: Extra, accessNotice?: string) => {
    const now = deps.now();
    const [list, reviewMode, held, access] = await Promise.all([
      recipientStore.get(merchant.merchantId),
      settings.getReviewMode(merchant.merchantId),
      deps.heldEmails.listHeld(merchant.merchantId, new Date(now.getTime() - HELD_SHOWN_DAYS * 86_400_000)),
      accessSection(deps, merchant, viewer, accessNotice),
    ]);
    return ReportSettingsPage({
      viewer, rows: rowsOf(list, merchant, now), isDefault: list.recipients === undefined, maxRecipients: MAX_RECIPIENTS, reviewMode, held,
      canInvite: deps.links !== undefined, access, ...extra,
    });
  };
  const rejected = async (c: Context<AppEnv>, merchant: Merchant, viewer: Viewer, extra: Extra) => c.html(await render(merchant, viewer, extra), 400);
  const listed = async (merchant: Merchant, address: string) => recipientsOf(await recipientStore.get(merchant.merchantId), merchant.email).find((each) => each.address === address);

  app.get("/reports", requireSignedIn(), async (c) => {
    const { merchant, viewer } = signedIn(c);
    const done = c.req.query("done");
    return c.html(await render(merchant, viewer, isNotice(done) ? { notice: NOTICES[done] } : {}, c.req.query("access")));
  });

  app.post("/reports/recipients", requireSignedIn(), async (c) => {
    const { merchant, viewer } = signedIn(c);
    const fields = await formFields(c);
    const value = keptValue(fields["email"]);
    const form = check(recipientForm, fields);
    if (!form.ok) return rejected(c, merchant, viewer, { add: { value, error: form.errors["email"] ?? "Enter an email address like name@example.com." } });
    const links = deps.links;
    const address = normalizeEmail(form.value.email);
    const isOwner = address === merchant.email;
    if (!links && !isOwner) return rejected(c, merchant, viewer, { add: { value, error: "daybook cannot send confirmation emails here, so it cannot add other addresses." } });
    const list = await recipientStore.get(merchant.merchantId);
    const current = recipientsOf(list, merchant.email);
    if (current.some((each) => each.address === address) && !isUnsubscribed(list, address)) {
      return rejected(c, merchant, viewer, { add: { value, error: `${address} is on the list already.` } });
    }
    if (isUnsubscribed(list, address)) {
      return rejected(c, merchant, viewer, { add: { value, error: `${address} unsubscribed from daybook's email about this business. Only they can undo that, from the page their unsubscribe link opens; adding them again does not.` } });
    }
    if (current.length >= MAX_RECIPIENTS) {
      return rejected(c, merchant, viewer, { add: { value, error: `daybook sends the reports to at most ${String(MAX_RECIPIENTS)} addresses. Remove one from the list before adding another.` } });
    }
    if (!isOwner && !(await deps.auth.takeRateLimit(`confirm-recipient#${bucketHash(merchant.merchantId)}`, CONFIRMATIONS_PER_DAY, 86_400, deps.now()))) {
      return rejected(c, merchant, viewer, { add: { value, error: `daybook asks at most ${String(CONFIRMATIONS_PER_DAY)} new addresses a day to confirm. Add this one tomorrow.` } });
    }
    const outcome = await inviteRecipient(confirmDeps(deps), merchant, address);
    deps.log("info", "report recipient added", { merchantId: merchant.merchantId, outcome });
    return answerInvite(c, merchant, viewer, outcome, value, rejected);
  });

  app.post("/reports/recipients/resend", requireSignedIn(), async (c) => {
    const { merchant, viewer } = signedIn(c);
    const form = check(addressForm, await formFields(c));
    const address = form.ok ? normalizeEmail(form.value.email) : undefined;
    if (!deps.links || address === undefined || (await listed(merchant, address))?.status !== "pending") {
      return rejected(c, merchant, viewer, { problem: "That address is not waiting for a confirmation, so nothing was sent. The list below is as it stands now." });
    }
    const outcome = await resendConfirmation(confirmDeps(deps), merchant, address);
    if (outcome === "sent") return c.redirect("/reports?done=resent", 303);
    const problems = {
      "too-soon": "Its confirmation went less than 7 days ago and still works, so nothing more was sent: ask them to use that email's link.",
      "not-pending": "That address is not waiting for a confirmation, so nothing was sent.",
      "not-sent": "The confirmation email could not be sent just now. Try again in a few minutes.",
    } as const;
    return rejected(c, merchant, viewer, { problem: problems[outcome] });
  });

  app.post("/reports/recipients/remove", requireSignedIn(), async (c) => {
    const { merchant, viewer } = signedIn(c);
    const form = check(addressForm, await formFields(c));
    const list = await recipientStore.get(merchant.merchantId);
    const current = recipientsOf(list, merchant.email);
    const address = form.ok ? normalizeEmail(form.value.email) : undefined;
    if (address === undefined || !current.some((each) => each.address === address)) {
      return rejected(c, merchant, viewer, { problem: "That address is not on the list of recipients, so nothing was removed. The list below is as it stands now." });
    }
    if (current.length === 1) {
      return rejected(c, merchant, viewer, { problem: "Keep at least one recipient, or reports go nowhere. Add the new address first, then remove this one." });
    }
    await updateRecipients(recipientStore, merchant.merchantId, (latest) => ({ list: removeAddress(latest, merchant.email, address, deps.now()), result: undefined }));
    deps.log("info", "report recipient removed", { merchantId: merchant.merchantId, recipients: current.length - 1 });
    return c.redirect("/reports?done=removed", 303);
  });

  app.post("/reports/recipients/frequency", requireSignedIn(), async (c) => {
    const { merchant, viewer } = signedIn(c);
    const form = check(frequencyForm, await formFields(c));
    if (!form.ok) return rejected(c, merchant, viewer, { problem: form.errors["frequency"] ?? "That address is not on the list of recipients, so nothing was changed." });
    const address = normalizeEmail(form.value.email);
    if (!(await listed(merchant, address))) return rejected(c, merchant, viewer, { problem: "That address is not on the list of recipients, so nothing was changed." });
    await updateRecipients(recipientStore, merchant.merchantId, (latest) => ({ list: withFrequency(latest, merchant.email, address, form.value.frequency), result: undefined }));
    deps.log("info", "report frequency saved", { merchantId: merchant.merchantId, frequency: form.value.frequency });
    return c.redirect("/reports?done=frequency", 303);
  });

  app.post("/reports/review-mode", requireSignedIn(), async (c) => {
    const { merchant, viewer } = signedIn(c);
    const form = check(reviewForm, await formFields(c));
    if (!form.ok) return rejected(c, merchant, viewer, { reviewError: form.errors["reviewMode"] ?? "Tick the box or leave it clear, then save again." });
    const on = form.value.reviewMode === "on";
    await settings.setReviewMode(merchant.merchantId, on, deps.now());
    // Write-then-check (lib/store/account-guard.ts; this store's write does not check itself): an account
    // deleted meanwhile by another of its sessions keeps no setting.
    if (!(await deps.store.getMerchant(merchant.merchantId))) await deps.store.deleteMerchant(merchant.merchantId);
    deps.log("info", "review mode saved", { merchantId: merchant.merchantId, reviewMode: on });
    return c.redirect(`/reports?done=${on ? "review-on" : "review-off"}`, 303);
  });
}


function confirmDeps(deps: WebDeps) {
  const key = deps.links?.key ?? Buffer.alloc(0);
  return { recipients: deps.recipients, store: deps.store, email: deps.email, publicUrl: deps.publicUrl, linkKey: key, now: deps.now };
}

async function answerInvite(
  c: Context<AppEnv>, merchant: Merchant, viewer: Viewer, outcome: InviteOutcome, value: string,
  rejected: (c: Context<AppEnv>, merchant: Merchant, viewer: Viewer, extra: Extra) => Promise<Response>,
): Promise<Response> {
  switch (outcome) {
    case "pending":
      return c.redirect("/reports?done=invited", 303);
    case "pending-already-invited":
      return c.redirect("/reports?done=invited-already", 303);
    case "confirmed":
      return c.redirect("/reports?done=owner", 303);
    case "not-sent":
      return rejected(c, merchant, viewer, { problem: "The address is on the list, but its confirmation email could not be sent just now. Use \"Send the confirmation again\" in a few minutes." });
    case "already-listed":
    case "unsubscribed":
    case "full":
      // Checked before; another tab changed the list meanwhile.
      return rejected(c, merchant, viewer, { add: { value, error: "The list changed meanwhile. It is shown below as it stands now; try again." } });
  }
}

function rowsOf(list: RecipientList, merchant: Merchant, now: Date): RecipientRow[] {
  return recipientsOf(list, merchant.email).map((recipient) => {
    const unsubscribe = list.unsubscribed.find((each) => each.hash === addressHash(recipient.address));
    const owner = recipient.address === merchant.email;
    let state: string;
    if (unsubscribe) state = `Unsubscribed${unsubscribe.at ? ` on ${formatDay(unsubscribe.at.slice(0, 10))}` : ""}: gets nothing, and only they can undo it`;
    else if (owner || recipient.status === "confirmed") state = owner ? "Your sign-in address" : "Confirmed";
    else if (recipient.confirmationSentAt) state = `Waiting for confirmation (asked on ${formatDay(recipient.confirmationSentAt.slice(0, 10))}): gets nothing until then`;
    else state = "Not confirmed and not asked yet: gets nothing until it confirms";
    const pending = !owner && recipient.status === "pending" && !unsubscribe;
    const canResend = pending && mayResendConfirmation(recipient, now);
    return { address: recipient.address, state, frequency: recipient.frequency, receives: !unsubscribe && !pending, canResend };
  });
}
