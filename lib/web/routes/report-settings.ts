/**
 * The reports page: who receives the signed-in merchant's sync reports (lib/report/recipients.ts) and
 * its review mode (lib/report/review-mode.ts). Only the signed-in merchant's own items are read or
 * written; every form is checked first, and a form that cannot be used changes nothing.
 */
import type { Context, Hono } from "hono";
import { addRecipient, getRecipientSettings, removeRecipient } from "../../report/recipients";
import { normalizeEmail } from "../../store/keys";
import type { Merchant } from "../../model";
import * as z from "zod/mini";
import type { AppEnv, WebDeps } from "../deps";
import { check, emailField, formFields, keptValue } from "../forms";
import type { Viewer } from "../pages/layout";
import { ReportSettingsPage, type ReportSettingsProps } from "../pages/report-settings";
import { requireSignedIn, signedIn } from "../session";

export const MAX_RECIPIENTS = 10;

const recipientForm = z.object({
  email: z.pipe(
    z.string({ error: "Enter the email address that should receive the reports." }).check(z.trim(), z.minLength(1, "Enter the email address that should receive the reports.")),
    emailField,
  ),
});
const removeForm = z.object({ email: z.string().check(z.trim(), z.minLength(1), z.maxLength(320)) });
const reviewForm = z.object({
  reviewMode: z.optional(z.literal("on", { error: "Tick the box to hold each day's entry, or leave it clear to post entries without approval." })),
});

const NOTICES = {
  added: "Recipient added: daybook sends the next reports to this address too.",
  removed: "Recipient removed: daybook sends it no more reports.",
  "review-on": "Review mode is on: each day's entry waits for approval before daybook posts it.",
  "review-off": "Review mode is off: daybook posts each day's entry without waiting for approval.",
} as const;
const isNotice = (value: string | undefined): value is keyof typeof NOTICES => value !== undefined && Object.hasOwn(NOTICES, value);

type Extra = Pick<ReportSettingsProps, "notice" | "removeProblem" | "add" | "reviewError">;

export function addReportSettingsRoutes(app: Hono<AppEnv>, deps: WebDeps): void {
  const { recipients: recipientStore, settings } = deps;

  const render = async (merchant: Merchant, viewer: Viewer, extra: Extra) => {
    const [recipients, reviewMode] = await Promise.all([
      getRecipientSettings(recipientStore, merchant.merchantId, merchant.email),
      settings.getReviewMode(merchant.merchantId),
    ]);
    return ReportSettingsPage({ viewer, recipients: recipients.addresses, isDefault: recipients.isDefault, maxRecipients: MAX_RECIPIENTS, reviewMode, ...extra });
  };
  const rejected = async (c: Context<AppEnv>, merchant: Merchant, viewer: Viewer, extra: Extra) => c.html(await render(merchant, viewer, extra), 400);

  app.get("/reports", requireSignedIn(), async (c) => {
    const { merchant, viewer } = signedIn(c);
    const done = c.req.query("done");
    return c.html(await render(merchant, viewer, isNotice(done) ? { notice: NOTICES[done] } : {}));
  });

  app.post("/reports/recipients", requireSignedIn(), async (c) => {
    const { merchant, viewer } = signedIn(c);
    const fields = await formFields(c);
    const value = keptValue(fields["email"]);
    const form = check(recipientForm, fields);
    if (!form.ok) return rejected(c, merchant, viewer, { add: { value, error: form.errors["email"] ?? "Enter an email address like name@example.com." } });
    const address = normalizeEmail(form.value.email);
    const { addresses } = await getRecipientSettings(recipientStore, merchant.merchantId, merchant.email);
    if (addresses.includes(address)) {
      return rejected(c, merchant, viewer, { add: { value, error: `${address} already receives the reports.` } });
    }
    if (addresses.length >= MAX_RECIPIENTS) {
      return rejected(c, merchant, viewer, {
        add: { value, error: `daybook sends the reports to at most ${String(MAX_RECIPIENTS)} addresses. Remove one from the list before adding another.` },
      });
    }
    await addRecipient(recipientStore, merchant.merchantId, merchant.email, address);
    deps.log("info", "report recipient added", { merchantId: merchant.merchantId, recipients: addresses.length + 1 });
    return c.redirect("/reports?done=added", 303);
  });

  app.post("/reports/recipients/remove", requireSignedIn(), async (c) => {
    const { merchant, viewer } = signedIn(c);
    const form = check(removeForm, await formFields(c));
    const { addresses } = await getRecipientSettings(recipientStore, merchant.merchantId, merchant.email);
    const address = form.ok ? normalizeEmail(form.value.email) : undefined;
    if (address === undefined || !addresses.includes(address)) {
      return rejected(c, merchant, viewer, { removeProblem: "That address is not on the list of recipients, so nothing was removed. The list below is as it stands now." });
    }
    if (addresses.length === 1) {
      return rejected(c, merchant, viewer, {
        removeProblem: "Keep at least one recipient, or reports go nowhere. Add the new address first, then remove this one.",
      });
    }
    await removeRecipient(recipientStore, merchant.merchantId, merchant.email, address);
    deps.log("info", "report recipient removed", { merchantId: merchant.merchantId, recipients: addresses.length - 1 });
    return c.redirect("/reports?done=removed", 303);
  });

  app.post("/reports/review-mode", requireSignedIn(), async (c) => {
    const { merchant, viewer } = signedIn(c);
    const form = check(reviewForm, await formFields(c));
    if (!form.ok) return rejected(c, merchant, viewer, { reviewError: form.errors["reviewMode"] ?? "Tick the box or leave it clear, then save again." });
    const on = form.value.reviewMode === "on";
    await settings.setReviewMode(merchant.merchantId, on, deps.now());
    deps.log("info", "review mode saved", { merchantId: merchant.merchantId, reviewMode: on });
    return c.redirect(`/reports?done=${on ? "review-on" : "review-off"}`, 303);
  });
}
