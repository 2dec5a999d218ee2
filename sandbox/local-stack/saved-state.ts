/**
 * What the local stack keeps between runs besides the table and the vault key: the simulators' app
 * credentials (so the web app's client ids and secrets stay the ones the simulators know), the key
 * that signs the links in reports, and the
 * simulators' OAuth grants and QuickBooks books (so connections made in one run still work in the next).
 * Files sit in <data folder>/simulators/, written whole to a temporary name and renamed over the old
 * one, so a crash never leaves half a file.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import * as z from "zod/mini";
import { describeIssues } from "../../lib/validation";
import { mintSecret } from "../secret-token";

const secret = z.string().check(z.minLength(16));

export const credentialsSchema = z.object({
  square: z.object({ applicationId: z.string(), applicationSecret: secret, webhookSignatureKey: secret }),
  clover: z.object({ appId: z.string(), appSecret: secret, webhookAuthCode: secret }),
  quickbooks: z.object({ clientId: z.string(), clientSecret: secret }),
  /** daybook's own key that signs the approve and unsubscribe links in reports, base64. */
  linkKey: secret,
});
export type SimulatorCredentials = z.infer<typeof credentialsSchema>;

export class SavedStateError extends Error {
  override name = "SavedStateError";
}

export function simulatorsFolder(dataDir: string): string {
  return join(dataDir, "simulators");
}

/** The credentials saved in the data folder, or new random ones, saved there. */
export function loadOrCreateCredentials(dataDir: string): SimulatorCredentials {
  const file = join(simulatorsFolder(dataDir), "credentials.json");
  if (existsSync(file)) {
    const parsed = credentialsSchema.safeParse(readJson(file));
    if (!parsed.success) throw new SavedStateError(`${describeIssues(parsed.error, file)}; start with --reset to begin afresh`);
    return parsed.data;
  }
  const credentials: SimulatorCredentials = {
    square: { applicationId: "sq0idp-daybook-local", applicationSecret: mintSecret("sq0csp-"), webhookSignatureKey: mintSecret("sqwh-") },
    clover: { appId: "DAYBOOKLOCAL1", appSecret: mintSecret("clv-secret-"), webhookAuthCode: mintSecret("clv-auth-") },
    quickbooks: { clientId: "daybook-local-client", clientSecret: mintSecret("qbo-secret-") },
    linkKey: randomBytes(32).toString("base64"),
  };
  writeJsonAtomically(file, credentials);
  return credentials;
}

/** The saved JSON of a file, undefined when there is none. */
export function readSavedState(file: string): unknown {
  return existsSync(file) ? readJson(file) : undefined;
}

/**
 * Saves `exportState()` to `file` whenever it differs from what was saved last. Synchronous on
 * purpose: called after each simulator request, it never interleaves two writes.
 */
export function stateSaver(file: string, exportState: () => unknown): () => void {
  let saved = existsSync(file) ? readFileSync(file, "utf8") : "";
  return () => {
    const text = `${JSON.stringify(exportState())}\n`;
    if (text === saved) return;
    writeJsonText(file, text);
    saved = text;
  };
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as unknown;
  } catch (error) {
    throw new SavedStateError(`${file} is not readable JSON (${error instanceof Error ? error.name : "error"}); start with --reset to begin afresh`);
  }
}

function writeJsonAtomically(file: string, value: unknown): void {
  writeJsonText(file, `${JSON.stringify(value, null, 2)}\n`);
}

function writeJsonText(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${String(process.pid)}.tmp`;
  writeFileSync(temporary, text, { mode: 0o600 });
  renameSync(temporary, file);
}
