/**
 * Part 4 (child process): one location-day end to end, repeated: the Square read (simulator on
 * loopback), the summary, the QuickBooks post (simulator) and the record (DynamoDB on moto_server,
 * tokens in moto's KMS), through lib/sync/sync-day.ts syncLocationDay with fresh ports each run (a
 * new job for a merchant this container has not seen: tokens decrypted again). Each run is another
 * business day of `orders` sales, with the QuickBooks access token expired first, as every nightly run
 * finds it. After each first sync, the same day is synced again (a re-check that finds it unchanged).
 * Not in the path: SQS, Powertools Idempotency and the report email of lib/worker (see the report).
 *
 *   DAYBOOK_BENCH_MOTO=<endpoint> tsx bench/end-to-end.ts <runs> <orders>
 * Prints one JSON line: EndToEndResult.
 */
import { openTokens, sealTokens } from "../lib/oauth/tokens";
import { syncLocationDay } from "../lib/sync/sync-day";
import { generateDay } from "../sandbox/square/generate-day";
import type { AwsCounts } from "./aws-counter";
import { lastSettledDay, ZONE } from "./pos-night";
import { createBenchWorld, SQUARE_LOCATION_ID } from "./world";

export interface RunProfile {
  ms: number;
  aws: AwsCounts;
  posCalls: number;
  quickBooksCalls: number;
}

export interface EndToEndResult {
  orders: number;
  first: RunProfile[];
  recheck: RunProfile[];
}

function diff(after: AwsCounts, before: AwsCounts): AwsCounts {
  const calls: Record<string, number> = {};
  for (const [name, count] of Object.entries(after.calls)) {
    const delta = count - (before.calls[name] ?? 0);
    if (delta > 0) calls[name] = delta;
  }
  return { calls, readUnits: after.readUnits - before.readUnits, writeUnits: after.writeUnits - before.writeUnits };
}

const snapshot = (counts: AwsCounts): AwsCounts => ({ calls: { ...counts.calls }, readUnits: counts.readUnits, writeUnits: counts.writeUnits });

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? "30");
  const orders = Number(process.argv[3] ?? "300");
  const motoEndpoint = process.env["DAYBOOK_BENCH_MOTO"];
  if (!motoEndpoint) throw new Error("DAYBOOK_BENCH_MOTO is not set");
  const world = await createBenchWorld({ motoEndpoint, source: "square", timeZone: ZONE, now: Date.now });
  const lastDay = lastSettledDay(ZONE);
  const days = Array.from({ length: runs }, (_, i) => new Date(Date.parse(`${lastDay}T12:00:00Z`) - i * 86_400_000).toISOString().slice(0, 10));
  const catalog = generateDay({ seed: 1, sales: 1, date: lastDay, timeZone: ZONE }).catalog;
  world.square.setCatalog(world.squareMerchantId, catalog);
  for (const [i, date] of days.entries()) {
    world.square.addOrders(SQUARE_LOCATION_ID, generateDay({ seed: 100 + i, sales: orders, date, timeZone: ZONE, locationId: SQUARE_LOCATION_ID, returnRate: 0.03, noiseRate: 0.05 }).orders);
  }
  async function expireQuickBooksToken(): Promise<void> {
    const current = await world.store.getConnection(world.merchantId, "quickbooks-1");
    if (!current) throw new Error("no QuickBooks connection");
    const tokens = await openTokens(world.vault, current);
    const expired = await sealTokens(world.vault, current, { ...tokens, accessTokenExpiresAt: new Date(Date.now() - 60_000).toISOString() });
    await world.store.updateConnectionTokens(world.merchantId, "quickbooks-1", current.tokenVersion, expired);
  }

  async function measured(date: string): Promise<RunProfile & { status: string }> {
    const before = snapshot(world.aws);
    const posBefore = world.square.requests().length;
    const qbBefore = world.quickbooks.requestLog().length;
    const started = performance.now();
    const outcome = await syncLocationDay(await world.ports(), { merchantId: world.merchantId, locationId: SQUARE_LOCATION_ID, businessDay: date });
    const ms = performance.now() - started;
    return {
      ms, status: outcome.status, aws: diff(world.aws, before),
      posCalls: world.square.requests().length - posBefore, quickBooksCalls: world.quickbooks.requestLog().length - qbBefore,
    };
  }

  const first: RunProfile[] = [];
  const recheck: RunProfile[] = [];
  for (const date of days) {
    await expireQuickBooksToken();
    const { status, ...run } = await measured(date);
    if (status !== "posted") throw new Error(`the first sync of ${date} ended ${status}`);
    first.push(run);
    const { status: again, ...second } = await measured(date);
    if (again !== "unchanged") throw new Error(`the re-check of ${date} ended ${again}`);
    recheck.push(second);
  }
  const result: EndToEndResult = { orders, first, recheck };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  await world.close();
}

if (process.argv[1]?.endsWith("end-to-end.ts")) await main();
