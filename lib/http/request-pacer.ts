/**
 * Keeps one credential's requests within an API's rate and concurrency limits, first come first
 * served: at most `perWindow` requests started in any rolling `windowMs`, and at most `maxInFlight`
 * running at once. Everything that calls the API with the credential goes through one pacer, so
 * concurrent work (pages, follow-up requests) never adds up past the limits.
 *
 * Pacing is in real time, because that is what the server counts in; waits the caller controls (a
 * retry's backoff) come in through `pause`.
 */
import { performance } from "node:perf_hooks";

export interface RequestPacerOptions {
  perWindow: number;
  windowMs: number;
  maxInFlight: number;
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class RequestPacer {
  /** Start times of the last `perWindow` requests, oldest first. */
  private readonly starts: number[] = [];
  private inFlight = 0;
  /** Settles when the request ahead in line has started: only the head of the line waits for a turn. */
  private line: Promise<void> = Promise.resolve();
  private onSlotFreed: (() => void) | undefined;
  private paused: Promise<void> = Promise.resolve();

  constructor(private readonly options: RequestPacerOptions) {
    if (!(options.perWindow >= 1 && options.maxInFlight >= 1 && options.windowMs > 0)) throw new RangeError("pacing limits must be positive");
  }

  /** Runs `task` once it may start; its time in flight lasts until it settles. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.takeTurn();
    try {
      return await task();
    } finally {
      this.inFlight -= 1;
      const notify = this.onSlotFreed;
      this.onSlotFreed = undefined;
      notify?.();
    }
  }

  /** Holds every request not yet started until `until` settles, e.g. while a 429's retry-after runs. */
  pause(until: Promise<void>): void {
    this.paused = Promise.all([this.paused, until]).then(() => undefined);
  }

  private async takeTurn(): Promise<void> {
    const ahead = this.line;
    let started!: () => void;
    this.line = new Promise((resolve) => (started = resolve));
    await ahead;
    try {
      for (;;) {
        const paused = this.paused;
        await paused;
        if (paused !== this.paused) continue;
        if (this.inFlight >= this.options.maxInFlight) {
          await new Promise<void>((resolve) => (this.onSlotFreed = resolve));
          continue;
        }
        const waitMs = this.msUntilWindowAllows();
        if (waitMs > 0) {
          await realSleep(Math.ceil(waitMs));
          continue;
        }
        break;
      }
      this.inFlight += 1;
      this.starts.push(performance.now());
      if (this.starts.length > this.options.perWindow) this.starts.shift();
    } finally {
      started();
    }
  }

  private msUntilWindowAllows(): number {
    const [oldest] = this.starts;
    if (oldest === undefined || this.starts.length < this.options.perWindow) return 0;
    return oldest + this.options.windowMs - performance.now();
  }
}
