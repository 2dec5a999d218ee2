/**
 * The accountants' combined digest on moto_server (the table as DynamoDB keeps it: conditional writes,
 * consistent reads, the marks' range queries): two client businesses, one in New York and one in Los
 * Angeles, and an accountant of both. The morning runs as the scheduler's Lambdas run it, twice at
 * once at the moment it falls due, each with its own clients (two containers): the accountant gets one
 * email with both clients, each owner their own business's digest, once.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createRecordingSender } from "../../lib/email/recording";
import { sendDueDigests } from "../../lib/report/digest";
import { createDynamoStorage } from "../../lib/store/storage";
import { digestDepsOf } from "../../lib/wiring/scheduler";
import { awsClientConfig, createTestTable } from "../../sandbox/aws";
import { addClient, type Client, clientNight } from "../support/accountant-clients";

const clients = [new DynamoDBClient(awsClientConfig(inject("motoEndpoint"))), new DynamoDBClient(awsClientConfig(inject("motoEndpoint")))];
let tableName = "";
const email = createRecordingSender();
const linkKey = randomBytes(32);
const person = { personId: `p-${randomUUID()}`, address: "books@ledger.example" };
let york: Client;
let angeles: Client;

/** One scheduler container: its own DynamoDB client, the same table and email. */
const container = (index: number) => digestDepsOf(createDynamoStorage({ client: clients[index]!, tableName }), email, "https://daybook.test", linkKey);

beforeAll(async () => {
  tableName = await createTestTable(clients[0]!);
  const storage = createDynamoStorage({ client: clients[0]!, tableName });
  const at = new Date("2025-06-14T12:00:00.000Z");
  await storage.store.putMerchant({ merchantId: person.personId, name: "", email: person.address, createdAt: at.toISOString() });
  york = await addClient(storage, person, "Alder Bakery", "America/New_York", at);
  angeles = await addClient(storage, person, "Birch Cafe", "America/Los_Angeles", at);
  const night = new Date("2025-06-15T09:30:00.000Z");
  for (const client of [york, angeles]) await clientNight(storage, client, [person.personId], "2025-06-14", night);
});

afterAll(() => {
  for (const client of clients) client.destroy();
});

async function tick(index: number, at: string) {
  const result = await sendDueDigests({ ...container(index), now: () => new Date(at), log: () => undefined });
  expect(result.failed).toBe(0);
  return result;
}

const digestsTo = (address: string) => email.sent.filter((each) => each.purpose === "digest" && each.to.includes(address));

describe("the combined digest on DynamoDB", () => {
  it("waits for the Los Angeles client while the New York one sends its owner's digest", async () => {
    await tick(0, "2025-06-15T11:05:00.000Z");
    expect(digestsTo(york.owner).map((each) => each.subject)).toEqual(["Alder Bakery: Saturday 14 June 2025 – nothing needs attention"]);
    expect(digestsTo(person.address)).toEqual([]);
  });

  it("sends the accountant one email with both clients when two ticks run at once, and each owner theirs once", async () => {
    await Promise.all([tick(0, "2025-06-15T14:05:00.000Z"), tick(1, "2025-06-15T14:05:30.000Z")]);
    const combined = digestsTo(person.address);
    expect(combined.map((each) => each.subject)).toEqual(["Your clients: Saturday 14 June 2025 – 2 clients, nothing needs attention"]);
    expect(combined[0]?.text).toContain("Alder Bakery shop, Sat 14 Jun");
    expect(combined[0]?.text).toContain("Birch Cafe shop, Sat 14 Jun");
    expect(digestsTo(angeles.owner)).toHaveLength(1);
    expect(digestsTo(york.owner)).toHaveLength(1);
  });

  it("leaves nothing due: later ticks read no marks and send nothing", async () => {
    const before = email.sent.length;
    const result = await tick(1, "2025-06-15T18:05:00.000Z");
    expect(result).toEqual({ merchants: 0, sent: 0, waiting: 0, failed: 0 });
    expect(email.sent.length).toBe(before);
  });
});
