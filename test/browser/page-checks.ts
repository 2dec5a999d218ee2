/**
 * What every page of the merchant's must pass in the browser tests: a screenshot on a desktop and on a
 * phone (written to test/artifacts/browser/<test>/ for a person to look at), no sideways scrolling on the
 * phone, a label for every control, a name for every button and link, one h1, a language, and text
 * contrast of at least WCAG AA (4.5:1, 3:1 for large text) against the colour behind it.
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import type { Page } from "playwright-core";

export const SCREENSHOTS = join(import.meta.dirname, "..", "artifacts", "browser");
export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 375, height: 740 };

export interface PageProblems {
  unlabelled: string[];
  unnamed: string[];
  lowContrast: string[];
  headings: number;
  lang: string;
  hasMenu: boolean;
  brokenMenuLinks: string[];
  firstFocus: string | null;
  narrowFigures: string[];
}

let shots = 0;
/** This test file's folder: browser tests run side by side, each with its own. */
let folder = SCREENSHOTS;

/** Collects the page's Content Security Policy refusals: the CSP forbids scripts and inline styles, so a page that needed either logs one. */
export function collectCspRefusals(page: Page, into: string[]): void {
  page.on("console", (message) => {
    if (message.type() === "error" && /Content Security Policy|Refused to/i.test(message.text())) into.push(message.text());
  });
}

/** Starts the run with an empty screenshot folder of its own, so every file in it is from this run. */
export function clearScreenshots(run: string): void {
  folder = join(SCREENSHOTS, run);
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  shots = 0;
}

/** Where a screenshot named `file` goes. */
export const screenshotPath = (file: string) => join(folder, file);

/**
 * Screenshots the page as it is (desktop and phone) and checks it; returns the file names written.
 * A folder of its own (an email rendered outside a browser test) keeps the name unnumbered.
 */
export async function checkPage(page: Page, name: string, ownFolder?: string): Promise<string[]> {
  const target = ownFolder ?? folder;
  mkdirSync(target, { recursive: true });
  const base = ownFolder === undefined ? `${String(++shots).padStart(2, "0")}-${name}` : name;
  const files = [`${base}.png`, `${base}-phone.png`];
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: join(target, files[0]!), fullPage: true });

  const problems: PageProblems = await page.evaluate(inspect);
  expect(problems.lang, `${name}: <html lang>`).not.toBe("");
  expect(problems.headings, `${name}: one h1`).toBe(1);
  expect(problems.unlabelled, `${name}: controls without a label`).toEqual([]);
  expect(problems.unnamed, `${name}: buttons and links without a name`).toEqual([]);
  expect(problems.lowContrast, `${name}: text below WCAG AA contrast`).toEqual([]);
  // A page with daybook's menu: the keyboard's first stop skips it (an email has no menu to skip).
  if (problems.hasMenu) expect(problems.firstFocus, `${name}: the first stop of the keyboard skips the menu`).toBe("#main");
  // Tables of figures take a laptop's width: at 48rem their account names and days wrapped line by line.
  expect(problems.narrowFigures, `${name}: tables of figures narrower than the window allows`).toEqual([]);
  expect(problems.brokenMenuLinks, `${name}: menu links broken across lines ("API" / "keys")`).toEqual([]);

  await page.setViewportSize(PHONE);
  await page.screenshot({ path: join(target, files[1]!), fullPage: true });
  const wide = await page.evaluate(() => [...document.querySelectorAll("body *")]
    .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 0.5 && !element.parentElement?.closest("table"))
    .map((element) => `${element.tagName.toLowerCase()} "${(element.textContent ?? "").trim().slice(0, 30)}"`));
  expect(wide, `${name}: sticks out sideways on a phone`).toEqual([]);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, `${name}: scrolls sideways on a phone`).toBeLessThanOrEqual(0);
  await page.setViewportSize(DESKTOP);
  return files;
}

// The page's globals as far as inspect() uses them: the project compiles without the DOM library.
interface PageElement {
  tagName: string;
  id: string;
  textContent: string | null;
  parentElement: PageElement | null;
  childNodes: Iterable<{ nodeType: number; textContent: string | null }>;
  labels?: ArrayLike<unknown> | null;
  type?: string;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { width: number; height: number; right: number };
  getClientRects(): ArrayLike<unknown>;
  closest(selector: string): PageElement | null;
}
declare const document: { querySelectorAll(selector: string): Iterable<PageElement> & ArrayLike<PageElement>; documentElement: { lang: string; scrollWidth: number } };
declare const window: { innerWidth: number };
declare function getComputedStyle(element: PageElement): { visibility: string; display: string; backgroundColor: string; color: string; fontSize: string; fontWeight: string };

/** Runs in the page. */
function inspect(): PageProblems {
  const describe = (element: PageElement) => `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ""}${element.getAttribute("name") ? `[name=${element.getAttribute("name") ?? ""}]` : ""}`;
  const visible = (element: PageElement) => {
    const box = element.getBoundingClientRect();
    const style = getComputedStyle(element);
    return box.width > 0 && box.height > 0 && style.visibility !== "hidden" && style.display !== "none";
  };

  const unlabelled = [...document.querySelectorAll("input, select, textarea")]
    .filter((element) => element.type !== "hidden" && visible(element))
    .filter((element) => (element.labels?.length ?? 0) === 0 && !element.getAttribute("aria-label") && !element.getAttribute("aria-labelledby"))
    .map(describe);
  const unnamed = [...document.querySelectorAll("button, a[href]")]
    .filter((element) => visible(element) && (element.textContent ?? "").trim() === "" && !element.getAttribute("aria-label"))
    .map(describe);

  type Rgba = [number, number, number, number];
  const parse = (color: string): Rgba => {
    const parts = /rgba?\(([^)]+)\)/.exec(color)?.[1]?.split(/[ ,/]+/).filter(Boolean).map(Number) ?? [0, 0, 0, 1];
    return [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0, parts[3] ?? 1];
  };
  const background = (element: PageElement | null): Rgba => {
    for (let at = element; at; at = at.parentElement) {
      const color = parse(getComputedStyle(at).backgroundColor);
      if (color[3] > 0) return color;
    }
    return [255, 255, 255, 1];
  };
  const luminance = ([r, g, b]: Rgba) => {
    const channel = (value: number) => {
      const v = value / 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const lowContrast: string[] = [];
  for (const element of document.querySelectorAll("body *")) {
    const ownText = [...element.childNodes].some((node) => node.nodeType === 3 /* TEXT_NODE */ && (node.textContent ?? "").trim() !== "");
    if (!ownText || !visible(element) || element.closest("svg")) continue;
    const style = getComputedStyle(element);
    const text = parse(style.color);
    const behind = background(element);
    // Blend a translucent text colour onto what is behind it.
    const blended: Rgba = [0, 1, 2].map((i) => text[i]! * text[3] + behind[i]! * (1 - text[3])) as unknown as Rgba;
    const [light, dark] = [luminance(blended), luminance(behind)].sort((a, b) => b - a) as [number, number];
    const ratio = (light + 0.05) / (dark + 0.05);
    const size = Number.parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) lowContrast.push(`${describe(element)} "${(element.textContent ?? "").trim().slice(0, 40)}" ${ratio.toFixed(2)}:1`);
  }
  const firstFocus = [...document.querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea")][0]?.getAttribute("href") ?? null;
  // At the desktop width (1280 px) a table of figures may use 72rem of it, well over the 48rem of text.
  const narrowFigures = [...document.querySelectorAll("table.stack")].filter((table) => table.getBoundingClientRect().width < 900).map(describe);
  return { unlabelled, unnamed, lowContrast, headings: document.querySelectorAll("h1").length, lang: document.documentElement.lang, hasMenu: document.querySelectorAll("header nav").length > 0, firstFocus, narrowFigures,
    brokenMenuLinks: [...document.querySelectorAll("header nav a")].filter((link) => link.getClientRects().length > 1).map((link) => (link.textContent ?? "").trim()) };
}
