/**
 * Item keys. Everything of a merchant sits under `MERCHANT#<merchantId>`, so one query reads or
 * exports it all and account deletion is one partition. The short-lived items of the front door
 * (sign-in links, sessions, OAuth states, rate-limit counters) and the email claims each have a
 * partition of their own, named by a hash, never by the secret or the address itself.
 */
import { createHash } from "node:crypto";
import { StoreError } from "./errors";
import type { ProviderName } from "../model";

export interface ItemKey {
  PK: string;
  SK: string;
}

/** The generic secondary index's keys (table.ts: GSI1). */
export type IndexKey = {
  GSI1PK: string;
  GSI1SK: string;
};

/** The second index's keys (table.ts: GSI2): the connections, owed notices and invitees. */
export type ConnectionIndexKey = {
  GSI2PK: string;
  GSI2SK: string;
};

/** How many partitions of GSI2 the connections are spread over. */
export const CONNECTION_SHARDS = 16;

/** Ids become key segments; a "#" inside one would blur the boundary between segments. */
export function segment(value: string, what: string): string {
  if (value === "" || value.includes("#")) {
    throw new StoreError(`${what} must be a non-empty id without "#", got ${JSON.stringify(value)}`);
  }
  return value;
}

const merchantPartition = (merchantId: string): string => `MERCHANT#${segment(merchantId, "merchantId")}`;

/** The sort-key prefix of each kind of item in a merchant's partition. */
export const KIND_PREFIX = {
  profile: "PROFILE",
  connection: "CONNECTION#",
  location: "LOCATION#",
  syncRecord: "SYNC#",
  /** An accountant's access to this business (the owner's list of who has access). */
  member: "MEMBER#",
  /** This person's access to another business (the client list), with its last night's status. */
  membership: "MEMBERSHIP#",
  /** An invitation to this business, waiting to be accepted. */
  invitation: "INVITATION#",
  /** An API key this person made. */
  apiKey: "APIKEY#",
  /** One request made with one of this person's API keys (expires after 14 days). */
  apiRequest: "APIREQUEST#",
} as const;

/** The partition of the worker's idempotency records (lib/store/idempotency.ts); their SK is Powertools' hashed key. */
export const IDEMPOTENCY_PARTITION = "IDEMPOTENCY#worker";

/** Sign-in addresses compare case-insensitively and without surrounding space. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const sha256Hex = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

/** Which of `shards` partitions of an index a merchant's item (a location, a connection) is in: its hash's first 32 bits, modulo. */
export function shardOfItem(merchantId: string, itemId: string, shards: number): number {
  return createHash("sha256").update(`${merchantId}/${itemId}`).digest().readUInt32BE(0) % shards;
}

export const keys = {
  merchantPartition,
  merchant: (merchantId: string): ItemKey => ({ PK: merchantPartition(merchantId), SK: KIND_PREFIX.profile }),
  connection: (merchantId: string, connectionId: string): ItemKey => ({
    PK: merchantPartition(merchantId),
    SK: `${KIND_PREFIX.connection}${segment(connectionId, "connectionId")}`,
  }),
  location: (merchantId: string, locationId: string): ItemKey => ({
    PK: merchantPartition(merchantId),
    SK: `${KIND_PREFIX.location}${segment(locationId, "locationId")}`,
  }),
  syncRecord: (merchantId: string, locationId: string, businessDay: string): ItemKey => ({
    PK: merchantPartition(merchantId),
    SK: `${KIND_PREFIX.syncRecord}${segment(locationId, "locationId")}#${segment(businessDay, "businessDay")}`,
  }),
  /** Business side of an accountant's access: in the business's partition, so it goes with the business. */
  member: (businessId: string, personId: string): ItemKey => ({
    PK: merchantPartition(businessId),
    SK: `${KIND_PREFIX.member}${segment(personId, "personId")}`,
  }),
  /** Person side of the same access: in the accountant's partition, so the client list is one query. */
  membership: (personId: string, businessId: string): ItemKey => ({
    PK: merchantPartition(personId),
    SK: `${KIND_PREFIX.membership}${segment(businessId, "businessId")}`,
  }),
  invitation: (businessId: string, invitationId: string): ItemKey => ({
    PK: merchantPartition(businessId),
    SK: `${KIND_PREFIX.invitation}${segment(invitationId, "invitationId")}`,
  }),
  apiKey: (ownerId: string, keyId: string): ItemKey => ({
    PK: merchantPartition(ownerId),
    SK: `${KIND_PREFIX.apiKey}${segment(keyId, "keyId")}`,
  }),
  /** at first, so a person's requests sort by time; the request id keeps two in one millisecond apart. */
  apiRequest: (ownerId: string, at: string, requestId: string): ItemKey => ({
    PK: merchantPartition(ownerId),
    SK: `${KIND_PREFIX.apiRequest}${segment(at, "at")}#${segment(requestId, "requestId")}`,
  }),
  /**
   * That an account was deleted, for the day its writers in flight may still write (lib/store/account-guard.ts):
   * named by a hash of its id, so it names no account, and holds nothing else.
   */
  deletedAccount: (merchantId: string): ItemKey => ({ PK: `DELETED#${sha256Hex(segment(merchantId, "merchantId"))}`, SK: "DELETED" }),
  /** Claims a sign-in address for one merchant; named by a hash so the key never shows the address. */
  emailClaim: (email: string): ItemKey => ({ PK: `EMAIL#${sha256Hex(normalizeEmail(email))}`, SK: "EMAIL" }),

  signInLink: (tokenHash: string): ItemKey => ({ PK: `SIGNIN#${segment(tokenHash, "tokenHash")}`, SK: "SIGNIN" }),
  session: (sessionHash: string): ItemKey => ({ PK: `SESSION#${segment(sessionHash, "sessionHash")}`, SK: "SESSION" }),
  oauthState: (stateHash: string): ItemKey => ({ PK: `OAUTHSTATE#${segment(stateHash, "stateHash")}`, SK: "OAUTHSTATE" }),
  /** An address that asked for no invitations (lib/members/invitation-stops.ts), named by its addressHash; no account owns it. */
  invitationStop: (addressHash: string): ItemKey => ({ PK: `NOINVITES#${segment(addressHash, "addressHash")}`, SK: "NOINVITES" }),
  /** The bucket may hold "#" (e.g. "sign-in-email#<hash>"): the window start is always the last segment. */
  rateLimit: (bucket: string, windowStart: number): ItemKey => ({ PK: `RATE#${bucket}#${windowStart}`, SK: "RATE" }),
};

export const indexKeys = {
  /** A provider's webhook names only its own account id; this finds every daybook connection to it. */
  providerAccount: (provider: ProviderName, externalId: string): string =>
    `PROVIDERACCOUNT#${provider}#${segment(externalId, "externalId")}`,
  connection: (provider: ProviderName, externalId: string, merchantId: string, connectionId: string): IndexKey => ({
    GSI1PK: indexKeys.providerAccount(provider, externalId),
    GSI1SK: `MERCHANT#${segment(merchantId, "merchantId")}#CONNECTION#${segment(connectionId, "connectionId")}`,
  }),
  /** A partition of the connections index (GSI2): every connection is in exactly one. */
  connectionShard: (shard: number): string => {
    if (!Number.isInteger(shard) || shard < 0 || shard >= CONNECTION_SHARDS) throw new StoreError(`a connection shard is a whole number from 0 to ${CONNECTION_SHARDS - 1}, got ${shard}`);
    return `CONNECTIONS#${shard}`;
  },
  connectionInShard: (merchantId: string, connectionId: string): ConnectionIndexKey => ({
    GSI2PK: indexKeys.connectionShard(shardOfItem(merchantId, connectionId, CONNECTION_SHARDS)),
    GSI2SK: `MERCHANT#${segment(merchantId, "merchantId")}#CONNECTION#${segment(connectionId, "connectionId")}`,
  }),
  /**
   * The refresh sweep's list of locations owed a stopped-posting notice the email caps held back
   * (PostingStopped.noticeHeld), in GSI2 beside the connections: one partition, as such a location is rare.
   */
  owedNotices: "OWEDNOTICES",
  owedNotice: (merchantId: string, locationId: string): ConnectionIndexKey => ({
    GSI2PK: indexKeys.owedNotices,
    GSI2SK: `MERCHANT#${segment(merchantId, "merchantId")}#LOCATION#${segment(locationId, "locationId")}`,
  }),
  merchantSessions: (merchantId: string): string => `SESSIONS#${segment(merchantId, "merchantId")}`,
  /** An invitation is found by the hash of its link's token (the link names nothing else). */
  invitation: (tokenHash: string): IndexKey => ({ GSI1PK: `INVITATION#${segment(tokenHash, "tokenHash")}`, GSI1SK: "INVITATION" }),
  /** An address's open invitations, from every business, by its addressHash (GSI2): stopping its invitations withdraws them all. */
  invitee: (addressHash: string): string => `INVITEE#${segment(addressHash, "addressHash")}`,
  inviteeInvitation: (addressHash: string, businessId: string, invitationId: string): ConnectionIndexKey => ({
    GSI2PK: indexKeys.invitee(addressHash),
    GSI2SK: `MERCHANT#${segment(businessId, "businessId")}#INVITATION#${segment(invitationId, "invitationId")}`,
  }),
  /** An API key is found by the hash of the key (a request names nothing else). */
  apiKey: (tokenHash: string): IndexKey => ({ GSI1PK: `APIKEY#${segment(tokenHash, "tokenHash")}`, GSI1SK: "APIKEY" }),
  /** A merchant's OAuth states in flight, so account deletion finds them (they live 10 minutes). */
  merchantOAuthStates: (merchantId: string): string => `OAUTHSTATES#${segment(merchantId, "merchantId")}`,
  oauthState: (merchantId: string, stateHash: string): IndexKey => ({
    GSI1PK: indexKeys.merchantOAuthStates(merchantId),
    GSI1SK: segment(stateHash, "stateHash"),
  }),
  session: (merchantId: string, createdAt: string, sessionHash: string): IndexKey => ({
    GSI1PK: indexKeys.merchantSessions(merchantId),
    // createdAt first: the index sorts a merchant's sessions by age.
    GSI1SK: `${createdAt}#${sessionHash}`,
  }),
};
