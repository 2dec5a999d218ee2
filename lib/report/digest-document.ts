/**
 * The digest as the accountant reads it (lib/report/digest.ts decides what it holds): the period's
 * days, a line per location-day with its status and figures and its entries in QuickBooks, then
 * only what needs attention, each with what to do and the link that does it, then new unmapped items.
 * A backfill's summary is the same document over the backfill's days.
 */
import type { DayTotals } from "./day-figures";
import type { DigestException, DigestLine, DigestModel } from "./digest";
import { depositBlocks } from "./digest-deposits";
import { type Block, type Cell, cell, type EmailDocument, renderEmail } from "./email-document";
import { formatAmount, formatDay, formatShortDay } from "./format";
import type { DigestFrequency } from "./recipients";
import { feesText, statusBlocks } from "./sync-report";

export interface DigestAudience {
  address: string;
  /** How often this recipient chose to get it; "owner" for the merchant's own copy of a backfill summary. */
  frequency: DigestFrequency | "owner";
  unsubscribeUrl: string;
}

const LINE_STATUS: Record<DigestLine["state"], string> = {
  posted: "Posted",
  "no-sales": "No sales",
  held: "Held for review",
  failed: "Failed",
  posting: "Posting",
  "not-synced": "Not synced yet",
};

const EXCEPTION_WORDS: Record<DigestException["kind"], string> = { held: "held for review", failed: "failed", adjusted: "adjusted" };

export function digestTitle(model: DigestModel): string {
  const business = model.businessName.trim() === "" ? "Your business" : model.businessName;
  switch (model.kind) {
    case "daily":
      return `${business}: ${formatDay(model.last)}`;
    case "weekly":
      return `${business}: the week of ${formatDay(model.first)}`;
    case "backfill":
      return model.first === model.last ? `${business}: ${formatDay(model.first)} synced` : `${business}: ${formatDay(model.first)} to ${formatDay(model.last)} synced`;
  }
}

export function digestSubject(model: DigestModel): string {
  const attention = model.exceptions.length + model.newUnmapped.length;
  return `${digestTitle(model)} – ${attention === 0 ? "nothing needs attention" : `${String(attention)} ${attention === 1 ? "thing needs" : "things need"} attention`}`;
}

export function digestDocument(model: DigestModel, audience: DigestAudience): EmailDocument {
  const blocks: Block[] = [{ kind: "paragraph", text: summarySentence(model) }];
  blocks.push(linesTable(model));
  if (model.exceptions.length > 0) {
    blocks.push({ kind: "heading", text: "Needs attention" });
    for (const exception of model.exceptions) blocks.push(...exceptionBlocks(exception));
  }
  if (model.newUnmapped.length > 0) {
    blocks.push({
      kind: "list",
      title: "New items with no account in the mapping",
      items: model.newUnmapped.map((item) => ({ text: `${item.locationName}: ${item.message}`, link: { text: "Map it", url: item.mappingUrl } })),
    });
  }
  for (const repeated of model.repeatedUnmapped) {
    blocks.push({
      kind: "paragraph",
      text: `${repeated.locationName}: ${String(repeated.count)} ${repeated.count === 1 ? "item" : "items"} reported before still ${repeated.count === 1 ? "has" : "have"} no account in the mapping and went to the default accounts.`,
      links: [{ text: "Open the mapping", url: repeated.mappingUrl }],
    });
  }
  blocks.push(...depositBlocks(model.deposits));
  blocks.push({ kind: "paragraph", text: "Every day's report stays in daybook.", links: [{ text: "Open the history", url: model.historyUrl }] });
  return { title: digestTitle(model), blocks, footer: footer(model, audience) };
}

export function renderDigest(model: DigestModel, audience: DigestAudience): { subject: string; html: string; text: string } {
  return { subject: digestSubject(model), ...renderEmail(digestDocument(model, audience)) };
}

function summarySentence(model: DigestModel): string {
  const locations = new Set(model.lines.map((line) => line.location.locationId)).size;
  const counts = new Map<string, number>();
  for (const line of model.lines) counts.set(LINE_STATUS[line.state], (counts.get(LINE_STATUS[line.state]) ?? 0) + 1);
  const states = [...counts].map(([words, count]) => `${String(count)} ${words.toLowerCase()}`).join(", ");
  const attention = model.exceptions.length + model.newUnmapped.length;
  const days = model.lines.length;
  return `${String(locations)} ${locations === 1 ? "location" : "locations"}, ${String(days)} ${days === 1 ? "day" : "days"}: ${states}. ` +
    (attention === 0 ? "Nothing needs attention." : `${String(attention)} ${attention === 1 ? "thing needs" : "things need"} attention, below.`);
}

const money = (minor: number, totals: Pick<DayTotals, "currency">, mixed: boolean) => (mixed ? `${formatAmount(minor, totals.currency)} ${totals.currency}` : formatAmount(minor, totals.currency));

function linesTable(model: DigestModel): Block {
  const currencies = new Set(model.lines.map((line) => line.location.currency));
  const mixed = currencies.size > 1;
  const rows: Cell[][] = model.lines.map((line) => {
    const totals = line.totals;
    const figure = (pick: (each: DayTotals) => number) => (totals ? money(pick(totals), totals, mixed) : "–");
    const status = line.adjustments > 0 ? `${LINE_STATUS[line.state]}, ${String(line.adjustments)} ${line.adjustments === 1 ? "adjustment" : "adjustments"}` : LINE_STATUS[line.state];
    return [
      cell(`${line.location.name}, ${formatShortDay(line.businessDay)}`, { url: line.dayUrl }),
      cell(status),
      cell(figure((each) => each.netSales)),
      cell(figure((each) => each.tax)),
      cell(figure((each) => each.tips)),
      cell(figure((each) => each.card)),
      cell(figure((each) => each.cash)),
      cell(totals ? (totals.feesReported ? money(totals.fees, totals, mixed) : feesText(totals, line.location.source)) : "–"),
      ...entryCell(line),
    ];
  });
  const columns = [
    { title: "Location and day" }, { title: "Status" },
    ...["Net sales", "Tax", "Tips", "Card", "Cash", "Fees"].map((title) => ({ title, numeric: true })),
    { title: "Entry" },
  ];
  const footer = !mixed && model.lines.length > 1 ? totalRow(model.lines) : undefined;
  return {
    kind: "table",
    caption: mixed ? "Each location's days" : `Each location's days (${[...currencies][0] ?? ""})`,
    columns, rows, ...(footer ? { footer } : {}),
  };
}

function entryCell(line: DigestLine): Cell[] {
  const [first, ...later] = line.entries;
  if (!first) return [cell("–")];
  const text = later.length > 0 ? `${first.docNumber} + ${String(later.length)}` : first.docNumber;
  return [cell(text, first.url ? { url: first.url } : {})];
}

/** The business's total over the lines; fees only where every location reports them. */
function totalRow(lines: DigestLine[]): Cell[] {
  const withTotals = lines.flatMap((line) => (line.totals ? [line.totals] : []));
  const currency = lines[0]?.location.currency ?? "USD";
  const sum = (pick: (each: DayTotals) => number) => formatAmount(withTotals.reduce((total, each) => total + pick(each), 0), currency);
  const feesKnown = withTotals.every((each) => each.feesReported);
  return [cell("All locations"), cell(""), cell(sum((each) => each.netSales)), cell(sum((each) => each.tax)), cell(sum((each) => each.tips)),
    cell(sum((each) => each.card)), cell(sum((each) => each.cash)), cell(feesKnown ? sum((each) => each.fees) : "partly not reported"), cell("")];
}

function exceptionBlocks(exception: DigestException): Block[] {
  const { content } = exception;
  const heading: Block = { kind: "heading", text: `${content.locationName}, ${formatDay(exception.businessDay)}: ${EXCEPTION_WORDS[exception.kind]}` };
  const input = { ...content, status: exception.kind === "adjusted" ? ("adjusted" as const) : content.status, ...(exception.approveUrl ? { approveUrl: exception.approveUrl } : {}) };
  const blocks: Block[] = [heading, ...statusBlocks(input)];
  if (exception.kind === "adjusted" && !content.adjustment && content.entry) {
    // A report kept before adjustments were explained: its lines are the difference.
    blocks.push({ kind: "paragraph", text: `The adjusting entry ${content.entry.docNumber} carries ${String(content.entry.lines.length)} ${content.entry.lines.length === 1 ? "line" : "lines"}; the day's page shows them.` });
  }
  if (exception.kind === "held" && content.entry) {
    blocks.push({ kind: "paragraph", text: `The held entry would post ${formatAmount(content.entry.total, content.entry.currency)} ${content.entry.currency} in debits and credits; its lines are on the day's page.`, links: [{ text: "Open the day", url: content.reportUrl }] });
  }
  if (exception.kind === "failed") blocks.push({ kind: "paragraph", text: "The day's page has the whole report.", links: [{ text: "Open the day", url: content.reportUrl }] });
  return blocks;
}

function footer(model: DigestModel, audience: DigestAudience): EmailDocument["footer"] {
  const business = model.businessName.trim() === "" ? "this business" : model.businessName;
  const why: Record<DigestAudience["frequency"], string> = {
    daily: `You get ${business}'s daily digest from daybook at ${audience.address}.`,
    weekly: `You get ${business}'s weekly digest from daybook at ${audience.address}, on Mondays.`,
    exceptions: `You get ${business}'s digest from daybook at ${audience.address} on mornings when something needs attention.`,
    owner: `You get this because you asked daybook to sync these days for ${business}.`,
  };
  return [
    { text: why[audience.frequency] },
    { text: "Get it less often, or stop it:", link: { text: "Stop or change these emails", url: audience.unsubscribeUrl } },
  ];
}
