/**
 * The backfill pages: the form that asks for a range of past days of one location, a one-click
 * "Post <weekday date>" per location (its last day that has ended and settled, by its own day start
 * and settle delay), the merchant's recent backfills, and one backfill's progress and result, split
 * into posted, adjusted, unchanged, posted with its re-check failed, held, no sales and failed (the
 * page reloads itself every two seconds until every day has ended: no script needed).
 */
import { RECHECK_FAILED_WORDS } from "../../report/day-status";
import type { BackfillProgress } from "../../schedule/backfill";
import type { LocationConfig } from "../../model";
import { FieldError, FormToken, Layout, type Viewer } from "./layout";
import { formatDay, formatDayShort, formatInstant } from "./format";
import { UtcTimesNote } from "./time-zone";

export type BackfillFormField = "locationId" | "from" | "to";

/** What the person sent, shown again with the messages when it was not accepted. */
export interface BackfillAttempt {
  values: Record<BackfillFormField, string>;
  errors: Partial<Record<BackfillFormField, string>>;
}

/** A set-up location with the days it can be backfilled now. */
export interface BackfillLocation {
  location: LocationConfig;
  earliest: string;
  latest: string;
  /** Why it cannot be backfilled now (not started, or not posting), as "Not posting: …". */
  notPosting?: string;
}

export function BackfillPage(props: {
  viewer: Viewer;
  locations: BackfillLocation[];
  recent: BackfillProgress[];
  attempt?: BackfillAttempt;
  /** A "Post <day>" that was not accepted: which location, and why. */
  latestProblem?: { locationId: string; message: string };
}) {
  const { viewer, locations } = props;
  const errors = props.attempt?.errors ?? {};
  const values = props.attempt?.values ?? { locationId: locations[0]?.location.locationId ?? "", from: "", to: "" };
  const field = (name: BackfillFormField) => ({
    id: `backfill-${name}`,
    "aria-invalid": errors[name] ? ("true" as const) : undefined,
    "aria-describedby": errors[name] ? `backfill-${name}-error` : undefined,
  });
  const posting = locations.filter((each) => !each.notPosting);
  const nameOf = (locationId: string) => locations.find((each) => each.location.locationId === locationId)?.location.name ?? locationId;
  return (
    <Layout title="Backfill" viewer={viewer}>
      <p>daybook posts each day once it has ended. To post days from before you set a location up, or to post a day again after a failure, backfill them here: each day becomes one journal entry, exactly as the nightly sync makes it, and a day already posted is only adjusted if its figures changed.</p>
      {locations.length === 0 && <p>Set a location up on the <a href="/locations">locations page</a> first: its days can then be backfilled here.</p>}
      {locations.length === 0 && errors.locationId && <p class="error" role="alert">{errors.locationId}</p>}
      {locations.length > 0 && (
        <>
          <section aria-labelledby="latest-heading">
            <h2 id="latest-heading">The latest day</h2>
            {locations.map((each, index) => {
              const problem = props.latestProblem?.locationId === each.location.locationId ? props.latestProblem.message : undefined;
              const describedBy = [`latest-${String(index)}`, problem ? `latest-${String(index)}-error` : ""].filter(Boolean).join(" ");
              return (
                <form method="post" action="/backfill/latest">
                  <FormToken viewer={viewer} />
                  <input type="hidden" name="locationId" value={each.location.locationId} />
                  <p id={`latest-${String(index)}`}>
                    {each.notPosting
                      ? `${each.location.name}: ${each.notPosting}`
                      : `${each.location.name}: ${formatDay(each.latest)}, the latest day that has ended and settled (its day starts at ${each.location.dayStart}, ${each.location.timeZone}).`}
                  </p>
                  {!each.notPosting && <button type="submit" aria-describedby={describedBy}>{`Post ${formatDayShort(each.latest)}`}</button>}
                  <FieldError id={`latest-${String(index)}-error`} message={problem} />
                </form>
              );
            })}
          </section>

          <section aria-labelledby="range-heading">
            <h2 id="range-heading">A range of days</h2>
            <p>{`A backfill reaches back at most 90 days, and up to the latest day that has ended${posting.length > 0 ? ` (${posting.map((each) => `${each.location.name}: ${formatDay(each.latest)}`).join("; ")})` : ""}.`}</p>
            <form method="post" action="/backfill" novalidate>
              <FormToken viewer={viewer} />
              <label for="backfill-locationId">Location</label>
              <select name="locationId" required {...field("locationId")}>
                {locations.map((each) => (
                  <option value={each.location.locationId} selected={each.location.locationId === values.locationId}>{each.location.name}</option>
                ))}
              </select>
              <FieldError id="backfill-locationId-error" message={errors.locationId} />

              <label for="backfill-from">First day</label>
              <input type="date" name="from" required value={values.from} {...field("from")} />
              <FieldError id="backfill-from-error" message={errors.from} />

              <label for="backfill-to">Last day</label>
              <input type="date" name="to" required value={values.to} {...field("to")} />
              <FieldError id="backfill-to-error" message={errors.to} />

              <button type="submit">Start backfill</button>
            </form>
          </section>
        </>
      )}

      {props.recent.length > 0 && (
        <section aria-labelledby="recent-heading">
          <h2 id="recent-heading">Recent backfills</h2>
          <table>
            <thead><tr><th scope="col">Location</th><th scope="col">Days</th><th scope="col">Progress</th><th scope="col">Asked for</th></tr></thead>
            <tbody>
              {props.recent.map((backfill) => (
                <tr>
                  <td>{nameOf(backfill.locationId)}</td>
                  <td><a href={`/backfill/${encodeURIComponent(backfill.backfillId)}`}>{backfill.from === backfill.to ? formatDay(backfill.from) : `${formatDay(backfill.from)} to ${formatDay(backfill.to)}`}</a></td>
                  <td>{`${progressInWords(backfill)}${backfill.complete ? ", finished" : ""}`}</td>
                  <td>{formatInstant(backfill.createdAt, viewer)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <UtcTimesNote viewer={viewer} />
        </section>
      )}
    </Layout>
  );
}

export function progressInWords(backfill: Pick<BackfillProgress, "done" | "failed" | "total">): string {
  // "days" even for one: the pages' contract reads "<ended> of <total> days".
  return `${String(backfill.done + backfill.failed)} of ${String(backfill.total)} days`;
}

/** Seconds between reloads of an unfinished backfill's page. */
export const PROGRESS_REFRESH_SECONDS = 2;

/** How the days ended, in words; days counted before the outcomes were told apart are "done". */
export function backfillResult(backfill: Pick<BackfillProgress, "done" | "failed" | "posted" | "adjusted" | "unchanged" | "held" | "noSales" | "recheckFailed">): [string, number][] {
  const told = backfill.posted + backfill.adjusted + backfill.unchanged + backfill.held + backfill.noSales + backfill.recheckFailed;
  return [
    ["Posted", backfill.posted],
    ["Adjusted (posted before; the POS figures changed since)", backfill.adjusted],
    ["Already posted, unchanged", backfill.unchanged],
    [RECHECK_FAILED_WORDS, backfill.recheckFailed],
    ["Held for review", backfill.held],
    ["No sales", backfill.noSales],
    ...(backfill.done > told ? [["Done", backfill.done - told] as [string, number]] : []),
    ["Failed", backfill.failed],
  ];
}

export function BackfillProgressPage(props: { viewer: Viewer; backfill: BackfillProgress; locationName: string }) {
  const { backfill } = props;
  const ended = backfill.done + backfill.failed;
  return (
    <Layout title={backfill.complete ? "Backfill finished" : "Backfill running"} viewer={props.viewer} refreshSeconds={backfill.complete ? undefined : PROGRESS_REFRESH_SECONDS}>
      <p>{`${props.locationName}, ${backfill.from === backfill.to ? formatDay(backfill.from) : `${formatDay(backfill.from)} to ${formatDay(backfill.to)}`}.`}</p>
      <p role="status">{progressInWords(backfill)}</p>
      <progress id="backfill-progress" max={backfill.total} value={ended} aria-label="Days ended">{progressInWords(backfill)}</progress>
      <table>
        <caption>How the days ended</caption>
        <tbody>
          {backfillResult(backfill).map(([what, count]) => <tr><th scope="row">{what}</th><td>{String(count)}</td></tr>)}
        </tbody>
      </table>
      {backfill.complete
        ? (
          <>
            {backfill.held > 0 && <p>{`${backfill.held === 1 ? "One day is" : `${String(backfill.held)} days are`} held for review: each day's report says why, and how to approve it.`}</p>}
            {backfill.recheckFailed > 0 && <p>{`${backfill.recheckFailed === 1 ? "One day was" : `${String(backfill.recheckFailed)} days were`} posted before, and the check for later changes failed: ${backfill.recheckFailed === 1 ? "its" : "their"} entries stand in QuickBooks, only a change since is not posted; the report of each says why, and what to do.`}</p>}
            {backfill.failed > 0 && <p>{`${backfill.failed === 1 ? "One day" : `${String(backfill.failed)} days`} could not be posted; the report of each says why, and what to do.`}</p>}
            <p><a href={`/history?location=${encodeURIComponent(backfill.locationId)}`}>{`See ${props.locationName}'s days in the history`}</a></p>
          </>
        )
        : <p>This page updates itself every few seconds until every day has ended. You may leave it: the backfill goes on, and one summary of all its days is emailed to the owner and the daily report recipients once the last day has ended (not a report for each day).</p>}
      <p><a href="/backfill">Back to backfill</a></p>
    </Layout>
  );
}

export function BackfillUnavailablePage(props: { viewer: Viewer }) {
  return (
    <Layout title="Backfill is not available here" viewer={props.viewer}>
      <p>This installation of daybook has no sync queue, so it cannot backfill days. Days are still posted as they end where the nightly sync runs.</p>
    </Layout>
  );
}
