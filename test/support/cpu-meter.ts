/**
 * vitest setup file, on only when DAYBOOK_TEST_CPU names a file (scripts/test-cpu.ts sets it): appends
 * one JSON line per test file with the CPU-seconds it spent, which hold on a loaded machine where wall
 * times do not. `own`: this worker process from the file's first setup to its last hook; `children`:
 * the processes it started meanwhile (Chromium, esbuild, the real bin, a moto_server of its own); `moto`: the
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

/** Every process's parent and CPU-seconds (utime + stime, proc(5) fields 4, 14 and 15). */
function processTable(): Map<number, { parent: number; seconds: number }> {
  const table = new Map<number, { parent: number; seconds: number }>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ").map(Number);
      table.set(Number(name), { parent: fields[1] ?? 0, seconds: ((fields[11] ?? 0) + (fields[12] ?? 0)) / TICKS_PER_SECOND });
    } catch {
      // Gone since the listing.
    }
  }
  return table;
}

/**
 * The children's times count only the processes this worker reaped, and what they reaped: Chromium's
 * renderer and GPU processes end with the browser unreaped by it, and esbuild's service is never
 * waited for (go-live alone: 6.8 CPU-s in the children's times, 17.4 read from /proc). So the worker's
 * descendants are also read every 250 ms, each at the most it was seen at (less what it had at the
 * file's start), and the file's `children` is the larger of the two sums. A process that lives under
 * 250 ms is missed by the reading, not by the children's times.
 */
class Descendants {
  private readonly atStart = new Map<number, number>();
  private readonly latest = new Map<number, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly root: number, private readonly excluded: readonly number[]) {
    for (const [pid, seconds] of this.read()) this.atStart.set(pid, seconds);
    this.timer = setInterval(() => { this.record(); }, 250);
    this.timer.unref();
  }

  stop(): number {
    clearInterval(this.timer);
    this.record();
    let sum = 0;
    for (const [pid, seconds] of this.latest) sum += seconds - (this.atStart.get(pid) ?? 0);
    return sum;
  }

  private record(): void {
    for (const [pid, seconds] of this.read()) this.latest.set(pid, Math.max(this.latest.get(pid) ?? 0, seconds));
  }

  private read(): Map<number, number> {
    const table = processTable();
    const found = new Map<number, number>();
    for (const [pid, { seconds }] of table) {
      if (pid === this.root || this.excluded.includes(pid)) continue;
      for (let at = table.get(pid)?.parent, hops = 0; at !== undefined && at > 1 && hops < 64; at = table.get(at)?.parent, hops++) {
        if (at === this.root) {
          found.set(pid, seconds);
          break;
        }
      }
    }
    return found;
  }
}

if (output) {
  const start = times("self");
  const pids = motoPids();
  const motoStart = motoSeconds(pids);
  const descendants = new Descendants(process.pid, pids);
  const wallStart = performance.now();
  afterAll(() => {
    const polled = descendants.stop();
    const end = times("self");
    if (!start || !end) return;
    const round = (seconds: number) => Math.round(seconds * 100) / 100;
    appendFileSync(output, `${JSON.stringify({
      file: expect.getState().testPath ?? "?",
      own: round(end.own - start.own),
      children: round(Math.max(end.children - start.children, polled)),
      moto: round(motoSeconds(pids) - motoStart),
      wall: round((performance.now() - wallStart) / 1000),
      // The worker's whole CPU, start-up included: the file's own when the worker ran no other file (isolation).
      pid: process.pid,
      worker: round(end.own),
    })}\n`);
  });
}
