/**
 * The local stack's in-process queue (sandbox/local-stack/local-queue.ts), first on its own with a
 * runner that records what it is given, then inside the local stack, where the jobs run through the
 * worker's processJob against the simulators: a day that keeps failing is failed and reported on its
 * last attempt, the approve link queues on it, and the scheduler posts the days that fell due.
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerStoredLocation } from "../../lib/schedule/due-index";
import type { SyncJob } from "../../lib/schedule/job";
import { addDays, DEMO, DEMO_SQUARE_MAPPING, yesterdayIn } from "../../sandbox/local-stack/demo";
import { createLocalQueue, DEDUPLICATION_WINDOW_MS } from "../../sandbox/local-stack/local-queue";
import { DEMO_ACCOUNTS, SMOKE_EMAIL } from "../../sandbox/local-stack/smoke";
import { type LocalStack, startLocalStack } from "../../sandbox/local-stack/stack";
import { WebClient } from "../../sandbox/local-stack/web-client";

const job = (businessDay: string, locationId = "L1", kind: SyncJob["kind"] = "first"): SyncJob => ({ merchantId: "m1", locationId, businessDay, kind });

/** A promise and the function that settles it. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe("the local queue", () => {
  it("runs one group's jobs one at a time, in order, and other groups beside them", async () => {
    const events: string[] = [];
    const held = gate();
    const otherGroupDone = gate();
    const queue = createLocalQueue({
      async run(each) {
        events.push(`start ${each.locationId} ${each.businessDay}`);
        if (each.businessDay === "2025-06-01") await held.opened;
        events.push(`end ${each.locationId} ${each.businessDay}`);
        if (each.businessDay === "2025-06-05") otherGroupDone.open();
      },
    });
    await queue.sendJobs([job("2025-06-01"), job("2025-06-02")], "realm-1");
    await queue.sendJobs([job("2025-06-03")], "realm-1");
    await queue.sendJobs([job("2025-06-04", "L2"), job("2025-06-05", "L2")], "realm-2");
    const idle = queue.idle();
    // realm-1 waits on its first job; realm-2 runs to its end meanwhile.
    await otherGroupDone.opened;
    expect(events.filter((event) => event.includes("L1"))).toEqual(["start L1 2025-06-01"]);
    expect(events.filter((event) => event.includes("L2"))).toEqual(["start L2 2025-06-04", "end L2 2025-06-04", "start L2 2025-06-05", "end L2 2025-06-05"]);
    held.open();
    await idle;
    expect(events.filter((event) => event.includes("L1"))).toEqual([
      "start L1 2025-06-01", "end L1 2025-06-01", "start L1 2025-06-02", "end L1 2025-06-02", "start L1 2025-06-03", "end L1 2025-06-03",
    ]);
    await queue.close();
  });

  it("tries a failing job again after a backoff, holding its group back, until it succeeds", async () => {
    const attempts: string[] = [];
    const waits: number[] = [];
    const queue = createLocalQueue({
      maxAttempts: 4,
      backoffMs: (attempt) => {
        waits.push(attempt);
        return 1;
      },
      async run(each, attempt) {
        attempts.push(`${each.businessDay} ${String(attempt.number)}/${String(attempt.max)}`);
        if (each.businessDay === "2025-06-01" && attempt.number < 3) throw new Error("QuickBooks answered 500");
        return Promise.resolve();
      },
    });
    await queue.sendJobs([job("2025-06-01"), job("2025-06-02")], "realm-1");
    await queue.idle();
    expect(attempts).toEqual(["2025-06-01 1/4", "2025-06-01 2/4", "2025-06-01 3/4", "2025-06-02 1/4"]);
    expect(waits).toEqual([1, 2]);
    expect(queue.deadLetters).toEqual([]);
    await queue.close();
  });

  it("gives a job up after its last attempt, which the runner is told is the last, and goes on with the group", async () => {
    const attempts: string[] = [];
    const logged: string[] = [];
    const queue = createLocalQueue({
      maxAttempts: 2,
      backoffMs: () => 1,
      log: (level, message, fields) => logged.push(JSON.stringify({ level, message, ...fields })),
      async run(each, attempt) {
        attempts.push(`${each.businessDay} ${String(attempt.number)}/${String(attempt.max)}`);
        if (each.businessDay === "2025-06-01") throw new Error("token sq0atp-SECRET rejected for owner@example.com");
        return Promise.resolve();
      },
    });
    await queue.sendJobs([job("2025-06-01"), job("2025-06-02")], "realm-1");
    await queue.idle();
    expect(attempts).toEqual(["2025-06-01 1/2", "2025-06-01 2/2", "2025-06-02 1/2"]);
    expect(queue.deadLetters).toEqual([job("2025-06-01")]);
    expect(logged).toHaveLength(2);
    expect(logged.join("\n")).not.toMatch(/SECRET|@/);
    expect(logged[1]).toContain('"level":"error"');
    await queue.close();
  });

  it("drops a job sent again with the same deduplication id within five minutes, as SQS FIFO does", async () => {
    let now = Date.parse("2025-06-02T10:00:00Z");
    const ran: string[] = [];
    const queue = createLocalQueue({ now: () => now, run: async (each) => { ran.push(`${each.kind} ${each.businessDay}`); return Promise.resolve(); } });
    await queue.sendJobs([job("2025-06-01"), job("2025-06-01")], "realm-1");
    await queue.sendJobs([job("2025-06-01")], "realm-1");
    // Another kind, or another backfill, is another job.
    await queue.sendJobs([job("2025-06-01", "L1", "recheck"), { ...job("2025-06-01", "L1", "backfill"), backfillId: "b1" }, { ...job("2025-06-01", "L1", "backfill"), backfillId: "b2" }], "realm-1");
    await queue.idle();
    expect(ran).toEqual(["first 2025-06-01", "recheck 2025-06-01", "backfill 2025-06-01", "backfill 2025-06-01"]);
    now += DEDUPLICATION_WINDOW_MS - 1;
    await queue.sendJobs([job("2025-06-01")], "realm-1");
    await queue.idle();
    expect(ran).toHaveLength(4);
    now += 1;
    await queue.sendJobs([job("2025-06-01")], "realm-1");
    await queue.idle();
    expect(ran).toHaveLength(5);
    await queue.close();
  });

  it("is idle at once when empty, and after close takes no more jobs", async () => {
    const queue = createLocalQueue({ run: () => Promise.resolve() });
    await queue.idle();
    await queue.close();
    await expect(queue.sendJobs([job("2025-06-01")], "realm-1")).rejects.toThrow("closed");
  });
});

describe("the local stack's queue", () => {
  let dataDir = "";
  let stack: LocalStack;
  let merchantId = "";
  let signedIn: WebClient;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "daybook-local-queue-"));
    stack = await startLocalStack({ dataDir, ports: { web: 0, square: 0, clover: 0, quickbooks: 0 }, log: () => undefined, queue: { maxAttempts: 2, backoffMs: () => 1 } });
    signedIn = new WebClient(stack.url);
    await signedIn.signIn(SMOKE_EMAIL, stack.outboxDir);
    await signedIn.connect("square", DEMO_ACCOUNTS.square.account);
    await signedIn.connect("quickbooks", DEMO_ACCOUNTS.quickbooks.account);
    merchantId = (await stack.deps.store.findMerchantByEmail(SMOKE_EMAIL))!.merchantId;
    const connections = await stack.deps.store.listConnections(merchantId);
    await stack.deps.store.putLocation({
      merchantId, locationId: DEMO.square.locationId, source: "square", name: DEMO.square.locationName,
      posConnectionId: connections.find((each) => each.provider === "square")!.connectionId,
      quickbooksConnectionId: connections.find((each) => each.provider === "quickbooks")!.connectionId,
      timeZone: DEMO.timeZone, dayStart: "00:00", currency: DEMO.currency, mapping: DEMO_SQUARE_MAPPING, updatedAt: new Date().toISOString(),
    });
  });
  afterAll(async () => {
    await stack.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const alerts = async () => {
    const files = (await readdir(stack.outboxDir)).filter((file) => file.endsWith(".eml"));
    const purposes = await Promise.all(files.map(async (file) => /^X-Daybook-Purpose: (.*)$/m.exec(await readFile(join(stack.outboxDir, file), "utf8"))?.[1]?.trim()));
    return purposes.filter((purpose) => purpose === "alert").length;
  };

  it("fails a day that keeps failing on its last attempt, and alerts the merchant", async () => {
    const businessDay = addDays(yesterdayIn(DEMO.timeZone, new Date()), -10);
    stack.quickbooks.injectFaults({ match: "api", fault: { kind: "500" }, times: 1_000 });
    try {
      await stack.queue.sendJobs([{ merchantId, locationId: DEMO.square.locationId, businessDay, kind: "first" }], `realm-${DEMO.quickbooks.realmId}`);
      await stack.queue.idle();
    } finally {
      stack.quickbooks.clearFaults();
    }
    const record = await stack.deps.store.getSyncRecord(merchantId, DEMO.square.locationId, businessDay);
    expect(record).toMatchObject({ state: "failed", lastError: { kind: "retryable" } });
    expect(stack.queue.deadLetters.map((each) => each.businessDay)).toEqual([businessDay]);
    expect(await alerts()).toBe(1);
  });

  it("posts the days that fell due when the scheduler runs", async () => {
    // Set up three days ago: the days since are due now.
    const yesterday = yesterdayIn(DEMO.timeZone, new Date());
    await registerStoredLocation(stack.deps, merchantId, DEMO.square.locationId, new Date(Date.now() - 3 * 86_400_000));
    await stack.tick();
    await stack.queue.idle();
    const dayBefore = await stack.deps.store.getSyncRecord(merchantId, DEMO.square.locationId, addDays(yesterday, -1));
    expect(dayBefore?.state).toBe("posted");
    expect(stack.quickbooks.journalEntries(DEMO.quickbooks.realmId).some((entry) => entry.TxnDate === addDays(yesterday, -1))).toBe(true);
  });
});
