/**
 * vitest setup file, on only when DAYBOOK_TEST_CPU names a file (scripts/test-cpu.ts sets it): appends
 * one JSON line per test file with the CPU-seconds it spent, which hold on a loaded machine where wall
 * times do not. `own`: this worker process from the file's first setup to its last hook; `children`:
 * processes it started and reaped meanwhile (Chromium, esbuild, a moto_server of its own); `moto`: the
 * run's shared moto_servers (moto-global-setup.ts) over the same span, which is the file's own only when
 * one file runs at a time (`--maxWorkers=1`).
 */
import { appendFileSync, readdirSync, readFileSync } from "node:fs";
import { afterAll, expect, inject } from "vitest";

const output = process.env["DAYBOOK_TEST_CPU"];
const TICKS_PER_SECOND = 100;

/** utime, stime, cutime, cstime of a process, in seconds (proc(5): fields 14–17, after the command in parentheses). */
function times(pid: number | "self"): { own: number; children: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ").map(Number);
    const at = (field: number) => fields[field - 3] ?? 0;
    return { own: (at(14) + at(15)) / TICKS_PER_SECOND, children: (at(16) + at(17)) / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

function motoPids(): number[] {
  let endpoints: string[];
  try {
    // Only the services project provides them.
    endpoints = [inject("motoEndpoint"), inject("mailEndpoint")].filter((endpoint): endpoint is string => typeof endpoint === "string");
  } catch {
    return [];
  }
  const ports = endpoints.map((endpoint) => new URL(endpoint).port);
  if (ports.length === 0) return [];
  return readdirSync("/proc").filter((name) => /^\d+$/.test(name)).map(Number).filter((pid) => {
    try {
      const args = readFileSync(`/proc/${String(pid)}/cmdline`, "utf8").split("\0");
      return args.some((arg) => arg.includes("moto_server")) && ports.includes(args[args.indexOf("-p") + 1] ?? "");
    } catch {
      return false;
    }
  });
}

const motoSeconds = (pids: number[]) => pids.reduce((sum, pid) => sum + (times(pid)?.own ?? 0), 0);

if (output) {
  const start = times("self");
  const pids = motoPids();
  const motoStart = motoSeconds(pids);
  const wallStart = performance.now();
  afterAll(() => {
    const end = times("self");
    if (!start || !end) return;
    const round = (seconds: number) => Math.round(seconds * 100) / 100;
    appendFileSync(output, `${JSON.stringify({
      file: expect.getState().testPath ?? "?",
      own: round(end.own - start.own),
      children: round(end.children - start.children),
      moto: round(motoSeconds(pids) - motoStart),
      wall: round((performance.now() - wallStart) / 1000),
      // The worker's whole CPU, start-up included: the file's own when the worker ran no other file (isolation).
      pid: process.pid,
      worker: round(end.own),
    })}\n`);
  });
}
