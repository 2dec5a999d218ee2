import type { EndedConnection } from "../../connections/end-connection";
import { type Merchant, PROVIDER_NAMES } from "../../model";
import { RevokeOutcomeText } from "./disconnected";
import { BusinessNameForm } from "./business-name";
import { formatInstant } from "./format";
import { FieldError, FormToken, Layout, MessagePage, type Viewer } from "./layout";

export function AccountPage(props: {
  viewer: Viewer; merchant: Merchant;
  /** Every zone, for the time zone field's list (lib/web/time-zones.ts timeZoneList). */
  timeZones: readonly string[];
  typedConfirmation?: string; confirmationError?: string; typedName?: string; nameError?: string; typedTimeZone?: string; timeZoneError?: string; notice?: string;
  /** Whether the person's address asked for no invitations (lib/members/invitation-stops.ts); the section shows when known. */
  invitationsStopped?: boolean; invitationsError?: string;
}) {
  const { viewer, merchant } = props;
  return (
    <Layout title="Account" viewer={viewer}>
      {props.notice && <p role="status">{props.notice}</p>}
      <p>Signed in as <strong>{merchant.email}</strong>, since {formatInstant(merchant.createdAt, viewer)}.</p>

      <h2>Your business</h2>
      <p>The name on every report and on each journal entry's memo in QuickBooks.</p>
      <BusinessNameForm viewer={viewer} value={props.typedName ?? merchant.name} error={props.nameError} next="/account" submit="Save the name" />

      <section aria-labelledby="time-zone-heading" id="time-zone">
        <h2 id="time-zone-heading">Time zone</h2>
        <p>{merchant.timeZone
          ? `daybook's pages show times in ${merchant.timeZone}, with the zone's abbreviation. Emails show them in each location's own zone.`
          : "daybook's pages show times in UTC until you choose your time zone. Setting up your first location chooses its zone for you."}</p>
        <form method="post" action="/account/time-zone" novalidate>
          <FormToken viewer={viewer} />
          <label for="merchant-time-zone">Time zone</label>
          <p id="merchant-time-zone-hint">The place's IANA name, such as America/Los_Angeles: type a city or region to search the list.</p>
          <input
            type="text" id="merchant-time-zone" name="timeZone" required maxlength={64} autocomplete="off" list="time-zones"
            value={props.typedTimeZone ?? merchant.timeZone ?? ""}
            aria-invalid={props.timeZoneError ? "true" : undefined}
            aria-describedby={props.timeZoneError ? "merchant-time-zone-hint merchant-time-zone-error" : "merchant-time-zone-hint"}
          />
          <FieldError id="merchant-time-zone-error" message={props.timeZoneError} />
          <button type="submit">Save the time zone</button>
        </form>
        <datalist id="time-zones">
          {props.timeZones.map((zone) => <option value={zone} />)}
        </datalist>
      </section>

      {props.invitationsStopped !== undefined && (
        <section aria-labelledby="invitations-heading" id="invitations">
          <h2 id="invitations-heading">Invitations</h2>
          <p>{props.invitationsStopped
            ? `You asked daybook to send ${merchant.email} no invitations to work on a business's books: a business that tries is told so, and nothing is sent.`
            : `A business on daybook can invite ${merchant.email} to work on its books: one email, with a link to accept.`}
          {" "}Only you can change this; it stays if you delete your account.</p>
          <form method="post" action="/account/invitations">
            <FormToken viewer={viewer} />
            <input type="hidden" name="invitations" value={props.invitationsStopped ? "allow" : "stop"} />
            <FieldError id="invitations-error" message={props.invitationsError} />
            <button type="submit">{props.invitationsStopped ? "Allow invitations again" : "Don't send me invitations"}</button>
          </form>
        </section>
      )}

      <h2>Download your data</h2>
      <p>One JSON file with everything daybook holds for you: your profile and time zone, connections (without their secret tokens), locations and their mappings, each day's sync record and reports, payouts, report recipients and settings, backfills, your accountants' access and invitations, API keys and their requests (without the keys themselves) and sessions.</p>
      <p><a href="/account/export" download>Download my data</a></p>

      <section class="danger">
        <h2>Delete your account</h2>
        <p>This disconnects Square, Clover and QuickBooks, deletes their tokens at once, signs out every browser and deletes everything daybook holds for you. It cannot be undone. Entries already posted to QuickBooks stay in QuickBooks.</p>
        <p>Square and QuickBooks revoke daybook's access when daybook asks. Clover gives apps no way to do that: if you connected Clover, uninstall daybook in Clover too (the next page links to it). Deleted data leaves daybook's backups within 30 days.</p>
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

export function AccountDeletedPage(props: { connections: EndedConnection[]; cloverAppId: string }) {
  return (
    <MessagePage title="Your account is deleted">
      <p>daybook has deleted your data and the tokens of your connections. Its backups keep deleted data for at most 28 days, then it is gone from them too.</p>
      {props.connections.length > 0 && (
        <ul>
          {props.connections.map((ended) => (
            <li><strong>{PROVIDER_NAMES[ended.provider]}:</strong> <RevokeOutcomeText ended={ended} cloverAppId={props.cloverAppId} /></li>
          ))}
        </ul>
      )}
      <p>Thank you for using daybook.</p>
      <p><a href="/sign-in">Sign in again</a> to start over with a new account.</p>
    </MessagePage>
  );
}
