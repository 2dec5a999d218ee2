import { appendFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

// Kept free of project imports (Vite loads this file natively). Same name as test/support/log-capture.ts.
const CAPTURE_DIR_VARIABLE = "DAYBOOK_LOG_CAPTURE_DIR";

// One capture folder per run, inherited by the test workers (see test/support/log-capture.ts).
const captureDir = process.env[CAPTURE_DIR_VARIABLE] ?? mkdtempSync(join(tmpdir(), "daybook-test-logs-"));
process.env[CAPTURE_DIR_VARIABLE] = captureDir;

/**
 * The fast lane (`npm run test:fast`): tests that need no moto_server, no simulator process, no browser
 * and no network. Every other test file is in the services projects, the only ones that start moto_server.
 */
const FAST_LANE = ["test/unit/**/*.test.ts", "test/engine/**/*.test.ts"];

/**
 * Services test files that replace a module with vi.mock: without isolation the module may already be
 * loaded, unmocked, by an earlier file in the same worker (test/web/reconnect.test.ts then fails).
 */
const MOCKS_MODULES = ["test/web/reconnect.test.ts"];

/**
 * The longest files (a minute or more on 2 cores), started first: with two files at a time, a long one
 * started last would run on alone at the end. vitest orders by the last run's durations when it has
 * them, but a fresh clone (CI) has none, and it would go by file size, which says nothing here.
 */
const LONGEST_FIRST = [
  "test/chaos/chaos.test.ts", "test/fuzz/routes.test.ts", "test/integration/night.test.ts", "test/web/cross-tenant.test.ts",
  "test/web/mapping.test.ts", "test/web/email-links.test.ts", "test/browser/first-run.test.ts",
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const index = LONGEST_FIRST.findIndex((path) => file.moduleId.endsWith(path));
      return index === -1 ? LONGEST_FIRST.length : index;
    };
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Three test files at a time on 2 cores (vitest's default is one): most of a services test's time is
    // spent waiting on moto_server, a simulator or Chromium, in other processes. Measured on a clean
    // clone, quiet machine: `npm test` 6 min 23 s with two, 5 min 37 s with three, both green.
    maxWorkers: 3,
    sequence: { sequencer: LongestFirst },
    // The root's global setup runs once per run, whichever projects run: its teardown scans every test's logs.
    globalSetup: ["test/support/log-scan-global-setup.ts"],
    // test/support/cpu-meter.ts only when scripts/test-cpu.ts measures each file's CPU-seconds.
    setupFiles: ["test/support/capture-stdio.ts", ...(process.env["DAYBOOK_TEST_CPU"] ? ["test/support/cpu-meter.ts"] : [])],
    onConsoleLog(log, type) {
      appendFileSync(join(captureDir, `console-${type}.log`), log);
    },
    // Inline projects inherit everything above but the global setup.
    projects: [
      // Pure code: one worker may run many files (no isolation), which halves the lane's CPU time.
      { test: { name: "fast", include: FAST_LANE, isolate: false } },
      // One worker runs many files here too (no isolation): the modules every file imports (lib, the AWS
      // SDK, hono, the simulators) are evaluated once per worker instead of once per file, about 1.3
      // CPU-s a file (six test/web files on one worker: 32.8 CPU-s isolated, 24.2 shared, the same 52
      // tests green). Each file still makes its own world, tables and servers, and closes them.
      {
        test: {
          name: "services",
          include: ["test/**/*.test.ts"],
          exclude: [...FAST_LANE, ...MOCKS_MODULES],
          isolate: false,
          globalSetup: ["test/support/moto-global-setup.ts"],
        },
      },
      // vi.mock replaces a module only for a file that imports it first: such a file gets a worker of its own.
      {
        test: {
          name: "services-isolated",
          include: MOCKS_MODULES,
          globalSetup: ["test/support/moto-global-setup.ts"],
        },
      },
    ],
  },
});
