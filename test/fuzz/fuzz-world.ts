/**
 * The world the fuzzers attack (test/web/world.ts with the email links, so /approve, /unsubscribe and
 * the day approvals reach their handlers) and the oracle they judge every answer by.
 *
 * Merchant A is the fuzzer's own account (Square and QuickBooks connected, one location); merchant B
 * is the victim, built like test/web/cross-tenant.test.ts: two sessions, Square, Clover and QuickBooks
 * connected, a location, a backfill and an OAuth flow approved at Square but not yet back at daybook.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { PutCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import fc from "fast-check";
import { expect } from "vitest";
import { createApiKey } from "../../lib/api/keys";
import { newSecret, sha256Hex } from "../../lib/auth/secrets";
import { formTokenOf, startSession } from "../../lib/auth/sessions";
import type { Connection } from "../../lib/model";
import { keys } from "../../lib/store/keys";
import { addEmailLinks, type EmailLinksWorld, merchantWithLocation } from "../web/email-links-world";
import { type TableView, watchTable } from "../web/table-view";
import { createWebWorld, PUBLIC_URL, type WebWorld } from "../web/world";
import { INJECTIONS, MARKER } from "./hostile";
import { returnPath } from "../../lib/web/return-path";

export const SESSION_COOKIE = "__Host-daybook_session";
export const B_DAY = "2025-06-01";

export interface Party {
  email: string;
  merchantId: string;
  /** The session the fuzzer's requests use (A), or B's first browser's. */
  secret: string;
  formToken: string;
  sessionHashes: string[];
  connections: Connection[];
  locationId: string;
  backfillIds: string[];
  /** A's or B's API key's id (lib/api/keys.ts). */
  keyIds: string[];
}

export interface Victim extends Party {
  /** B's pending OAuth callback (path and query), and the state in it. */
  pendingCallback: string;
  pendingState: string;
  /** An invitation B sent that is not yet accepted (B also has a live API key, which A never has: its id is in keyIds). */
  invitationId: string;
  /** Strings that are B's and must never appear in an answer to A (unless A typed them). */
  markers: string[];
}

export interface FuzzWorld {
  world: WebWorld;
  /** Commands other than reads sent to DynamoDB so far (by any client of the world's table). */
  writes(): number;
  /** The table item by item: re-read where a write command named an item since the last look, or scanned whole. */
  table: TableView;
  links: EmailLinksWorld;
  a: Party;
  b: Victim;
  /** A fresh session for A (after a fuzzed request legitimately ended the current one). */
  renewSession(): Promise<void>;
  /** A's API keys: live (renewed when its per-minute limit is near), revoked and expired. */
  keys: { live: string; revoked: string; expired: string };
  /** A new live key for A (the clock does not move, so a key's per-minute limit never resets). */
  renewKey(): Promise<void>;
  close(): Promise<void>;
}

export async function createFuzzWorld(): Promise<FuzzWorld> {
  const world = await createWebWorld();
  const links = await addEmailLinks(world);

  // B first: its Square flow must stay pending, and A's connections must not replace B's.
  const bEmail = `victim.${Date.now()}@example.com`;
  const bBrowser = world.browser({ userAgent: "Victim Browser/9", ip: "192.0.2.10" });
  await bBrowser.signIn(bEmail);
  await world.browser({ userAgent: "Victim Phone/9", ip: "192.0.2.11" }).signIn(bEmail);
  for (const provider of ["square", "clover", "quickbooks"] as const) {
    expect((await bBrowser.connect(provider, world.accounts[provider][1])).status).toBe(303);
  }
  const bMerchantId = (await world.deps.store.findMerchantByEmail(bEmail))!.merchantId;
  const bConnections = await world.deps.store.listConnections(bMerchantId);
  const bSessions = (await world.deps.auth.listSessions(bMerchantId, world.clock.date())).map((session) => session.sessionHash);
  const pendingCallback = await bBrowser.consent("square", "approve", world.accounts.square[1]);
  const pendingState = new URL(pendingCallback, PUBLIC_URL).searchParams.get("state") ?? "";
  const bLocationId = "LOCVICTIM1";
  await world.deps.store.putLocation({
    merchantId: bMerchantId, locationId: bLocationId, source: "square", name: "Victim Street",
    posConnectionId: bConnections.find((each) => each.provider === "square")!.connectionId,
    quickbooksConnectionId: bConnections.find((each) => each.provider === "quickbooks")!.connectionId, timeZone: "America/New_York", dayStart: "04:00", currency: "USD",
    mapping: { defaults: { sales: "1", discounts: "2", returns: "2", serviceCharges: "3", tax: "4", tips: "5", giftCards: "6", nonRevenue: "7", tenders: "8", fees: "9", rounding: "10", overShort: "10" } },
    updatedAt: world.clock.date().toISOString(),
  });
  const bBackfillId = randomUUID();
  // A backfill's progress item as lib/schedule/backfill.ts writes it (written here: no POS day is needed to name one).
  await DynamoDBDocumentClient.from(world.dynamo).send(new PutCommand({
    TableName: world.tableName,
    Item: {
      PK: keys.merchantPartition(bMerchantId), SK: `BACKFILL#${bBackfillId}`, backfillId: bBackfillId, merchantId: bMerchantId, locationId: bLocationId,
      from: "2025-05-25", to: B_DAY, requestedBy: "merchant", total: 8, done: 0, failed: 0, createdAt: world.clock.date().toISOString(),
    },
  }));
  const bSecret = bBrowser.cookies.get(SESSION_COOKIE) ?? "";
  const bKey = await createApiKey(world.deps.apiKeys, { ownerId: bMerchantId, name: "Victim key", days: 90, now: world.clock.date() });
  const bInvitationId = randomUUID();
  await world.deps.members.putInvitation({
    invitationId: bInvitationId, tokenHash: sha256Hex(newSecret()), businessId: bMerchantId, email: "books-of-victim@example.com", invitedBy: bMerchantId,
    createdAt: world.clock.date().toISOString(), expiresAt: new Date(world.clock.ms() + 86_400_000).toISOString(),
  });

  const aEmail = `fuzzer.${Date.now()}@example.com`;
  const aBrowser = world.browser({ userAgent: "Fuzzer/1", ip: "198.51.100.200" });
  const own = await merchantWithLocation(world, aBrowser, aEmail, 0);
  const aSecret = aBrowser.cookies.get(SESSION_COOKIE) ?? "";
  // A's second session, whose hash the fuzzer may name on /sessions/end.
  const other = await startSession(world.deps.auth, { merchantId: own.merchantId, userAgent: "Fuzzer other/1", approximateIp: "198.51.100.0", now: world.clock.date() });
  const aSessions = (await world.deps.auth.listSessions(own.merchantId, world.clock.date())).map((session) => session.sessionHash);

  const b: Victim = {
    email: bEmail, merchantId: bMerchantId, secret: bSecret, formToken: formTokenOf(bSecret), sessionHashes: bSessions, connections: bConnections,
    locationId: bLocationId, backfillIds: [bBackfillId], keyIds: [bKey.key.keyId], invitationId: bInvitationId, pendingCallback, pendingState,
    markers: [
      bEmail, bMerchantId, bLocationId, "Victim Street", "Victim Browser/9", "Victim Phone/9", bBackfillId, pendingState, ...bSessions,
      bKey.key.keyId, bInvitationId, "Victim key", "books-of-victim",
      ...bConnections.flatMap((connection) => [connection.connectionId, connection.externalId]),
    ],
  };
  const a: Party = {
    email: aEmail, merchantId: own.merchantId, secret: aSecret, formToken: formTokenOf(aSecret), sessionHashes: aSessions,
    connections: await world.deps.store.listConnections(own.merchantId), locationId: own.location.locationId, backfillIds: [], keyIds: [],
  };
  const keyOfA = async (days: number) => {
    const made = await createApiKey(world.deps.apiKeys, { ownerId: own.merchantId, name: "Fuzzer key", days, now: world.clock.date() });
    a.keyIds.push(made.key.keyId);
    return made;
  };
  const revoked = await keyOfA(90);
  await world.deps.apiKeys.revokeKey(own.merchantId, revoked.key.keyId, world.clock.date());
  // Made a day ago for one day: expired now.
  const expired = await createApiKey(world.deps.apiKeys, { ownerId: own.merchantId, name: "Fuzzer old key", days: 1, now: new Date(world.clock.ms() - 86_400_000) });
  a.keyIds.push(expired.key.keyId);
  const apiKeys = { live: (await keyOfA(90)).secret, revoked: revoked.secret, expired: expired.secret };
  expect(aSessions).toContain(other.session.sessionHash);

  // Every command of the app's table clients passes here (the document clients share this stack): a
  // request can only have changed the items its write commands named, so the fuzzers read those again
  // after each request, and scan the whole table after each test (each route in the full run) as a
  // backstop (routes.test.ts).
  const table = watchTable(world);

  return {
    world, links, a, b, keys: apiKeys, table,
    writes: () => table.writes(),
    async renewKey() {
      apiKeys.live = (await keyOfA(90)).secret;
    },
    async renewSession() {
      const { secret } = await startSession(world.deps.auth, { merchantId: a.merchantId, userAgent: "Fuzzer/1", approximateIp: "198.51.100.0", now: world.clock.date() });
      a.secret = secret;
      a.formToken = formTokenOf(secret);
    },
    async close() {
      links.close();
      await world.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The table: a full scan, or the view kept current from the write commands (test/web/table-view.ts).

export { changesBetween, type Change, type Items, scanItems as snapshot } from "../web/table-view";

// ---------------------------------------------------------------------------------------------
// The oracle: what every answer must be, whatever was sent.

export interface Sent {
  route: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Every value and name the request carried, decoded (what a page may legitimately show back). */
  typed: string[];
}

const TEXT_ANSWER_ROUTES = new Set(["POST /webhooks/square", "POST /webhooks/clover", "POST /webhooks/quickbooks"]);
const FORBIDDEN_TAGS = /^(script|iframe|frame|object|embed|applet|base|style|link)$/i;
const ALLOWED_LINK = /^<link rel="stylesheet" href="\/style\.css"\/?>$/;
const TAG = /^<(?:![Dd][Oo][Cc][Tt][Yy][Pp][Ee] html>|\/([a-zA-Z][\w-]*)\s*>|([a-zA-Z][\w-]*)((?:\s+[a-zA-Z_:][-\w:.]*(?:="[^"<]*")?)*)\s*\/?>)/;
const STACK_TRACE = /^\s*at .+[(:]\d+|node_modules|\/work\/|\.tsx?:\d+|(?:Type|Range|Syntax|Reference|Store|Zod|Conditional\w*)Error\b/m;

/** Why the HTML is not what daybook's pages look like, if it is not: a tag that did not come from JSX. */
export function htmlProblem(html: string): string | undefined {
  for (let at = html.indexOf("<"); at !== -1; at = html.indexOf("<", at + 1)) {
    const match = TAG.exec(html.slice(at, at + 4000));
    if (!match) return `a raw "<" not starting a tag: ${JSON.stringify(html.slice(at, at + 60))}`;
    const name = match[1] ?? match[2] ?? "";
    if (FORBIDDEN_TAGS.test(name) && !(name.toLowerCase() === "link" && ALLOWED_LINK.test(match[0]))) return `a <${name}> element`;
    // The attribute names alone: the quoted values (which JSX escapes) taken out.
    const attributeNames = (match[3] ?? "").replace(/="[^"]*"/g, "").trim().split(/\s+/).filter(Boolean);
    const bad = attributeNames.find((attribute) => /^on/i.test(attribute) || /^style$/i.test(attribute));
    if (bad) return `a ${bad}= attribute on <${name}>`;
  }
  return undefined;
}

/** Visible text of a page, roughly: tags out, the common entities decoded. */
export function textOf(html: string): string {
  return html.replace(/<[^>]*>/g, " ").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&").replace(/\s+/g, " ");
}

const SENTENCE = /[A-Z][^.!?<>]{8,}[.!?]/;

export interface Verdict {
  status: number;
  body: string;
  problems: string[];
}

/**
 * Checks one answer: never 5xx; a 4xx is a page (or, for a webhook, plain text) with a sentence and
 * no stack trace; no injection payload comes back raw, in the body or a header; a redirect stays on
 * daybook or goes to a provider's consent page; nothing of B's shows unless A typed it.
 */
export async function judge(response: Response, sent: Sent, victim: Victim, consentOrigins: readonly string[]): Promise<Verdict> {
  const problems: string[] = [];
  const body = await response.text();
  const status = response.status;
  const type = response.headers.get("Content-Type") ?? "";
  if (status >= 500) problems.push(`answered ${String(status)}`);
  if (isApiRoute(sent.route)) {
    problems.push(...apiAnswerProblems(status, type, body));
  } else if (status >= 400) {
    const textual = TEXT_ANSWER_ROUTES.has(sent.route) ? /^text\/(plain|html)/.test(type) : /^text\/html/.test(type);
    if (!textual) problems.push(`a ${String(status)} as ${type || "no content type"}`);
    if (!SENTENCE.test(textOf(body))) problems.push(`a ${String(status)} without a sentence: ${JSON.stringify(textOf(body).slice(0, 200))}`);
  }
  if (STACK_TRACE.test(body)) problems.push("the body looks like a stack trace or names source files");
  if (/^text\/html/.test(type)) {
    const html = htmlProblem(body);
    if (html) problems.push(`the page has ${html}`);
  }
  // With the (escaped) attribute values taken out, the marker inside a tag or right after an injected one is raw input.
  const outsideAttributes = body.replace(/="[^"]*"/g, "");
  if (new RegExp(`<[^<>]*${MARKER}|<(b|h1)>${MARKER}|${MARKER}<b>`).test(outsideAttributes) && !/^application\/json/.test(type)) problems.push("an injected tag came back raw");
  for (const payload of INJECTIONS) {
    if (/[<>"']/.test(payload) && payload.includes(MARKER) && sent.typed.some((value) => value.includes(payload)) && body.includes(payload) && !/^application\/json/.test(type)) {
      problems.push(`the payload ${JSON.stringify(payload)} came back unescaped`);
    }
  }
  response.headers.forEach((value, name) => {
    // The one header that may carry input: the sign-in's page to come back to, a path of this site, percent-encoded.
    if (name.toLowerCase() === "location" && value !== "/sign-in" && toSignIn(value)) return;
    if (value.includes(MARKER) || name.toLowerCase().includes(MARKER.toLowerCase())) problems.push(`the header ${name} carries input`);
  });
  if (status >= 300 && status < 400) {
    const location = response.headers.get("Location") ?? "";
    const local = location.startsWith("/") && !location.startsWith("//") && !location.startsWith("/\\");
    if (!local && !consentOrigins.some((origin) => location.startsWith(`${origin}/`))) problems.push(`a redirect off daybook: ${location.slice(0, 80)}`);
  }
  const typed = sent.typed.join("\n");
  for (const marker of victim.markers) {
    if (!typed.includes(marker) && body.includes(marker)) problems.push(`the answer shows B's ${marker.slice(0, 10)}…`);
  }
  return { status, body, problems };
}

/** A route of the read-only API (lib/api): JSON whatever happens. */
export const isApiRoute = (route: string): boolean => route.startsWith("GET /api/v1/");

/** An API answer is JSON; an error is `{ "error": { "code", "message" } }` with a stable code and a sentence (lib/api/errors.ts). */
function apiAnswerProblems(status: number, type: string, body: string): string[] {
  if (!/^application\/json/.test(type)) return [`an API ${String(status)} as ${type || "no content type"}`];
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [`an API ${String(status)} whose body is not JSON`];
  }
  if (status < 400) return [];
  const error = (parsed as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const problems: string[] = [];
  if (typeof error?.code !== "string" || !/^[a-z_]+$/.test(error.code)) problems.push(`an API ${String(status)} without a stable error code`);
  if (typeof error?.message !== "string" || !SENTENCE.test(error.message)) problems.push(`an API ${String(status)} without a sentence`);
  if (Object.keys(parsed as object).length !== 1) problems.push(`an API ${String(status)} with more than its error`);
  return problems;
}

/** The full request, for a failure message (bodies cut short). */
export function describe(sent: Sent): string {
  const body = sent.body === undefined ? "" : `\n  body (${String(sent.body.length)} chars): ${JSON.stringify(sent.body.slice(0, 400))}`;
  return `${sent.method} ${sent.url.slice(0, 400)}\n  headers: ${JSON.stringify(sent.headers).slice(0, 400)}${body}`;
}

/**
 * Runs a property and, when it fails, throws a short error: the failing request as judge() described
 * it (bodies cut short), the seed and path to replay it (DAYBOOK_FUZZ_SEED, fc's `path`), never
 * fast-check's whole counterexample (which can be tens of kilobytes).
 */
export async function check<T>(property: fc.IAsyncProperty<T>, numRuns: number, seed: number): Promise<void> {
  const details = await fc.check(property, { numRuns, seed, endOnFailure: !process.env["DAYBOOK_FUZZ_SHRINK"] });
  if (!details.failed) return;
  const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  throw new Error(`${cause}
  (replay: DAYBOOK_FUZZ_SEED=${String(details.seed)}, path ${details.counterexamplePath ?? "?"}; DAYBOOK_FUZZ_SHRINK=1 to shrink)`);
}

/** A random id that exists nowhere. */
export const strangerId = (): string => randomBytes(8).toString("hex");

/** The sign-in page, with or without a page of this site to come back to (never another site). */
export function toSignIn(location: string | null): boolean {
  if (location === "/sign-in") return true;
  const next = location?.startsWith("/sign-in?next=") ? new URLSearchParams(location.slice("/sign-in?".length)).get("next") : null;
  return next !== null && returnPath(next) === next && location === `/sign-in?next=${encodeURIComponent(next)}`;
}
