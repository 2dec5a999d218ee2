/**
 * The business's name: asked once after the first sign-in (suggested from the connected QuickBooks
 * company's name), changed later on the account page. It heads every page title and every email.
 */
import { FieldError, FormToken, Layout, type Viewer } from "./layout";

export const BUSINESS_NAME_MAX = 100;

/** Where the form returns to: the first-run page goes on to connections, the account page back to itself. */
export type BusinessNameReturn = "/connections" | "/account";

export function BusinessNameForm(props: { viewer: Viewer; value: string; error?: string | undefined; next: BusinessNameReturn; submit: string; hint?: string | undefined }) {
  return (
    <form method="post" action="/business-name" novalidate>
      <FormToken viewer={props.viewer} />
      <input type="hidden" name="next" value={props.next} />
      <label for="business-name">Business name</label>
      {props.hint && <p id="business-name-hint">{props.hint}</p>}
      <input
        type="text" id="business-name" name="name" autocomplete="organization" required maxlength={BUSINESS_NAME_MAX}
        value={props.value}
        aria-invalid={props.error ? "true" : undefined}
        aria-describedby={[props.hint ? "business-name-hint" : "", props.error ? "business-name-error" : ""].filter(Boolean).join(" ") || undefined}
      />
      <FieldError id="business-name-error" message={props.error} />
      <button type="submit">{props.submit}</button>
    </form>
  );
}

export function BusinessNamePage(props: { viewer: Viewer; value: string; suggestedFrom?: string | undefined; error?: string | undefined }) {
  return (
    <Layout title="Name your business" viewer={props.viewer}>
      <p>daybook puts this name on every report your accountant receives and on each journal entry's memo in QuickBooks. You can change it later on the account page.</p>
      <BusinessNameForm
        viewer={props.viewer} value={props.value} error={props.error} next="/connections" submit="Save and continue"
        hint={props.suggestedFrom ? `Suggested from your QuickBooks company, ${props.suggestedFrom}.` : undefined}
      />
    </Layout>
  );
}
