/**
 * Counts AWS SDK v3 calls by service and command, with DynamoDB request units estimated from the wire:
 * a write costs one WRU per started KB of the request body (the item and its key), a read one RRU per
 * started 4 KB of what came back (strongly consistent; an eventually consistent read costs half, so
 * this errs high). TransactWriteItems counts double, as DynamoDB bills it.
 */
export interface AwsCounts {
  calls: Record<string, number>;
  readUnits: number;
  writeUnits: number;
}

export function emptyCounts(): AwsCounts {
  return { calls: {}, readUnits: 0, writeUnits: 0 };
}

interface MiddlewareClient {
  middlewareStack: { add(middleware: unknown, options: Record<string, unknown>): void };
}

const WRITES = new Set(["PutItemCommand", "UpdateItemCommand", "DeleteItemCommand", "BatchWriteItemCommand", "TransactWriteItemsCommand"]);
const READS = new Set(["GetItemCommand", "QueryCommand", "BatchGetItemCommand", "ScanCommand", "TransactGetItemsCommand"]);

/** Adds the counting middleware to a client (any v3 client: DynamoDB, KMS, SES, SQS). */
export function countCalls<T extends MiddlewareClient>(client: T, service: string, counts: AwsCounts): T {
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: { request?: { body?: unknown } }) => {
      const command = context.commandName ?? "Unknown";
      const key = `${service}.${command.replace(/Command$/, "")}`;
      counts.calls[key] = (counts.calls[key] ?? 0) + 1;
      if (service === "DynamoDB" && WRITES.has(command)) {
        const body = args.request?.body;
        const bytes = typeof body === "string" ? Buffer.byteLength(body) : 0;
        counts.writeUnits += Math.max(1, Math.ceil(bytes / 1024)) * (command === "TransactWriteItemsCommand" ? 2 : 1);
      }
      const result = await next(args) as { response?: { headers?: Record<string, string> } };
      if (service === "DynamoDB" && READS.has(command)) {
        const length = Number(result.response?.headers?.["content-length"] ?? 0);
        counts.readUnits += Math.max(1, Math.ceil(length / 4096));
      }
      return result;
    },
    { step: "finalizeRequest", priority: "low", name: `benchCount${service}` },
  );
  return client;
}
