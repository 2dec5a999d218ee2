/**
 * The reports page: who receives the digest and how often, who has yet to confirm or has unsubscribed,
 * emails the daily caps held back, and review mode.
 */
import { AccessSection, type AccessSectionProps } from "./access";
import type { HeldEmailDay } from "../../email/caps";
import type { EmailPurpose } from "../../email/email";
import { formatDay } from "../../report/format";
import { DIGEST_FREQUENCIES, type DigestFrequency } from "../../report/recipients";
import { FieldError, FormToken, Layout, type Viewer } from "./layout";

export interface RecipientRow {
  address: string;
  /** In words: confirmed, waiting for confirmation since, unsubscribed on. */
  state: string;
  frequency: DigestFrequency;
  /** Gets the digest now (confirmed, not unsubscribed). */
  receives: boolean;
  /** Pending, and its confirmation may be sent (again). */
  canResend: boolean;
}

export interface ReportSettingsProps {
  viewer: Viewer;
  rows: RecipientRow[];
  /** The merchant has not set the list yet: the digest goes to the sign-in address. */
  isDefault: boolean;
  maxRecipients: number;
  reviewMode: boolean;
  /** Emails the daily caps held back lately, newest day first. */
  held: HeldEmailDay[];
  /** Confirmation emails can be sent here (the link key is set). */
  canInvite: boolean;
  notice?: string;
  /** A change that was not made, said at the top of the list. */
  problem?: string;
  /** The add form as sent, shown again with its message. */
  add?: { value: string; error: string };
  /** The review-mode form's message, when what was sent could not be used. */
  reviewError?: string;
  /** Who has access to the business: its own section (lib/web/routes/access.ts). */
  access?: AccessSectionProps;
}

const FREQUENCY_WORDS: Record<DigestFrequency, string> = {
  daily: "Daily",
  weekly: "Weekly, on Mondays",
  exceptions: "Only when something needs attention",
};

const PURPOSE_WORDS: Partial<Record<EmailPurpose, string>> = {
  digest: "digests", alert: "alerts", "backfill-summary": "backfill summaries", "confirm-recipient": "confirmation requests",
  reconnect: "reconnect requests", "posting-status": "posting notices", "unsubscribe-notice": "unsubscribe notices",
};

export function ReportSettingsPage(props: ReportSettingsProps) {
  const { viewer, add } = props;
  const full = props.rows.length >= props.maxRecipients;
  return (
    <Layout title="Reports" viewer={viewer}>
      {props.notice && <p role="status">{props.notice}</p>}
      {props.held.length > 0 && (
        <section aria-labelledby="held-heading" class="attention">
          <h2 id="held-heading">Emails held back</h2>
          <p>daybook sends at most a set number of emails a day per address and per business, so that no mistake (or misuse) can flood anyone. These were not sent:</p>
          <ul>
            {props.held.map((day) => (
              <li>
                {`${formatDay(day.day)}: ${String(day.count)} ${day.count === 1 ? "email" : "emails"} (${day.purposes.map((purpose) => PURPOSE_WORDS[purpose] ?? purpose).join(", ")})`}
                {day.alerts.length > 0 && (
                  <>
                    {" including these to you, which did not reach you:"}
                    <ul>{day.alerts.map((subject) => <li>{subject}</li>)}</ul>
                  </>
                )}
              </li>
            ))}
          </ul>
          <p>
            Each day's report is still on its day page, reached from the <a href="/history">history</a>, with what happened and what to do.
            {props.held.some((day) => day.alerts.length > 0) && " A day that has not posted is also in the next digest, and its alert goes again when daybook checks the day again and it still fails."}
            {props.held.some((day) => day.purposes.includes("reconnect")) && " A request to reconnect goes to you again the next day, while the connection still needs it; your connections page shows it meanwhile."}
            {props.held.some((day) => day.purposes.includes("posting-status")) && " A notice that locations stopped posting goes again the next day to whoever it was held back from, while they still are not posting; your locations page shows it meanwhile."}
          </p>
        </section>
      )}

      <section aria-labelledby="recipients-heading">
        <h2 id="recipients-heading">Who receives the reports</h2>
        <p>
          Each morning daybook emails one digest of the day before, every location in one email, to these addresses (at most {String(props.maxRecipients)}).
          A new address is sent one email asking it to confirm, and nothing else until it does. Failures and days daybook held go to you at once as well.
          {props.isDefault && " Until you change the list, the digest goes to the address you sign in with."}
        </p>
        {props.problem && <p class="error" role="alert">{props.problem}</p>}
        {props.rows.length === 0
          ? <p>Nobody receives the reports now. Add an address below.</p>
          : (
            <ul class="recipients">
              {props.rows.map((row, index) => (
                <li>
                  <strong>{row.address}</strong>
                  <br />
                  <span>{row.state}</span>
                  {row.receives && (
                    <form method="post" action="/reports/recipients/frequency">
                      <FormToken viewer={viewer} />
                      <input type="hidden" name="email" value={row.address} />
                      <label for={`frequency-${String(index)}`}>{`How often ${row.address} gets the digest`}</label>
                      <select id={`frequency-${String(index)}`} name="frequency">
                        {DIGEST_FREQUENCIES.map((frequency) => <option value={frequency} selected={row.frequency === frequency}>{FREQUENCY_WORDS[frequency]}</option>)}
                      </select>
                      <button type="submit">{`Save how often for ${row.address}`}</button>
                    </form>
                  )}
                  {row.canResend && props.canInvite && (
                    <form method="post" action="/reports/recipients/resend" class="inline">
                      <FormToken viewer={viewer} />
                      <input type="hidden" name="email" value={row.address} />
                      <button type="submit">{`Send the confirmation again to ${row.address}`}</button>
                    </form>
                  )}{" "}
                  <form method="post" action="/reports/recipients/remove" class="inline">
                    <FormToken viewer={viewer} />
                    <input type="hidden" name="email" value={row.address} />
                    <button type="submit">{`Remove ${row.address}`}</button>
                  </form>
                </li>
              ))}
            </ul>
          )}

        <form method="post" action="/reports/recipients" novalidate>
          <h3>Add a recipient</h3>
          <FormToken viewer={viewer} />
          <label for="recipient-email">Email address</label>
          <input
            type="email" id="recipient-email" name="email" required maxlength={320} autocomplete="email" value={add?.value ?? ""}
            aria-invalid={add ? "true" : undefined} aria-describedby={add ? "recipient-email-error" : "recipient-email-hint"}
          />
          {!add && <p id="recipient-email-hint">{full ? `The list is full: remove an address before adding another.` : "For example your accountant's address. They are asked to confirm first."}</p>}
          <FieldError id="recipient-email-error" message={add?.error} />
          <button type="submit">Add recipient</button>
        </form>
      </section>

      <section aria-labelledby="review-heading">
        <h2 id="review-heading">Review mode</h2>
        <form method="post" action="/reports/review-mode" novalidate>
          <FormToken viewer={viewer} />
          <p id="review-mode-explained">
            With review mode on, each day's entry is held and posted to QuickBooks only when someone approves it, from the digest or the day's page.
          </p>
          <label for="review-mode">
            <input
              type="checkbox" id="review-mode" name="reviewMode" value="on" checked={props.reviewMode}
              aria-invalid={props.reviewError ? "true" : undefined}
              aria-describedby={props.reviewError ? "review-mode-explained review-mode-error" : "review-mode-explained"}
            />{" "}
            Hold each day's entry for my approval before posting
          </label>
          <FieldError id="review-mode-error" message={props.reviewError} />
          <button type="submit">Save review mode</button>
        </form>
      </section>

      {props.access && <AccessSection {...props.access} />}
    </Layout>
  );
}
