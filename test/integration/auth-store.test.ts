import { createHash, randomBytes, randomUUID } from "node:crypto";
import { type AttributeValue, DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDynamoAuthStore } from "../../lib/store/auth";
import type { AuthStore, OAuthState, Session, SignInLink } from "../../lib/auth/types";
import { StoreError } from "../../lib/store/errors";
import { ConflictError } from "../../lib/store/store";
import { awsClientConfig, createTestTable, oneRequestAtATime } from "../../sandbox/aws";

// One request at a time: moto does not serialise conditional writes to an item as DynamoDB does (see aws.ts).
const dynamo = oneRequestAtATime(new DynamoDBClient(awsClientConfig(inject("motoEndpoint"))));
let tableName = "";
let auth: AuthStore;

beforeAll(async () => {
  tableName = await createTestTable(dynamo);
  auth = createDynamoAuthStore({ client: DynamoDBDocumentClient.from(dynamo), tableName });
});

afterAll(() => {
  dynamo.destroy();
});

const NOW = new Date("2025-03-15T09:00:00.000Z");
const MINUTE = 60_000;
const at = (minutes: number): Date => new Date(NOW.getTime() + minutes * MINUTE);
const iso = (minutes: number): string => at(minutes).toISOString();
/** A fresh secret's hash, as the web layer stores it. */
const newHash = (): string => createHash("sha256").update(randomBytes(32)).digest("hex");
const epochSeconds = (minutes: number): string => String(Math.ceil(at(minutes).getTime() / 1000));

async function rawItem(pk: string, sk: string): Promise<Record<string, AttributeValue> | undefined> {
  const { Item } = await dynamo.send(new GetItemCommand({ TableName: tableName, Key: { PK: { S: pk }, SK: { S: sk } }, ConsistentRead: true }));
  return Item;
}

/** Exactly one of the results is a value, the others undefined. */
function exactlyOneGot<T>(results: (T | undefined)[]): T {
  const got = results.filter((result) => result !== undefined);
  expect(got).toHaveLength(1);
  return got[0]!;
}

function aLink(overrides: Partial<SignInLink> = {}): SignInLink {
  return { tokenHash: newHash(), email: "owner@cafe.example", createdAt: iso(0), expiresAt: iso(15), ...overrides };
}

function aSession(merchantId: string, overrides: Partial<Session> = {}): Session {
  return {
    sessionHash: newHash(),
    merchantId,
    createdAt: iso(0),
    lastSeenAt: iso(0),
    idleExpiresAt: iso(30),
    absoluteExpiresAt: iso(12 * 60),
    userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) Safari/605.1.15",
    approximateIp: "203.0.113.0/24",
    ...overrides,
  };
}

function aState(overrides: Partial<OAuthState> = {}): OAuthState {
  return {
    stateHash: newHash(), sessionHash: newHash(), merchantId: `m-${randomUUID()}`, provider: "clover", region: "eu", createdAt: iso(0), expiresAt: iso(10),
    ...overrides,
  };
}

describe("sign-in links", () => {
  it("are used once: the first use gets the link, every later one nothing", async () => {
    const link = aLink();
    await auth.putSignInLink(link);
    expect(await rawItem(`SIGNIN#${link.tokenHash}`, "SIGNIN")).toMatchObject({
      expiresAt: { N: epochSeconds(15) }, expiresAtIso: { S: link.expiresAt }, email: { S: "owner@cafe.example" },
    });
    expect(await auth.consumeSignInLink(link.tokenHash, at(1))).toEqual(link);
    expect(await auth.consumeSignInLink(link.tokenHash, at(1))).toBeUndefined();
    expect(await rawItem(`SIGNIN#${link.tokenHash}`, "SIGNIN")).toBeUndefined();
  });

  it("go to exactly one of two concurrent uses", async () => {
    const link = aLink();
    await auth.putSignInLink(link);
    const results = await Promise.all([auth.consumeSignInLink(link.tokenHash, at(1)), auth.consumeSignInLink(link.tokenHash, at(1))]);
    expect(exactlyOneGot(results)).toEqual(link);
  });

  it("are gone once expired, even while DynamoDB's TTL has not removed them", async () => {
    const link = aLink();
    await auth.putSignInLink(link);
    expect(await auth.consumeSignInLink(link.tokenHash, at(15))).toBeUndefined();
    expect(await auth.consumeSignInLink(link.tokenHash, at(60))).toBeUndefined();
    expect(await rawItem(`SIGNIN#${link.tokenHash}`, "SIGNIN")).toBeDefined();
    const justInTime = aLink();
    await auth.putSignInLink(justInTime);
    expect(await auth.consumeSignInLink(justInTime.tokenHash, new Date(at(15).getTime() - 1))).toEqual(justInTime);
    expect(await auth.consumeSignInLink(newHash(), NOW)).toBeUndefined();
  });

  it("are written once, and only with a hash and a normalised address", async () => {
    const link = aLink();
    await auth.putSignInLink(link);
    await expect(auth.putSignInLink({ ...link, email: "other@cafe.example" })).rejects.toThrow(ConflictError);
    await expect(auth.putSignInLink(aLink({ email: "Owner@Cafe.example" }))).rejects.toThrow(/email: must be lower-cased and trimmed/);
    await expect(auth.putSignInLink(aLink({ tokenHash: "the-token-itself" }))).rejects.toThrow(/tokenHash: must be a SHA-256 digest/);
    await expect(auth.putSignInLink(aLink({ expiresAt: "2025-03-15T09:15:00Z" }))).rejects.toThrow(StoreError);
  });
});

describe("OAuth states", () => {
  it("are used once, by exactly one of two concurrent callbacks, with everything they were given", async () => {
    const state = aState();
    await auth.putOAuthState(state);
    const results = await Promise.all([auth.consumeOAuthState(state.stateHash, at(1)), auth.consumeOAuthState(state.stateHash, at(1))]);
    expect(exactlyOneGot(results)).toEqual(state);
    expect(await auth.consumeOAuthState(state.stateHash, at(1))).toBeUndefined();
    const quickbooks = aState({ provider: "quickbooks", region: undefined });
    await auth.putOAuthState(quickbooks);
    const used = await auth.consumeOAuthState(quickbooks.stateHash, at(1));
    expect(used).toEqual({ ...quickbooks });
    expect(used).not.toHaveProperty("region");
  });

  it("are gone after their ten minutes", async () => {
    const state = aState();
    await auth.putOAuthState(state);
    expect(await rawItem(`OAUTHSTATE#${state.stateHash}`, "OAUTHSTATE")).toMatchObject({ expiresAt: { N: epochSeconds(10) } });
    expect(await auth.consumeOAuthState(state.stateHash, at(10))).toBeUndefined();
  });
});

describe("sessions", () => {
  it("are read while both timeouts hold, and not after either", async () => {
    const merchantId = `m-${randomUUID()}`;
    const session = aSession(merchantId);
    await auth.putSession(session);
    expect(await auth.getSession(session.sessionHash, at(29))).toEqual(session);
    expect(await auth.getSession(session.sessionHash, at(30))).toBeUndefined();
    const longIdle = aSession(merchantId, { idleExpiresAt: iso(24 * 60), absoluteExpiresAt: iso(60) });
    await auth.putSession(longIdle);
    expect(await auth.getSession(longIdle.sessionHash, at(59))).toEqual(longIdle);
    expect(await auth.getSession(longIdle.sessionHash, at(60))).toBeUndefined();
    expect(await auth.getSession(newHash(), NOW)).toBeUndefined();
    // The TTL follows whichever timeout comes first.
    expect(await rawItem(`SESSION#${longIdle.sessionHash}`, "SESSION")).toMatchObject({
      expiresAt: { N: epochSeconds(60) }, GSI1PK: { S: `SESSIONS#${merchantId}` }, GSI1SK: { S: `${longIdle.createdAt}#${longIdle.sessionHash}` },
    });
  });

  it("are kept alive by a touch, never past their absolute timeout", async () => {
    const session = aSession(`m-${randomUUID()}`, { absoluteExpiresAt: iso(45) });
    await auth.putSession(session);
    await auth.touchSession(session.sessionHash, iso(20), iso(50));
    expect(await auth.getSession(session.sessionHash, at(35))).toEqual({ ...session, lastSeenAt: iso(20), idleExpiresAt: iso(45) });
    expect(await rawItem(`SESSION#${session.sessionHash}`, "SESSION")).toMatchObject({ expiresAt: { N: epochSeconds(45) } });
    await auth.touchSession(session.sessionHash, iso(25), iso(40));
    expect((await auth.getSession(session.sessionHash, at(26)))?.idleExpiresAt).toBe(iso(40));
  });

  it("are not brought back by a touch once ended or gone", async () => {
    const session = aSession(`m-${randomUUID()}`);
    await auth.putSession(session);
    await auth.touchSession(session.sessionHash, iso(31), iso(61));
    expect(await auth.getSession(session.sessionHash, at(32))).toBeUndefined();
    const missing = newHash();
    await auth.touchSession(missing, iso(1), iso(31));
    expect(await rawItem(`SESSION#${missing}`, "SESSION")).toBeUndefined();
  });

  it("are listed for their merchant only, live ones, newest first", async () => {
    const merchantId = `m-${randomUUID()}`;
    const sessions = [aSession(merchantId, { createdAt: iso(-20) }), aSession(merchantId, { createdAt: iso(-5) }), aSession(merchantId, { createdAt: iso(-10) })];
    const ended = aSession(merchantId, { createdAt: iso(-1), idleExpiresAt: iso(1) });
    for (const session of [...sessions, ended, aSession(`m-${randomUUID()}`)]) await auth.putSession(session);
    expect(await auth.listSessions(merchantId, at(2))).toEqual([sessions[1], sessions[2], sessions[0]]);
    expect(await auth.listSessions(`m-${randomUUID()}`, NOW)).toEqual([]);
  });

  it("cannot be ended by another merchant", async () => {
    const session = aSession(`m-${randomUUID()}`);
    await auth.putSession(session);
    expect(await auth.deleteSession(`m-${randomUUID()}`, session.sessionHash)).toBe(false);
    expect(await auth.getSession(session.sessionHash, NOW)).toEqual(session);
    expect(await auth.deleteSession(session.merchantId, session.sessionHash)).toBe(true);
    expect(await auth.getSession(session.sessionHash, NOW)).toBeUndefined();
    expect(await auth.deleteSession(session.merchantId, session.sessionHash)).toBe(false);
  });

  it("are all ended but the current one, and then all of them", async () => {
    const merchantId = `m-${randomUUID()}`;
    const [current, ...others] = [aSession(merchantId), aSession(merchantId), aSession(merchantId, { createdAt: iso(-3) })];
    const someoneElses = aSession(`m-${randomUUID()}`);
    for (const session of [current, ...others, someoneElses]) await auth.putSession(session);
    expect(await auth.deleteSessions(merchantId, current.sessionHash)).toBe(2);
    expect(await auth.listSessions(merchantId, NOW)).toEqual([current]);
    expect(await auth.getSession(someoneElses.sessionHash, NOW)).toEqual(someoneElses);
    expect(await auth.deleteSessions(merchantId)).toBe(1);
    expect(await auth.getSession(current.sessionHash, NOW)).toBeUndefined();
  });
});

describe("rate limits", () => {
  it("count up to the limit in a window, refuse past it, and start again in the next window", async () => {
    const bucket = `sign-in-email#${newHash()}`;
    const windowStart = Math.floor(NOW.getTime() / 1000 / 900) * 900;
    const takes: boolean[] = [];
    for (let minute = 0; minute < 5; minute++) takes.push(await auth.takeRateLimit(bucket, 3, 900, at(minute)));
    expect(takes).toEqual([true, true, true, false, false]);
    expect(await rawItem(`RATE#${bucket}#${windowStart}`, "RATE")).toMatchObject({ count: { N: "3" }, expiresAt: { N: String(windowStart + 900) } });
    expect(await auth.takeRateLimit(bucket, 3, 900, at(15))).toBe(true);
    expect(await auth.takeRateLimit(`sign-in-client#${newHash()}`, 3, 900, at(1))).toBe(true);
  });

  it("let exactly the limit through when requests arrive together", async () => {
    const bucket = `sign-in-client#${newHash()}`;
    const results = await Promise.all(Array.from({ length: 6 }, () => auth.takeRateLimit(bucket, 4, 60, NOW)));
    expect(results.filter(Boolean)).toHaveLength(4);
  });

  it("need a positive whole limit and window", async () => {
    await expect(auth.takeRateLimit("b", 0, 60, NOW)).rejects.toThrow(/limit must be a whole number/);
    await expect(auth.takeRateLimit("b", 3, 0.5, NOW)).rejects.toThrow(/windowSeconds must be a whole number/);
  });
});
