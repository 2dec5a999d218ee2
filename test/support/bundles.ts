/**
 * The functions' bundles for the tests that read or run them (test/unit/cdk-stack.test.ts,
 * test/integration/lambda-bundle.test.ts, square-sdk-bundle.test.ts), built by infra/bundle.ts exactly
 * as the stack builds them, but once per source: a build is kept with a hash of everything it read
 * (each input file its metafile names, with infra/bundle.ts, package-lock.json, tsconfig.json and
 * esbuild's version), and used again while none of them changed. esbuild is deterministic, so the
 * same inputs give the same files: reading or running them again proves nothing new, and a change to
 * any input builds afresh. The api bundle was built twice in every run of the suite, and all three on
 * every run of the fast lane; a build is two esbuild passes and a node process, seconds of CPU each.
 *
 * The cache lives in the system's temporary folder (a folder of this user's, mode 0700), outside the
 * project and any node_modules: a bundle run from there resolves no package outside itself, as on
 * Lambda. Each clone has its own (its path is part of the folder's name). Workers that want the same
 * bundle at once take turns: the first builds, the others wait for it and then read it.
 */
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";
import { version as esbuildVersion } from "esbuild";
import { type Bundle, bundleFunction, type FunctionName, PROJECT_ROOT } from "../../infra/bundle";

const CACHE = join(tmpdir(), `daybook-bundles-${String(process.getuid?.() ?? "user")}`);
const WAIT_FOR_ANOTHER_BUILD_MS = 10 * 60_000;

/** The function's bundle as infra/bundle.ts builds it, from the cache while its inputs are unchanged. `entryFile` as bundleFunction's. */
export function builtBundle(name: FunctionName, entryFile = join(PROJECT_ROOT, "functions", `${name}.ts`)): Bundle {
  if (!ownCacheFolder()) return bundleFunction(name, join(mkdtempSync(join(tmpdir(), "daybook-bundle-")), name), entryFile);
  const slot = join(CACHE, `${name}-${sha256(`${PROJECT_ROOT}\n${entryFile}`).slice(0, 16)}`);
  const outdir = join(slot, "out");
  const recordFile = join(slot, "bundle.json");
  const cached = (): Bundle | undefined => {
    const record = readRecord(recordFile);
    return record !== undefined && existsSync(join(outdir, record.bundle.entry)) && inputsKey(record.bundle) === record.key ? { ...record.bundle, outdir } : undefined;
  };
  const hit = cached();
  if (hit) return hit;
  return withLock(`${slot}.lock`, () => {
    const built = cached();
    if (built) return built;
    rmSync(recordFile, { force: true });
    const bundle = bundleFunction(name, outdir, entryFile);
    const partial = `${recordFile}.${String(process.pid)}`;
    writeFileSync(partial, JSON.stringify({ key: inputsKey(bundle), bundle }));
    renameSync(partial, recordFile);
    return bundle;
  });
}

/** A copy of the bundle's files in `folder`, for a test that runs it from a folder of its own. */
export function copyOfBundle(bundle: Bundle, folder: string): Bundle {
  cpSync(bundle.outdir, folder, { recursive: true });
  return { ...bundle, outdir: folder };
}

interface BundleRecord {
  key: string;
  bundle: Bundle;
}

function readRecord(file: string): BundleRecord | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as BundleRecord;
  } catch {
    return undefined;
  }
}

/** Everything the build read; undefined (never equal to a key) when an input is gone. */
function inputsKey(bundle: Bundle): string | undefined {
  const hash = createHash("sha256").update(`esbuild ${esbuildVersion}\n`);
  const inputs = Object.keys(bundle.metafile.inputs).map((input) => input.replace(/^[\w-]+:/, "")).sort();
  for (const input of ["infra/bundle.ts", "package-lock.json", "tsconfig.json", ...inputs]) {
    try {
      hash.update(`${input}\n`).update(readFileSync(isAbsolute(input) ? input : join(PROJECT_ROOT, input)));
    } catch {
      return undefined;
    }
  }
  return hash.digest("hex");
}

function ownCacheFolder(): boolean {
  try {
    mkdirSync(CACHE, { recursive: true, mode: 0o700 });
    const folder = statSync(CACHE);
    return folder.isDirectory() && folder.uid === process.getuid?.() && (folder.mode & 0o077) === 0;
  } catch {
    return false;
  }
}

/** Runs `work` while holding `lock` (a folder naming its owner's pid); a lock whose owner is gone is taken over. */
function withLock<T>(lock: string, work: () => T): T {
  const deadline = Date.now() + WAIT_FOR_ANOTHER_BUILD_MS;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, "pid"), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    if (ownerIsGone(lock)) rmSync(lock, { recursive: true, force: true });
    else if (Date.now() > deadline) throw new Error(`waited ${String(WAIT_FOR_ANOTHER_BUILD_MS / 1000)} s for another build of ${lock}`);
    else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  }
  try {
    return work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function ownerIsGone(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(lock, "pid"), "utf8"));
  } catch {
    // Just made, its pid not written yet; or just removed.
    return false;
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
