/** The pages behind the approve and unsubscribe links in report emails. */
import type { EntryLine } from "../../domain/journal-entry";
import { formatDecimal } from "../../domain/money";
import { MessagePage, type Viewer } from "./layout";

export interface HeldDay {
  locationName: string;
  businessDay: string;
  /** The held entry as the report showed it, when it was kept. */
  entry?: { currency: string; lines: EntryLine[]; total: number } | undefined;
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
      {day.entry && <EntryTable entry={day.entry} />}
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

function EntryTable(props: { entry: NonNullable<HeldDay["entry"]> }) {
  const { currency, lines, total } = props.entry;
  return (
    <table>
      <thead><tr><th scope="col">Line</th><th scope="col">Debit</th><th scope="col">Credit</th></tr></thead>
      <tbody>
        {lines.map((line) => (
          <tr>
            <td>{line.description}</td>
            <td>{line.postingType === "Debit" ? formatDecimal(line.amount, currency) : ""}</td>
            <td>{line.postingType === "Credit" ? formatDecimal(line.amount, currency) : ""}</td>
          </tr>
        ))}
      </tbody>
      <tfoot><tr><th scope="row">Total</th><td>{formatDecimal(total, currency)}</td><td>{formatDecimal(total, currency)}</td></tr></tfoot>
    </table>
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

