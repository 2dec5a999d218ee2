/**
 * Each function's IAM role reaches only the partitions and indexes lib/store/table.ts's TABLE_ACCESS
 * names (infra/stack.ts turns them into dynamodb:LeadingKeys conditions). Nothing local enforces IAM,
 * so this records every DynamoDB request the real code makes, marshalled as it goes to DynamoDB, while
 * a merchant's whole life runs through the pages (the api), the worker and the sweep, and the
 * scheduler's tick, and holds each runtime's requests to its list: a new kind of item that a runtime
 * would be refused in AWS fails here first.
 */
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sweepConnections } from "../../lib/connections/refresh-sweep";
import { syncJobSchema } from "../../lib/schedule/job";
import { runSchedulerTick } from "../../lib/schedule/scheduler";
import { TABLE, TABLE_ACCESS } from "../../lib/store/table";
import { refreshSweepDepsOf } from "../../lib/wiring/worker";
import { processJob } from "../../lib/worker/process-job";
import { STOP_LINK } from "./accountants-world";
import { addEmailLinks, type EmailLinksWorld } from "./email-links-world";
import { addBackfillPages, createWebWorld, type WebWorld, workerOf } from "./world";

type Runtime = keyof typeof TABLE_ACCESS;

/** One request's reach: its command, the index it queried, and the partition key of each item it named. */
interface Reach {
  command: string;
  index?: string;
  partitions: string[];
}

let world: WebWorld;
let links: EmailLinksWorld;
let runtime: Runtime | undefined;
const reached: Record<Runtime, Reach[]> = { api: [], worker: [], scheduler: [] };

const stringOf = (value: unknown): string | undefined => {
  if (typeof value === "string") return value;
  return (value as AttributeValue | undefined)?.S;
};
const pk = (item: unknown) => stringOf((item as Record<string, unknown> | undefined)?.["PK"]);

/** The partition keys a request names: its Key or Item, each item of a batch or transaction, or a query's equality on the partition. */
function reachOf(command: string, input: Record<string, unknown>): Reach {
  const partitions: (string | undefined)[] = [];
  if (input["Key"]) partitions.push(pk(input["Key"]));
  if (input["Item"]) partitions.push(pk(input["Item"]));
  for (const requests of Object.values((input["RequestItems"] ?? {}) as Record<string, unknown>)) {
    const batch = requests as { Keys?: unknown[] } | { PutRequest?: { Item: unknown }; DeleteRequest?: { Key: unknown } }[];
    if (Array.isArray(batch)) for (const request of batch) partitions.push(pk(request.PutRequest?.Item ?? request.DeleteRequest?.Key));
    else for (const key of batch.Keys ?? []) partitions.push(pk(key));
  }
  for (const item of (input["TransactItems"] ?? []) as Record<string, { Key?: unknown; Item?: unknown }>[]) {
    for (const operation of Object.values(item)) partitions.push(pk(operation.Key ?? operation.Item));
  }
  if (typeof input["KeyConditionExpression"] === "string") {
    const names = (input["ExpressionAttributeNames"] ?? {}) as Record<string, string>;
    const values = (input["ExpressionAttributeValues"] ?? {}) as Record<string, unknown>;
    const [, name, placeholder] = /([#\w]+)\s*=\s*(:\w+)/.exec(input["KeyConditionExpression"]) ?? [];
    const attribute = name?.startsWith("#") ? names[name] : name;
    const index = input["IndexName"] as string | undefined;
    const partitionKey = index === undefined ? "PK" : TABLE.globalIndexes.find((each) => each.name === index)?.partitionKey.name;
    if (attribute !== partitionKey) throw new Error(`a query whose first equality is not on the partition key: ${input["KeyConditionExpression"]}`);
    partitions.push(stringOf(values[placeholder ?? ""]));
    if (index) return { command, index, partitions: [] };
  }
  if (partitions.some((partition) => partition === undefined)) throw new Error(`a ${command} whose partition key this test cannot read`);
  return { command, partitions: partitions as string[] };
}

beforeAll(async () => {
  world = await createWebWorld();
  links = await addEmailLinks(world);
  addBackfillPages(world, world.deps.links!.queue);
  // After marshalling: the request as DynamoDB receives it, from the table's one client and every document client over it.
  world.dynamo.middlewareStack.add((next, context) => async (args) => {
    if (runtime !== undefined && context.commandName !== "DescribeTableCommand") {
      reached[runtime].push(reachOf(String(context.commandName).replace(/Command$/, ""), args.input as Record<string, unknown>));
    }
    return next(args);
  }, { step: "build", name: "recordTableReach" });
});
afterAll(async () => {
  links.close();
  await world.close();
});

async function as<T>(who: Runtime, work: () => Promise<T>): Promise<T> {
  runtime = who;
  try {
    return await work();
  } finally {
    runtime = undefined;
  }
}

describe("each function's reach into the table", () => {
  it("stays inside the partitions and indexes its IAM role allows, over a merchant's whole life", async () => {
    const address = `reach.${Date.now()}@example.com`;
    const browser = world.browser();
    const locationId = await as("api", async () => {
      await browser.signIn(address);
      for (const provider of ["square", "clover", "quickbooks"] as const) expect((await browser.connect(provider)).status).toBe(303);
      const found = /name="locationId" value="(L[^"]+)"/.exec(await (await browser.get("/locations")).text())?.[1];
      const merchantId = (await world.deps.store.findMerchantByEmail(address))!.merchantId;
      const connections = await world.deps.store.listConnections(merchantId);
      const connectionOf = (provider: string) => connections.find((connection) => connection.provider === provider)!.connectionId;
      expect((await browser.post("/locations", {
        posConnectionId: connectionOf("square"), locationId: found!, timeZone: "America/New_York", dayStart: "04:00", quickbooksConnectionId: connectionOf("quickbooks"),
      })).status).toBe(303);
      expect((await browser.get(`/locations/${found!}/mapping`)).status).toBe(200);
      expect((await browser.post(`/locations/${found!}/start`, { from: "2025-05-30" })).status).toBe(303);
      expect((await browser.post("/reports/recipients", { email: `books.${address}` })).status).toBe(303);
      expect((await browser.post("/reports/review-mode", { reviewMode: "on" })).status).toBe(303);
      // An accountant invited, who asks for no invitations from the email's link (an index query, a partition of its own), and the owner told.
      expect((await browser.post("/reports/access/invite", { email: `accountant.${address}` })).status).toBe(303);
      const stopLink = STOP_LINK.exec((await world.emails()).at(-1)!.raw)?.[0] ?? "";
      const token = new URL(stopLink).searchParams.get("token") ?? "";
      expect((await world.browser().get(`/invitations/stop?token=${token}`)).status).toBe(200);
      expect((await world.browser().post("/invitations/stop", { token })).status).toBe(200);
      expect((await browser.post("/reports/access/invite", { email: `accountant.${address}` })).status).toBe(400);
      expect((await browser.get("/account")).status).toBe(200);
      return found!;
    });
    const merchantId = (await world.deps.store.findMerchantByEmail(address))!.merchantId;

    // The scheduler's tick a day later, then the worker's jobs: the day, a backfill asked for on its page, and a sweep.
    world.clock.advance(86_400_000);
    await as("scheduler", () => runSchedulerTick({ dueIndex: world.deps.dueIndex, queue: world.deps.links!.queue, now: world.clock.date() }));
    await as("api", async () => {
      await browser.signIn(address);
      expect((await browser.post("/backfill", { locationId, from: "2025-05-30", to: "2025-05-31" })).status).toBe(303);
    });
    const worker = workerOf(world, links.key);
    const jobs = await links.drain();
    expect(jobs.length).toBeGreaterThan(2);
    await as("worker", async () => {
      for (const message of jobs) await processJob(worker, syncJobSchema.parse(message.body), { number: 1, max: 3 });
      await sweepConnections({ ...refreshSweepDepsOf(world.services), log: () => undefined });
    });

    // The pages that read what the worker wrote, the sessions page, the export, and the account's end.
    await as("api", async () => {
      for (const path of ["/history", "/sessions", "/account/export", "/backfill", "/connections"]) expect((await browser.get(path)).status, path).toBe(200);
      expect((await browser.post("/account/delete", { email: address })).status).toBe(200);
    });
    expect(await world.deps.store.findMerchantByEmail(address)).toBeUndefined();
    expect(merchantId).toBeTruthy();

    for (const who of Object.keys(TABLE_ACCESS) as Runtime[]) {
      const allowed = TABLE_ACCESS[who];
      expect(reached[who].length, who).toBeGreaterThan(0);
      expect(reached[who].filter((reach) => reach.command === "Scan"), who).toEqual([]);
      const outside = reached[who].flatMap((reach) => reach.partitions.filter((partition) => !allowed.partitions.some((prefix) => partition.startsWith(prefix))).map((partition) => `${reach.command} ${partition}`));
      expect(outside, who).toEqual([]);
      const indexes = [...new Set(reached[who].flatMap((reach) => reach.index ?? []))];
      expect(indexes.filter((index) => !(allowed.indexes as readonly string[]).includes(index)), who).toEqual([]);
    }
  });
});
