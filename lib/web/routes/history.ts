/**
 * GET /history: the signed-in merchant's synced days, newest first (at most the last MAX_DAYS days that
 * have a record), optionally for one of its locations (?location=<locationId>; another merchant's or an
 * unknown location is not found), and the deposits of the last DEPOSIT_DAYS days as the digest tells
 * them (lib/report/digest-deposits.ts): Square's payouts, Clover's expected card deposits. Read-only.
 */
import type { Hono } from "hono";
import { addDays, businessDayOf } from "../../domain/business-day";
import { dayFigures, feesReportedBy, figuresOfSummary } from "../../report/day-figures";
import { buildDeposits, depositBlocks, type DepositsSection } from "../../report/digest-deposits";
import { formatInstantIn, formatMoney } from "../../report/format";
import { type LocationConfig, PROVIDER_NAMES, type SyncRecord } from "../../model";
import * as z from "zod/mini";
import { posLocationIdField } from "../../ids";
import type { AppEnv, WebDeps } from "../deps";
import { type ChartDay, historyChart } from "../pages/history-chart";
import { type AdjustmentRow, HistoryPage, type HistoryRow, statusInWords } from "../pages/history";
import { MessagePage } from "../pages/layout";
import { NotFoundPage } from "../pages/messages";
import { requireSignedIn, signedIn } from "../session";

export const MAX_HISTORY_DAYS = 90;
/** The deposits shown: payouts that arrived (and Clover days) in the last two weeks, today included; the adjustments posted in them. */
export const DEPOSIT_DAYS = 14;
const RECENT_DAYS = DEPOSIT_DAYS;

/** A location id as the POS gives it; empty means every location. */
const locationFilter = z.optional(z.union([z.literal(""), posLocationIdField()]));

export function addHistoryRoutes(app: Hono<AppEnv>, deps: WebDeps): void {
  app.get("/history", requireSignedIn(), async (c) => {
    const { merchant, viewer } = signedIn(c);
    const filter = locationFilter.safeParse(c.req.query("location"));
    if (!filter.success) {
      return c.html(MessagePage({
        title: "Not a location", viewer,
        children: "This address does not name a location. Choose one from the list on the history page.",
      }), 400);
    }
    const [locations, records] = await Promise.all([deps.store.listLocations(merchant.merchantId), deps.store.listSyncRecords(merchant.merchantId)]);
    const wanted = filter.data === undefined || filter.data === "" ? undefined : filter.data;
    const selected = wanted === undefined ? undefined : locations.find((location) => location.locationId === wanted);
    // Only this merchant's locations: another merchant's id, or one that does not exist, is simply not found.
    if (wanted !== undefined && !selected) return c.html(NotFoundPage({ viewer }), 404);

    const byId = new Map(locations.map((location) => [location.locationId, location]));
    const mine = records.filter((record) => record.merchantId === merchant.merchantId && (!selected || record.locationId === selected.locationId));
    const days = [...new Set(mine.map((record) => record.businessDay))].sort().reverse();
    const kept = new Set(days.slice(0, MAX_HISTORY_DAYS));
    const shown = mine.filter((record) => kept.has(record.businessDay));

    const rows = shown.map((record) => rowOf(record, byId.get(record.locationId)));
    const charts = chartLocations(shown, byId).filter(({ chartDays }) => chartDays.length > 0).map(({ location, chartDays }) => historyChart({
      locationName: location.name, currency: location.currency, days: chartDays, ...(feesReportedBy(location.source) ? {} : { noFees: feesWords(location.source) }),
    }));
    const options = [...locations].sort((a, b) => a.name.localeCompare(b.name) || a.locationId.localeCompare(b.locationId))
      .map((location) => ({ locationId: location.locationId, name: location.name }));
    const shownLocations = [...locations].filter((location) => !selected || location.locationId === selected.locationId)
      .sort((a, b) => a.name.localeCompare(b.name) || a.locationId.localeCompare(b.locationId));
    const deposits = rows.length === 0 ? undefined : await depositsOf(deps, merchant.merchantId, shownLocations, mine);
    return c.html(HistoryPage({
      viewer, options, selected: selected && { locationId: selected.locationId, name: selected.name }, rows, charts,
      adjustments: recentAdjustments(mine, byId, deps.now()), recentDays: RECENT_DAYS,
      shownDays: kept.size, olderDays: days.length - kept.size, maxDays: MAX_HISTORY_DAYS,
      ...(deposits ? { deposits: { first: deposits.first, last: deposits.last, blocks: depositBlocks(deposits).slice(1) } } : {}),
    }));
  });
}

function rowOf(record: SyncRecord, location: LocationConfig | undefined): HistoryRow {
  const figures = dayFigures(record);
  const source = location?.source;
  return {
    locationId: record.locationId,
    locationName: location?.name ?? `Location ${record.locationId} (no longer set up)`,
    businessDay: record.businessDay,
    status: statusInWords(record),
    needsAttention: record.state === "held" || record.state === "failed",
    netSales: figures && formatMoney(figures.netSales, figures.currency),
    // Clover reports no fees: "0.00" would say there were none.
    fees: figures && (source === undefined || feesReportedBy(source) ? formatMoney(figures.fees, figures.currency) : feesWords(source)),
  };
}

const feesWords = (source: LocationConfig["source"]) => `not reported by ${PROVIDER_NAMES[source]}`;

/** One chart per set-up location with shown days, by name; days in another currency than the location's are left out. */
function chartLocations(records: SyncRecord[], byId: Map<string, LocationConfig>): { location: LocationConfig; chartDays: ChartDay[] }[] {
  const charts = new Map<string, { location: LocationConfig; chartDays: ChartDay[] }>();
  for (const record of records) {
    const location = byId.get(record.locationId);
    if (!location) continue;
    const chart = charts.get(location.locationId) ?? { location, chartDays: [] };
    charts.set(location.locationId, chart);
    const figures = dayFigures(record);
    if (figures && figures.currency === location.currency) chart.chartDays.push({ businessDay: record.businessDay, netSales: figures.netSales, fees: figures.fees });
  }
  return [...charts.values()].sort((a, b) => a.location.name.localeCompare(b.location.name) || a.location.locationId.localeCompare(b.location.locationId));
}

/**
 * The deposits of the last DEPOSIT_DAYS days up to the latest location's today, from the payout records
 * and the sync records the page already read (one query per Square location, none for the days).
 */
async function depositsOf(deps: WebDeps, merchantId: string, locations: LocationConfig[], records: SyncRecord[]): Promise<DepositsSection | undefined> {
  const now = deps.now().getTime();
  const last = locations.map((location) => businessDayOf(now, location.timeZone, location.dayStart)).sort().at(-1);
  if (last === undefined) return undefined;
  const store = {
    listSyncRecordsBetween: (_merchantId: string, locationId: string, from: string, to: string) => Promise.resolve(
      records.filter((record) => record.locationId === locationId && record.businessDay >= from && record.businessDay <= to)
        .sort((a, b) => a.businessDay.localeCompare(b.businessDay)),
    ),
  };
  return buildDeposits({ payouts: deps.payouts, store }, merchantId, locations, { first: addDays(last, -(DEPOSIT_DAYS - 1)), last });
}

/**
 * The adjusting entries posted in the last RECENT_DAYS days, newest first, whatever day they adjust: what
 * changed in books the accountant may have reconciled already, each with its change in net sales.
 */
function recentAdjustments(records: SyncRecord[], byId: Map<string, LocationConfig>, now: Date): AdjustmentRow[] {
  const since = now.getTime() - RECENT_DAYS * 86_400_000;
  return records.flatMap((record) => record.posted.filter((entry) => entry.revision > 0 && Date.parse(entry.postedAt) >= since).map((entry) => {
    const location = byId.get(record.locationId);
    const { netSales, currency } = figuresOfSummary(entry.summary);
    return {
      locationId: record.locationId, locationName: location?.name ?? `Location ${record.locationId} (no longer set up)`, businessDay: record.businessDay,
      docNumber: entry.docNumber, txnDate: entry.txnDate, postedAt: entry.postedAt,
      posted: location ? formatInstantIn(entry.postedAt, location.timeZone) : entry.postedAt,
      netSalesChange: `${netSales > 0 ? "+" : ""}${formatMoney(netSales, currency)}`,
    };
  })).sort((a, b) => b.postedAt.localeCompare(a.postedAt) || a.docNumber.localeCompare(b.docNumber));
}
