/**
 * The one check per kind of outside id (lib/ids.ts), and the boundaries that had none: an id that is
 * empty, holds "#", is very long or holds a control character is refused where it arrives, as the
 * sender's mistake, before it can reach the store's key builder (which throws, a 500) or a provider's URL.
 */
import { describe, expect, it } from "vitest";
import { runCli } from "../../lib/cli/run";
import { isDaybookId, isPosLocationId, isProviderAccountId } from "../../lib/ids";
import { squareLocations } from "../../lib/locations/readers";
import { syncJobSchema } from "../../lib/schedule/job";
import { keys } from "../../lib/store/keys";

/** The class of ids the fuzzers send on purpose (test/fuzz/hostile.ts ID_EDGES): none is an id of any kind. */
const NOT_IDS = ["", "#", "a#b", "L1#", "x".repeat(2000), "9".repeat(101), "L1\u0000", "L1\n", "\tL1", "L\u007f1", "L1\u0085", "L 1", "L1/..", "ＬＯＣ１", "L1\uD800"];

describe("the id checks", () => {
  it("accept the ids daybook and the providers make", () => {
    expect(isDaybookId("6f1c2a9e-3b4d-4c5e-8f70-9a1b2c3d4e5f")).toBe(true);
    expect(isPosLocationId("L8GK6Q8QCXS2R")).toBe(true);
    expect(isPosLocationId("K3V8AZN1QW5YM")).toBe(true);
    expect(isProviderAccountId("square", "MLB3Z5HV1F8RX")).toBe(true);
    expect(isProviderAccountId("square", "sq0idp-w46nJ_NCNDMSOywaCY0mwA")).toBe(true);
    expect(isProviderAccountId("clover", "K3V8AZN1QW5YM")).toBe(true);
    expect(isProviderAccountId("quickbooks", "9130357992224756")).toBe(true);
  });

  it("refuse every empty, '#'-holding, overlong or control-character id, of every kind, before the key builder would throw", () => {
    for (const value of [...NOT_IDS, undefined]) {
      expect(isDaybookId(value), JSON.stringify(value)).toBe(false);
      expect(isPosLocationId(value), JSON.stringify(value)).toBe(false);
      for (const provider of ["square", "clover", "quickbooks"] as const) expect(isProviderAccountId(provider, value), `${provider} ${JSON.stringify(value)}`).toBe(false);
    }
    // What they keep out: the store's key builder throws on the first two (a bug's error).
    expect(() => keys.location("m-1", "")).toThrow(/locationId/);
    expect(() => keys.location("m-1", "a#b")).toThrow(/locationId/);
  });
});

describe("a provider's answer", () => {
  it("offers no Square location whose id is not a location id: it could never be stored or posted for", async () => {
    const locations = [{ id: "L8GK6Q8QCXS2R", name: "Main Street", currency: "USD" }, ...NOT_IDS.map((id, index) => ({ id, name: `Odd ${String(index)}`, currency: "USD" }))];
    const square = { call: () => Promise.resolve({ locations }) };
    expect((await squareLocations(square)).map((location) => location.locationId)).toEqual(["L8GK6Q8QCXS2R"]);
  });
});

describe("a queue message", () => {
  const job = { merchantId: "m-1", locationId: "L1", businessDay: "2025-06-14", kind: "night" };

  it("whose ids are not ids is refused when read or sent, before the worker touches the table", () => {
    expect(syncJobSchema.safeParse(job).success).toBe(true);
    for (const value of NOT_IDS) {
      expect(syncJobSchema.safeParse({ ...job, merchantId: value }).success, JSON.stringify(value)).toBe(false);
      expect(syncJobSchema.safeParse({ ...job, locationId: value }).success, JSON.stringify(value)).toBe(false);
      expect(syncJobSchema.safeParse({ ...job, kind: "backfill", backfillId: value }).success, JSON.stringify(value)).toBe(false);
    }
  });
});

describe("the command line", () => {
  async function daybook(args: string[]) {
    const out = { stdout: "", stderr: "" };
    const code = await runCli(args, {
      readFile: () => Promise.reject(new Error("no files here")), stdout: (text) => { out.stdout += text; }, stderr: (text) => { out.stderr += text; },
      environment: {},
    });
    return { code, ...out };
  }

  it("refuses a --merchant or --location that is not an id with one line and exit code 2, before reading the environment", async () => {
    for (const command of [["sync", "--date", "2025-06-14"], ["backfill", "--from", "2025-06-01", "--to", "2025-06-02"]]) {
      for (const value of NOT_IDS.filter((each) => each !== "")) {
        const merchant = await daybook([...command, "--merchant", value, "--location", "L1"]);
        expect(merchant, JSON.stringify(value)).toMatchObject({ code: 2, stdout: "" });
        expect(merchant.stderr).toMatch(/^daybook: --merchant must be a daybook merchant id \(letters, digits and dashes, as the locations page shows it\), not "[^\n]{1,50}"\n$/);
        const location = await daybook([...command, "--merchant", "m-1", "--location", value]);
        expect(location, JSON.stringify(value)).toMatchObject({ code: 2, stdout: "" });
        expect(location.stderr).toMatch(/^daybook: --location must be a Square location id or a Clover merchant id \(letters and digits\), not "[^\n]{1,50}"\n$/);
      }
    }
  });
});
