/**
 * A location-day's sync reports, as the accountant got them by email: the same blocks
 * (lib/report/sync-report.ts reportDocument), laid out as page elements. Newest first.
 */
import { formatDecimal } from "../../domain/money";
import type { StoredReport } from "../../report/report-store";
import { type Block, reportDocument } from "../../report/sync-report";
import { FormToken, MessagePage, type Viewer } from "./layout";

export interface DayReportsProps {
  viewer: Viewer;
  locationName: string;
  locationId: string;
  businessDay: string;
  reports: StoredReport[];
  /** The day is held for review and can be approved from here. */
  approvable: boolean;
}

export function DayReportsPage(props: DayReportsProps) {
  return (
    <MessagePage title={`${props.locationName}: ${props.businessDay}`} viewer={props.viewer}>
      {props.approvable && (
        <form method="post" action={`/days/${encodeURIComponent(props.locationId)}/${props.businessDay}/approve`}>
          <FormToken viewer={props.viewer} />
          <button type="submit">Approve and post to QuickBooks</button>
        </form>
      )}
      {props.reports.length === 0
        ? <p>No report for this day yet: daybook syncs each day once it has ended and settled.</p>
        : props.reports.map((report) => (
          <section aria-label={`Report of ${report.createdAt}`}>
            <p>Report of {report.createdAt.replace("T", " ").slice(0, 16)} UTC</p>
            {/* Without the heading (the page has it) and the link back to this page. */}
            {reportDocument({ ...report.content, unsubscribeUrl: "" }).slice(1, -1).map((block) => <ReportBlock block={block} />)}
          </section>
        ))}
    </MessagePage>
  );
}

function ReportBlock(props: { block: Block }) {
  const { block } = props;
  switch (block.kind) {
    case "heading":
      return <h2>{block.text}</h2>;
    case "paragraph":
      return <p>{block.text}{block.link && <><br /><a href={block.link.url}>{block.link.text}</a></>}</p>;
    case "facts":
      return <table><tbody>{block.rows.map(([name, value]) => <tr><th scope="row">{name}</th><td>{value}</td></tr>)}</tbody></table>;
    case "lines":
      return (
        <table>
          <caption>Journal entry lines ({block.currency})</caption>
          <thead><tr><th scope="col">Account</th><th scope="col">Description</th><th scope="col">Debit</th><th scope="col">Credit</th></tr></thead>
          <tbody>
            {block.lines.map((line) => (
              <tr>
                <td>{line.accountId}</td>
                <td>{line.description}</td>
                <td>{line.postingType === "Debit" ? formatDecimal(line.amount, block.currency) : ""}</td>
                <td>{line.postingType === "Credit" ? formatDecimal(line.amount, block.currency) : ""}</td>
              </tr>
            ))}
          </tbody>
          <tfoot><tr><th scope="row" colspan={2}>Total</th><td>{formatDecimal(block.total, block.currency)}</td><td>{formatDecimal(block.total, block.currency)}</td></tr></tfoot>
        </table>
      );
    case "list":
      return <><h2>{block.title}</h2><ul>{block.items.map((item) => <li>{item}</li>)}</ul></>;
  }
}
