/**
 * What a merchant does in every browser test, in the system Chromium against the local stack: sign in
 * through the emailed link, connect through a simulator's consent page, and wait for a backfill to end.
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { expect } from "vitest";
import { localInstant } from "../../lib/report/digest";
import { addDays, DEMO, yesterdayIn } from "../../sandbox/local-stack/demo";
import { type LocalStack, type LocalStackOptions, startLocalStack } from "../../sandbox/local-stack/stack";
import { chromiumPath } from "../../scripts/prerequisites";
import { checkPage, clearScreenshots, DESKTOP, screenshotPath } from "./page-checks";

export interface BrowserRun {
  stack: LocalStack;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Content Security Policy refusals the page logged: a page that needed a script or an inline style. */
  consoleErrors: string[];
  close(): Promise<void>;
}

let workerChromium: Promise<Browser> | undefined;

/**
 * The system Chromium (the one npm test made sure of, scripts/prerequisites.ts), one per test worker, as
 * Playwright's own test runner keeps one per worker: each file opens contexts of its own in it (their
 * cookies, storage and pages apart from any other's) and closes them; the browser ends with the worker
 * process (Playwright ends what it launched when its process exits). A launch is about 2.4 CPU-s of
 * Chromium (22:46 UTC, load 2.3), which each browser file paid before.
 */
export function chromiumOfThisWorker(): Promise<Browser> {
  workerChromium ??= chromium.launch({ executablePath: chromiumPath(), args: ["--no-sandbox"] }).then((browser) => {
    browser.on("disconnected", () => { workerChromium = undefined; });
    return browser;
  }, (error: unknown) => {
    workerChromium = undefined;
    throw error;
  });
  return workerChromium;
}

/**
 * A local stack of its own (a fresh data folder, free ports) and a context of its own in the worker's
 * Chromium (chromiumOfThisWorker) on a desktop-sized page; screenshots go to the run's folder.
 * `clock` is the whole stack's clock (a test that lives through a night moves it on); by default it reads
 * midday today in the demo's zone and runs on from there.
 */
export async function openBrowserRun(name: string, clock: LocalStackOptions["now"] = middayClock()): Promise<BrowserRun> {
  clearScreenshots(name);
  const dataDir = await mkdtemp(join(tmpdir(), `daybook-${name}-`));
  const closers: (() => Promise<void>)[] = [() => rm(dataDir, { recursive: true, force: true })];
  const close = async () => {
    for (const closer of closers.reverse()) await closer();
  };
  try {
    const stack = await startLocalStack({ dataDir, ports: { web: 0, square: 0, clover: 0, quickbooks: 0 }, log: () => undefined, now: clock });
    closers.push(() => stack.close());
    const browser = await chromiumOfThisWorker();
    const context = await browser.newContext({ viewport: DESKTOP, acceptDownloads: true });
    closers.push(() => context.close());
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const consoleErrors: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error" && /Content Security Policy|Refused to/i.test(message.text())) consoleErrors.push(message.text());
    });
    return { stack, browser, context, page, consoleErrors, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Backfills run on the local stack's in-process queue; a page refreshes itself every 2 seconds. */
const FINISH_TIMEOUT_MS = 90_000;

/**
 * Midday of the real today in the demo's zone. A test's clock starts there rather than at the wall
 * clock, so its minutes never straddle the demo's midnight (05:00 UTC in New York), which would change
 * "today" between a step and the check that follows it.
 */
export const middayToday = (now = new Date()): Date => localInstant(addDays(yesterdayIn(DEMO.timeZone, now), 1), DEMO.timeZone, "12:00");

/** A clock that reads middayToday() when made, and runs on in real time. */
export function middayClock(): () => Date {
  const offsetMs = middayToday().getTime() - Date.now();
  return () => new Date(Date.now() + offsetMs);
}

export const outboxFiles = async (stack: LocalStack) => (await readdir(stack.outboxDir).catch(() => [] as string[])).filter((file) => file.endsWith(".eml"));

export async function newestEmail(stack: LocalStack, after: string[] = []): Promise<{ file: string; raw: string }> {
  const files = (await outboxFiles(stack)).filter((file) => !after.includes(file));
  const newest = files.sort((a, b) => Number(/-(\d+)\.eml$/.exec(a)?.[1] ?? 0) - Number(/-(\d+)\.eml$/.exec(b)?.[1] ?? 0)).at(-1);
  if (!newest) throw new Error("no new email in the outbox");
  return { file: newest, raw: await readFile(join(stack.outboxDir, newest), "utf8") };
}

/**
 * Asks for a sign-in link on `page`, opens it from the outbox and presses the button; `shoot` checks each
 * page. Returns where it led: the business name page the first time, else the connections page.
 */
export async function signIn(stack: LocalStack, page: Page, email: string, shoot: boolean): Promise<string> {
  await page.goto(stack.url);
  expect(new URL(page.url()).pathname).toBe("/sign-in");
  if (shoot) await checkPage(page, "sign-in");
  const before = await outboxFiles(stack);
  await page.getByLabel("Email address").fill(email);
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  if (shoot) await checkPage(page, "sign-in-link-sent");
  const sent = await newestEmail(stack, before);
  const link = /http:\/\/localhost:\d+\/sign-in\/confirm\?token=[A-Za-z0-9_-]+/.exec(sent.raw)?.[0];
  expect(link, "the sign-in email's link").toBeDefined();
  await page.goto(link!);
  if (shoot) await checkPage(page, "sign-in-confirm");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/(business-name|connections)$/);
  return new URL(page.url()).pathname;
}

/** On the connections page: presses Connect for the provider and approves on the simulator's consent page, choosing `account`. */
export async function connect(stack: LocalStack, page: Page, provider: "Square" | "Clover" | "QuickBooks", account: string): Promise<void> {
  await page.getByRole("button", { name: new RegExp(`: ${provider}$`) }).click();
  await page.waitForURL((url) => url.origin !== new URL(stack.url).origin);
  await page.screenshot({ path: screenshotPath(`consent-${provider.toLowerCase()}.png`), fullPage: true });
  await page.locator("select").selectOption({ value: account });
  await page.getByRole("button", { name: /^(Allow|Approve)$/ }).click();
  await page.waitForURL(new RegExp(`/connections\\?connected=${provider.toLowerCase()}$`));
  await expect.poll(() => page.getByRole("status").textContent()).toMatch(/connected/i);
}

/** A first sign-in of the demo business: its name, then Square, Clover and QuickBooks connected to the demo's accounts. */
export async function signUpTheDemo(stack: LocalStack, page: Page, email: string, businessName: string): Promise<void> {
  expect(await signIn(stack, page, email, false)).toBe("/business-name");
  await page.getByLabel("Business name").fill(businessName);
  await page.getByRole("button", { name: "Save and continue" }).click();
  await page.waitForURL(/\/connections$/);
  await connect(stack, page, "Square", DEMO.square.merchantId);
  await connect(stack, page, "Clover", DEMO.clover.merchantId);
  await connect(stack, page, "QuickBooks", DEMO.quickbooks.realmId);
}

/** The decoded body of an email's part of `type` (8bit or base64, as lib/email/outbox.ts writes them). */
export function partOf(raw: string, type: "text/plain" | "text/html"): string {
  const boundary = /boundary="([^"]+)"/.exec(raw)?.[1];
  if (!boundary) throw new Error("not a multipart email");
  const part = raw.split(`--${boundary}`).find((each) => each.includes(`Content-Type: ${type};`));
  if (!part) throw new Error(`no ${type} part`);
  const [headers = "", ...body] = part.split("\r\n\r\n");
  const content = body.join("\r\n\r\n").replace(/\r\n$/, "");
  return /Content-Transfer-Encoding: base64/.test(headers) ? Buffer.from(content.replace(/\s+/g, ""), "base64").toString("utf8") : content;
}

/** Cancels the page's pending reload (its meta refresh), waiting out one that has already begun. */
async function holdStill(page: Page): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await page.waitForLoadState();
    try {
      await page.evaluate("window.stop()");
      return;
    } catch (error) {
      if (attempt === 5 || !(error instanceof Error) || !error.message.includes("Execution context was destroyed")) throw error;
    }
  }
}

/** Waits on a backfill's progress page (which reloads itself) until it says it is finished; returns its status line. */
export async function waitForBackfill(page: Page, name: string): Promise<string> {
  expect(new URL(page.url()).pathname).toMatch(/^\/backfill\/[^/]+$/);
  // Held still while it is checked (a reload would cut the check short), then reloading itself again.
  await holdStill(page);
  await checkPage(page, `${name}-progress`);
  await page.reload();
  await page.getByText("Backfill finished").waitFor({ timeout: FINISH_TIMEOUT_MS });
  await checkPage(page, `${name}-finished`);
  return (await page.getByRole("status").textContent()) ?? "";
}

/** The lines of the journal entries the QuickBooks simulator holds, as posted. */
export interface PostedLine {
  Description?: string;
  Amount: number;
  JournalEntryLineDetail: { PostingType: "Debit" | "Credit"; AccountRef: { value: string; name?: string } };
}

export const linesOf = (entry: Record<string, unknown>): PostedLine[] => (entry["Line"] ?? []) as PostedLine[];
