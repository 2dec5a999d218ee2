/**
 * A location-day's sync reports, as the accountant got them by email: the same blocks
 * (lib/report/sync-report.ts reportDocument), laid out as page elements. Newest first.
 */
import type { AccountLabel } from "../../model";
import type { StoredReport } from "../../report/report-store";
import { type Block, reportDocument } from "../../report/sync-report";
import { EntryLines } from "./entry-lines";
import { FormToken, MessagePage, type Viewer } from "./layout";

export interface DayReportsProps {
  viewer: Viewer;
  locationName: string;
  locationId: string;
  businessDay: string;
  reports: StoredReport[];
  /** The day is held for review and can be approved from here. */
  approvable: boolean;
  /** The location's account names, for reports kept before each line carried its own. */
  accountLabels: Readonly<Record<string, AccountLabel>> | undefined;
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
            {reportDocument({ ...report.content, unsubscribeUrl: "" }).slice(1, -1).map((block) => (
              <ReportBlock block={block} locationId={props.locationId} labels={props.accountLabels} />
            ))}
          </section>
        ))}
    </MessagePage>
  );
}

function ReportBlock(props: { block: Block; locationId: string; labels: Readonly<Record<string, AccountLabel>> | undefined }) {
  const { block } = props;
  switch (block.kind) {
    case "heading":
      return <h2>{block.text}</h2>;
    case "paragraph":
      return <p>{block.text}{block.link && <><br /><a href={block.link.url}>{block.link.text}</a></>}</p>;
    case "facts":
      return <table><tbody>{block.rows.map(([name, value]) => <tr><th scope="row">{name}</th><td>{value}</td></tr>)}</tbody></table>;
    case "lines":
      return <EntryLines currency={block.currency} lines={block.lines} total={block.total} locationId={props.locationId} labels={props.labels} />;
    case "list":
      return <><h2>{block.title}</h2><ul>{block.items.map((item) => <li>{item}</li>)}</ul></>;
  }
}

