/**
 * A location-day's reports, as the emails tell them: the same blocks (lib/report/sync-report.ts
 * dayReportDocument), laid out as page elements. Newest first, each stamped in the location's time zone.
 */
import type { AccountLabel } from "../../model";
import { formatInstantIn } from "../../report/format";
import type { StoredReport } from "../../report/report-store";
import type { Block } from "../../report/email-document";
import { dayReportDocument, dayTitle } from "../../report/sync-report";
import { FormToken, MessagePage, type Viewer } from "./layout";
import { mappingPath } from "./mapping";
import { ReportBlocks } from "./report-blocks";

export interface DayReportsProps {
  viewer: Viewer;
  locationName: string;
  locationId: string;
  timeZone: string;
  businessDay: string;
  reports: StoredReport[];
  /** The day is held for review and can be approved from here. */
  approvable: boolean;
  /** The location's account names, for reports kept before each line carried its own. */
  accountLabels: Readonly<Record<string, AccountLabel>> | undefined;
}

/** The blocks without their links to `url`: the report's "Review and approve" leads to this very page. */
function withoutLinksTo(blocks: Block[], url: string): Block[] {
  return blocks.map((block) => (block.kind === "paragraph" && block.links ? { ...block, links: block.links.filter((link) => link.url !== url) } : block));
}

export function DayReportsPage(props: DayReportsProps) {
  const approve = props.approvable && (
    <form method="post" action={`/days/${encodeURIComponent(props.locationId)}/${props.businessDay}/approve`}>
      <FormToken viewer={props.viewer} />
      <button type="submit">Approve and post to QuickBooks</button>
    </form>
  );
  return (
    <MessagePage title={dayTitle(props)} viewer={props.viewer}>
      {props.reports.length === 0
        ? <><p>No report for this day yet: daybook syncs each day once it has ended and settled.</p>{approve}</>
        : props.reports.map((report, index) => {
          const stamp = formatInstantIn(report.createdAt, props.timeZone);
          const updated = report.updatedAt ? `, updated ${formatInstantIn(report.updatedAt, props.timeZone)}` : "";
          // A report kept before it carried the accounts' names or the mapping's link takes the location's.
          const content = {
            ...report.content,
            accountLabels: report.content.accountLabels ?? props.accountLabels,
            mappingUrl: report.content.mappingUrl ?? mappingPath(props.locationId),
          };
          return (
            <section aria-label={`Report of ${stamp}`}>
              <p class="stamp">Report of {stamp}{updated}</p>
              {/* Without the links back to this page. */}
              <ReportBlocks blocks={withoutLinksTo(dayReportDocument(content).blocks.slice(0, -1), content.reportUrl)} />
              {/* Under the newest report's lines, which its text asks to check first. */}
              {index === 0 && approve}
            </section>
          );
        })}
    </MessagePage>
  );
}
