/**
 * vitest globalSetup whose teardown scans every log the run captured (log-capture.ts) and fails the
 * run if a token, secret, sign-in link or email address is in any of them.
 */
import { CAPTURE_DIR_VARIABLE, findLeaks } from "./log-capture";

export default function setup(): () => void {
  return () => {
    const folder = process.env[CAPTURE_DIR_VARIABLE];
    if (folder === undefined) throw new Error(`${CAPTURE_DIR_VARIABLE} is not set`);
    const leaks = findLeaks(folder);
    if (leaks.length === 0) return;
    const report = leaks.slice(0, 20).map((leak) => `  ${leak.kind} in ${leak.file}: ${leak.line}`).join("\n");
    process.stderr.write(`\nThe test run's logs hold ${String(leaks.length)} leaked value(s) (captured in ${folder}):\n${report}\n`);
    process.exitCode = 1;
    throw new Error(`${String(leaks.length)} leaked value(s) in the test run's logs`);
  };
}
