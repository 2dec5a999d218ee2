import type { Merchant } from "../../model";
import { BusinessNameForm } from "./business-name";
import { formatInstant } from "./format";
import { FieldError, FormToken, Layout, MessagePage, type Viewer } from "./layout";

export function AccountPage(props: {
  viewer: Viewer; merchant: Merchant; typedConfirmation?: string; confirmationError?: string; typedName?: string; nameError?: string; notice?: string;
}) {
  const { viewer, merchant } = props;
  return (
    <Layout title="Account" viewer={viewer}>
      {props.notice && <p role="status">{props.notice}</p>}
      <p>Signed in as <strong>{merchant.email}</strong>, since {formatInstant(merchant.createdAt)}.</p>

      <h2>Your business</h2>
      <p>The name on every report and on each journal entry's memo in QuickBooks.</p>
      <BusinessNameForm viewer={viewer} value={props.typedName ?? merchant.name} error={props.nameError} next="/account" submit="Save the name" />

      <h2>Download your data</h2>
      <p>One JSON file with everything daybook holds for you: your profile, connections (without their secret tokens), locations, mappings, sync history and sessions.</p>
      <p><a href="/account/export" download>Download my data</a></p>

      <section class="danger">
        <h2>Delete your account</h2>
        <p>This disconnects Square, Clover and QuickBooks (daybook asks each to revoke its access), destroys the tokens at once, signs out every browser and deletes everything daybook holds for you. It cannot be undone. Entries already posted to QuickBooks stay in QuickBooks.</p>
        <form method="post" action="/account/delete" novalidate>
          <FormToken viewer={viewer} />
          <label for="confirm-email">Type your email address to confirm</label>
          <input
            type="email" id="confirm-email" name="email" autocomplete="off" required maxlength={320}
            value={props.typedConfirmation ?? ""}
            aria-invalid={props.confirmationError ? "true" : undefined}
            aria-describedby={props.confirmationError ? "confirm-email-error" : undefined}
          />
          <FieldError id="confirm-email-error" message={props.confirmationError} />
          <button type="submit">Delete my account</button>
        </form>
      </section>
    </Layout>
  );
}

export function AccountDeletedPage() {
  return (
    <MessagePage title="Your account is deleted">
      <p>daybook has disconnected your accounts, destroyed their tokens and deleted your data. Thank you for using daybook.</p>
      <p><a href="/sign-in">Sign in again</a> to start over with a new account.</p>
    </MessagePage>
  );
}
