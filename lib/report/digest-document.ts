/**
 * The digest as the accountant reads it (lib/report/digest.ts decides what it holds): the period's
 * days, a line per location-day with its status and figures and its entries in QuickBooks, then
 * only what needs attention, each with what to do and the link that does it, then new unmapped items.
 * A backfill's summary is the same document over the backfill's days. An accountant's combined
 * digest has each client's block (businessBlocks) under the client's name, in one envelope.
 */
import type { DayTotals } from "./day-figures";
import { RECHECK_FAILED_SHORT, RECHECK_FAILED_WORDS, recheckFailed } from "./day-status";
import { type CombinedDigestModel, type DigestException, type DigestLine, type DigestModel, needsAttention } from "./digest";
import { depositBlocks, notPostingBlocks, notPostingNames } from "./digest-deposits";
import { type Block, type Cell, cell, type EmailDocument, renderEmail } from "./email-document";
import { formatAmount, formatDay, formatShortDay } from "./format";
import type { DigestFrequency } from "./recipients";
import { feesText, FIGURES_LEGEND, statusBlocks } from "./sync-report";

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

/** The summary sentence's order of the lines' states. */
const STATUS_ORDER: readonly string[] = [LINE_STATUS.posted, RECHECK_FAILED_SHORT, LINE_STATUS["no-sales"], LINE_STATUS.held, LINE_STATUS.failed, LINE_STATUS.posting, LINE_STATUS["not-synced"]];

/** A line's status in words: a day posted before whose check for later changes failed is still posted. */
const lineStatus = (line: DigestLine) => (recheckFailed(line.state, line.entries.length > 0) ? RECHECK_FAILED_SHORT : LINE_STATUS[line.state]);

const EXCEPTION_WORDS: Record<DigestException["kind"], string> = { held: "held for review", failed: "failed", adjusted: "adjusted" };

/** A failed exception whose day was posted before: what failed is its re-check (day-status.ts). */
const isRecheck = (exception: DigestException) => recheckFailed(exception.kind, (exception.content.postedBefore ?? []).length > 0);

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

/**
 * One business's block: the summary, a line per location-day, what needs attention, unmapped items and
 * the history link. The business's own digest is this block in its envelope; the accountants' combined
 * digest has one per client. A new section of a business's digest goes here, and so shows in both.
 * `combined`: what the combined digest says once for every client (the payouts daybook does not post)
 * is left out.
 */
export function businessBlocks(model: DigestModel, { combined = false }: { combined?: boolean } = {}): Block[] {
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
  blocks.push(...depositBlocks(model.deposits, { saysNotPosting: !combined }));
  blocks.push({ kind: "paragraph", text: "Every day's report stays in daybook.", links: [{ text: "Open the history", url: model.historyUrl }] });
  return blocks;
}

/** What the lines' columns hold, once per email (not once per client of a combined digest), when some line has figures. */
function legend(models: readonly Pick<DigestModel, "lines">[]): EmailDocument["footer"] {
  return models.some((model) => model.lines.some((line) => line.totals)) ? [{ text: FIGURES_LEGEND }] : [];
}

/** The business's own digest: its block in the envelope (title, and the footer that says why and how to stop it). */
export function digestDocument(model: DigestModel, audience: DigestAudience): EmailDocument {
  return { title: digestTitle(model), blocks: businessBlocks(model), footer: [...legend([model]), ...footer(model, audience)] };
}

export function renderDigest(model: DigestModel, audience: DigestAudience): { subject: string; html: string; text: string } {
  return { subject: digestSubject(model), ...renderEmail(digestDocument(model, audience)) };
}

// --- the accountants' combined digest ----------------------------------------------------------------

export interface CombinedAudience {
  address: string;
  /** The link that stops the combined digest, every client at once. */
  unsubscribeUrl: string;
}

const plural = (count: number, one: string, many: string) => `${String(count)} ${count === 1 ? one : many}`;

export function combinedTitle(model: CombinedDigestModel): string {
  return model.kind === "weekly" ? `Your clients: the week of ${formatDay(model.first)}` : `Your clients: ${formatDay(model.last)}`;
}

/** Says how many clients, how many need attention, and how many are not ready yet. */
export function combinedSubject(model: CombinedDigestModel): string {
  const clients = model.clients.length + model.notReady.length;
  const attention = model.clients.filter(needsAttention).length;
  const parts = [
    plural(clients, "client", "clients"),
    attention === 0 ? "nothing needs attention" : `${String(attention)} ${attention === 1 ? "needs" : "need"} attention`,
    ...(model.notReady.length > 0 ? [`${String(model.notReady.length)} not ready yet`] : []),
  ];
  return `${combinedTitle(model)} – ${parts.join(", ")}`;
}

/** What a client's block is headed with: its name, and what needs attention there. */
function attentionWords(model: DigestModel): string {
  const count = (kind: DigestException["kind"]) => model.exceptions.filter((exception) => exception.kind === kind && !isRecheck(exception)).length;
  const rechecks = model.exceptions.filter(isRecheck).length;
  const words = [
    ...(count("failed") > 0 ? [plural(count("failed"), "failed day", "failed days")] : []),
    ...(rechecks > 0 ? [plural(rechecks, "posted day whose re-check failed", "posted days whose re-check failed")] : []),
    ...(count("held") > 0 ? [plural(count("held"), "held day", "held days")] : []),
    ...(count("adjusted") > 0 ? [plural(count("adjusted"), "adjustment", "adjustments")] : []),
    ...(model.newUnmapped.length > 0 ? [plural(model.newUnmapped.length, "new unmapped item", "new unmapped items")] : []),
  ];
  return words.join(", ");
}

const nameOf = (model: Pick<DigestModel, "businessName">) => (model.businessName.trim() === "" ? "A business without a name yet" : model.businessName);

/** A block inside a client's section: its headings a level down. */
function nested(block: Block): Block {
  return block.kind === "heading" || block.kind === "list" ? { ...block, level: 3 } : block;
}

/**
 * The accountant's one morning email: an overview, then each client's block (clients that need
 * attention first, lib/report/digest.ts orders them), then the clients whose digest is not ready yet.
 */
export function combinedDocument(model: CombinedDigestModel, audience: CombinedAudience): EmailDocument {
  const attention = model.clients.filter(needsAttention);
  const quiet = model.clients.filter((client) => !needsAttention(client));
  const blocks: Block[] = [{
    kind: "paragraph",
    text: `${plural(model.clients.length + model.notReady.length, "client", "clients")}: ` +
      [attention.length === 0 ? "nothing needs attention" : `${String(attention.length)} ${attention.length === 1 ? "needs" : "need"} attention`,
        ...(quiet.length > 0 && attention.length > 0 ? [`${String(quiet.length)} with nothing to act on`] : []),
        ...(model.notReady.length > 0 ? [`${String(model.notReady.length)} not ready yet`] : [])].join(", ") + ".",
    links: [{ text: "Open your client list", url: model.clientsUrl }],
  }];
  if (attention.length > 0) {
    blocks.push({ kind: "list", title: "Needs attention", items: attention.map((client) => ({ text: `${nameOf(client)}: ${attentionWords(client)}` })) });
  }
  for (const client of model.clients) {
    const words = attentionWords(client);
    blocks.push({ kind: "heading", text: words === "" ? nameOf(client) : `${nameOf(client)}: ${words}` });
    blocks.push(...businessBlocks(client, { combined: true }).map(nested));
  }
  // A standing fact, the same every morning: said once, after the clients, each location with its client.
  const notPosting = notPostingBlocks(model.clients.map((client) => ({ client: nameOf(client), locations: notPostingNames(client.deposits) })));
  if (notPosting.length > 0) blocks.push({ kind: "heading", text: "Square payouts daybook does not post" }, ...notPosting);
  if (model.notReady.length > 0) {
    blocks.push({
      kind: "list", title: "Not ready yet",
      items: model.notReady.map((client) => ({
        text: `${nameOf(client)}: its locations have not all had their night yet. Its digest comes in an email of its own once they have.`,
      })),
    });
  }
  const why = model.kind === "weekly"
    ? `You get one weekly digest from daybook, on Mondays, at ${audience.address}, with every client that sends you its week.`
    : `You get one morning digest from daybook at ${audience.address} for all the clients you work on: each client's own settings say whether it is in it every morning or only when something needs attention.`;
  return {
    title: combinedTitle(model),
    blocks,
    footer: [
      ...legend(model.clients),
      { text: why },
      { text: "Stop it for all your clients at once:", link: { text: "Stop these emails", url: audience.unsubscribeUrl } },
    ],
  };
}

export function renderCombinedDigest(model: CombinedDigestModel, audience: CombinedAudience): { subject: string; html: string; text: string } {
  return { subject: combinedSubject(model), ...renderEmail(combinedDocument(model, audience)) };
}

function summarySentence(model: DigestModel): string {
  const locations = new Set(model.lines.map((line) => line.location.locationId)).size;
  const counts = new Map<string, number>();
  for (const line of model.lines) counts.set(lineStatus(line), (counts.get(lineStatus(line)) ?? 0) + 1);
  // Always in one order, posted first, so two mornings read alike whichever location comes first by name.
  const rank = (words: string) => STATUS_ORDER.indexOf(words);
  const states = [...counts].sort(([a], [b]) => rank(a) - rank(b)).map(([words, count]) => `${String(count)} ${words.toLowerCase()}`).join(", ");
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
    const status = line.adjustments > 0 ? `${lineStatus(line)}, ${String(line.adjustments)} ${line.adjustments === 1 ? "adjustment" : "adjustments"}` : lineStatus(line);
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
  const words = isRecheck(exception) ? RECHECK_FAILED_WORDS.toLowerCase() : EXCEPTION_WORDS[exception.kind];
  const heading: Block = { kind: "heading", text: `${content.locationName}, ${formatDay(exception.businessDay)}: ${words}` };
  const input = { ...content, status: exception.kind === "adjusted" ? ("adjusted" as const) : content.status, ...(exception.approveUrl ? { approveUrl: exception.approveUrl } : {}) };
  const blocks: Block[] = [heading, ...statusBlocks(input)];
  if (exception.kind === "adjusted" && !content.adjustment && content.entry) {
    // A report kept before adjustments were explained: its lines are the difference.
    blocks.push({ kind: "paragraph", text: `The adjusting entry ${content.entry.docNumber} carries ${String(content.entry.lines.length)} ${content.entry.lines.length === 1 ? "line" : "lines"}; the day's page shows them.` });
  }
  if (exception.kind === "held" && content.entry) {
    blocks.push({ kind: "paragraph", text: `The held entry would post ${formatAmount(content.entry.total, content.entry.currency)} ${content.entry.currency} in debits and credits; its lines are on the day's page.`, links: [{ text: "Open the day", url: content.reportUrl }] });
  }
  if (exception.kind === "failed" || exception.kind === "adjusted") blocks.push({ kind: "paragraph", text: "The day's page has the whole report.", links: [{ text: "Open the day", url: content.reportUrl }] });
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
  // A backfill's summary is not the digest the reason names: say what it is first.
  const what = model.kind === "backfill" && audience.frequency !== "owner"
    ? [{ text: `This email is the one summary of a backfill of ${business}'s days, sent when its last day ended; it comes on top of the digest.` }]
    : [];
  return [
    ...what,
    { text: why[audience.frequency] },
    { text: "Get it less often, or stop it:", link: { text: "Stop or change these emails", url: audience.unsubscribeUrl } },
  ];
}
