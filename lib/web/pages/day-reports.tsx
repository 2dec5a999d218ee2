/**
 * A location-day's reports, as the emails tell them: the same blocks (lib/report/sync-report.ts
 * dayReportDocument), laid out as page elements. Newest first, each stamped in the location's time zone.
 */
import { formatInstantIn } from "../../report/format";
import type { StoredReport } from "../../report/report-store";
import { dayReportDocument, dayTitle } from "../../report/sync-report";
import { FormToken, MessagePage, type Viewer } from "./layout";
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
}

export function DayReportsPage(props: DayReportsProps) {
  return (
    <MessagePage title={dayTitle(props)} viewer={props.viewer}>
      {props.approvable && (
        <form method="post" action={`/days/${encodeURIComponent(props.locationId)}/${props.businessDay}/approve`}>
          <FormToken viewer={props.viewer} />
          <button type="submit">Approve and post to QuickBooks</button>
        </form>
      )}
      {props.reports.length === 0
        ? <p>No report for this day yet: daybook syncs each day once it has ended and settled.</p>
        : props.reports.map((report) => {
          const stamp = formatInstantIn(report.createdAt, props.timeZone);
          const updated = report.updatedAt ? `, updated ${formatInstantIn(report.updatedAt, props.timeZone)}` : "";
          return (
            <section aria-label={`Report of ${stamp}`}>
              <p class="stamp">Report of {stamp}{updated}</p>
              {/* Without the link back to this page. */}
              <ReportBlocks blocks={dayReportDocument(report.content).blocks.slice(0, -1)} />
            </section>
          );
        })}
    </MessagePage>
  );
}
