import { appendFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig } from "vitest/config";

// Kept free of project imports (Vite loads this file natively). Same name as test/support/log-capture.ts.
const CAPTURE_DIR_VARIABLE = "DAYBOOK_LOG_CAPTURE_DIR";

// One capture folder per run, inherited by the test workers (see test/support/log-capture.ts).
const captureDir = process.env[CAPTURE_DIR_VARIABLE] ?? mkdtempSync(join(tmpdir(), "daybook-test-logs-"));
process.env[CAPTURE_DIR_VARIABLE] = captureDir;

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    // The log scan first, so its teardown runs last, after moto_server has stopped.
    globalSetup: ["test/support/log-scan-global-setup.ts", "test/support/moto-global-setup.ts"],
    setupFiles: ["test/support/capture-stdio.ts"],
    onConsoleLog(log, type) {
      appendFileSync(join(captureDir, `console-${type}.log`), log);
    },
  },
});
