/**
 * The session item (lib/auth/types.ts Session): its schema and what every signed-in request does with
 * it: read it, keep it alive, and for an accountant, set the business it acts for. A module of its own,
 * apart from the rest of the AuthStore (auth.ts: sign-in links, OAuth states, rate limits, the sessions
 * page), so the web app makes these at start and loads the rest on the first call of one
 * (lib/wiring/api.ts).
 */
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import type { AuthStore, Session } from "../auth/types";
import { describeItem, fromItem, names, unlessConditionFails } from "./dynamo-items";
import { StoreError } from "./errors";
import { keys } from "./keys";
import { describing } from "./schema-parts";

/** As toISOString writes it, so that instants compare as strings, in DynamoDB conditions too. */
export const instant = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, "must be an ISO 8601 instant as toISOString writes it"));
export const sha256Hex = z.string().check(z.regex(/^[0-9a-f]{64}$/, "must be a SHA-256 digest in lower-case hex"));

export const sessionSchema = describing<Session>()(z.object({
  sessionHash: sha256Hex,
  merchantId: z.string().check(z.minLength(1)),
  actingFor: z.optional(z.string().check(z.minLength(1))),
  createdAt: instant,
  lastSeenAt: instant,
  idleExpiresAt: instant,
  absoluteExpiresAt: instant,
  userAgent: z.string().check(z.maxLength(200)),
  approximateIp: z.string(),
}));

/** The TTL value for an instant: epoch seconds, rounded up so DynamoDB never deletes early. */
export const ttlOf = (iso: string): number => Math.ceil(Date.parse(iso) / 1000);

export const earlier = (a: string, b: string): string => (a < b ? a : b);

export function isLive(session: Session, now: Date): boolean {
  const at = now.toISOString();
  return session.idleExpiresAt > at && session.absoluteExpiresAt > at;
}

export function sessionReads({ client, tableName }: { client: DynamoDBDocumentClient; tableName: string }): Pick<AuthStore, "getSession" | "touchSession" | "setActingFor"> {
  return {
    async getSession(sessionHash, now) {
      const key = keys.session(sessionHash);
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
      if (Item === undefined) return undefined;
      const session = fromItem(sessionSchema, Item, `the stored session ${describeItem(Item)}`);
      return isLive(session, now) ? session : undefined;
    },

    async touchSession(sessionHash, lastSeenAt, idleExpiresAt) {
      for (const [name, value] of Object.entries({ lastSeenAt, idleExpiresAt })) {
        if (!instant.safeParse(value).success) throw new StoreError(`${name} must be an ISO 8601 instant as toISOString writes it`);
      }
      const key = keys.session(sessionHash);
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
      if (Item === undefined) return;
      const session = fromItem(sessionSchema, Item, `the stored session ${describeItem(Item)}`);
      const idle = earlier(idleExpiresAt, session.absoluteExpiresAt);
      await unlessConditionFails(() => client.send(new UpdateCommand({
        TableName: tableName,
        Key: key,
        UpdateExpression: "SET #lastSeenAt = :seen, #idleExpiresAt = :idle, #expiresAt = :ttl",
        // A session that had ended by lastSeenAt stays ended, and one deleted meanwhile stays gone.
        ConditionExpression: "attribute_exists(PK) AND #idleExpiresAt > :seen AND #absoluteExpiresAt > :seen",
        ExpressionAttributeNames: names("lastSeenAt", "idleExpiresAt", "expiresAt", "absoluteExpiresAt"),
        ExpressionAttributeValues: { ":seen": lastSeenAt, ":idle": idle, ":ttl": ttlOf(idle) },
      })));
    },

    async setActingFor(sessionHash, merchantId, businessId) {
      if (businessId === "") throw new StoreError("a business id cannot be empty");
      await unlessConditionFails(() => client.send(new UpdateCommand({
        TableName: tableName,
        Key: keys.session(sessionHash),
        ...(businessId === undefined
          ? { UpdateExpression: "REMOVE #actingFor", ExpressionAttributeValues: { ":merchantId": merchantId } }
          : { UpdateExpression: "SET #actingFor = :business", ExpressionAttributeValues: { ":merchantId": merchantId, ":business": businessId } }),
        ConditionExpression: "attribute_exists(PK) AND #merchantId = :merchantId",
        ExpressionAttributeNames: names("actingFor", "merchantId"),
      })));
    },
  };
}
