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
 * The order files start in: the longest first, so the workers finish together. vitest orders by the last
 * run's durations when it has them, but a fresh clone (CI) has none, and it goes by file size, which says
 * nothing here. Seconds: the larger of each file's time in a clean clone's `.ci/run` (1eef4cf, three
 * workers beside lint and typecheck) and its wall time alone (`npm run test:cpu -- --maxWorkers=1`,
 * 2026-12-07 21:46-21:59 UTC, load 4.5-7.6). Files not listed (under about 4 s) follow, largest first.
 */
const EXPECTED_SECONDS: Record<string, number> = {
  "test/chaos/chaos.test.ts": 119, "test/fuzz/routes.test.ts": 88, "test/browser/first-run.test.ts": 65, "test/integration/night.test.ts": 50,
  "test/web/cross-tenant.test.ts": 43, "test/browser/morning-digest.test.ts": 31, "test/browser/accountants.test.ts": 26,
  "test/browser/deposits-digest.test.ts": 24, "test/browser/go-live.test.ts": 23, "test/integration/night-read.test.ts": 22,
  "test/integration/lambda-bundle.test.ts": 22, "test/web/api.test.ts": 21, "test/integration/scheduler.test.ts": 19,
  "test/browser/combined-digest.test.ts": 18, "test/integration/sync.test.ts": 17, "test/integration/worker.test.ts": 16,
  "test/web/protections.test.ts": 15, "test/cli/sync.test.ts": 14, "test/web/email-links.test.ts": 13, "test/integration/clearing-carry.test.ts": 12,
  "test/fuzz/webhooks.test.ts": 12, "test/integration/square-sdk-bundle.test.ts": 11, "test/integration/report-email.test.ts": 11,
  "test/web/mapping.test.ts": 11, "test/local-stack/smoke.test.ts": 10, "test/integration/payouts-night.test.ts": 10,
  "test/integration/square-client.test.ts": 9, "test/web/report-settings.test.ts": 9, "test/integration/clover-sync.test.ts": 9,
  "test/integration/dynamo-store.test.ts": 9, "test/integration/square-payouts-client.test.ts": 8, "test/web/posting-status.test.ts": 8,
  "test/web/sign-in.test.ts": 7, "test/integration/bench-simulators-process.test.ts": 7, "test/integration/ssm-secrets.test.ts": 6,
  "test/integration/clover-client.test.ts": 6, "test/cli/preview.test.ts": 6, "test/integration/token-keeper.test.ts": 6,
  "test/integration/square-simulator.test.ts": 6, "test/web/connections.test.ts": 6, "test/integration/square-simulator-payouts.test.ts": 5,
  "test/web/account.test.ts": 5, "test/cli/sync-connections.test.ts": 5, "test/web/webhooks.test.ts": 4, "test/web/accountants.test.ts": 4,
  // The fast lane's
  "test/engine/combined-digest.test.ts": 33, "test/unit/cdk-stack.test.ts": 24, "test/engine/bad-night-alerts.test.ts": 17,
  "test/engine/process-job.test.ts": 15, "test/engine/post-payouts.test.ts": 15, "test/engine/digest.test.ts": 11,
  "test/unit/clearing-carry.test.ts": 9, "test/engine/posting-status.test.ts": 7, "test/unit/outbox.test.ts": 4,
};

/**
 * The services projects' files first, the fast lane's after them. vitest keeps a worker for the next file
 * only when that file is of the same project. Before, the fast lane's files started between the longest
 * services files and the rest, so the services workers ended there and new ones loaded lib, the AWS SDK
 * and Square's SDK afresh (test/web/business-name.test.ts: 3.3-4.0 CPU-s as a worker's first file, 0.5
 * after others; 22:22 UTC, load 5-6). The fast lane's short files, all CPU and no waiting, now fill the
 * end of the run. The one file with a worker of its own (services-isolated) goes between the two: in the
 * middle, the services worker that ran the file before it would end.
 */
const PROJECT_ORDER: Record<string, number> = { services: 0, "services-isolated": 1, fast: 2 };

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const expected = (file: TestSpecification) => {
      const path = Object.keys(EXPECTED_SECONDS).find((each) => file.moduleId.endsWith(each));
      return path === undefined ? 0 : EXPECTED_SECONDS[path] ?? 0;
    };
    const group = (file: TestSpecification) => PROJECT_ORDER[file.project.name] ?? 0;
    // Stable: files of equal expectation (the unlisted ones) keep vitest's order, largest first.
    return (await super.sort(files)).sort((a, b) => group(a) - group(b) || expected(b) - expected(a));
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
    // The browser tests' polls (the only ones) wait as long as their pages' own actions do (test/browser/steps.ts
    // setDefaultTimeout): each poll's call is a Playwright locator that itself waits that long, so vitest's 1 s
    // default failed a poll whose page had not answered yet, with lint and the services files on both cores
    // (a clean clone's run, 23:30 UTC: deposits-digest's "QuickBooks is connected." status, read 1 s after load).
    expect: { poll: { timeout: 15_000 } },
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
