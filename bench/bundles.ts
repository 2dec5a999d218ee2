/**
 * Part 3: each Lambda entry bundled as infra/stack.ts bundles it (esbuild, ESM, node24, minified,
 * tree-shaken, everything but Node built-ins inside, the createRequire banner), its size, and its
 * module load time: the bundle imported in a fresh `node` process, N times, with the environment
 * each function's config needs set to harmless values so its top level runs (it builds clients but
 * calls nothing at import; secrets are given as plain variables, so no SSM read).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { type Spread, spread } from "./stats";

export const FUNCTIONS = ["api", "scheduler", "worker"] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

const BANNER = "import{createRequire as __daybookCreateRequire}from'node:module';const require=__daybookCreateRequire(import.meta.url);";

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
  bytes: number;
  buildMs: number;
  /** Import of the bundle in a fresh process, ms. */
  loadMs: Spread;
  /** The whole process, spawn to exit, ms. */
  processMs: Spread;
}

export async function bundleFunction(name: FunctionName, outdir: string): Promise<{ file: string; bytes: number; buildMs: number }> {
  mkdirSync(outdir, { recursive: true });
  const file = join(outdir, `${name}.mjs`);
  const started = performance.now();
  await build({
    entryPoints: [resolve(`functions/${name}.ts`)], outfile: file, bundle: true, platform: "node", format: "esm", target: "node24",
    minify: true, treeShaking: true, mainFields: ["module", "main"], banner: { js: BANNER }, logLevel: "error",
  });
  return { file, bytes: statSync(file).size, buildMs: performance.now() - started };
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

export async function measureBundles(outdir: string, runs: number): Promise<BundleResult[]> {
  const results: BundleResult[] = [];
  for (const name of FUNCTIONS) {
    const { file, bytes, buildMs } = await bundleFunction(name, outdir);
    loadOnce(file, name); // warm the file cache
    const loads = Array.from({ length: runs }, () => loadOnce(file, name));
    results.push({ name, bytes, buildMs, loadMs: spread(loads.map((l) => l.loadMs)), processMs: spread(loads.map((l) => l.processMs)) });
  }
  return results;
}
