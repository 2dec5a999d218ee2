/**
 * lib/wiring/logger.ts: the api's and the worker's log lines through the real Powertools Logger, loaded on
 * the first line; the lines come out in the order they were written, each with its level, service and
 * fields, and every one is out once flush() returns.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { SERVICE_NAMES } from "../../lib/metrics-names";
import { lineWriter } from "../../lib/wiring/logger";

/** The JSON lines Powertools Logger writes to stdout and stderr while `run` runs, in order. */
async function linesOf(run: () => Promise<void>): Promise<Record<string, unknown>[]> {
  const lines: Record<string, unknown>[] = [];
  for (const stream of ["stdout", "stderr"] as const) {
    vi.spyOn(process[stream], "write").mockImplementation((chunk: string | Uint8Array) => {
      for (const line of String(chunk).split("\n")) if (line.startsWith("{")) lines.push(JSON.parse(line) as Record<string, unknown>);
      return true;
    });
  }
  try {
    await run();
  } finally {
    vi.restoreAllMocks();
  }
  return lines;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("lineWriter", () => {
  it("writes every line, in order, with its level, the service and its fields, before flush() returns", async () => {
    const lines = lineWriter(SERVICE_NAMES.api);
    const written = await linesOf(async () => {
      lines.log("info", "account exported", { merchantId: "m-1" });
      lines.log("warn", "email held back by the daily cap", { merchantId: "m-1", purpose: "sign-in" });
      lines.log("error", "request failed");
      await lines.flush();
    });
    expect(written.map((line) => [line["level"], line["message"], line["service"]])).toEqual([
      ["INFO", "account exported", SERVICE_NAMES.api],
      ["WARN", "email held back by the daily cap", SERVICE_NAMES.api],
      ["ERROR", "request failed", SERVICE_NAMES.api],
    ]);
    expect(written[1]).toMatchObject({ merchantId: "m-1", purpose: "sign-in" });
  });

  it("writes nothing for an invocation that logged nothing, and the next invocation's lines after its own flush", async () => {
    const lines = lineWriter(SERVICE_NAMES.worker);
    expect(await linesOf(() => lines.flush())).toEqual([]);
    const next = await linesOf(async () => {
      lines.log("warn", "job failed", { attempt: 2 });
      await lines.flush();
    });
    expect(next).toMatchObject([{ level: "WARN", message: "job failed", attempt: 2, service: SERVICE_NAMES.worker }]);
  });
});
