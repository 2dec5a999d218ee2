/** The pages behind the links in daybook's emails: approve a held day, confirm a recipient, unsubscribe (or get less email) and undo it. */
import type { AccountLabel } from "../../model";
import { formatDay } from "../../report/format";
import { DIGEST_FREQUENCIES, type DigestFrequency } from "../../report/recipients";
import { linesTable, type ReportEntry } from "../../report/sync-report";
import { MessagePage, type Viewer } from "./layout";
import { mappingPath } from "./mapping";
import { ReportBlocks } from "./report-blocks";

export interface HeldDay {
  locationName: string;
  locationId: string;
  /** The location's account names, for a report kept before each line carried its own. */
  accountLabels: Readonly<Record<string, AccountLabel>> | undefined;
  businessDay: string;
  /** The held entry as its report showed it, when it was kept. */
  entry?: ReportEntry | undefined;
  heldReason?: string | undefined;
  /** The day was posted already: nothing is left to approve. */
  posted: boolean;
}

export function ApproveConfirmPage(props: { viewer?: Viewer | undefined; day: HeldDay; token: string }) {
  const { day } = props;
  return (
    <MessagePage title="Approve this day" viewer={props.viewer}>
      <p>{day.locationName}, business day {formatDay(day.businessDay)}.</p>
      {day.heldReason && <p>Held because: {day.heldReason}</p>}
      {day.entry && <ReportBlocks blocks={[linesTable(day.entry, day.accountLabels, "Journal entry lines", mappingPath(day.locationId))]} />}
      {day.posted
        ? <p>This day has been posted to QuickBooks already; there is nothing left to approve.</p>
        : (
          <form method="post" action="/approve">
            <input type="hidden" name="token" value={props.token} />
            <button type="submit">Approve and post to QuickBooks</button>
          </form>
        )}
    </MessagePage>
  );
}

export function ApprovedPage(props: { viewer?: Viewer | undefined; businessDay: string }) {
  return (
    <MessagePage title="Approved" viewer={props.viewer}>
      <p>Approved: it will be posted within minutes. Business day {formatDay(props.businessDay)}.</p>
    </MessagePage>
  );
}

const FREQUENCY_WORDS: Record<DigestFrequency, string> = {
  daily: "Every morning: the day before, every location",
  weekly: "Mondays only: the week before, every location",
  exceptions: "Only on mornings when something needs attention",
};

export interface UnsubscribePageProps {
  viewer?: Viewer | undefined;
  token: string;
  business: string;
  /** How often the address gets the digest now; undefined when it is not on the list (then only unsubscribing is offered). */
  frequency: DigestFrequency | undefined;
  /** The address unsubscribed already. */
  unsubscribed: boolean;
  notice?: string;
  /** An accountant's link for all their clients: each business is told. */
  several?: boolean;
}

/** Where the recipient's own link lands: get the digest less often, or stop it. */
export function UnsubscribeConfirmPage(props: UnsubscribePageProps) {
  const action = (path: string) => `${path}?token=${encodeURIComponent(props.token)}`;
  return (
    <MessagePage title={`daybook's email about ${props.business}`} viewer={props.viewer}>
      {props.notice && <p role="status">{props.notice}</p>}
      {props.unsubscribed
        ? <p>This address gets no email from daybook about {props.business}.</p>
        : (
          <>
            {props.frequency && (
              <form method="post" action={action("/unsubscribe/frequency")}>
                <fieldset>
                  <legend>How often do you want the digest?</legend>
                  {DIGEST_FREQUENCIES.map((frequency) => (
                    <label for={`frequency-${frequency}`} class="choice">
                      <input type="radio" id={`frequency-${frequency}`} name="frequency" value={frequency} checked={props.frequency === frequency} />{" "}
                      {FREQUENCY_WORDS[frequency]}
                    </label>
                  ))}
                </fieldset>
                <button type="submit">Save how often</button>
              </form>
            )}
            <h2>Stop it altogether</h2>
            <p>This address will get no more email from daybook about {props.business}. {props.several ? "Each business is told" : "The business is told"}, and only you can undo it.</p>
            <form method="post" action={action("/unsubscribe")}>
              <input type="hidden" name="List-Unsubscribe" value="One-Click" />
              <button type="submit">Unsubscribe</button>
            </form>
          </>
        )}
    </MessagePage>
  );
}

/** After unsubscribing: said plainly, with the one way back (a short-lived signed link only this page has). */
export function UnsubscribedPage(props: { viewer?: Viewer | undefined; business: string; resubscribeToken: string | undefined; several?: boolean }) {
  return (
    <MessagePage title="Unsubscribed" viewer={props.viewer}>
      <p>Unsubscribed: this address will get no more email from daybook about {props.business}. {props.several ? "Each business sees that on its reports page" : "The business sees that on its reports page"}; adding the address again does not undo it.</p>
      {props.resubscribeToken && (
        <form method="post" action={`/unsubscribe/undo?token=${encodeURIComponent(props.resubscribeToken)}`}>
          <p>Changed your mind? Only you can undo it, here, within a week.</p>
          <button type="submit">Subscribe again</button>
        </form>
      )}
    </MessagePage>
  );
}

export function ResubscribedPage(props: { viewer?: Viewer | undefined; business: string }) {
  return (
    <MessagePage title="Subscribed again" viewer={props.viewer}>
      <p>This address gets daybook's digest for {props.business} again, from the next morning.</p>
    </MessagePage>
  );
}

/** Where a new recipient's confirmation link lands: the business named, and a button (a link alone confirms nothing: mail scanners open links). */
export function ConfirmRecipientPage(props: { viewer?: Viewer | undefined; business: string; address: string; token: string; confirmed: boolean }) {
  return (
    <MessagePage title={`Reports for ${props.business}`} viewer={props.viewer}>
      {props.confirmed
        ? <p>{props.address} receives daybook's digest for {props.business} already.</p>
        : (
          <form method="post" action="/recipients/confirm">
            <p>Confirm that {props.address} should receive daybook's daily digest for {props.business}: each morning, what was posted to QuickBooks for each location, and anything that needs attention.</p>
            <input type="hidden" name="token" value={props.token} />
            <button type="submit">Confirm</button>
          </form>
        )}
    </MessagePage>
  );
}

export function RecipientConfirmedPage(props: { viewer?: Viewer | undefined; business: string; address: string }) {
  return (
    <MessagePage title="Confirmed" viewer={props.viewer}>
      <p>Confirmed: {props.address} gets daybook's digest for {props.business} from the next morning. Each email has a link to get it less often or to stop it.</p>
    </MessagePage>
  );
}

export function LinkProblemPage(props: { viewer?: Viewer | undefined; sentence: string }) {
  return (
    <MessagePage title="This link did not work" viewer={props.viewer}>
      <p>{props.sentence}</p>
      <p><a href="/">Go to the start page</a></p>
    </MessagePage>
  );
}

