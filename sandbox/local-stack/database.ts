/**
 * The local stack's DynamoDB: dynalite in this process, its LevelDB files under the data folder so the
 * data survives restarts, behind a front that adds the TransactWriteItems dynalite lacks
 * (transactions.ts), and the production table (lib/store/table.ts) created when missing.
 *
 * dynalite does not enforce TTL: items past their `expiresAt` (sign-in links, sessions, OAuth states,
 * rate-limit counters) stay in the table. daybook checks `expiresAt` itself wherever it reads them, so
 * nothing expired is ever honoured; the items just accumulate until `npm start -- --reset`.
 */
import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import { createTableInput } from "../../lib/store/table";
import { startTransactionFront } from "./transactions";

export const LOCAL_TABLE = "daybook-local";
/** dynalite checks no signature; the SDK still wants credentials to sign with. */
export const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" } as const;
export const LOCAL_REGION = "us-east-1";

export interface LocalDatabase {
  endpoint: string;
  tableName: string;
  close(): Promise<void>;
}

export async function startLocalDatabase(folder: string): Promise<LocalDatabase> {
  const server: Server = dynalite({ path: folder, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
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
    front = await startTransactionFront(`http://127.0.0.1:${String((server.address() as AddressInfo).port)}`);
  } catch (error) {
    await closeDynalite();
    throw error;
  }
  const { endpoint } = front;
  const close = async () => {
    await front.close();
    await closeDynalite();
  };
  try {
    await ensureTable(endpoint, LOCAL_TABLE);
  } catch (error) {
    await close();
    throw error;
  }
  return { endpoint, tableName: LOCAL_TABLE, close };
}

async function ensureTable(endpoint: string, tableName: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    try {
      await client.send(new DescribeTableCommand({ TableName: tableName }));
      return;
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
    await client.send(new CreateTableCommand(createTableInput(tableName)));
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      if (Table?.TableStatus === "ACTIVE" && Table.GlobalSecondaryIndexes?.every((index) => index.IndexStatus === "ACTIVE")) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`the local table ${tableName} did not become ACTIVE`);
  } finally {
    client.destroy();
  }
}
