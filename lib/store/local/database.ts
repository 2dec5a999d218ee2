/**
 * A DynamoDB of one's own, for the local stack and the fast tests: dynalite in this process, its
 * LevelDB files under a folder so the data survives restarts (or in memory, without one), behind a
 * front that adds the TransactWriteItems dynalite lacks (transactions.ts), and the production table
 * (lib/store/table.ts) created when missing.
 *
 * dynalite does not enforce TTL: items past their `expiresAt` (sign-in links, sessions, OAuth states,
 * rate-limit counters) stay in the table. daybook checks `expiresAt` itself wherever it reads them, so
 * nothing expired is ever honoured; the items just accumulate until `npm start -- --reset`.
 */
import { once } from "node:events";
import type { RequestListener, Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient, ResourceNotFoundException } from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import { createTableInput } from "../table";
import { startTransactionFront } from "./transactions";

export const LOCAL_TABLE = "daybook-local";
/** dynalite checks no signature; the SDK still wants credentials to sign with. */
export const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" } as const;
export const LOCAL_REGION = "us-east-1";

export interface LocalDatabase {
  endpoint: string;
  close(): Promise<void>;
}

/**
 * The database with its files in `folder`, or in memory when there is none. Its table is made by
 * ensureLocalTable, with a client of the caller's (lib/wiring makes the clients).
 */
export async function startLocalDatabase(folder?: string): Promise<LocalDatabase> {
  const server: Server = dynalite({ ...(folder !== undefined ? { path: folder } : {}), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const closeDynalite = () =>
    new Promise<void>((resolve, reject) => {
      server.close((error?: Error) => {
        if (error) reject(error);
        else resolve();
      });
      // Idle keep-alive sockets would hold the close open for dynalite's 30 s timeout.
      server.closeAllConnections();
    });
  let front;
  try {
    front = await startTransactionFront(`http://127.0.0.1:${String((server.address() as AddressInfo).port)}`, server.listeners("request")[0] as RequestListener);
  } catch (error) {
    await closeDynalite();
    throw error;
  }
  const { endpoint } = front;
  return {
    endpoint,
    close: async () => {
      await front.close();
      await closeDynalite();
    },
  };
}

/**
 * Creates the production table (lib/store/table.ts) in the local database unless it is there. A table
 * saved before one of table.ts's indexes existed (the keys-only GSI1Keys and GSI2Keys replaced GSI1
 * and GSI2) cannot be mended here, as dynalite adds no index to a table: it is refused, saying how to
 * start afresh.
 */
export async function ensureLocalTable(client: DynamoDBClient, tableName: string = LOCAL_TABLE): Promise<void> {
  const wanted = createTableInput(tableName);
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const has = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
    const missing = (wanted.GlobalSecondaryIndexes ?? []).flatMap((index) => (has.has(index.IndexName) ? [] : [index.IndexName]));
    if (missing.length === 0) return;
    throw new Error(
      `The saved local database's table ${tableName} was made before daybook's index ${missing.join(" and ")} existed; start afresh with npm start -- --reset (its local data is lost).`,
    );
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  await client.send(new CreateTableCommand(wanted));
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === "ACTIVE" && Table.GlobalSecondaryIndexes?.every((index) => index.IndexStatus === "ACTIVE")) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`the local table ${tableName} did not become ACTIVE`);
}
