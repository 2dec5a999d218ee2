/**
 * Part 3: each Lambda function bundled as the stack deploys it (infra/bundle.ts: ESM, code-split, the
 * entry holding what every invocation needs), the sizes of its entry and chunks, and the module load of
 * its entry: the entry imported in a fresh `node` process, N times, with the environment each
 * function's config needs set to harmless values so its top level runs (it builds clients but calls
 * nothing at import; secrets are given as plain variables, so no SSM read). Side by side, interleaved
 * run by run, the floor: a bundle of only hono (api) and the AWS clients every invocation of the
 * function uses (bench/floors/), built the same way.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { bundleFunction, FUNCTION_NAMES, type FunctionName, loadedAtStart, PROJECT_ROOT } from "../infra/bundle";
import { type Spread, spread } from "./stats";

export const FUNCTIONS = FUNCTION_NAMES;
export type { FunctionName };

const COMMON_ENV = {
  AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "bench", AWS_SECRET_ACCESS_KEY: "bench",
  DAYBOOK_TABLE: "daybook-bench", DAYBOOK_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/daybook-jobs.fifo",
  POWERTOOLS_METRICS_NAMESPACE: "daybook", POWERTOOLS_DEV: "false",
};
const APP_ENV = {
  DAYBOOK_PUBLIC_URL: "https://app.daybook.example", DAYBOOK_KMS_KEY_ID: "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000",
  DAYBOOK_EMAIL_FROM: "daybook <no-reply@daybook.example>", DAYBOOK_LINK_KEY: Buffer.alloc(32, 7).toString("base64"),
  SQUARE_CLIENT_ID: "sq0idp-bench", SQUARE_CLIENT_SECRET: "bench-not-a-secret", SQUARE_WEBHOOK_SIGNATURE_KEY: "bench-not-a-secret",
  CLOVER_APP_ID: "BENCHAPP", CLOVER_APP_SECRET: "bench-not-a-secret", CLOVER_WEBHOOK_AUTH_CODE: "bench-not-a-secret",
  QUICKBOOKS_CLIENT_ID: "bench", QUICKBOOKS_CLIENT_SECRET: "bench-not-a-secret", QUICKBOOKS_ENVIRONMENT: "sandbox",
};
export const FUNCTION_ENV: Record<FunctionName, Record<string, string>> = {
  api: { ...COMMON_ENV, ...APP_ENV, POWERTOOLS_SERVICE_NAME: "daybook-api" },
  scheduler: { ...COMMON_ENV, POWERTOOLS_SERVICE_NAME: "daybook-scheduler" },
  worker: { ...COMMON_ENV, ...APP_ENV, DAYBOOK_MAX_ATTEMPTS: "5", POWERTOOLS_SERVICE_NAME: "daybook-worker" },
};

export interface BundleResult {
  name: FunctionName;
  /** Every file of the bundle, and what loads at start (the entry and the chunks it imports statically). */
  bytes: number;
  entryBytes: number;
  /** The chunks loaded on the paths that need them: path and bytes. */
  chunks: { path: string; bytes: number; atStart: boolean }[];
  /** Import of the entry in a fresh process, ms. */
  loadMs: Spread;
  /** The whole process, spawn to exit, ms. */
  processMs: Spread;
  floorBytes: number;
  floorLoadMs: Spread;
  /** Median load over the floor's median load. */
  ratio: number;
}

const LOADER = "const t=performance.now();await import(process.argv[1]);process.stdout.write(String(performance.now()-t));process.exit(0);";

export function loadOnce(file: string, name: FunctionName): { loadMs: number; processMs: number } {
  const started = performance.now();
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", LOADER, pathToFileURL(file).href], {
    env: { PATH: process.env["PATH"] ?? "", ...FUNCTION_ENV[name] }, encoding: "utf8", timeout: 60_000,
  });
  const processMs = performance.now() - started;
  const loadMs = Number(child.stdout);
  if (child.status !== 0 || !Number.isFinite(loadMs)) {
    throw new Error(`loading the ${name} bundle failed (status ${String(child.status)}): ${child.stderr.split("\n").slice(0, 5).join(" ")}`);
  }
  return { loadMs, processMs };
}

export function measureBundles(outdir: string, runs: number): Promise<BundleResult[]> {
  const results: BundleResult[] = [];
  for (const name of FUNCTIONS) {
    const bundle = bundleFunction(name, join(outdir, name));
    const floor = bundleFunction(name, join(outdir, `${name}-floor`), join(PROJECT_ROOT, "bench", "floors", `${name}.ts`));
    const atStart = new Set(loadedAtStart(bundle).map((file) => file.path));
    const entryFile = join(bundle.outdir, bundle.entry);
    const floorFile = join(floor.outdir, floor.entry);
    // Warm the file cache, then alternate, so both meet the same load on the machine.
    loadOnce(entryFile, name);
    loadOnce(floorFile, name);
    const loads: { loadMs: number; processMs: number }[] = [];
    const floorLoads: number[] = [];
    for (let run = 0; run < runs; run++) {
      loads.push(loadOnce(entryFile, name));
      floorLoads.push(loadOnce(floorFile, name).loadMs);
    }
    const loadMs = spread(loads.map((l) => l.loadMs));
    const floorLoadMs = spread(floorLoads);
    results.push({
      name,
      bytes: bundle.files.reduce((total, file) => total + file.bytes, 0),
      entryBytes: bundle.files.filter((file) => atStart.has(file.path)).reduce((total, file) => total + file.bytes, 0),
      chunks: bundle.files.filter((file) => !file.entry).map((file) => ({ path: file.path, bytes: file.bytes, atStart: atStart.has(file.path) })),
      loadMs, processMs: spread(loads.map((l) => l.processMs)),
      floorBytes: floor.files.reduce((total, file) => total + file.bytes, 0),
      floorLoadMs, ratio: loadMs.median / floorLoadMs.median,
    });
  }
  return Promise.resolve(results);
}
