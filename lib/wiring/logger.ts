/**
 * The log lines of a function whose invocations mostly log nothing (the api's page views, the worker's
 * nights that posted, the scheduler's ticks that found nothing due: only a failure, a refused callback,
 * an email held back, a tick that sent or set aside something or an operator's action writes a line),
 * through Powertools Logger (JSON on stdout, which CloudWatch keeps 14 days). Logger loads on the first
 * line (in the Lambda bundles a chunk of its own, infra/bundle.ts); the lines keep their order, and
 * flush() waits for every one written, so an invocation ends with its lines out.
 */
import type { SERVICE_NAMES } from "../metrics-names";
import { lazy } from "./lazy";

export type LogLevel = "info" | "warn" | "error";

export interface LineWriter {
  /** Writes the line (the first one once Logger is loaded), in the order of the calls. */
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
  /** Waits for every line written so far; call it once at the invocation's end. A line that could not be written fails it. */
  flush(): Promise<void>;
}

export function lineWriter(serviceName: (typeof SERVICE_NAMES)[keyof typeof SERVICE_NAMES]): LineWriter {
  const logger = lazy(async () => new (await import("./on-demand/logger")).Logger({ serviceName }));
  let pending: Promise<void>[] = [];
  let last: Promise<unknown> = Promise.resolve();
  return {
    log(level, message, fields = {}) {
      const line = last.then(async () => {
        (await logger.get())[level](message, fields);
      });
      // A line that failed does not stop the next; flush() throws its failure, so the invocation fails visibly.
      last = line.catch(() => undefined);
      pending.push(line);
    },
    async flush() {
      const lines = pending;
      pending = [];
      await Promise.all(lines);
    },
  };
}
