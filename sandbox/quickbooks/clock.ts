/**
 * The simulator's clock. Token lifetimes, closing dates and timestamps all read it, so a test can move
 * hours or days ahead with `advance` instead of waiting.
 */
export class SimulatorClock {
  #offsetMs = 0;

  constructor(private readonly base: () => number = Date.now) {}

  now(): number {
    return this.base() + this.#offsetMs;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`advanceTime takes a positive number of milliseconds, got ${ms}`);
    this.#offsetMs += ms;
  }
}

/**
 * QuickBooks stamps times in the company's zone (e.g. 2025-01-16T02:10:03-08:00). The simulator keeps
 * every company on Pacific Standard Time, without daylight saving, so dates are predictable in tests.
 */
const OFFSET_MS = -8 * 3600_000;
const OFFSET_TEXT = "-08:00";

function shifted(ms: number): string {
  return new Date(ms + OFFSET_MS).toISOString();
}

/** 2025-01-16T02:10:03-08:00 (MetaData times) or 2025-01-16T02:10:03.512-08:00 (a response's `time`). */
export function qboTimestamp(ms: number, withMillis = false): string {
  const iso = shifted(ms);
  return `${iso.slice(0, withMillis ? 23 : 19)}${OFFSET_TEXT}`;
}

/** The company's calendar date at `ms`, YYYY-MM-DD. */
export function qboDate(ms: number): string {
  return shifted(ms).slice(0, 10);
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date written YYYY-MM-DD. */
export function isIsoDate(text: string): boolean {
  const match = ISO_DATE.exec(text);
  if (!match) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}
