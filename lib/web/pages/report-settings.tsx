/**
 * The reports page: who receives the daily sync reports (add, remove) and review mode.
 */
import { AccessSection, type AccessSectionProps } from "./access";
import { FieldError, FormToken, Layout, type Viewer } from "./layout";

export interface ReportSettingsProps {
  viewer: Viewer;
  recipients: string[];
  /** The merchant has not set the list yet: reports go to the sign-in address. */
  isDefault: boolean;
  maxRecipients: number;
  reviewMode: boolean;
  notice?: string;
  /** A removal that was not done, said at the top of the list. */
  removeProblem?: string;
  /** The add form as sent, shown again with its message. */
  add?: { value: string; error: string };
  /** The review-mode form's message, when what was sent could not be used. */
  reviewError?: string;
  /** Who has access to the business: its own section (lib/web/routes/access.ts). */
  access?: AccessSectionProps;
}

export function ReportSettingsPage(props: ReportSettingsProps) {
  const { viewer, add } = props;
  const full = props.recipients.length >= props.maxRecipients;
  return (
    <Layout title="Reports" viewer={viewer}>
      {props.notice && <p role="status">{props.notice}</p>}

      <section aria-labelledby="recipients-heading">
        <h2 id="recipients-heading">Who receives the reports</h2>
        <p>
          After each day is synced, daybook emails a report of what it posted to these addresses (at most {String(props.maxRecipients)}).
          {props.isDefault && " Until you change the list, the reports go to the address you sign in with."}
        </p>
        {props.removeProblem && <p class="error" role="alert">{props.removeProblem}</p>}
        {props.recipients.length === 0
          ? <p>Nobody receives the reports now: every address on the list unsubscribed. Add an address below.</p>
          : (
            <ul>
              {props.recipients.map((address) => (
                <li>
                  {address}{" "}
                  <form method="post" action="/reports/recipients/remove" class="inline">
                    <FormToken viewer={viewer} />
                    <input type="hidden" name="email" value={address} />
                    <button type="submit">{`Remove ${address}`}</button>
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
          {!add && <p id="recipient-email-hint">{full ? `The list is full: remove an address before adding another.` : "For example your accountant's address."}</p>}
          <FieldError id="recipient-email-error" message={add?.error} />
          <button type="submit">Add recipient</button>
        </form>
      </section>

      <section aria-labelledby="review-heading">
        <h2 id="review-heading">Review mode</h2>
        <form method="post" action="/reports/review-mode" novalidate>
          <FormToken viewer={viewer} />
          <p id="review-mode-explained">
            With review mode on, each day's entry is held and posted to QuickBooks only when someone approves it, from the report email or the day's page.
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
