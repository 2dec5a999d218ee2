/**
 * Every email daybook sends about a merchant's days (the digest, a backfill's summary, an alert) is
 * first a document: a title and a list of blocks saying what it contains. `renderEmail` lays one out
 * twice, as HTML and as plain text, so the two parts can never say different things; the day page
 * lays the same blocks out as page elements (lib/web/pages/day-reports.tsx).
 *
 * Tables stack on a phone instead of hiding columns: in HTML each cell carries its column's name,
 * shown beside the value below 600 px (a style block, which mail apps that honour media queries
 * apply; the others show the whole table); in text a table too wide for 78 columns becomes one
 * record per row, "Column: value" on its own line.
 */

export interface Link {
  text: string;
  url: string;
}

export interface Cell {
  text: string;
  /** The cell is a link. */
  url?: string;
  strong?: boolean;
}

export interface Column {
  title: string;
  /** Amounts: right-aligned, in tabular figures. */
  numeric?: boolean;
}

export type Block =
  /** level 3: a heading inside a section (a client's block in the accountants' combined digest); 2 otherwise. */
  | { kind: "heading"; text: string; level?: 3 }
  | { kind: "paragraph"; text: string; links?: Link[]; alert?: boolean }
  | { kind: "facts"; rows: [string, string][] }
  | { kind: "table"; caption: string; columns: Column[]; rows: Cell[][]; footer?: Cell[] }
  | { kind: "list"; title: string; items: { text: string; link?: Link }[]; level?: 3 };

export interface EmailDocument {
  /** The document's one h1, and the HTML title. */
  title: string;
  blocks: Block[];
  /** Small print at the end: why the email came, and how to stop it. */
  footer: { text: string; link?: Link }[];
}

export const cell = (text: string, extra: Omit<Cell, "text"> = {}): Cell => ({ text, ...extra });

export function renderEmail(document: EmailDocument): { html: string; text: string } {
  return { html: toHtml(document), text: toText(document) };
}

// --- plain text -----------------------------------------------------------------------------------

/** Plain-text lines fit a terminal and a mail client's 78 columns; a word longer than that (a link) keeps its own line. */
export const TEXT_WIDTH = 78;

export function toText(document: EmailDocument): string {
  const out: string[] = [`${document.title}\n${"=".repeat(Math.min(document.title.length, TEXT_WIDTH))}`];
  for (const block of document.blocks) out.push(blockText(block));
  for (const note of document.footer) out.push(note.link ? `${wrap(note.text)}\n${note.link.text}: ${note.link.url}` : wrap(note.text));
  return `${out.join("\n\n")}\n`;
}

function blockText(block: Block): string {
  switch (block.kind) {
    case "heading":
      return `${block.text}\n${(block.level === 3 ? "." : "-").repeat(Math.min(block.text.length, TEXT_WIDTH))}`;
    case "paragraph":
      return [wrap(block.text), ...(block.links ?? []).map((link) => `${link.text}: ${link.url}`)].join("\n");
    case "facts": {
      const width = Math.max(...block.rows.map(([name]) => name.length));
      return block.rows.map(([name, value]) => wrap(`${`${name}:`.padEnd(width + 2)}${value}`, " ".repeat(width + 2))).join("\n");
    }
    case "table":
      return tableText(block);
    case "list":
      return `${block.title}:\n${block.items.map((item) => [wrap(`- ${item.text}`, "  "), ...(item.link ? [`  ${item.link.text}: ${item.link.url}`] : [])].join("\n")).join("\n")}`;
  }
}

function tableText(block: Extract<Block, { kind: "table" }>): string {
  const rows = [...block.rows, ...(block.footer ? [block.footer] : [])];
  const header = block.columns.map((column) => column.title);
  const all = [header, ...rows.map((row) => row.map((each) => each.text))];
  const widths = block.columns.map((_, column) => Math.max(...all.map((row) => (row[column] ?? "").length)));
  const across = widths.reduce((sum, width) => sum + width, 0) + 2 * (widths.length - 1);
  // Each link once, however many rows name it (an account on several lines).
  const links = [...new Set(rows.flatMap((row) => row.filter((each) => each.url !== undefined).map((each) => `${each.text}: ${each.url ?? ""}`)))];
  const linkLines = links.length > 0 ? `\n${links.join("\n")}` : "";
  if (across <= TEXT_WIDTH) {
    const layout = (row: string[]) => row.map((text, column) => (block.columns[column]?.numeric ? text.padStart(widths[column] ?? 0) : text.padEnd(widths[column] ?? 0))).join("  ").trimEnd();
    return `${block.caption}:\n${all.map(layout).join("\n")}${linkLines}`;
  }
  // Too wide for a terminal: one record per row, its first cell as the record's title.
  const width = Math.max(...header.slice(1).map((title) => title.length));
  const records = rows.map((row) => [
    row[0]?.text ?? "",
    ...row.slice(1).flatMap((each, index) => (each.text === "" ? [] : [`  ${`${header[index + 1] ?? ""}:`.padEnd(width + 2)}${each.text}`])),
  ].join("\n"));
  return `${block.caption}:\n${records.join("\n\n")}${linkLines}`;
}

export function wrap(text: string, indent = ""): string {
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

// --- HTML -----------------------------------------------------------------------------------------

export function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;").replaceAll("'", "&#39;");
}

const LINK_STYLE = "color:#0b57d0";
const link = (text: string, url: string) => `<a href="${escapeHtml(url)}" style="${LINK_STYLE}">${escapeHtml(text)}</a>`;
const CELL = "padding:4px 6px;border-bottom:1px solid #ddd;vertical-align:top";
const NUMERIC = "text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums";

/** Applied by mail apps that honour a style block (and by browsers); the rest show the tables whole. */
const PHONE_STYLE = `<style>
@media (max-width: 600px) {
  table.stack, table.stack caption, table.stack tbody, table.stack tfoot, table.stack tr, table.stack td, table.stack th { display: block !important; width: auto !important; text-align: left !important; }
  table.stack thead { display: none !important; }
  table.stack tr { border-bottom: 1px solid #bbb; padding: 6px 0; }
  table.stack td, table.stack th { border: 0 !important; padding: 1px 0 !important; white-space: normal !important; }
  table.stack .label { display: inline !important; }
}
</style>`;

function cellHtml(each: Cell, column: Column | undefined, tag: "td" | "th"): string {
  const content = each.url ? link(each.text, each.url) : escapeHtml(each.text);
  const label = column && each.text !== "" ? `<span class="label" style="display:none;font-weight:600">${escapeHtml(column.title)}: </span>` : "";
  const scope = tag === "th" ? ' scope="row"' : "";
  return `<${tag}${scope} style="${CELL}${column?.numeric ? `;${NUMERIC}` : ";text-align:left"}${each.strong || tag === "th" ? ";font-weight:600" : ""}">${label}${content}</${tag}>`;
}

function blockHtml(block: Block): string {
  switch (block.kind) {
    case "heading":
      return headingHtml(block.text, block.level);
    case "paragraph": {
      const links = (block.links ?? []).map((each) => link(each.text, each.url)).join(" · ");
      const style = block.alert ? ' style="border-left:4px solid #a40000;padding-left:10px"' : "";
      return `<p${style}>${escapeHtml(block.text)}${links ? `<br>${links}` : ""}</p>`;
    }
    case "facts":
      return `<table role="presentation" style="border-collapse:collapse">${block.rows
        .map(([name, value]) => `<tr><th scope="row" style="text-align:left;padding:2px 12px 2px 0;font-weight:600;vertical-align:top">${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`)
        .join("")}</table>`;
    case "table": {
      const head = block.columns.map((column) => `<th scope="col" style="${CELL};${column.numeric ? NUMERIC : "text-align:left"}">${escapeHtml(column.title)}</th>`).join("");
      const rows = block.rows.map((row) => `<tr>${row.map((each, index) => cellHtml(each, block.columns[index], index === 0 ? "th" : "td")).join("")}</tr>`).join("");
      const footer = block.footer ? `<tfoot><tr>${block.footer.map((each, index) => cellHtml({ ...each, strong: true }, block.columns[index], index === 0 ? "th" : "td")).join("")}</tr></tfoot>` : "";
      return `<table class="stack" style="border-collapse:collapse;margin:8px 0 16px;width:100%"><caption style="text-align:left;font-weight:600;padding-bottom:4px">${escapeHtml(block.caption)}</caption><thead><tr>${head}</tr></thead><tbody>${rows}</tbody>${footer}</table>`;
    }
    case "list":
      return `${headingHtml(block.title, block.level)}<ul>${block.items.map((item) => `<li>${escapeHtml(item.text)}${item.link ? ` ${link(item.link.text, item.link.url)}` : ""}</li>`).join("")}</ul>`;
  }
}

function headingHtml(text: string, level: 3 | undefined): string {
  return level === 3 ? `<h3 style="font-size:15px;margin:18px 0 6px">${escapeHtml(text)}</h3>` : `<h2 style="font-size:17px;margin:24px 0 8px">${escapeHtml(text)}</h2>`;
}

export function toHtml(document: EmailDocument): string {
  const footer = document.footer.map((note) => `<p style="font-size:13px;color:#555;margin:4px 0">${escapeHtml(note.text)}${note.link ? ` ${link(note.link.text, note.link.url)}` : ""}</p>`).join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(document.title)}</title>${PHONE_STYLE}</head>` +
    `<body style="font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1f1f1f;background:#ffffff;line-height:1.5;max-width:900px;margin:0 auto;padding:16px">` +
    `<h1 style="font-size:21px;margin:0 0 12px">${escapeHtml(document.title)}</h1>\n${document.blocks.map(blockHtml).join("\n")}` +
    `<hr style="border:0;border-top:1px solid #ddd;margin-top:24px">${footer}</body></html>\n`;
}
