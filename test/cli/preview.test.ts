/**
 * `daybook preview` as a person runs it. The tests run the command in-process, through runCli with the
 * io functions/cli.ts gives it (files read from disk, stdout and stderr collected, the environment):
 * a child process costs about a CPU-second of tsx start-up each, and these tests ran 60 of them. The
 * real bin in a child process is checked against that, answer for answer (exit code, stdout, stderr),
 * on a day, a refusal and a usage text (the first tests below), and `npx daybook` runs it.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
// The bin's entry point, for what it loads first (zod's English messages); its main writes to this process's stdout.
import "../../functions/cli";
import { runCli } from "../../lib/cli/run";
import { docNumber } from "../../lib/domain/doc-number";
import { bucketTotal, netSales, summaryHash } from "../../lib/domain/summary";
import type { DailySummary } from "../../lib/domain/summary";
import type { JournalEntryBody } from "../../lib/domain/journal-entry";
import { fixturePath } from "../support/fixtures";

const BIN = new URL("../../bin/daybook.mjs", import.meta.url).pathname;
const run = promisify(execFile);

interface Answer { code: number; stdout: string; stderr: string }

/** The package's real bin in a child process, as a person runs it. */
async function bin(args: string[]): Promise<Answer> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { ...process.env, NODE_OPTIONS: "" } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** The same command in-process: runCli with functions/cli.ts's io, its output collected (stderr is not a terminal, as in a pipe). */
async function daybook(args: string[]): Promise<Answer> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    readFile: (path) => readFile(path, "utf8"),
    stdout: (text) => { stdout += text; },
    stderr: (text) => { stderr += text; },
    stderrIsTerminal: false,
    environment: { ...process.env, NODE_OPTIONS: "" },
  });
  return { code, stdout, stderr };
}

const workedExample = (date: string, extra: string[] = []) => [
  "preview", "--source", "square",
  "--orders", fixturePath("square/worked-example/orders.json"),
  "--catalog", fixturePath("square/catalog.json"),
  "--mapping", fixturePath("square/mapping.json"),
  "--date", date, "--timezone", "America/Los_Angeles", ...extra,
];

interface PreviewOutput {
  summary: DailySummary;
  journalEntry: JournalEntryBody | null;
  held: boolean;
  holdReason?: string;
  warnings: { code: string; message: string }[];
}

describe.concurrent("the real bin in a child process", () => {
  it.each([
    ["a day, as JSON", () => workedExample("2025-03-14", ["--format", "json"])],
    ["a day, as a table", () => workedExample("2025-03-15", ["--format", "table"])],
    ["a refusal (exit 2, one line on stderr)", () => [...workedExample("2025-03-14"), "--day-start", "04:10"]],
    ["a usage text", () => ["sync", "--help"]],
  ])("answers %s exactly as the command in-process does", async (_, args) => {
    const [child, inProcess] = await Promise.all([bin(args()), daybook(args())]);
    expect(child).toEqual(inProcess);
    expect(child.stdout + child.stderr).not.toBe("");
  });
});

describe("daybook preview reproduces the worked example of reference/square.md §2.7", () => {
  it("2025-03-14: the figures of the table and the exact journal entry", async () => {
    const { code, stdout, stderr } = await daybook(workedExample("2025-03-14", ["--format", "json"]));
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const output = JSON.parse(stdout) as PreviewOutput;
    const { summary } = output;
    // | Gross | Returns | Disc&Comps | Net sales | Tax | Tips | Total collected | by method | Fees | Net total |
    // | 3250  | 0       | 125        | 3125      | 266 | 200  | 3591            | CARD 1421, CASH 2170 | 52 | 3539 |
    expect(bucketTotal(summary.sales)).toBe(3250);
    expect(bucketTotal(summary.returns)).toBe(0);
    expect(summary.discounts).toBe(125);
    expect(netSales(summary)).toBe(3125);
    expect(bucketTotal(summary.tax)).toBe(266);
    expect(summary.tips).toBe(200);
    expect(bucketTotal(summary.payments) - bucketTotal(summary.refunds)).toBe(3591);
    expect(summary.payments).toEqual({ CARD: 1421, CASH: 2170 });
    expect(summary.fees).toBe(52);
    expect(bucketTotal(summary.payments) - summary.fees).toBe(3539);
    expect(output.held).toBe(false);
    expect(output.journalEntry).toEqual({
      TxnDate: "2025-03-14",
      DocNumber: docNumber("square", "L8EXAMPLE0001", "2025-03-14", 0),
      PrivateNote: `location L8EXAMPLE0001 – Friday 14 March 2025 – daily sales from Square – revision 0. Posted by daybook; summary sha256 ${summaryHash(summary)}.`,
      Line: [
        ["Sales – Beverages", 9, "Credit", "44"],
        ["Sales – Food", 3.5, "Credit", "45"],
        ["Sales – Merchandise", 20, "Credit", "46"],
        ["Discounts & comps", 1.25, "Debit", "41"],
        ["Tax – State Sales Tax", 2.66, "Credit", "20"],
        ["Tips", 2, "Credit", "21"],
        ["Card payments", 14.21, "Debit", "11"],
        ["Cash payments", 21.7, "Debit", "12"],
        ["Processing fees", 0.52, "Debit", "60"],
        ["Processing fees – Card clearing", 0.52, "Credit", "11"],
      ].map(([Description, Amount, PostingType, value]) => ({
        Description, Amount, DetailType: "JournalEntryLineDetail", JournalEntryLineDetail: { PostingType, AccountRef: { value } },
      })),
    });
  });

  it("2025-03-15: the return day", async () => {
    const { code, stdout } = await daybook(workedExample("2025-03-15"));
    expect(code).toBe(0);
    const { summary, journalEntry } = JSON.parse(stdout) as PreviewOutput;
    // | Gross 0 | Returns 450 | Disc&Comps −45 | Net sales −405 | Tax −34 | Tips 0 | Total collected −439 | CARD −439 | Fees −11 | Net total −428 |
    expect(bucketTotal(summary.sales)).toBe(0);
    expect(bucketTotal(summary.returns)).toBe(450);
    expect(summary.discounts).toBe(-45);
    expect(netSales(summary)).toBe(-405);
    expect(bucketTotal(summary.tax)).toBe(-34);
    expect(summary.tips).toBe(0);
    expect(bucketTotal(summary.payments) - bucketTotal(summary.refunds)).toBe(-439);
    expect(summary.refunds).toEqual({ CARD: 439 });
    expect(summary.fees).toBe(-11);
    expect(bucketTotal(summary.payments) - bucketTotal(summary.refunds) - summary.fees).toBe(-428);
    expect(journalEntry?.Line.map((line) => [line.Description, line.Amount, line.JournalEntryLineDetail.PostingType])).toEqual([
      ["Discounts & comps", 0.45, "Credit"],
      ["Returns – Beverages", 4.5, "Debit"],
      ["Tax – State Sales Tax", 0.34, "Debit"],
      ["Refunds – Card", 4.39, "Credit"],
      ["Processing fees", 0.11, "Credit"],
      ["Processing fees – Card clearing", 0.11, "Debit"],
    ]);
  });

  it("prints a table a person can read", async () => {
    const { code, stdout } = await daybook(workedExample("2025-03-14", ["--format", "table"]));
    expect(code).toBe(0);
    expect(stdout).toContain("Square location L8EXAMPLE0001, business day 2025-03-14 (America/Los_Angeles, day starts 00:00)");
    expect(stdout).toMatch(/^44\s+Sales – Beverages\s+9\.00$/m);
    expect(stdout).toMatch(/^11\s+Card payments\s+14\.21$/m);
    expect(stdout).toMatch(/^\s+Total\s+37\.68\s+37\.68$/m);
  });

  it("says there is nothing to post on a day without sales", async () => {
    const { code, stdout } = await daybook(workedExample("2025-03-16", ["--format", "table"]));
    expect(code).toBe(0);
    expect(stdout).toContain("Nothing to post");
    const json = await daybook(workedExample("2025-03-16"));
    expect((JSON.parse(json.stdout) as PreviewOutput).journalEntry).toBeNull();
  });

  it("reports a held day with its reason", async () => {
    const dir = mkdtempSync(join(tmpdir(), "daybook-"));
    // The cash order claims 5.00 more than it was paid: the day is off by more than the 1.00 tolerance.
    const orders = JSON.parse(
      JSON.stringify((await import("../fixtures/square/worked-example/orders.json", { with: { type: "json" } })).default),
    ) as { orders: { line_items?: { gross_sales_money: { amount: number } }[] }[] };
    orders.orders[1]!.line_items![0]!.gross_sales_money.amount += 500;
    writeFileSync(join(dir, "orders.json"), JSON.stringify(orders));
    const args = workedExample("2025-03-14");
    args[args.indexOf("--orders") + 1] = join(dir, "orders.json");
    const { code, stdout } = await daybook(args);
    expect(code).toBe(0);
    const output = JSON.parse(stdout) as PreviewOutput;
    expect(output.held).toBe(true);
    expect(output.holdReason).toMatch(/unexplained difference of 5\.00 USD/);
    expect(output.journalEntry?.Line.at(-1)).toMatchObject({ Description: "Over/short (unexplained difference)", Amount: 5 });
  });
});

describe.concurrent("daybook preview refuses bad input with one clear line and exit code 2", () => {
  const dir = mkdtempSync(join(tmpdir(), "daybook-"));
  const badJson = join(dir, "bad.json");
  writeFileSync(badJson, '{"orders": [');
  const badMapping = join(dir, "mapping.json");
  writeFileSync(badMapping, JSON.stringify({ defaults: { sales: "Sales" } }));

  const replace = (args: string[], flag: string, value: string) => {
    const copy = [...args];
    copy[copy.indexOf(flag) + 1] = value;
    return copy;
  };
  const base = workedExample("2025-03-14");

  it.each([
    ["a missing file", replace(base, "--orders", join(dir, "nope.json")), /^daybook: cannot read orders file .*nope\.json: no such file$/],
    ["bad JSON", replace(base, "--catalog", badJson), /^daybook: catalog file .*bad\.json is not valid JSON: /],
    ["an unknown zone", replace(base, "--timezone", "America/Atlantis"), /^daybook: unknown time zone "America\/Atlantis"/],
    ["a bad date", replace(base, "--date", "2025-13-01"), /^daybook: "2025-13-01" is not a calendar date/],
    ["a bad day start", [...base, "--day-start", "04:10"], /^daybook: day start "04:10" must be HH:MM on a quarter hour/],
    ["a mapping that fails validation", replace(base, "--mapping", badMapping), /^daybook: the mapping is not valid: defaults\.sales: must be a QuickBooks account Id/],
    ["an unknown option", [...base, "--colour", "red"], /^daybook: Unknown option '--colour'/],
    ["a missing required option", base.filter((a, i) => a !== "--date" && base[i - 1] !== "--date"), /^daybook: --date is required/],
    ["an unsupported source", replace(base, "--source", "toast"), /^daybook: --source toast is not supported/],
    ["a bad format", [...base, "--format", "xml"], /^daybook: --format must be json or table/],
    ["orders given twice", [...base, "--orders", fixturePath("square/worked-example/orders.json")], /appears more than once/],
    ["an unknown command", ["post"], /^daybook: unknown command "post"/],
    // A fixed offset: a Los Angeles shop on it would post its days an hour off all summer.
    ["a fixed-offset zone", replace(base, "--timezone", "EST"), /^daybook: "EST" is a fixed offset \(UTC-05:00\) with no daylight saving.*, or pass --fixed-offset if the location really keeps UTC-05:00 all year$/],
    ["a zone abbreviation", replace(base, "--timezone", "PST"), /^daybook: "PST" is an abbreviation, not a time zone: .*such as America\/Los_Angeles$/],
    ["an abbreviation even with --fixed-offset", [...replace(base, "--timezone", "CET"), "--fixed-offset"], /^daybook: "CET" is an abbreviation/],
    ["Clover orders given as Square's", replace(base, "--orders", fixturePath("clover/card-sale.json")), /^daybook: orders file .*card-sale\.json looks like Clover data \(an \{elements: \[\.\.\.\]\} page\), not Square's: use --source clover$/],
    ["a Clover item page given as a catalog", replace(base, "--catalog", fixturePath("clover/items.json")), /^daybook: catalog file .*items\.json looks like Clover data .*use --source clover$/],
    ["a --location none of the orders are from", [...base, "--location", "L8EXAMPLE0002"], /^daybook: --location L8EXAMPLE0002 matches none of the orders; they are from location L8EXAMPLE0001$/],
  ])("%s", async (_, args, message) => {
    const { code, stdout, stderr } = await daybook(args);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr.trim()).toMatch(message);
    expect(stderr).not.toMatch(/\bat .*\.(ts|js|mjs):\d+/);
  });
});

const cloverDay = (scenario: string, date = "2024-06-20", extra: string[] = []) => [
  "preview", "--source", "clover",
  "--orders", fixturePath(`clover/${scenario}.json`),
  "--items", fixturePath("clover/items.json"),
  "--mapping", fixturePath("clover/mapping.json"),
  "--date", date, "--timezone", "America/New_York", ...extra,
];

describe("daybook preview --source clover", () => {
  it("reference/clover.md §5.1: the exact journal entry, the merchant read from the orders' href", async () => {
    const { code, stdout, stderr } = await daybook(cloverDay("card-sale"));
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const output = JSON.parse(stdout) as PreviewOutput;
    // "Debit card clearing 1810 and discounts 355 ... Credit sales 1750 (by category), tax 115 and tips 300."
    expect(output.journalEntry).toEqual({
      TxnDate: "2024-06-20",
      DocNumber: docNumber("clover", "K3V8AZN1QW5YM", "2024-06-20", 0),
      PrivateNote: `location K3V8AZN1QW5YM – Thursday 20 June 2024 – daily sales from Clover – revision 0. Posted by daybook; summary sha256 ${summaryHash(output.summary)}.`,
      Line: [
        ["Sales – Beverages", 3.5, "Credit", "44"],
        ["Sales – Food", 14, "Credit", "45"],
        ["Discounts & comps", 3.55, "Debit", "41"],
        ["Tax – Sales tax", 1.15, "Credit", "20"],
        ["Tips", 3, "Credit", "21"],
        ["Credit Card payments", 18.1, "Debit", "11"],
      ].map(([Description, Amount, PostingType, value]) => ({
        Description, Amount, DetailType: "JournalEntryLineDetail", JournalEntryLineDetail: { PostingType, AccountRef: { value } },
      })),
    });
    expect(output.warnings).toEqual([]);
  });

  it("reference/clover.md §5.3: the refund day, as a table", async () => {
    const { code, stdout } = await daybook(cloverDay("next-day-refund", "2024-06-21", ["--format", "table", "--location", "K3V8AZN1QW5YM"]));
    expect(code).toBe(0);
    expect(stdout).toContain("Clover merchant K3V8AZN1QW5YM, business day 2024-06-21 (America/New_York, day starts 00:00)");
    expect(stdout).toMatch(/^42\s+Returns – Beverages\s+2\.50$/m);
    expect(stdout).toMatch(/^20\s+Tax – State Sales Tax\s+0\.18$/m);
    expect(stdout).toMatch(/^11\s+Refunds – Credit Card\s+2\.68$/m);
    expect(stdout).toMatch(/^\s+Total\s+2\.68\s+2\.68$/m);
  });

  it("several order files make one day, and an order paid in parts splits across the days", async () => {
    const both = (date: string) => [...cloverDay("split-tender", date), "--orders", fixturePath("clover/cash-donation.json")];
    const first = JSON.parse((await daybook(both("2024-06-20"))).stdout) as PreviewOutput;
    const second = JSON.parse((await daybook(both("2024-06-21"))).stdout) as PreviewOutput;
    expect(first.summary.payments).toEqual({ Cash: 985 + 750, "Credit Card": 2134 });
    expect(second.summary.payments).toEqual({ "House Account": 561 });
    expect((first.summary.sales.CAT0FOOD00001 ?? 0) + (second.summary.sales.CAT0FOOD00001 ?? 0)).toBe(1200 + 1600);
  });
});

describe.concurrent("daybook preview --source clover refuses bad input with one clear line and exit code 2", () => {
  const dir = mkdtempSync(join(tmpdir(), "daybook-clover-"));
  const malformed = join(dir, "malformed.json");
  writeFileSync(malformed, JSON.stringify({ elements: [{ id: "BROKEN0RDER01", payments: { elements: [{ id: "P1", amount: "15.10", createdTime: 1, result: "SUCCESS" }] } }] }));
  const badItems = join(dir, "items.json");
  writeFileSync(badItems, JSON.stringify({ elements: [{ id: "ITEM1", categories: [] }] }));
  const base = cloverDay("card-sale");
  const swap = (flag: string, value: string) => base.map((arg, i) => (base[i - 1] === flag ? value : arg));

  it.each([
    ["--payments", [...base, "--payments", fixturePath("clover/card-sale.json")], /^daybook: --payments is for --source square; Clover's payments come inside the orders/],
    ["--refunds", [...base, "--refunds", fixturePath("clover/card-sale.json")], /^daybook: --refunds is for --source square; Clover's refunds come inside the orders/],
    ["--catalog", [...base, "--catalog", fixturePath("square/catalog.json")], /^daybook: --catalog is for --source square; Clover's categories come from --items/],
    ["--items with square", [...workedExample("2025-03-14"), "--items", fixturePath("clover/items.json")], /^daybook: --items is for --source clover/],
    ["a malformed order", swap("--orders", malformed), /^daybook: order 1 of an orders page is not valid: payments\.elements\.0\.amount: Invalid input: expected number, received string$/],
    ["a malformed item page", swap("--items", badItems), /^daybook: item ITEM1 is not valid: categories: Invalid input: expected object, received array$/],
    ["another currency", [...base, "--currency", "CAD"], /^daybook: an order is in USD, but the merchant's currency is CAD$/],
    ["orders given twice", [...base, "--orders", fixturePath("clover/card-sale.json")], /^daybook: order 7BJQ0X3MJ4TZE appears more than once/],
    ["Square orders given as Clover's", swap("--orders", fixturePath("square/worked-example/orders.json")), /^daybook: orders file .*orders\.json looks like Square data .*not Clover's: use --source square$/],
    ["a --location that is not the orders' merchant", [...base, "--location", "K3V8AZN1QW5YX"], /^daybook: --location K3V8AZN1QW5YX matches none of the orders; they are from merchant K3V8AZN1QW5YM$/],
  ])("%s", async (_, args, message) => {
    const { code, stdout, stderr } = await daybook(args);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr.trim()).toMatch(message);
  });
});

describe("the daybook command", () => {
  it.each(["preview", "sync", "backfill"])("`daybook %s --help` prints that command's usage and exits 0", async (command) => {
    for (const help of [[command, "--help"], [command, "-h"], [command, "--date", "2025-03-14", "--help"], ["help", command]]) {
      const { code, stdout, stderr } = await daybook(help);
      expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
      expect(stdout).toMatch(new RegExp(`^Usage:\\n  daybook ${command} --`));
      for (const other of ["preview", "sync", "backfill"].filter((each) => each !== command)) expect(stdout).not.toContain(`daybook ${other} --`);
    }
  });

  it("accepts a fixed-offset zone on purpose with --fixed-offset, and UTC as it is", async () => {
    const est = await daybook([...workedExample("2025-03-14", ["--fixed-offset"]).map((arg) => (arg === "America/Los_Angeles" ? "EST" : arg))]);
    expect(est.code).toBe(0);
    expect((JSON.parse(est.stdout) as { window: { start: string } }).window.start).toBe("2025-03-14T05:00:00.000Z");
    const utc = await daybook(workedExample("2025-03-14").map((arg) => (arg === "America/Los_Angeles" ? "UTC" : arg)));
    expect(utc.code).toBe(0);
    expect((JSON.parse(utc.stdout) as { window: { start: string } }).window.start).toBe("2025-03-14T00:00:00.000Z");
  });

  it("is the package's bin, so `npx daybook` runs it", async () => {
    const { stdout } = await run("npx", ["--no-install", "daybook", "--help"], { cwd: new URL("../..", import.meta.url).pathname });
    expect(stdout).toContain("daybook preview --source square");
    expect(stdout).toContain("daybook preview --source clover");
  });
});
