import { describe, expect, it } from "vitest";
import { providerCallsOf } from "../../bench/cost-job";
import { jobCpuWords } from "../../bench/report";
import { remoteOf, shapeOf } from "../../bench/simulators-process";

describe("part 5's simulators in a process of their own (bench/simulators-process.ts)", () => {
  it("sends a simulator's values across as they are and its methods as calls of the same name", async () => {
    const simulator = { url: "http://127.0.0.1:1", endpoints: { token: "t" }, now: () => 5, addMerchant: (id: string) => id };
    const shape = shapeOf(simulator);
    expect(shape).toEqual({ values: { url: "http://127.0.0.1:1", endpoints: { token: "t" } }, methods: ["now", "addMerchant"] });
    const calls: unknown[] = [];
    const remote = remoteOf<typeof simulator>(shape, (method, args) => {
      calls.push([method, args]);
      return Promise.resolve(method === "now" ? 5 : args[0]);
    });
    expect(remote.url).toBe("http://127.0.0.1:1");
    expect(await remote.now()).toBe(5);
    expect(await remote.addMerchant("M1")).toBe("M1");
    expect(calls).toEqual([["now", []], ["addMerchant", ["M1"]]]);
  });
});

describe("part 5's provider calls by endpoint (bench/cost-job.ts providerCallsOf)", () => {
  it("counts Square's by endpoint and QuickBooks' API calls by method and entity, its OAuth calls by kind", () => {
    expect(providerCallsOf({ SearchOrders: 1, ListPayouts: 1 }, [
      { kind: "token", method: "POST", path: "/oauth2/v1/tokens/bearer" },
      { kind: "api", method: "POST", path: "/v3/company/913/journalentry" },
      { kind: "api", method: "POST", path: "/v3/company/913/journalentry" },
    ])).toEqual({ "Square SearchOrders": 1, "Square ListPayouts": 1, "QuickBooks token": 1, "QuickBooks POST journalentry": 2 });
  });
});

describe("part 5's CPU wording (bench/report.ts jobCpuWords)", () => {
  it("says the job's CPU is its own, and the simulators' apart, once they ran in a process of their own", () => {
    const words = jobCpuWords(221.4, 46);
    expect(words).toContain("CPU **221 ms**, the job process's own");
    expect(words).toContain("which spent 46 ms serving the night, not billed");
    expect(words).not.toContain("upper bound");
  });

  it("keeps the upper bound's words for results measured with the simulators in the job's process", () => {
    expect(jobCpuWords(258, undefined)).toContain("so an upper bound");
  });
});
