/**
 * API keys for the read-only API (/api/v1): made on the API keys page by a person (an owner or an
 * accountant), shown once, kept only as a SHA-256 hash, scoped to the businesses their creator can
 * see at the time of each request, expiring (90 days by default) and revocable. Each request made
 * with a key is kept for 14 days (key id, route, status, duration: never a body or the key).
 *
 * A key is `dbk_` and 43 base64url characters (32 random bytes): the prefix lets a person, a secret
 * scanner and daybook's own log scan recognise one. ApiKeyStore is the storage port; lib/store/api-keys.ts
 * implements it on the table.
 */
import { randomUUID } from "node:crypto";
import { newSecret, sha256Hex } from "../auth/secrets";

export const API_KEY_PREFIX = "dbk_";
export const API_KEY_PATTERN = /^dbk_[A-Za-z0-9_-]{43}$/;
export const API_KEY_DEFAULT_DAYS = 90;
export const API_KEY_MAX_DAYS = 365;
/** How long each request's record is kept. */
export const API_REQUEST_LOG_DAYS = 14;
/** lastUsedAt is written at most this often, so a busy key is not a write per request. */
export const API_KEY_TOUCH_INTERVAL_MS = 60_000;
/** Per key, in a fixed window. */
export const API_RATE_LIMIT = { limit: 120, windowSeconds: 60 } as const;

const DAY_MS = 86_400_000;

export interface ApiKey {
  keyId: string;
  /** The person who made it: the key sees what they can see. */
  ownerId: string;
  name: string;
  /** SHA-256 (hex) of the key. */
  tokenHash: string;
  createdAt: string;
  expiresAt: string;
  revokedAt?: string;
  lastUsedAt?: string;
}

/** One request made with a key, kept API_REQUEST_LOG_DAYS. */
export interface ApiRequestRecord {
  requestId: string;
  keyId: string;
  ownerId: string;
  at: string;
  method: string;
  /** The route's pattern (/api/v1/businesses/{businessId}), never the path with its ids or query. */
  route: string;
  status: number;
  durationMs: number;
}

export interface ApiKeyStore {
  putKey(key: ApiKey): Promise<void>;
  /** The key with this hash, read consistently once the index finds it; undefined if there is none. */
  findKey(tokenHash: string): Promise<ApiKey | undefined>;
  /** The person's keys, newest first (revoked and expired ones too, until the table's TTL takes them). */
  listKeys(ownerId: string): Promise<ApiKey[]>;
  /** Revokes one of the person's keys; false if the person has no such key or it is revoked already. */
  revokeKey(ownerId: string, keyId: string, at: Date): Promise<boolean>;
  markUsed(ownerId: string, keyId: string, at: Date): Promise<void>;
  logRequest(record: ApiRequestRecord): Promise<void>;
  /** The person's most recent requests, newest first. */
  listRequests(ownerId: string, limit: number): Promise<ApiRequestRecord[]>;
}

export interface NewApiKey {
  /** Shown once, on the page that made it; never stored, never logged. */
  secret: string;
  key: ApiKey;
}

export async function createApiKey(store: ApiKeyStore, request: { ownerId: string; name: string; days: number; now: Date }): Promise<NewApiKey> {
  if (!Number.isSafeInteger(request.days) || request.days < 1 || request.days > API_KEY_MAX_DAYS) {
    throw new RangeError(`an API key lasts 1 to ${String(API_KEY_MAX_DAYS)} days`);
  }
  const secret = `${API_KEY_PREFIX}${newSecret()}`;
  const key: ApiKey = {
    keyId: randomUUID(),
    ownerId: request.ownerId,
    name: request.name,
    tokenHash: apiKeyHash(secret),
    createdAt: request.now.toISOString(),
    expiresAt: new Date(request.now.getTime() + request.days * DAY_MS).toISOString(),
  };
  await store.putKey(key);
  return { secret, key };
}

export function apiKeyHash(secret: string): string {
  return sha256Hex(`api-key:${secret}`);
}

export type KeyRefusal = "missing" | "malformed" | "unknown" | "revoked" | "expired";
export type Authenticated = { ok: true; key: ApiKey } | { ok: false; refusal: KeyRefusal; key?: ApiKey };

/** The key an `Authorization: Bearer …` header names, if it is live at `now`. */
export async function authenticateApiKey(store: ApiKeyStore, authorization: string | undefined, now: Date): Promise<Authenticated> {
  if (authorization === undefined || authorization.trim() === "") return { ok: false, refusal: "missing" };
  const match = /^Bearer +(\S+)\s*$/i.exec(authorization);
  const secret = match?.[1];
  if (secret === undefined || !API_KEY_PATTERN.test(secret)) return { ok: false, refusal: "malformed" };
  const key = await store.findKey(apiKeyHash(secret));
  if (!key) return { ok: false, refusal: "unknown" };
  if (key.revokedAt !== undefined) return { ok: false, refusal: "revoked", key };
  if (key.expiresAt <= now.toISOString()) return { ok: false, refusal: "expired", key };
  if (key.lastUsedAt === undefined || now.getTime() - Date.parse(key.lastUsedAt) >= API_KEY_TOUCH_INTERVAL_MS) {
    await store.markUsed(key.ownerId, key.keyId, now);
  }
  return { ok: true, key };
}

export function newRequestId(): string {
  return randomUUID();
}

export function requestLogExpiry(at: Date): Date {
  return new Date(at.getTime() + API_REQUEST_LOG_DAYS * DAY_MS);
}

/** What the keys page says of a key's state at `now`. */
export function keyState(key: ApiKey, now: Date): "active" | "revoked" | "expired" {
  if (key.revokedAt !== undefined) return "revoked";
  return key.expiresAt <= now.toISOString() ? "expired" : "active";
}
