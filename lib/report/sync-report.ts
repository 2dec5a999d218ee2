/**
 * The sync report an accountant receives for one location-day. One template, `reportDocument`, says
 * what the email contains as a list of blocks; `toHtml` and `toText` only lay those blocks out, so the
 * HTML and the plain-text part can never say different things.
 */
import type { EntryLine } from "../domain/journal-entry";
import { formatDecimal } from "../domain/money";
import type { Warning } from "../domain/warnings";
import type { FailureKind, PosSource } from "../model";

export type ReportStatus = "posted" | "adjusted" | "no-sales" | "held" | "failed";

/**
 * A line as a report keeps it: the entry's line, its account's name as the location's mapping
 * captured it ("4000 Sales": lib/domain/account-label.ts), and where the account's choice is made.
 * Shown by name, never by Id; reports kept before names were captured have neither.
 */
export interface ReportLine extends EntryLine {
  accountLabel?: string;
  /** The location's mapping page at the account (the Id only in the link). */
  accountUrl?: string;
}

export interface ReportEntry {
  docNumber: string;
  txnDate: string;
  currency: string;
  lines: ReportLine[];
  /** Σ debits = Σ credits, minor units. */
  total: number;
  /** Cash handed out with card payments (Clover's cash back), minor units; in an adjustment, the change. */
  cashBack?: number;
  /** The entry in QuickBooks, when it was posted. */
  quickBooksUrl?: string;
}

export interface SyncReportInput {
  merchantName: string;
  locationName: string;
  source: PosSource;
  businessDay: string;
  timeZone: string;
  status: ReportStatus;
  entry?: ReportEntry;
  /** Held days: why, and where to approve. */
  heldReason?: string;
  approveUrl?: string;
  failure?: { kind: FailureKind; message: string; intuitTid?: string };
  /** Where the merchant reconnects a provider (failure kind needs-reconnect). */
  connectionsUrl: string;
  warnings: Warning[];
  /** The day on the web, where reports are kept for the life of the account. */
  reportUrl: string;
  unsubscribeUrl: string;
}

export type Block =
  | { kind: "heading"; text: string }
  | { kind: "paragraph"; text: string; link?: { text: string; url: string } }
  | { kind: "facts"; rows: [string, string][] }
  | { kind: "lines"; currency: string; lines: ReportLine[]; total: number }
  | { kind: "list"; title: string; items: string[] };

export interface RenderedReport {
  subject: string;
  html: string;
  text: string;
  /** One-click unsubscribe (RFC 8058): both headers go on the email. */
  headers: Record<string, string>;
}

const SOURCE_NAMES: Record<PosSource, string> = { square: "Square", clover: "Clover" };

const STATUS_WORDS: Record<ReportStatus, string> = {
  posted: "Posted",
  adjusted: "Adjustment posted",
  "no-sales": "No sales",
  held: "Held for review",
  failed: "Failed",
};

/** What the merchant should do about a failure, by its kind. */
const NEXT_STEP: Record<FailureKind, string> = {
  retryable: "daybook will try again automatically. Nothing to do unless this report comes again tomorrow.",
  "needs-reconnect": "The connection was refused. Reconnect it, and daybook will post this day on its next run.",
  "needs-merchant": "This needs a change in QuickBooks (see the reason above). Once it is made, daybook posts the day on its next run.",
  bug: "This is daybook's fault, not yours. We have been alerted and will post the day once it is fixed.",
};

export function reportSubject(input: SyncReportInput): string {
  return `${STATUS_WORDS[input.status]}: ${input.locationName}, ${input.businessDay}`;
}

export function reportDocument(input: SyncReportInput): Block[] {
  const blocks: Block[] = [
    { kind: "heading", text: `${input.locationName}: ${input.businessDay}` },
    {
      kind: "facts",
      rows: [
        ["Business", input.merchantName],
        ["Location", `${input.locationName} (${SOURCE_NAMES[input.source]})`],
        ["Business day", `${input.businessDay} (${input.timeZone})`],
        ["Status", STATUS_WORDS[input.status]],
        ...(input.entry ? ([["Entry", `${input.entry.docNumber}, dated ${input.entry.txnDate}`]] as [string, string][]) : []),
      ],
    },
  ];
  blocks.push(...statusBlocks(input));
  if (input.entry && input.entry.lines.length > 0) {
    blocks.push({ kind: "lines", currency: input.entry.currency, lines: input.entry.lines, total: input.entry.total });
  }
  const cashBack = input.entry?.cashBack ?? 0;
  if (input.entry && cashBack !== 0) blocks.push({ kind: "paragraph", text: cashBackText(cashBack, input.entry.currency, input.status) });
  if (input.warnings.length > 0) {
    blocks.push({ kind: "list", title: "Worth a look", items: input.warnings.map((warning) => warning.message) });
  }
  blocks.push({ kind: "paragraph", text: "This report stays available in daybook.", link: { text: "Open it in daybook", url: input.reportUrl } });
  return blocks;
}

/** Cash back is inside the card payments and left the cash drawer: an accountant matching deposits needs to know how much. */
function cashBackText(cashBack: number, currency: string, status: ReportStatus): string {
  const amount = `${formatDecimal(Math.abs(cashBack), currency)} ${currency}`;
  if (status === "adjusted") {
    return `Cash back given with card payments ${cashBack > 0 ? "rose" : "fell"} by ${amount} since the day was posted; the card payments and the cash account are adjusted by it.`;
  }
  return `Cash back given with card payments: ${amount}. It is included in the card payments, and the cash account is credited with it, since it was paid out of the drawer.`;
}

function statusBlocks(input: SyncReportInput): Block[] {
  const entry = input.entry;
  const inQuickBooks = entry?.quickBooksUrl ? { text: `Open ${entry.docNumber} in QuickBooks`, url: entry.quickBooksUrl } : undefined;
  switch (input.status) {
    case "posted":
      return [{ kind: "paragraph", text: "The day's journal entry is in QuickBooks.", ...(inQuickBooks && { link: inQuickBooks }) }];
    case "adjusted":
      return [{
        kind: "paragraph",
        text: "The day changed after it was posted (late orders, refunds or edits). This adjusting entry carries only the difference; the earlier entry is untouched.",
        ...(inQuickBooks && { link: inQuickBooks }),
      }];
    case "no-sales":
      return [{ kind: "paragraph", text: "There were no sales to post for this day, so nothing was posted." }];
    case "held":
      return [{
        kind: "paragraph",
        // A reason may end with its own full stop.
        text: `Nothing was posted yet: ${(input.heldReason ?? "this merchant reviews every day before it is posted").replace(/\.$/, "")}. Check the lines below and approve to post them.`,
        ...(input.approveUrl && { link: { text: "Review and approve", url: input.approveUrl } }),
      }];
    case "failed": {
      const failure = input.failure ?? { kind: "bug" as const, message: "the sync stopped without saying why" };
      const blocks: Block[] = [
        { kind: "paragraph", text: `Nothing was posted. Reason: ${failure.message}` },
        {
          kind: "paragraph",
          text: NEXT_STEP[failure.kind],
          ...(failure.kind === "needs-reconnect" && { link: { text: "Reconnect", url: input.connectionsUrl } }),
        },
      ];
      if (failure.intuitTid) blocks.push({ kind: "paragraph", text: `QuickBooks reference for support: ${failure.intuitTid}` });
      return blocks;
    }
  }
}

export function renderSyncReport(input: SyncReportInput): RenderedReport {
  const blocks = reportDocument(input);
  return {
    subject: reportSubject(input),
    html: toHtml(reportSubject(input), blocks, input.unsubscribeUrl),
    text: toText(blocks, input.unsubscribeUrl),
    headers: {
      "List-Unsubscribe": `<${input.unsubscribeUrl}>`,
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    },
  };
}

function amountColumns(line: EntryLine, currency: string): [string, string] {
  const amount = formatDecimal(line.amount, currency);
  return line.postingType === "Debit" ? [amount, ""] : ["", amount];
}

export function toText(blocks: Block[], unsubscribeUrl: string): string {
  const out: string[] = [];
  for (const block of blocks) {
    switch (block.kind) {
      case "heading":
        out.push(`${block.text}\n${"=".repeat(block.text.length)}`);
        break;
      case "paragraph":
        out.push(block.link ? `${wrap(block.text)}\n${block.link.text}: ${block.link.url}` : wrap(block.text));
        break;
      case "facts": {
        const width = Math.max(...block.rows.map(([name]) => name.length));
        out.push(block.rows.map(([name, value]) => `${`${name}:`.padEnd(width + 2)}${value}`).join("\n"));
        break;
      }
      case "lines": {
        const rows = block.lines.map((line) => [line.accountId, line.description, ...amountColumns(line, block.currency)]);
        const total = formatDecimal(block.total, block.currency);
        const all = [["Account", "Description", "Debit", "Credit"], ...rows, ["", `Total (${block.currency})`, total, total]];
        const widths = [0, 1, 2, 3].map((column) => Math.max(...all.map((row) => (row[column] ?? "").length)));
        const layout = (row: string[]) => row.map((cell, column) => (column >= 2 ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0))).join("  ").trimEnd();
        out.push([layout(all[0] ?? []), ...all.slice(1).map(layout)].join("\n"));
        break;
      }
      case "list":
        out.push(`${block.title}:\n${block.items.map((item) => wrap(`- ${item}`, "  ")).join("\n")}`);
        break;
    }
  }
  out.push(`Stop these emails: ${unsubscribeUrl}`);
  return `${out.join("\n\n")}\n`;
}

/** Plain-text lines fit a terminal and a mail client's 78 columns; a word longer than that (a link) keeps its own line. */
const TEXT_WIDTH = 78;

function wrap(text: string, indent = ""): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/ +/)) {
    const candidate = line === "" ? word : `${line} ${word}`;
    if (candidate.length <= TEXT_WIDTH || line.trim() === "") {
      line = candidate;
    } else {
      lines.push(line);
      line = `${indent}${word}`;
    }
  }
  lines.push(line);
  return lines.join("\n");
}

export function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;").replaceAll("'", "&#39;");
}

const link = (text: string, url: string) => `<a href="${escapeHtml(url)}" style="color:#0b57d0">${escapeHtml(text)}</a>`;
// Narrow padding: the four columns fit a phone's width without sideways scrolling.
const CELL = "padding:4px 4px;border-bottom:1px solid #ddd";

export function toHtml(title: string, blocks: Block[], unsubscribeUrl: string): string {
  const body = blocks.map((block) => {
    switch (block.kind) {
      case "heading":
        return `<h1 style="font-size:20px;margin:0 0 12px">${escapeHtml(block.text)}</h1>`;
      case "paragraph":
        return `<p>${escapeHtml(block.text)}${block.link ? `<br>${link(block.link.text, block.link.url)}` : ""}</p>`;
      case "facts":
        return `<table role="presentation" style="border-collapse:collapse">${block.rows
          .map(([name, value]) => `<tr><th scope="row" style="text-align:left;padding:2px 12px 2px 0;font-weight:600">${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`)
          .join("")}</table>`;
      case "lines": {
        const rows = block.lines.map((line) => {
          const [debit, credit] = amountColumns(line, block.currency);
          return `<tr><td style="${CELL}">${escapeHtml(line.accountId)}</td><td style="${CELL}">${escapeHtml(line.description)}</td><td style="${CELL};text-align:right">${debit}</td><td style="${CELL};text-align:right">${credit}</td></tr>`;
        });
        const total = formatDecimal(block.total, block.currency);
        return `<table style="border-collapse:collapse;margin:12px 0;width:100%"><caption style="text-align:left;font-weight:600">Journal entry lines (${escapeHtml(block.currency)})</caption><thead><tr><th scope="col" style="${CELL};text-align:left">Account</th><th scope="col" style="${CELL};text-align:left">Description</th><th scope="col" style="${CELL};text-align:right">Debit</th><th scope="col" style="${CELL};text-align:right">Credit</th></tr></thead><tbody>${rows.join("")}</tbody><tfoot><tr><th scope="row" colspan="2" style="${CELL};text-align:left">Total</th><td style="${CELL};text-align:right;font-weight:600">${total}</td><td style="${CELL};text-align:right;font-weight:600">${total}</td></tr></tfoot></table>`;
      }
      case "list":
        return `<h2 style="font-size:16px">${escapeHtml(block.title)}</h2><ul>${block.items.map((item) => `<li>${escapeHtml(item)}</li>`).join("")}</ul>`;
    }
  });
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title></head><body style="font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1f1f1f;line-height:1.5;max-width:640px;margin:0 auto;padding:16px">${body.join("\n")}<p style="font-size:12px;color:#555;margin-top:24px">${link("Stop these emails", unsubscribeUrl)}</p></body></html>\n`;
}
