/**
 * TransactWriteItems for dynalite, which implements every DynamoDB operation daybook uses except that
 * one (sign-up and the due index write items together). A small front server takes the requests
 * meant for dynalite: it hands every other operation, untouched, to dynalite's own request handler in
 * this process (no second HTTP round trip: that halved a request's CPU), and carries out a transaction
 * itself with dynalite's single-item operations, over dynalite's port.
 *
 * Requests pass one at a time, so nothing interleaves with a transaction: it is all-or-nothing towards
 * every other client. It first checks each action's condition against the current items (a
 * conditional DeleteItem that returns the old item, which is put straight back), cancels with
 * DynamoDB's TransactionCanceledException and per-action reasons if any fails, and otherwise applies
 * the actions unconditionally; should one of them be refused (a malformed update), the items it
 * touched are restored from the copies read first. Two operations on one item are refused, as
 * DynamoDB does. Idempotency tokens (ClientRequestToken) are not remembered.
 */
import { once } from "node:events";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type RequestListener, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

type AttributeMap = Record<string, unknown>;
type Json = Record<string, unknown>;

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

const TARGET_PREFIX = "DynamoDB_20120810.";
const AMZ_JSON = "application/x-amz-json-1.0";

export interface TransactionFront {
  endpoint: string;
  close(): Promise<void>;
}

/**
 * `dynaliteEndpoint` is where dynalite listens (the transaction's own calls go there); `dynaliteHandler`
 * is its server's request listener, which answers every other request in place.
 */
export async function startTransactionFront(dynaliteEndpoint: string, dynaliteHandler: RequestListener): Promise<TransactionFront> {
  let queue: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };
  const keySchemas = new Map<string, string[]>();

  const server = createServer((request, response) => {
    if (request.headers["x-amz-target"] === `${TARGET_PREFIX}TransactWriteItems`) void handleTransaction(request, response);
    else void oneAtATime(() => passOn(request, response));
  });

  /** Settles once dynalite has answered (or the client went away), so the next request waits for it. */
  function passOn(request: IncomingMessage, response: ServerResponse): Promise<void> {
    return new Promise((resolve) => {
      response.once("close", resolve);
      dynaliteHandler(request, response);
    });
  }

  async function handleTransaction(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
      const body = Buffer.concat(chunks);
      const answer = await oneAtATime(() => transactWrite(request.headers, body));
      response.writeHead(answer.status, answer.headers).end(answer.body);
    } catch (error) {
      const message = error instanceof Error ? error.message : "the transaction front failed";
      response.writeHead(500, { "Content-Type": AMZ_JSON }).end(JSON.stringify({ __type: "com.amazonaws.dynamodb.v20120810#InternalServerError", message }));
    }
  }

  async function forward(method: string, headers: IncomingHttpHeaders, body: Buffer): Promise<Answer> {
    const sent = await fetch(dynaliteEndpoint, { method, headers: passHeaders(headers), ...(body.length > 0 ? { body } : {}) });
    const answerHeaders: Record<string, string> = {};
    for (const name of ["content-type", "x-amzn-requestid", "x-amz-crc32"]) {
      const value = sent.headers.get(name);
      if (value !== null) answerHeaders[name] = value;
    }
    return { status: sent.status, headers: answerHeaders, body: Buffer.from(await sent.arrayBuffer()) };
  }

  /** One single-item operation on dynalite, signed as the transaction was (dynalite checks the form, not the signature). */
  async function call(headers: IncomingHttpHeaders, operation: string, input: Json): Promise<{ ok: boolean; json: Json; answer: Answer }> {
    const answer = await forward("POST", { ...headers, "x-amz-target": `${TARGET_PREFIX}${operation}` }, Buffer.from(JSON.stringify(input)));
    const json = answer.body.length > 0 ? (JSON.parse(answer.body.toString("utf8")) as Json) : {};
    return { ok: answer.status === 200, json, answer };
  }

  async function keyNames(headers: IncomingHttpHeaders, tableName: string): Promise<string[]> {
    const known = keySchemas.get(tableName);
    if (known) return known;
    const described = await call(headers, "DescribeTable", { TableName: tableName });
    if (!described.ok) throw new Error(`cannot describe table ${tableName}`);
    const table = described.json["Table"] as { KeySchema?: { AttributeName: string }[] } | undefined;
    const names = (table?.KeySchema ?? []).map((key) => key.AttributeName);
    keySchemas.set(tableName, names);
    return names;
  }

  async function transactWrite(headers: IncomingHttpHeaders, body: Buffer): Promise<Answer> {
    const input = JSON.parse(body.toString("utf8")) as Json;
    const items = Array.isArray(input["TransactItems"]) ? (input["TransactItems"] as Json[]) : [];
    if (items.length === 0 || items.length > 100) return failure("ValidationException", "TransactItems must hold 1 to 100 actions");

    const actions: { kind: string; spec: Json; table: string; key: AttributeMap; before: AttributeMap | undefined }[] = [];
    const seen = new Set<string>();
    for (const item of items) {
      const [kind, spec] = Object.entries(item)[0] as [string, Json];
      const table = String(spec["TableName"]);
      const names = await keyNames(headers, table);
      const source = (kind === "Put" ? spec["Item"] : spec["Key"]) as AttributeMap | undefined;
      const key = Object.fromEntries(names.map((name) => [name, source?.[name]]));
      const identity = JSON.stringify([table, key]);
      if (seen.has(identity)) return failure("ValidationException", "Transaction request cannot include multiple operations on one item");
      seen.add(identity);
      const current = await call(headers, "GetItem", { TableName: table, Key: key, ConsistentRead: true });
      if (!current.ok) return current.answer;
      actions.push({ kind, spec, table, key, before: current.json["Item"] as AttributeMap | undefined });
    }

    const reasons: Json[] = [];
    for (const action of actions) {
      const condition = action.spec["ConditionExpression"];
      if (condition === undefined) {
        reasons.push({ Code: "None" });
        continue;
      }
      const probe = await call(headers, "DeleteItem", {
        TableName: action.table, Key: action.key, ConditionExpression: condition, ReturnValues: "ALL_OLD",
        ...usedExpressionFields(text(condition), action.spec["ExpressionAttributeNames"], action.spec["ExpressionAttributeValues"]),
      });
      if (probe.ok) {
        const removed = probe.json["Attributes"] as AttributeMap | undefined;
        if (removed) {
          const restored = await call(headers, "PutItem", { TableName: action.table, Item: removed });
          if (!restored.ok) throw new Error("could not restore an item after checking a condition");
        }
        reasons.push({ Code: "None" });
      } else if (text(probe.json["__type"]).endsWith("ConditionalCheckFailedException")) {
        const wantsItem = action.spec["ReturnValuesOnConditionCheckFailure"] === "ALL_OLD" && action.before !== undefined;
        reasons.push({ Code: "ConditionalCheckFailed", Message: "The conditional request failed", ...(wantsItem ? { Item: action.before } : {}) });
      } else {
        return probe.answer;
      }
    }
    if (reasons.some((reason) => reason["Code"] !== "None")) {
      const codes = reasons.map((reason) => String(reason["Code"])).join(", ");
      return failure("TransactionCanceledException", `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes}]`, { CancellationReasons: reasons });
    }

    const applied: typeof actions = [];
    for (const action of actions) {
      const done = await apply(headers, action.kind, action.spec);
      if (done && !done.ok) {
        for (const undone of applied.reverse()) {
          await (undone.before
            ? call(headers, "PutItem", { TableName: undone.table, Item: undone.before })
            : call(headers, "DeleteItem", { TableName: undone.table, Key: undone.key }));
        }
        return done.answer;
      }
      applied.push(action);
    }
    return { status: 200, headers: { "content-type": AMZ_JSON }, body: Buffer.from("{}") };
  }

  /** The action without its condition (already checked); undefined for a ConditionCheck, which writes nothing. */
  async function apply(headers: IncomingHttpHeaders, kind: string, spec: Json): Promise<{ ok: boolean; answer: Answer } | undefined> {
    const { ConditionExpression: _condition, ReturnValuesOnConditionCheckFailure: _returnValues, ExpressionAttributeNames: names, ExpressionAttributeValues: values, ...rest } = spec;
    const expressions = spec["UpdateExpression"] === undefined ? {} : usedExpressionFields(text(spec["UpdateExpression"]), names, values);
    switch (kind) {
      case "Put":
        return call(headers, "PutItem", rest);
      case "Delete":
        return call(headers, "DeleteItem", rest);
      case "Update":
        return call(headers, "UpdateItem", { ...rest, ...expressions });
      case "ConditionCheck":
        return undefined;
      default:
        return { ok: false, answer: failure("ValidationException", `unknown transaction action ${kind}`) };
    }
  }

  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    endpoint: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
        server.closeAllConnections();
      }),
  };
}

/**
 * The names and values an expression uses: DynamoDB refuses ones a request does not use, and the
 * condition and the update, sent apart, each use only some of the transaction's.
 */
function usedExpressionFields(expression: string, names: unknown, values: unknown): Json {
  const pick = (map: unknown): Json | undefined => {
    if (typeof map !== "object" || map === null) return undefined;
    const used = Object.fromEntries(Object.entries(map as Json).filter(([placeholder]) => new RegExp(`${placeholder.replace(/[$]/g, "\\$")}(?![A-Za-z0-9_])`).test(expression)));
    return Object.keys(used).length > 0 ? used : undefined;
  };
  const usedNames = pick(names);
  const usedValues = pick(values);
  return { ...(usedNames ? { ExpressionAttributeNames: usedNames } : {}), ...(usedValues ? { ExpressionAttributeValues: usedValues } : {}) };
}

const text = (value: unknown): string => (typeof value === "string" ? value : "");

function failure(type: string, message: string, extra: Json = {}): Answer {
  return { status: 400, headers: { "content-type": AMZ_JSON }, body: Buffer.from(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message, ...extra })) };
}

function passHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const passed: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || ["host", "content-length", "connection", "transfer-encoding", "expect"].includes(name)) continue;
    passed[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return passed;
}
