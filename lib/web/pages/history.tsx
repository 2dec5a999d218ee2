/**
 * The history page: the merchant's synced days, newest first, with each day's status in words and its
 * net sales and fees, under a chart per location (./history-chart.tsx).
 */
import type { SyncRecord } from "../../model";
import type { Block } from "../../report/email-document";
import { RECHECK_FAILED_WORDS, recheckFailed } from "../../report/day-status";
import { formatDay } from "../../report/format";
import { type ChartModel, HistoryChart } from "./history-chart";
import { Layout, type Viewer } from "./layout";
import { ReportBlocks } from "./report-blocks";

export interface HistoryRow {
  locationId: string;
  locationName: string;
  businessDay: string;
  status: string;
  /** Held for review, or failed: someone has to act on it. */
  needsAttention: boolean;
  /** Formatted amounts with their currency, or undefined when daybook has no figures for the day. */
  netSales: string | undefined;
  fees: string | undefined;
}

/** An adjusting entry posted lately, to a day of any date. */
export interface AdjustmentRow {
  locationId: string;
  locationName: string;
  businessDay: string;
  docNumber: string;
  /** The entry's date in QuickBooks: the business day, or the day it was posted on when the books were closed for it. */
  txnDate: string;
  /** ISO 8601, for ordering; `posted` is how a person reads it. */
  postedAt: string;
  posted: string;
  /** The change in the day's net sales, signed, with its currency: "+12.50 USD". */
  netSalesChange: string;
}

export interface HistoryFilterOption {
  locationId: string;
  name: string;
}

export interface HistoryPageProps {
  viewer: Viewer;
  /** The merchant's locations, for the filter. */
  options: HistoryFilterOption[];
  /** The location shown, when filtered. */
  selected: HistoryFilterOption | undefined;
  rows: HistoryRow[];
  /** Adjusting entries posted in the last `recentDays` days, newest first. */
  adjustments: AdjustmentRow[];
  recentDays: number;
  charts: ChartModel[];
  /** How many distinct days the page shows, at most MAX_DAYS. */
  shownDays: number;
  /** Older synced days not shown. */
  olderDays: number;
  maxDays: number;
  /** The deposits of the last days (first to last, YYYY-MM-DD), as the digest lays them out, without its heading. */
  deposits?: { first: string; last: string; blocks: Block[] };
}

const dayPath = (row: Pick<HistoryRow, "locationId" | "businessDay">) => `/days/${encodeURIComponent(row.locationId)}/${row.businessDay}`;

/** A day's state as a merchant reads it. */
export function statusInWords(record: Pick<SyncRecord, "state" | "posted" | "lastError" | "heldReason">): string {
  switch (record.state) {
    case "posted": {
      // By DocNumber, as the digest and the reports name entries: what the accountant finds in QuickBooks.
      const [first, ...adjustments] = record.posted.map((entry) => entry.docNumber);
      if (first === undefined) return "posted";
      if (adjustments.length === 0) return `posted: ${first}`;
      return `posted: ${first} + ${String(adjustments.length)} ${adjustments.length === 1 ? "adjustment" : "adjustments"} (${adjustments.join(", ")})`;
    }
    case "no-sales":
      return "no sales";
    case "held":
      // "Held for review", as every email and the day page say it.
      return record.heldReason ? `held for review: ${record.heldReason}` : "held for review";
    case "failed":
      if (recheckFailed(record.state, record.posted.length > 0)) {
        const words = RECHECK_FAILED_WORDS.toLowerCase();
        return record.lastError ? `${words}: ${record.lastError.message}` : words;
      }
      return record.lastError ? `failed: ${record.lastError.message}` : "failed";
    case "posting":
      return record.lastError ? `posting (trying again after: ${record.lastError.message})` : "posting";
  }
}

export function HistoryPage(props: HistoryPageProps) {
  const { selected } = props;
  const empty = props.rows.length === 0;
  return (
    <Layout title={selected ? `History: ${selected.name}` : "History"} viewer={props.viewer}>
      {props.options.length > 1 && (
        <form method="get" action="/history">
          <label for="history-location">Location</label>
          <select id="history-location" name="location">
            <option value="" selected={!selected}>All locations</option>
            {props.options.map((option) => <option value={option.locationId} selected={option.locationId === selected?.locationId}>{option.name}</option>)}
          </select>
          <button type="submit">Show</button>
        </form>
      )}
      {selected && <p><a href="/history">Show all locations</a></p>}

      {empty ? (
        <p>
          {selected ? `daybook has not synced any day of ${selected.name} yet.` : "daybook has not synced any day yet."}{" "}
          Set up a location on the <a href="/locations">locations page</a>: daybook posts each day after it ends. To post earlier days, start a <a href="/backfill">backfill</a>.
        </p>
      ) : (
        <>
          <p>
            {props.shownDays === 1 ? "The last day daybook synced." : `The last ${String(props.shownDays)} days daybook synced, newest first.`}
            {props.olderDays > 0 && ` daybook shows at most ${String(props.maxDays)} days here: ${String(props.olderDays)} older ${props.olderDays === 1 ? "day is" : "days are"} not shown.`}
            {" "}Net sales are sales minus returns and discounts, before tax and tips.
            {props.deposits && <>{" "}<a href="#deposits">Deposits</a> are below the days.</>}
          </p>
          <Attention rows={props.rows.filter((row) => row.needsAttention)} />
          <Adjustments rows={props.adjustments} days={props.recentDays} />
          {props.charts.map((chart) => <HistoryChart chart={chart} />)}
          <table class="stack">
            <caption class="visually-hidden">Synced days</caption>
            <thead>
              <tr><th scope="col">Location</th><th scope="col">Business day</th><th scope="col">Status</th><th scope="col" class="num">Net sales</th><th scope="col" class="num">Fees</th></tr>
            </thead>
            <tbody>
              {props.rows.map((row) => (
                <tr>
                  <td data-label="Location">{row.locationName}</td>
                  <td data-label="Business day"><a href={dayPath(row)}>{formatDay(row.businessDay)}</a></td>
                  <td data-label="Status">{row.status}</td>
                  <td data-label="Net sales" class="num">{row.netSales ?? "no figures"}</td>
                  <td data-label="Fees" class="num">{row.fees ?? "no figures"}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {props.deposits && <Deposits {...props.deposits} />}
        </>
      )}
    </Layout>
  );
}

/** What the bank feed should show: the payouts that arrived, and Clover's expected card deposits, day by day. */
function Deposits(props: { first: string; last: string; blocks: Block[] }) {
  return (
    <section aria-labelledby="deposits">
      <h2 id="deposits">Deposits</h2>
      <p>{`What the bank feed should show from ${formatDay(props.first)} to ${formatDay(props.last)}: each Square payout with the business days it pays out, and each Clover day's expected card deposit.`}</p>
      <ReportBlocks blocks={props.blocks} />
    </section>
  );
}

/** The days someone has to act on, oldest first, each linked to its page (approve a held day there), above the long table. */
function Attention(props: { rows: HistoryRow[] }) {
  if (props.rows.length === 0) return null;
  return (
    <section aria-labelledby="history-attention">
      <h2 id="history-attention">{`Needs attention (${String(props.rows.length)})`}</h2>
      <ul>
        {props.rows.toReversed().map((row) => (
          <li><a href={dayPath(row)}>{`${row.locationName}, ${formatDay(row.businessDay)}`}</a>{`: ${row.status}`}</li>
        ))}
      </ul>
    </section>
  );
}

/** Late changes daybook posted lately, each with the day it changes, what changed and where it is in QuickBooks. */
function Adjustments(props: { rows: AdjustmentRow[]; days: number }) {
  if (props.rows.length === 0) return null;
  return (
    <section aria-labelledby="history-adjustments">
      <h2 id="history-adjustments">{`Adjustments posted in the last ${String(props.days)} days`}</h2>
      <p>{"The POS changed these days after daybook posted them (late orders, refunds or edits): each adjusting entry carries only the difference, and the day's page shows what changed, line by line."}</p>
      <table class="stack">
        <caption class="visually-hidden">Adjustments posted lately</caption>
        <thead>
          <tr><th scope="col">Posted</th><th scope="col">Location</th><th scope="col">Business day</th><th scope="col">Entry</th><th scope="col" class="num">Net sales change</th></tr>
        </thead>
        <tbody>
          {props.rows.map((row) => (
            <tr>
              <td data-label="Posted">{row.posted}</td>
              <td data-label="Location">{row.locationName}</td>
              <td data-label="Business day"><a href={dayPath(row)}>{formatDay(row.businessDay)}</a></td>
              <td data-label="Entry">{row.txnDate === row.businessDay ? row.docNumber : `${row.docNumber}, dated ${formatDay(row.txnDate)} (the books were closed for the day)`}</td>
              <td data-label="Net sales change" class="num">{row.netSalesChange}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
