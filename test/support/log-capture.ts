/**
 * Captures everything the test run logs, so one check at the end can show that no token, secret,
 * sign-in link or email address was ever written to a log (issue 4's promise, proven over the whole
 * suite rather than per test).
 *
 * - vitest.config.ts makes a capture folder per run and passes it on in DAYBOOK_LOG_CAPTURE_DIR;
 *   console output reaches the main process, where onConsoleLog appends it (captureConsole);
 * - in each test worker, test/support/capture-stdio.ts tees direct stdout/stderr writes (Powertools'
 *   Logger writes there, not through console) into the same folder;
 * - the global teardown scans the folder with findLeaks and fails the run on any finding.
 *
 * What counts as a leak is recognisable by shape: the simulators and test settings mint every secret
 * with SECRET_MARKER inside it (sandbox/secret-token.ts), sign-in and invitation links have one path
 * each, an API key starts dbk_ (lib/api/keys.ts), and an email address looks like one.
 */
import { appendFileSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SECRET_MARKER } from "../../sandbox/secret-token";

export const CAPTURE_DIR_VARIABLE = "DAYBOOK_LOG_CAPTURE_DIR";

export function captureTo(folder: string, source: string, text: string): void {
  appendFileSync(join(folder, `${source}.log`), text);
}

export interface Leak {
  file: string;
  kind: "secret" | "sign-in link" | "invitation link" | "API key" | "email address";
  /** The line with the leaked value masked, so the report does not leak it again. */
  line: string;
}

const patterns: { kind: Leak["kind"]; pattern: RegExp }[] = [
  { kind: "secret", pattern: new RegExp(`[\\w.~+/=-]*${SECRET_MARKER}[\\w.~+/=-]*`, "g") },
  { kind: "sign-in link", pattern: /sign-in\/confirm\?token=[\w-]*/g },
  { kind: "invitation link", pattern: /invitations\/accept\?token=[\w-]*/g },
  // An API key (lib/api/keys.ts API_KEY_PATTERN), also one cut short or run into other text.
  { kind: "API key", pattern: /dbk_[A-Za-z0-9_-]{8,}/g },
  { kind: "email address", pattern: /[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g },
];

export function findLeaks(folder: string): Leak[] {
  const leaks: Leak[] = [];
  for (const file of readdirSync(folder)) {
    const text = readFileSync(join(folder, file), "utf8");
    for (const line of text.split("\n")) {
      for (const { kind, pattern } of patterns) {
        if (line.match(pattern)) leaks.push({ file, kind, line: line.replace(pattern, `[${kind}]`).slice(0, 300) });
      }
    }
  }
  return leaks;
}
