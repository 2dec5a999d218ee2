/**
 * Who has access to a business: the reports page's section (the owner invites accountants, sees who
 * has access and removes it; an accountant can leave) and the invitation's own pages. The pages that
 * say a request was refused because of a role are messages.tsx's (the app answers with them on any route).
 */
import { ALLOW_INVITATIONS_PATH, ALLOW_LINK_DAYS, STOP_INVITATIONS_PATH } from "../../members/invitation-stops";
import type { Invitation, Member } from "../../members/types";
import { formatInstant } from "./format";
import { UtcTimesNote } from "./time-zone";
import { FieldError, FormToken, Layout, MessagePage, type Viewer } from "./layout";

export interface AccessSectionProps {
  viewer: Viewer;
  /** The business's own id (the accountant's "leave" names it). */
  businessId: string;
  businessName: string;
  members: Member[];
  invitations: Invitation[];
  notice?: string;
}

/** The section of the reports page about accountants (lib/web/routes/access.ts loads it). */
export function AccessSection(props: AccessSectionProps) {
  const { viewer } = props;
  if (viewer.role === "accountant") {
    return (
      <section aria-labelledby="access-heading" id="access">
        <h2 id="access-heading">Your access</h2>
        <p>{`You work on the books of ${props.businessName} as its accountant, and receive its reports.`}</p>
        <form method="post" action={`/clients/${encodeURIComponent(props.businessId)}/leave`}>
          <FormToken viewer={viewer} />
          <button type="submit">{`Leave ${props.businessName}`}</button>
        </form>
      </section>
    );
  }
  return (
    <section aria-labelledby="access-heading" id="access">
      <h2 id="access-heading">Accountants</h2>
      {props.notice && <p role="status">{props.notice}</p>}
      <p>
        An accountant you invite signs in with their own address and can see every page of this business, approve held days, change the mapping and
        report settings, and run backfills. Only you can connect or disconnect accounts, export, delete the account, or change who has access.
        They also receive the reports.
      </p>
      {props.members.length === 0
        ? <p>Nobody else has access.</p>
        : (
          <ul>
            {props.members.map((member) => (
              <li>
                {`${member.email}, since ${formatInstant(member.createdAt, viewer)} `}
                <form method="post" action="/reports/access/remove" class="inline">
                  <FormToken viewer={viewer} />
                  <input type="hidden" name="personId" value={member.personId} />
                  <button type="submit">{`Remove access for ${member.email}`}</button>
                </form>
              </li>
            ))}
          </ul>
        )}
      {props.invitations.length > 0 && (
        <>
          <h3>Invitations not yet accepted</h3>
          <ul>
            {props.invitations.map((invitation) => (
              <li>
                {`${invitation.email}, the link works until ${formatInstant(invitation.expiresAt, viewer)} `}
                <form method="post" action="/reports/access/cancel" class="inline">
                  <FormToken viewer={viewer} />
                  <input type="hidden" name="invitationId" value={invitation.invitationId} />
                  <button type="submit">{`Withdraw the invitation to ${invitation.email}`}</button>
                </form>
              </li>
            ))}
          </ul>
        </>
      )}
      {(props.members.length > 0 || props.invitations.length > 0) && <UtcTimesNote viewer={viewer} />}
      <InviteForm viewer={viewer} />
    </section>
  );
}

function InviteForm(props: { viewer: Viewer; value?: string; error?: string | undefined }) {
  return (
    <form method="post" action="/reports/access/invite" novalidate>
      <h3>Invite an accountant</h3>
      <FormToken viewer={props.viewer} />
      <label for="invite-email">Their email address</label>
      <input
        type="email" id="invite-email" name="email" required maxlength={320} autocomplete="off" value={props.value ?? ""}
        aria-invalid={props.error ? "true" : undefined} aria-describedby={props.error ? "invite-email-error" : "invite-email-hint"}
      />
      {!props.error && <p id="invite-email-hint">daybook emails them a link that works once, within 7 days.</p>}
      <FieldError id="invite-email-error" message={props.error} />
      <button type="submit">Send invitation</button>
    </form>
  );
}

/** The invite form again, with what was typed and why it was not sent. */
export function InviteProblemPage(props: { viewer: Viewer; value: string; error: string }) {
  return (
    <Layout title="Invite an accountant" viewer={props.viewer}>
      <InviteForm viewer={props.viewer} value={props.value} error={props.error} />
      <p><a href="/reports#access">Back to the reports page</a></p>
    </Layout>
  );
}

/** The invitation link's page: a button, because mail scanners follow links but do not press buttons. */
export function InvitationPage(props: { viewer?: Viewer | undefined; businessName: string; email: string; token: string }) {
  return (
    <Layout title={`Join ${props.businessName} on daybook`} viewer={props.viewer}>
      <p>{`${props.businessName} invited ${props.email} to work on its books in daybook.`}</p>
      <p>Accepting signs you in as {props.email} (and creates your account if you have none). You can leave at any time.</p>
      <form method="post" action="/invitations/accept">
        <input type="hidden" name="token" value={props.token} />
        <button type="submit">Accept the invitation</button>
      </form>
    </Layout>
  );
}

export function InvitationInvalidPage(props: { viewer?: Viewer | undefined }) {
  return (
    <MessagePage title="This invitation no longer works" viewer={props.viewer}>
      <p>An invitation works once, within 7 days of being sent. This one has been used already, has expired or been withdrawn, or was copied incompletely.</p>
      <p>Ask the business that invited you to send a new one from its reports page.</p>
    </MessagePage>
  );
}

/**
 * The "Don't send me invitations" link's page: a button, as for accepting (a GET changes nothing). The
 * address is not named: the link holds only its hash.
 */
export function StopInvitationsPage(props: { viewer?: Viewer | undefined; businessName: string | undefined; token: string; stopped: boolean }) {
  const from = props.businessName ? `${props.businessName} invited this address to work on its books in daybook.` : "A business invited this address to work on its books in daybook.";
  return (
    <MessagePage title="Don't send me invitations" viewer={props.viewer}>
      <p>{from}</p>
      {props.stopped
        ? <p>This address has asked for no invitations already: daybook sends it none, from any business.</p>
        : (
          <form method="post" action={STOP_INVITATIONS_PATH}>
            <p>
              Press the button and daybook sends this address no more invitations, from this business or any other, and the invitations to it still
              open stop working. Nothing else changes: email you asked for yourself (a sign-in link, reports you accepted) still comes.
            </p>
            <input type="hidden" name="token" value={props.token} />
            <button type="submit">Don't send me invitations</button>
          </form>
        )}
    </MessagePage>
  );
}

/** After the stop: done, and the one way back that needs no sign-in. */
export function InvitationsStoppedPage(props: { viewer?: Viewer | undefined; allowToken: string }) {
  return (
    <MessagePage title="No more invitations" viewer={props.viewer}>
      <p>Done: daybook sends this address no invitations, from any business, and the ones still open no longer work. A business that tries is told the address asked for none.</p>
      <form method="post" action={ALLOW_INVITATIONS_PATH}>
        <p>
          {`Changed your mind? Only you can undo it: here, within ${String(ALLOW_LINK_DAYS)} days, or later on your account page once signed in to daybook with this address.`}
        </p>
        <input type="hidden" name="token" value={props.allowToken} />
        <button type="submit">Allow invitations again</button>
      </form>
    </MessagePage>
  );
}

export function InvitationsAllowedPage(props: { viewer?: Viewer | undefined }) {
  return (
    <MessagePage title="Invitations allowed" viewer={props.viewer}>
      <p>daybook may send this address invitations again. Invitations withdrawn before do not come back: ask the business to send a new one.</p>
    </MessagePage>
  );
}
