/** The pages behind the approve and unsubscribe links in report emails. */
import type { AccountLabel } from "../../model";
import type { ReportLine } from "../../report/sync-report";
import { EntryLines } from "./entry-lines";
import { MessagePage, type Viewer } from "./layout";

export interface HeldDay {
  locationName: string;
  locationId: string;
  /** The location's account names, for a report kept before each line carried its own. */
  accountLabels: Readonly<Record<string, AccountLabel>> | undefined;
  businessDay: string;
  /** The held entry as the report showed it, when it was kept. */
  entry?: { currency: string; lines: ReportLine[]; total: number } | undefined;
  heldReason?: string | undefined;
  /** The day was posted already: nothing is left to approve. */
  posted: boolean;
}

export function ApproveConfirmPage(props: { viewer?: Viewer | undefined; day: HeldDay; token: string }) {
  const { day } = props;
  return (
    <MessagePage title="Approve this day" viewer={props.viewer}>
      <p>{day.locationName}, business day {day.businessDay}.</p>
      {day.heldReason && <p>Held because: {day.heldReason}</p>}
      {day.entry && <EntryLines {...day.entry} locationId={day.locationId} labels={day.accountLabels} />}
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
      <p>Approved: it will be posted within minutes. Business day {props.businessDay}.</p>
    </MessagePage>
  );
}

export function UnsubscribeConfirmPage(props: { viewer?: Viewer | undefined; token: string }) {
  return (
    <MessagePage title="Stop these reports" viewer={props.viewer}>
      <p>This address will no longer receive daybook's sync reports for this business.</p>
      <form method="post" action={`/unsubscribe?token=${encodeURIComponent(props.token)}`}>
        <input type="hidden" name="List-Unsubscribe" value="One-Click" />
        <button type="submit">Unsubscribe</button>
      </form>
    </MessagePage>
  );
}

export function UnsubscribedPage(props: { viewer?: Viewer | undefined }) {
  return (
    <MessagePage title="Unsubscribed" viewer={props.viewer}>
      <p>Unsubscribed: this address will get no more sync reports. The merchant can add it again on the web.</p>
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

