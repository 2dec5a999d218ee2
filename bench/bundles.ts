/**
 * Part 3: each Lambda function bundled as the stack deploys it (infra/bundle.ts: ESM, code-split, the
 * entry holding what every invocation needs), the sizes of its entry and chunks, and the module load of
 * its entry: the entry imported in a fresh `node` process, with the environment each function's config
 * needs set to harmless values so its top level runs as on Lambda (it builds the clients every
 * invocation uses and makes the SSM client its secrets are read with (lib/secrets/ssm.ts), calling nothing: secrets are
 * given as plain variables, so no SSM request). Side by side, the floor: a bundle of only hono (api)
 * and the AWS clients every invocation of the function uses (bench/floors/), built the same way.
 *
 * On a loaded machine (other engineers' tests on the same 2 cores) a process waits for a core as long
 * as it works, so each load is measured twice: wall time and the CPU time the process spent importing.
 * The runs interleave every function's entry and floor in one sequence, entry first on even runs and
 * floor first on odd ones, so both meet the same load; the medians of many runs are compared.
 */
import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { bundleFunction, FUNCTION_NAMES, type FunctionName, loadedAtStart, packagesAtStart, PROJECT_ROOT } from "../infra/bundle";
import { median, type Spread, spread } from "./stats";

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
  // The morning digests: the public URL and the link key for their links, SES for sending.
  scheduler: {
    ...COMMON_ENV, DAYBOOK_PUBLIC_URL: APP_ENV.DAYBOOK_PUBLIC_URL, DAYBOOK_LINK_KEY: APP_ENV.DAYBOOK_LINK_KEY, DAYBOOK_EMAIL_FROM: APP_ENV.DAYBOOK_EMAIL_FROM,
    POWERTOOLS_SERVICE_NAME: "daybook-scheduler",
  },
  worker: { ...COMMON_ENV, ...APP_ENV, DAYBOOK_MAX_ATTEMPTS: "5", POWERTOOLS_SERVICE_NAME: "daybook-worker" },
};

export interface BundleResult {
  name: FunctionName;
  /** Every file of the bundle, and what loads at start (the entry and the chunks it imports statically). */
  bytes: number;
  entryBytes: number;
  /** Every chunk: path, bytes, whether the entry loads it at start (statically), and the package with most bytes in it. */
  chunks: { path: string; bytes: number; atStart: boolean; mostly: string }[];
  /** The packages loaded at start, largest first (KiB in the files loaded at start). */
  packagesAtStart: { name: string; bytes: number }[];
  /** Import of the entry in a fresh process: wall time and the process's CPU time while importing, ms. */
  loadMs: Spread;
  cpuMs: Spread;
  /** The whole process, spawn to exit, ms. */
  processMs: Spread;
  floorBytes: number;
  floorLoadMs: Spread;
  floorCpuMs: Spread;
  /** Median wall-time load over the floor's; and the same of CPU time. */
  ratio: number;
  cpuRatio: number;
  /** The CPU ratio from the first half of the runs and from the second: how stable the median is. */
  cpuRatioHalves: [number, number];
  /** The machine's load average (1, 5, 15 min) when the runs ended. */
  loadAverage: number[];
}

export interface LoadSample {
  loadMs: number;
  cpuMs: number;
  processMs: number;
}

const LOADER = "const c=process.cpuUsage(),t=performance.now();await import(process.argv[1]);const w=performance.now()-t,u=process.cpuUsage(c);"
  + "process.stdout.write(JSON.stringify({loadMs:w,cpuMs:(u.user+u.system)/1000}));process.exit(0);";

export function loadOnce(file: string, name: FunctionName): LoadSample {
  const started = performance.now();
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", LOADER, pathToFileURL(file).href], {
    env: { PATH: process.env["PATH"] ?? "", ...FUNCTION_ENV[name] }, encoding: "utf8", timeout: 60_000,
  });
  const processMs = performance.now() - started;
  let sample: { loadMs?: unknown; cpuMs?: unknown } = {};
  try {
    sample = JSON.parse(child.stdout) as typeof sample;
  } catch {
    // Reported below with the child's error.
  }
  if (child.status !== 0 || typeof sample.loadMs !== "number" || typeof sample.cpuMs !== "number") {
    // The error's last lines: the first ones of a minified bundle's stack are a screenful of code.
    const lines = child.stderr.split("\n").map((line) => line.trim()).filter((line) => line !== "" && line.length < 400);
    throw new Error(`loading the ${name} bundle failed (status ${String(child.status)}): ${lines.slice(-4).join(" | ")}`);
  }
  return { loadMs: sample.loadMs, cpuMs: sample.cpuMs, processMs };
}

export function measureBundles(outdir: string, runs: number): Promise<BundleResult[]> {
  const built = FUNCTIONS.map((name) => {
    const bundle = bundleFunction(name, join(outdir, name));
    const floor = bundleFunction(name, join(outdir, `${name}-floor`), join(PROJECT_ROOT, "bench", "floors", `${name}.ts`));
    return { name, bundle, floor, entryFile: join(bundle.outdir, bundle.entry), floorFile: join(floor.outdir, floor.entry), entry: [] as LoadSample[], floorRuns: [] as LoadSample[] };
  });
  // Warm the file cache, then interleave every function's entry and floor, in one sequence.
  for (const each of built) {
    loadOnce(each.entryFile, each.name);
    loadOnce(each.floorFile, each.name);
  }
  for (let run = 0; run < runs; run++) {
    for (const each of built) {
      if (run % 2 === 0) {
        each.entry.push(loadOnce(each.entryFile, each.name));
        each.floorRuns.push(loadOnce(each.floorFile, each.name));
      } else {
        each.floorRuns.push(loadOnce(each.floorFile, each.name));
        each.entry.push(loadOnce(each.entryFile, each.name));
      }
    }
  }
  const load = loadavg();
  return Promise.resolve(built.map(({ name, bundle, floor, entry, floorRuns }): BundleResult => {
    const atStart = new Set(loadedAtStart(bundle).map((file) => file.path));
    const loadMs = spread(entry.map((l) => l.loadMs));
    const cpuMs = spread(entry.map((l) => l.cpuMs));
    const floorLoadMs = spread(floorRuns.map((l) => l.loadMs));
    const floorCpuMs = spread(floorRuns.map((l) => l.cpuMs));
    return {
      name,
      bytes: bundle.files.reduce((total, file) => total + file.bytes, 0),
      entryBytes: bundle.files.filter((file) => atStart.has(file.path)).reduce((total, file) => total + file.bytes, 0),
      chunks: bundle.files.filter((file) => !file.entry).map((file) => ({ path: file.path, bytes: file.bytes, atStart: atStart.has(file.path), mostly: file.packages[0]?.name ?? "" })),
      packagesAtStart: [...packagesAtStart(bundle)].map(([pkg, bytes]) => ({ name: pkg, bytes })).sort((a, b) => b.bytes - a.bytes),
      loadMs, cpuMs, processMs: spread(entry.map((l) => l.processMs)),
      floorBytes: floor.files.reduce((total, file) => total + file.bytes, 0),
      floorLoadMs, floorCpuMs,
      ratio: loadMs.median / floorLoadMs.median,
      cpuRatio: cpuMs.median / floorCpuMs.median,
      cpuRatioHalves: [0, 1].map((half) => {
        const part = <T>(samples: T[]) => samples.slice(half * Math.floor(samples.length / 2), (half + 1) * Math.floor(samples.length / 2));
        return median(part(entry).map((l) => l.cpuMs)) / median(part(floorRuns).map((l) => l.cpuMs));
      }) as [number, number],
      loadAverage: load,
    };
  }));
}
