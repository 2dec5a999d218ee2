import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../infra/bundle";
import { startSquareSimulator } from "../../sandbox/square/server";
import { builtBundle, copyOfBundle } from "../support/bundles";

const folder = mkdtempSync(join(tmpdir(), "daybook-square-bundle-"));
afterAll(() => { rmSync(folder, { recursive: true, force: true }); });

describe("the Square SDK in a Lambda bundle", () => {
  // The SDK is a chunk of its own whose only export is `default` (module.exports): a reader that took
  // SquareClient off import()'s namespace failed every Square call in the deployed worker and api.
  it("calls Square through the SDK chunk the bundle loads on first use", async () => {
    const bundle = copyOfBundle(builtBundle("worker", join(PROJECT_ROOT, "test", "fixtures", "bundled-square-call.ts")), join(folder, "worker"));
    const square = await startSquareSimulator();
    try {
      square.addMerchant({ merchantId: "MERCHANTBUNDLE", locations: [{ id: "LBUNDLE1", name: "Main", timezone: "America/New_York", currency: "USD" }] });
      const token = square.issueToken("MERCHANTBUNDLE");
      // Asynchronously: the simulator answers from this process.
      const { stdout } = await promisify(execFile)(process.execPath, [join(bundle.outdir, bundle.entry), square.url, token], { encoding: "utf8", timeout: 60_000 });
      expect(JSON.parse(stdout.trim())).toEqual(["LBUNDLE1"]);
    } finally {
      await square.close();
    }
  });
});
