/**
 * The digest's "Deposits" section (ACCOUNTING.md "Payouts (deposits)", docs/accounting.md "The
 * digest's Deposits section"): per location, what the bank should see.
 *
 * - A Square location: each payout that arrived in the digest's period (or that the bank sent back,
 *   or that failed, in it), with its arrival date, amount, the business days it pays out and the entry
 *   daybook posted; where its fees do not tie out with what daybook posted for those days, or a day
 *   it pays out was never posted, one sentence names the difference (never plugged). Then what card
 *   clearing should hold now: the card sales net of fees daybook posted that Square has not paid out,
 *   what Square holds back, failed payouts' money on its way back, and money paid out for days daybook
 *   never posted, computed from daybook's own records (lib/payouts/tie-out.ts), which are what it posted.
 * - A Clover location: the expected card deposit per business day of the period, to match in the bank
 *   feed (lib/payouts/clover-expected-deposit.ts); nothing is posted.
 *
 * The model is built from the stores (buildDeposits) and laid out as email blocks (depositBlocks), so the
 * digest only asks for it and places it.
 *
 * What it reads, and how consistently. A Square location's section reads every payout record kept (13
 * months) and the location's sync records over the days they pay out: at steady state most of the
 * digest's read units (bench/digest-reads.ts). With the locations' card clearing carries (the scheduler's
 * digests have them: lib/payouts/clearing-carry.ts, docs/accounting.md "The card clearing carry") it reads
 * the carry first, strongly consistent, and then the sync records of the days outside the carry's days
 * only; a morning that makes a carry anew reads every record strongly consistent, after the carry. Either
 * way the figures are the ones every record gives. It reads them eventually consistent (half the units)
 * except the days whose writes the digest is ordered after, which it reads strongly consistent:
 * - An eventually consistent read returns each item whole, as some completed write left it, but may miss
 *   a write completed moments before. That can only show a figure no strongly consistent read could where
 *   the digest is ordered after the write: it goes once the night has settled its day (digest.ts
 *   allHadTheirNight), the night writes its day and the three before it in the same job, and the
 *   digest's lines and exceptions read the period's records and the reports of the week before it
 *   (DIGEST_NEWS_DAYS), each written after its day's record. Those days, from DIGEST_NEWS_DAYS before the
 *   period on, are read strongly consistent, after the payouts, so a payout seen means the records its
 *   night wrote before it are seen too.
 * - Nothing orders the digest after any other write: a night's payout step runs after its days have
 *   settled (lib/worker/process-night.ts), so a digest may already be made while it runs, and a backfill
 *   or an approved day older than the week may be written at any time. Strongly consistent reads of
 *   several items were never a snapshot (each item is read at its own moment); an eventually consistent
 *   read gives what a strongly consistent one would have had the write come a moment later, which nothing
 *   rules out. (test/unit/digest-deposits.test.ts "reads strongly consistent only …".)
 */
import { addDays } from "../domain/business-day";
import { tenderAccountOf } from "../domain/journal-entry";
import { accountLabel } from "../domain/account-label";
import type { LocationConfig, PayoutRecord, PayoutSkip, SyncRecord } from "../model";
import { type ExpectedDeposit, expectedCloverDeposit } from "../payouts/clover-expected-deposit";
import {
  buildCarry, type ClearingCarry, type ClearingFigures, carryChoice, carryOutdated, carryTooOld, carryUnusable, clearingFigures, failedOn, type FigureWords, payoutSpan, recordsBesideCarry, withCarry,
} from "../payouts/clearing-carry";
import { beforeDaybook, coveredDays, type PayoutSummary } from "../payouts/payout-summary";
import type { ClearingCarryStore } from "../store/clearing-carries";
import type { PayoutStore } from "../store/payouts";
import { businessDayExpiresAt } from "../store/retention";
import type { Store } from "../store/store";
import { daySummary } from "./day-figures";
import { type Block, cell } from "./email-document";
import { formatAmount, formatDay, formatMoney, formatShortDay } from "./format";

/**
 * The days before the digest's period whose news it tells (adjustments, late posts: digest.ts reads
 * their reports): with the period, the days its Deposits section reads strongly consistent.
 */
export const DIGEST_NEWS_DAYS = 7;

/** What the section reads: the payout records and the location's sync records. */
export interface DepositReadPorts {
  /**
   * With listPayoutsCreated and getCheck, a carry made while the location's payout records are keyed by
   * creation has their creation bounds, and the section then reads beside it only the payouts outside them.
   */
  payouts: Pick<PayoutStore, "listPayouts"> & Partial<Pick<PayoutStore, "listPayoutsCreated" | "getCheck">>;
  store: Pick<Store, "listSyncRecordsBetween">;
  /**
   * The locations' card clearing carries (lib/payouts/clearing-carry.ts) and the clock they are made and
   * checked by: with them the section reads a Square location's old days once a carry holds them; without
   * them, every record every morning.
   */
  carries?: { store: ClearingCarryStore; now: () => Date };
}

export type PayoutStanding = "paid" | "on-its-way" | "failed" | "returned" | "not-posted" | "posting" | "in-a-batch" | "before-daybook";

export interface DepositPayout {
  /** The payout's tag (its DocNumber's end); never a Square id. */
  tag: string;
  arrivalDate: string;
  /** As Square paid it, signed: a withdrawal is negative. */
  amount: number;
  standing: PayoutStanding;
  /** Its standing in words: "Paid", "Returned by the bank on …; reversed in QuickBooks", … */
  status: string;
  /** The business days whose card sales it pays out. */
  days: string[];
  /** The DocNumbers of the entries daybook posted for it. */
  entries: string[];
  /** One sentence per difference or problem: fees that do not tie out, days never posted, why it is not posted. */
  notes: string[];
}

export interface ClearingSummary {
  /** The card clearing account, as a person reads it ("1210 Card Clearing"). */
  account: string;
  /** What card clearing should hold from daybook's entries: the sum of the four below. */
  balance: number;
  /** Card sales net of fees of days daybook posted, not yet paid out by Square. */
  unpaidSales: number;
  /** Paid out by Square for days daybook has not posted (before its first day, or not yet posted): negative. */
  paidNotPosted: number;
  /** Held back by Square (payment holds and reserves not released). */
  held: number;
  /** Failed payouts' money on its way back to the Square balance. */
  returning: number;
  /** The first business day counted: the earliest any payout daybook keeps pays out. */
  since: string;
  /** The location's first posting day, when set: a `since` before it is a day daybook never posted. */
  postingFrom?: string;
}

export interface SquareDeposits {
  source: "square";
  locationId: string;
  name: string;
  currency: string;
  /** The mapping names a bank account for payouts: daybook posts them. */
  posting: boolean;
  payouts: DepositPayout[];
  /** undefined until daybook has dealt with a payout of the location. */
  clearing?: ClearingSummary;
}

export interface CloverDeposits {
  source: "clover";
  locationId: string;
  name: string;
  currency: string;
  /** The period's business days with sales daybook read, in order. */
  days: ExpectedDeposit[];
}

export type LocationDeposits = SquareDeposits | CloverDeposits;

export interface DepositsSection {
  /** The period, as the digest's. */
  first: string;
  last: string;
  locations: LocationDeposits[];
}

/** The section for `locations` (in the digest's order) over business days `first` to `last`. */
export async function buildDeposits(
  ports: DepositReadPorts, merchantId: string, locations: readonly LocationConfig[], period: { first: string; last: string },
): Promise<DepositsSection> {
  const built = await Promise.all(locations.map((location) => (location.source === "clover"
    ? cloverDeposits(ports, merchantId, location, period)
    : squareDeposits(ports, merchantId, location, period))));
  return { first: period.first, last: period.last, locations: built };
}

async function cloverDeposits(ports: DepositReadPorts, merchantId: string, location: LocationConfig, period: { first: string; last: string }): Promise<CloverDeposits> {
  const records = await ports.store.listSyncRecordsBetween(merchantId, location.locationId, period.first, period.last);
  const days = records.flatMap((record) => {
    const summary = daySummary(record);
    return summary ? [expectedCloverDeposit(record.businessDay, summary)] : [];
  });
  return { source: "clover", locationId: location.locationId, name: location.name, currency: location.currency, days };
}

async function squareDeposits(ports: DepositReadPorts, merchantId: string, location: LocationConfig, period: { first: string; last: string }): Promise<SquareDeposits> {
  const base = { source: "square" as const, locationId: location.locationId, name: location.name, currency: location.currency, posting: location.mapping.payouts !== undefined };
  const words = { formatAmount: (minor: number) => formatMoney(minor, location.currency), formatDay };
  const { carries } = ports;
  // The carry's stamp is read before every record a new carry would be made from (clearing-carries.ts).
  const stored = carries && await carries.store.getCarry(merchantId, location.locationId);
  const now = carries?.now() ?? new Date();
  const carry = stored?.carry && !carryTooOld(stored.carry, period) && carryOutdated(stored.carry, location, period, now) === undefined ? stored.carry : undefined;
  // Making a carry anew reads what it counts strongly consistent: a write marking the carry stale before
  // the stamp was read is then in what is read (clearing-carries.ts).
  const remake = carries !== undefined && carry === undefined;
  const inCurrency = (records: PayoutRecord[]) => records.filter((record) => record.summary.currency === location.currency);
  const payoutsOf = async (consistent: boolean) => inCurrency(await ports.payouts.listPayouts(merchantId, location.locationId, { consistent }));
  const { listPayoutsCreated, getCheck } = ports.payouts;
  // Beside a carry with creation bounds, only the payouts outside them (clearing-carry.ts createdBounds):
  // every payout arriving outside the carry's and so every one the period shows (carryOutdated).
  const ranged = carry?.created && listPayoutsCreated;
  let records = ranged && carry.created
    ? inCurrency(await ranged(merchantId, location.locationId, carry.created, { consistent: false }))
    : await payoutsOf(remake);
  if (records.length === 0 && !ranged) return { ...base, payouts: [] };

  let figures = carry && await carriedFigures(ports, merchantId, location, period, records, carry, now, words);
  if (!figures) {
    if (carries && !remake) records = await payoutsOf(true);
    if (records.length === 0) return { ...base, payouts: [] };
    const span = payoutSpan(records);
    const since = span?.since ?? period.first;
    const until = [period.last, span?.last ?? period.last].sort().at(-1) ?? period.last;
    const syncRecords = carries
      ? await ports.store.listSyncRecordsBetween(merchantId, location.locationId, since, until)
      : await syncRecordsOf(ports, merchantId, location.locationId, { from: since, to: until, orderedFrom: addDays(period.first, -DIGEST_NEWS_DAYS) });
    figures = clearingFigures(records, syncRecords, location, until, words);
    // Moved records are final (lib/store/payouts.ts movePayoutKeys): a check read now says how every later record is keyed.
    const keyed = carries && stored && getCheck && (await getCheck(merchantId, location.locationId))?.payoutKeys === "by-creation";
    const made = carries && stored && buildCarry(records, syncRecords, location, { ...carryChoice(period, now, dayExpiresAt), ...(keyed ? { keyedByCreationAt: now } : {}) });
    // Refused when a write marked the carry stale since it was read: the next morning makes it again.
    if (carries && stored && made) await carries.store.saveCarry(merchantId, location.locationId, made, stored.stamp);
  }
  if (!figures) return { ...base, payouts: [] };
  const summary: ClearingSummary = {
    account: accountLabel(tenderAccountOf(location.mapping, "CARD"), location.accountLabels),
    balance: figures.balance,
    unpaidSales: figures.unpaidSales,
    paidNotPosted: figures.paidNotPosted,
    held: figures.held,
    returning: figures.returning,
    since: figures.since,
    ...(location.postingFrom ? { postingFrom: location.postingFrom } : {}),
  };
  const differences = figures.differences;
  const named = new Set<string>();
  const payouts = records.filter((record) => shownIn(record, location, period)).map((record) => {
    const payout = depositPayout(record);
    for (const day of payout.days) {
      const difference = differences.get(day);
      if (difference && !named.has(day)) {
        named.add(day);
        payout.notes.push(difference);
      }
    }
    return payout;
  });
  return { ...base, payouts, clearing: summary };
}

const dayExpiresAt = (businessDay: string) => new Date(businessDayExpiresAt(businessDay) * 1000).toISOString();

/**
 * The figures from the location's carry and the records outside it: the payouts kept that arrived
 * outside its payouts' dates (read already), and the sync records of the days before and after its
 * days, those the digest is ordered after strongly consistent as always; undefined when the carry
 * cannot give them (carryUnusable).
 */
async function carriedFigures(
  ports: DepositReadPorts, merchantId: string, location: LocationConfig, period: { first: string; last: string },
  records: readonly PayoutRecord[], carry: ClearingCarry, now: Date, words: FigureWords,
): Promise<ClearingFigures | undefined> {
  const others = records.filter((record) => record.summary.arrivalDate < carry.payouts.from || record.summary.arrivalDate > carry.payouts.to);
  if (carryUnusable(carry, others, location, period, now) !== undefined) return undefined;
  const { since, until } = recordsBesideCarry(carry, others, period);
  const [before, after] = await Promise.all([
    since < carry.days.from
      ? ports.store.listSyncRecordsBetween(merchantId, location.locationId, since, addDays(carry.days.from, -1), { consistent: false })
      : Promise.resolve([]),
    syncRecordsOf(ports, merchantId, location.locationId, { from: addDays(carry.days.to, 1), to: until, orderedFrom: addDays(period.first, -DIGEST_NEWS_DAYS) }),
  ]);
  return withCarry(carry, others, [...before, ...after], location, period, now, words);
}

/** The records `from` to `to`: those before `orderedFrom` eventually consistent, the rest strongly (see the top). */
async function syncRecordsOf(
  ports: DepositReadPorts, merchantId: string, locationId: string, days: { from: string; to: string; orderedFrom: string },
): Promise<SyncRecord[]> {
  const { from, to, orderedFrom } = days;
  if (orderedFrom <= from) return ports.store.listSyncRecordsBetween(merchantId, locationId, from, to);
  const [older, ordered] = await Promise.all([
    ports.store.listSyncRecordsBetween(merchantId, locationId, from, [addDays(orderedFrom, -1), to].sort()[0] ?? to, { consistent: false }),
    orderedFrom <= to ? ports.store.listSyncRecordsBetween(merchantId, locationId, orderedFrom, to) : Promise.resolve([]),
  ]);
  return [...older, ...ordered];
}

/** A payout belongs to the period it arrived in, and to the one it failed or was sent back in. */
function shownIn(record: PayoutRecord, location: LocationConfig, period: { first: string; last: string }): boolean {
  const within = (day: string) => day >= period.first && day <= period.last;
  return within(record.summary.arrivalDate) || (record.summary.status === "FAILED" && within(failedOn(record, location.timeZone)));
}

function depositPayout(record: PayoutRecord): DepositPayout {
  const { summary } = record;
  const entries = record.posted.map((entry) => entry.docNumber);
  const notes: string[] = [];
  const money = (minor: number) => formatMoney(minor, summary.currency);
  let standing: PayoutStanding;
  let status: string;
  if (record.state === "before-daybook" && record.skipped) {
    standing = "before-daybook";
    status = summary.status === "FAILED" ? "Failed; not posted: before daybook" : "Not posted: before daybook";
    notes.push(beforeDaybookNote(summary, record.skipped));
  } else if (record.state === "held" || record.state === "failed") {
    standing = "not-posted";
    status = "Not posted";
    // A held payout's reason names the payout and says what posts it; a failure's says what went wrong.
    notes.push(record.heldReason ?? `The payout of ${money(summary.amount)} arriving ${formatDay(summary.arrivalDate)} is not posted: ${record.lastError?.message ?? "see the locations page."} daybook reads it again every night.`);
  } else if (record.state === "posting") {
    standing = "posting";
    status = "Being posted";
  } else if (summary.status === "FAILED") {
    const deposit = record.posted.find((entry) => entry.kind === "deposit");
    const reversal = record.posted.find((entry) => entry.kind === "reversal");
    if (deposit) {
      standing = "returned";
      status = reversal ? `Returned by the bank; reversed on ${formatShortDay(reversal.txnDate)}` : "Returned by the bank; its reversal is posted the next night";
      notes.push(`The payout of ${money(summary.amount)} that arrived ${formatDay(summary.arrivalDate)} was sent back by the bank: ` +
        `${reversal ? `${reversal.docNumber} takes it out of the bank again and` : "its reversal"} puts it back in card clearing until Square pays it out again.`);
    } else {
      standing = "failed";
      status = "Failed: never reached the bank";
      const carried = record.posted.find((entry) => entry.kind === "failed");
      notes.push(`The payout of ${money(summary.amount)} due ${formatDay(summary.arrivalDate)} failed: nothing reached the bank and nothing was posted for the deposit; ` +
        `Square keeps the money in the balance and pays it out again${carried ? `, and ${carried.docNumber} posts what it still took (fees, repayments)` : ""}.`);
    }
  } else if (summary.type === "SIMPLE") {
    standing = "in-a-batch";
    status = "Paid within a later payout";
  } else if (summary.status === "PAID") {
    standing = "paid";
    status = "Paid";
  } else {
    standing = "on-its-way";
    status = "On its way";
  }
  for (const warning of record.warnings) notes.push(warning.message);
  return { tag: record.payoutTag, arrivalDate: summary.arrivalDate, amount: summary.amount, standing, status, days: coveredDays(summary), entries, notes };
}

/** docs/accounting.md "Payouts from before daybook": one sentence, with the amount to move by hand when part of it is daybook's. */
function beforeDaybookNote(summary: PayoutSummary, skipped: PayoutSkip): string {
  const money = (minor: number) => formatMoney(minor, summary.currency);
  const said = `The payout of ${money(summary.amount)} arriving ${formatDay(summary.arrivalDate)} pays out sales from before daybook started posting on ${formatDay(skipped.firstDay)}: ` +
    "not posted; match it in the bank feed as before";
  const split = beforeDaybook(summary, skipped.firstDay);
  if (!split || split.daysPosted.length === 0) return `${said}.`;
  return `${said}, but ${money(skipped.postedPart)} of it is the card sales net of fees of ${split.daysPosted.map(formatDay).join(", ")}, ` +
    "which daybook posted to card clearing: take that amount from card clearing when you match it.";
}

// --- the section as email blocks ---------------------------------------------------------------------

/** "Sat 14 Jun, Sun 15 Jun"; a longer run "27 days, Sat 17 May to Fri 13 Jun". */
export function daysText(days: readonly string[]): string {
  const [first] = days;
  const last = days.at(-1);
  if (first === undefined || last === undefined) return "–";
  if (days.length <= 3) return days.map(formatShortDay).join(", ");
  return `${String(days.length)} days, ${formatShortDay(first)} to ${formatShortDay(last)}`;
}

function periodText(section: Pick<DepositsSection, "first" | "last">): string {
  return section.first === section.last ? formatDay(section.first) : `${formatDay(section.first)} to ${formatDay(section.last)}`;
}

/**
 * The section's blocks. `saysNotPosting` false: the sentence on the locations whose payouts daybook
 * does not post is left to the caller (the combined digest says it once for every client), and a
 * section with nothing else to say is left out.
 */
export function depositBlocks(section: DepositsSection | undefined, { saysNotPosting = true }: { saysNotPosting?: boolean } = {}): Block[] {
  if (!section || section.locations.length === 0) return [];
  const blocks = section.locations.flatMap((location) => (location.source === "clover" ? cloverBlocks(location) : squareBlocks(location, section)));
  const notPosting = saysNotPosting ? notPostingBlocks([{ locations: notPostingNames(section) }]) : [];
  if (blocks.length === 0 && notPosting.length === 0) return [];
  return [{ kind: "heading", text: "Deposits" }, ...blocks, ...notPosting];
}

/** The section's Square locations whose payouts daybook does not post (the mapping names no bank account). */
export function notPostingNames(section: DepositsSection | undefined): string[] {
  return (section?.locations ?? []).filter((location) => location.source === "square" && !location.posting).map((location) => location.name);
}

const listOf = (items: readonly string[]) => (items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${String(items.at(-1))}`);

/**
 * Square locations whose payouts daybook does not post: said once for them all, with what to do, not a
 * paragraph each every morning; in a combined digest once for every client, each location with its client.
 */
export function notPostingBlocks(groups: readonly { client?: string; locations: readonly string[] }[]): Block[] {
  const named = groups.filter((group) => group.locations.length > 0);
  const count = named.reduce((total, group) => total + group.locations.length, 0);
  if (count === 0) return [];
  const one = count === 1;
  const listed = listOf(named.map((group) => (group.client === undefined ? listOf(group.locations) : `${group.client} (${listOf(group.locations)})`)));
  return [{
    kind: "paragraph",
    text: `daybook does not post the Square payouts of ${listed}: ${one ? "its mapping names" : "their mappings name"} no bank account for them. ` +
      `Match ${one ? "its" : "their"} deposits in the bank feed as before, or choose the bank account Square pays into on ${one ? "the location's" : "each location's"} mapping page to have daybook post them.`,
  }];
}

function squareBlocks(location: SquareDeposits, section: DepositsSection): Block[] {
  const amount = (minor: number) => formatAmount(minor, location.currency);
  const blocks: Block[] = [];
  if (location.payouts.length === 0) {
    if (location.posting) blocks.push({ kind: "paragraph", text: `${location.name}: no Square payout arrived on ${periodText(section)}.` });
  } else {
    blocks.push({
      kind: "table",
      caption: `${location.name}: Square payouts (${location.currency})`,
      columns: [{ title: "Arrival" }, { title: "Status" }, { title: "Business days paid out" }, { title: "Amount", numeric: true }, { title: "Entry" }],
      rows: location.payouts.map((payout) => [
        cell(formatShortDay(payout.arrivalDate)), cell(payout.status), cell(daysText(payout.days)), cell(amount(payout.amount)),
        cell(payout.entries.length > 0 ? payout.entries.join(", ") : "–"),
      ]),
    });
    for (const note of location.payouts.flatMap((payout) => payout.notes)) blocks.push({ kind: "paragraph", text: note, alert: true });
  }
  const clearing = location.clearing;
  if (clearing) {
    const rows: [string, string][] = [["Card sales net of fees not yet paid out", amount(clearing.unpaidSales)]];
    if (clearing.held !== 0) rows.push(["Held back by Square", amount(clearing.held)]);
    if (clearing.returning !== 0) rows.push(["Failed payouts on their way back", amount(clearing.returning)]);
    if (clearing.paidNotPosted !== 0) rows.push(["Paid out for days daybook has not posted", amount(clearing.paidNotPosted)]);
    rows.push([`${location.name} in ${clearing.account}`, amount(clearing.balance)]);
    blocks.push({ kind: "paragraph", text: clearingSentence(location.name, clearing, location.currency) });
    blocks.push({ kind: "facts", rows });
  }
  return blocks;
}

/**
 * What card clearing should hold, true on its own: counted from the first day a kept payout pays out,
 * which may be before the location's first posting day (daybook never posted it: its row says so).
 */
function clearingSentence(name: string, clearing: ClearingSummary, currency: string): string {
  const said = `${name}: its card money in ${clearing.account} should come to ${formatMoney(clearing.balance, currency)} from daybook's entries: ` +
    `what Square has still to pay out, net of its fees. It is counted from ${formatDay(clearing.since)}, the earliest business day paid out by the payouts daybook has on record`;
  if (clearing.postingFrom === undefined || clearing.postingFrom <= clearing.since) return `${said}.`;
  return `${said}; daybook posts ${name}'s days from ${formatDay(clearing.postingFrom)}, so what Square paid out for the days before counts below as paid out for days daybook has not posted.`;
}

function cloverBlocks(location: CloverDeposits): Block[] {
  const amount = (minor: number) => formatAmount(minor, location.currency);
  const why = `${location.name}: Clover does not make its deposits available to daybook, so nothing is posted for them: ` +
    "match each day's expected card deposit (card payments less card refunds) against the processor's deposit in QuickBooks' bank feed. " +
    "It is before any processing fees the processor takes from the deposit.";
  if (location.days.length === 0) return [{ kind: "paragraph", text: why }];
  return [
    { kind: "paragraph", text: why },
    {
      kind: "table",
      caption: `${location.name}: expected Clover card deposits (${location.currency})`,
      columns: [{ title: "Business day" }, { title: "Card payments", numeric: true }, { title: "Card refunds", numeric: true }, { title: "Expected deposit", numeric: true }],
      rows: location.days.map((day) => [cell(formatShortDay(day.businessDay)), cell(amount(day.cardPayments)), cell(amount(day.cardRefunds)), cell(amount(day.expected), { strong: true })]),
    },
  ];
}
