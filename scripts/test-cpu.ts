/**
 * CPU-seconds per test file, which hold on a loaded machine where wall times do not:
 * `node scripts/test-cpu.ts [vitest arguments…]` runs vitest with test/support/cpu-meter.ts and prints
 * the files by CPU, most first, then the totals. Give `--maxWorkers=1` to charge the shared moto_server's
 * CPU to the file that caused it; with several workers at once only its total is meaningful.
 *   node scripts/test-cpu.ts --maxWorkers=1 test/integration/night.test.ts test/web/mapping.test.ts
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

if (process.argv.includes("--help")) {
  process.stdout.write("usage: node scripts/test-cpu.ts [vitest arguments…]: each test file's CPU-seconds (see the header of this file)\n");
  process.exit(0);
}

interface Line { file: string; own: number; children: number; moto: number; wall: number; pid: number; worker: number }

const output = join(mkdtempSync(join(tmpdir(), "daybook-test-cpu-")), "cpu.jsonl");
const run = spawnSync("npx", ["vitest", "run", ...process.argv.slice(2)], { stdio: "inherit", env: { ...process.env, DAYBOOK_TEST_CPU: output } });
let lines: Line[] = [];
try {
  lines = readFileSync(output, "utf8").trim().split("\n").map((line) => JSON.parse(line) as Line);
} catch {
  process.stderr.write("test-cpu: no file reported its CPU\n");
  process.exit(run.status ?? 1);
}
// A worker that ran one file only: its start-up is the file's too.
const filesOfWorker = new Map<number, number>();
for (const line of lines) filesOfWorker.set(line.pid, (filesOfWorker.get(line.pid) ?? 0) + 1);
const rows = lines.map((line) => {
  const own = filesOfWorker.get(line.pid) === 1 ? line.worker : line.own;
  return { file: relative(process.cwd(), line.file), own, children: line.children, moto: line.moto, total: own + line.children + line.moto, wall: line.wall };
}).sort((a, b) => b.total - a.total);
const cell = (value: number) => value.toFixed(1).padStart(7);
process.stdout.write(`\n${["  total", "   node", "  child", "   moto", "   wall"].join(" ")}  file (CPU-seconds; wall in seconds)\n`);
for (const row of rows) process.stdout.write(`${[row.total, row.own, row.children, row.moto, row.wall].map(cell).join(" ")}  ${row.file}\n`);
const sum = (pick: (row: (typeof rows)[number]) => number) => rows.reduce((total, row) => total + pick(row), 0);
process.stdout.write(`${[sum((row) => row.total), sum((row) => row.own), sum((row) => row.children), sum((row) => row.moto), sum((row) => row.wall)].map(cell).join(" ")}  ${String(rows.length)} files\n`);
process.exit(run.status ?? 1);
