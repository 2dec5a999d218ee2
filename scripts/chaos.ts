/**
 * `npm run chaos`: the fault campaign (chaos/campaign.ts) at full size — by default 40 merchants
 * × 5 locations × 10 days = 2,000 location-days — on a moto_server of its own and the three simulators.
 * Prints the table, writes it to chaos/results.md and chaos/results.json, and exits non-zero unless
 * there are no duplicates, no lost days, no broken refresh chains and no wrong figures.
 *
 *   npm run chaos                       a new seed each run (printed)
 *   npm run chaos -- --seed 1234        repeat a run's plan
 *   npm run chaos -- --merchants 8 --locations 3 --days 5 --out /tmp/chaos
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { type CampaignResult, resultsMarkdown, runCampaign } from "../chaos/campaign";
import { MotoStartError, startMoto } from "../sandbox/moto";

const USAGE = "usage: npm run chaos -- [--seed N] [--merchants N] [--locations N] [--days N] [--workers N] [--out DIR]";

function wholeNumber(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min) {
    process.stderr.write(`--${name} must be a whole number of at least ${String(min)}, not "${value}"\n${USAGE}\n`);
    process.exit(2);
  }
  return parsed;
}

async function main(): Promise<number> {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        seed: { type: "string" }, merchants: { type: "string" }, locations: { type: "string" }, days: { type: "string" },
        workers: { type: "string" }, out: { type: "string" },
      },
      strict: true,
    }) as { values: Record<string, string | undefined> });
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    return 2;
  }
  const seed = wholeNumber("seed", values.seed, Math.floor(Math.random() * 1_000_000), 0);
  const merchants = wholeNumber("merchants", values.merchants, 40, 4);
  const locationsPerMerchant = wholeNumber("locations", values.locations, 5, 2);
  const days = wholeNumber("days", values.days, 10, 3);
  const workers = wholeNumber("workers", values.workers, 3, 1);
  const outDir = resolve(values.out ?? "chaos");

  let moto;
  try {
    moto = await startMoto();
  } catch (error) {
    if (!(error instanceof MotoStartError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  process.stdout.write(`chaos: seed ${String(seed)}, ${String(merchants * locationsPerMerchant * days)} location-days (repeat with --seed ${String(seed)})\n`);
  let result: CampaignResult;
  try {
    result = await runCampaign({
      motoEndpoint: moto.endpoint, seed, merchants, locationsPerMerchant, days, workers,
      log: (line) => process.stdout.write(`  ${line}\n`),
    });
  } finally {
    await moto.stop();
  }
  const markdown = resultsMarkdown(result);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "results.md"), markdown);
  writeFileSync(join(outDir, "results.json"), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`\n${markdown}\nwritten to ${join(outDir, "results.md")} and results.json\n`);
  return result.ok ? 0 : 1;
}

process.exitCode = await main();
