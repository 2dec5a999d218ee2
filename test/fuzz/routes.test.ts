/**
 * Property-based fuzzing of every route of the web app, enumerated from app.routes (see README.md in
 * this folder for what is sent and what each class of request may get back). A route whose path has a
 * parameter without a generator rule, or a public route not listed as public, fails the first test.
 */
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { sessionHashOf } from "../../lib/auth/sessions";
import { API_KEY_PREFIX, API_RATE_LIMIT } from "../../lib/api/keys";
import { addressHash } from "../../lib/report/recipients";
import { ROUTE_ROLES } from "../../lib/web/roles";
import { FORM_BODY_LIMIT_BYTES } from "../../lib/web/security";
import { expectCleanLogs, PUBLIC_URL } from "../web/world";
import {
  B_DAY, type Change, changesBetween, check, createFuzzWorld, describe as describeRequest, type FuzzWorld, type Items, judge, type Sent, SESSION_COOKIE, strangerId, toSignIn,
} from "./fuzz-world";
import { brokenId, encodePairs, type Field, fieldList, FULL, hostileText, MARKER, pathSegment, runs, stripLoneSurrogates } from "./hostile";

let fz: FuzzWorld;
let current: Items;
let consentOrigins: string[];
let fieldNames: string[];
let queryNames: string[];

interface Route {
  method: string;
  path: string;
  key: string;
  params: string[];
}

const appRoutes = (): Route[] => {
  const seen = new Map<string, Route>();
  for (const route of fz.world.app.routes) {
    if (route.method === "ALL") continue;
    const key = `${route.method} ${route.path}`;
    seen.set(key, { method: route.method, path: route.path, key, params: [...route.path.matchAll(/:(\w+)/g)].map((match) => match[1]!) });
  }
  return [...seen.values()];
};

/** Routes a request without a session reaches the handler of. Every other route must refuse it (303 to sign-in, or 401). */
const PUBLIC_ROUTES = new Set([
  "GET /style.css", "GET /", "GET /sign-in", "POST /sign-in", "GET /sign-in/confirm", "POST /sign-in/confirm",
  "GET /approve", "POST /approve", "GET /unsubscribe", "POST /unsubscribe", "GET /disconnect/quickbooks",
  "GET /invitations/accept", "POST /invitations/accept", "GET /invitations/stop", "POST /invitations/stop", "POST /invitations/allow", "GET /api/v1/openapi.json",
  "POST /unsubscribe/frequency", "POST /unsubscribe/undo", "GET /recipients/confirm", "POST /recipients/confirm",
]);
/** The read-only API's routes that need a key (the roles table's "api-key"): a request without a live key gets exactly 401, in JSON. */
const isKeyRoute = (key: string): boolean => ROUTE_ROLES[key] === "api-key";
/** Fuzzed with their signatures in webhooks.test.ts. */
const WEBHOOK_ROUTES = new Set(["POST /webhooks/square", "POST /webhooks/clover", "POST /webhooks/quickbooks"]);

/** The values each path parameter is tried with: the fuzzer's own, merchant B's, and near misses (hostile text is added to all). */
interface ParamValues {
  own: string[];
  victim: string[];
  nearMiss: string[];
}
const PARAM_RULES: Record<string, () => ParamValues> = {
  provider: () => ({ own: ["square", "clover", "quickbooks"], victim: ["square", "clover", "quickbooks"], nearMiss: ["Square", "QUICKBOOKS", "square ", "sq", "toast"] }),
  // A's own connection ids are left out: disconnecting them is a valid request, and would leave A with nothing to fuzz.
  connectionId: () => ({ own: [strangerId()], victim: fz.b.connections.map((connection) => connection.connectionId), nearMiss: ["a#b", "-".repeat(64), "0"] }),
  locationId: () => ({ own: [fz.a.locationId], victim: [fz.b.locationId], nearMiss: [`${fz.a.locationId}#x`, "L".repeat(200), fz.a.locationId.toLowerCase()] }),
  businessDay: () => ({ own: [B_DAY, "2025-05-31"], victim: [B_DAY], nearMiss: ["2025-02-30", "2025-13-01", "0000-00-00", "2025-6-1", "2025-06-01T00:00"] }),
  backfillId: () => ({ own: [strangerId()], victim: fz.b.backfillIds, nearMiss: ["00000000-0000-0000-0000-000000000000", "x#y"] }),
  businessId: () => ({ own: [fz.a.merchantId], victim: [fz.b.merchantId], nearMiss: [fz.a.merchantId.toUpperCase(), `${fz.a.merchantId}#x`, "00000000-0000-0000-0000-000000000000", `MERCHANT#${fz.a.merchantId}`] }),
  // A's revoked and expired keys (revoking them is valid); never A's live key, which the api-key class uses.
  keyId: () => ({ own: fz.a.keyIds.slice(0, 2), victim: fz.b.keyIds, nearMiss: [strangerId(), "x#y", `${fz.a.keyIds[0] ?? ""}-`] }),
};

/** Field and query names every form or page might use, beside the ones read off the pages themselves. */
const COMMON_NAMES = [
  "email", "token", "session", "region", "posConnectionId", "locationId", "location", "timeZone", "dayStart", "quickbooksConnectionId", "address", "recipient",
  "reviewMode", "enabled", "from", "to", "firstDay", "lastDay", "backfillId", "connectionId", "realmId", "state", "code", "error", "ended", "connected",
  "disconnected", "saved", "List-Unsubscribe", "account", "accountId", "sales", "tips", "fees", "tax", "id", "page", "next",
  "businessId", "personId", "invitationId", "keyId", "name", "days", "access", "done",
];

/** What a valid request to a route is documented to write; anything else a fuzzed request changes is a failure. */
interface Documented {
  what: string;
  allows: (change: Change) => boolean;
  /** Also written when the answer is 4xx (the API keeps a record of every request made with a live key, refused or not). */
  evenRefused?: boolean;
}
const ownPartition = (change: Change) => change.key.startsWith(`MERCHANT#${fz.a.merchantId}|`);
const ofA = (change: Change) => JSON.stringify(change.before ?? change.after).includes(fz.a.merchantId);
const ownRecipients = (change: Change) => ownPartition(change) && /\|RECIPIENTS/.test(change.key);
/**
 * A confirmation email asked for: the merchant's count of addresses asked today (RATE#confirm-recipient#…),
 * the daily caps' counters (RATE#email-to#…, RATE#email-merchant#…) and, past a cap, the fuzzer's own
 * count of emails held back (EMAILHELD#…).
 */
/** An email sent counts against the daily caps (lib/email/caps.ts): per address and per merchant, and what they held back. */
const emailCounted = (change: Change) => (/^RATE#(email-to|email-merchant)#/.test(change.key) && change.kind !== "removed")
  || (ownPartition(change) && /\|EMAILHELD#/.test(change.key));
const confirmationSent = (change: Change) => (/^RATE#confirm-recipient#/.test(change.key) && change.kind !== "removed") || emailCounted(change);
const DOCUMENTED_WRITES: Record<string, Documented> = {
  "POST /sign-in": {
    what: "a valid address: the per-client and per-address rate-limit counters (RATE#sign-in-client#…, RATE#sign-in-address#…) and the link (SIGNIN#…)",
    allows: (change) => (/^RATE#sign-in-(client|address)#/.test(change.key) && change.kind !== "removed") || (/^SIGNIN#/.test(change.key) && change.kind === "added"),
  },
  "GET /disconnect/quickbooks": {
    what: "a realmId of digits: its rate-limit counter (RATE#quickbooks-disconnect#…); for a company daybook has, that connection's refreshed tokens (tokenCiphertext, tokenVersion, updatedAt)",
    allows: (change) => (/^RATE#quickbooks-disconnect#/.test(change.key) && change.kind !== "removed")
      || (change.kind === "changed" && /\|CONNECTION#/.test(change.key) && change.attributes.every((name) => ["tokenCiphertext", "tokenVersion", "updatedAt"].includes(name))),
  },
  "POST /sign-out": { what: "the fuzzer's own session is deleted", allows: (change) => change.kind === "removed" && /^SESSION#/.test(change.key) && ofA(change) },
  "POST /sessions/end": { what: "one of the fuzzer's own sessions is deleted", allows: (change) => change.kind === "removed" && /^SESSION#/.test(change.key) && ofA(change) },
  "POST /sessions/end-others": { what: "the fuzzer's other sessions are deleted", allows: (change) => change.kind === "removed" && /^SESSION#/.test(change.key) && ofA(change) },
  "POST /connect/:provider": { what: "an OAuth state bound to the fuzzer's session (OAUTHSTATE#…)", allows: (change) => change.kind === "added" && /^OAUTHSTATE#/.test(change.key) && ofA(change) },
  "POST /locations": { what: "the fuzzer's own location and its due-index entries", allows: (change) => ownPartition(change) || (/^DUE#/.test(change.key) && ofA(change)) },
  "POST /locations/:locationId/mapping": { what: "the fuzzer's own location's mapping", allows: (change) => ownPartition(change) && /\|LOCATION#/.test(change.key) },
  "POST /locations/:locationId/mapping/create-accounts": { what: "the fuzzer's own location's mapping", allows: (change) => ownPartition(change) && /\|LOCATION#/.test(change.key) },
  "POST /reports/recipients": { what: "the fuzzer's own recipients list, and the confirmation email's counters", allows: (change) => ownRecipients(change) || confirmationSent(change) },
  "POST /reports/recipients/resend": { what: "the fuzzer's own recipients list, and the confirmation email's counters", allows: (change) => ownRecipients(change) || confirmationSent(change) },
  "POST /reports/recipients/frequency": { what: "the fuzzer's own recipients list", allows: (change) => ownRecipients(change) },
  "POST /reports/recipients/remove": { what: "the fuzzer's own recipients list", allows: (change) => ownPartition(change) && /\|RECIPIENTS/.test(change.key) },
  "POST /reports/review-mode": { what: "the fuzzer's own review-mode setting", allows: (change) => ownPartition(change) && /\|SETTINGS#REVIEW/.test(change.key) },
  "POST /business-name": {
    what: "the fuzzer's own business name (its profile's name)",
    allows: (change) => ownPartition(change) && /\|PROFILE$/.test(change.key) && change.kind === "changed" && change.attributes.every((name) => ["name", "updatedAt"].includes(name)),
  },
  "POST /account/time-zone": {
    what: "the fuzzer's own time zone (its profile's timeZone)",
    allows: (change) => ownPartition(change) && /\|PROFILE$/.test(change.key) && change.kind === "changed" && change.attributes.every((name) => name === "timeZone"),
  },
  "POST /account/invitations": {
    what: "the fuzzer's own address's \"no invitations\" (NOINVITES#<its hash>), added or lifted",
    allows: (change) => change.key === `NOINVITES#${addressHash(fz.a.email)}|NOINVITES`,
  },
  "POST /backfill": { what: "a backfill of the fuzzer's own location (BACKFILL#…)", allows: (change) => ownPartition(change) && /\|BACKFILL#/.test(change.key) && change.kind === "added" },
  "POST /api-keys": { what: "a new API key of the fuzzer's (APIKEY#…)", allows: (change) => ownPartition(change) && /\|APIKEY#/.test(change.key) && change.kind === "added" },
  "POST /api-keys/:keyId/revoke": {
    what: "one of the fuzzer's own API keys revoked (revokedAt, and the item's expiry: 14 days from now)",
    allows: (change) => ownPartition(change) && /\|APIKEY#/.test(change.key) && change.kind === "changed" && change.attributes.every((name) => ["revokedAt", "expiresAt"].includes(name)),
  },
  "POST /reports/access/invite": {
    what: "an invitation to the fuzzer's business (INVITATION#…), its per-business counter (RATE#invitations#…) and the email caps' counters",
    allows: (change) => (ownPartition(change) && /\|INVITATION#/.test(change.key) && change.kind === "added") || (/^RATE#invitations#/.test(change.key) && change.kind !== "removed")
      || emailCounted(change),
  },
  "POST /reports/access/cancel": { what: "an invitation of the fuzzer's withdrawn", allows: (change) => ownPartition(change) && /\|INVITATION#/.test(change.key) && change.kind === "removed" },
  "POST /clients/switch": { what: "the fuzzer's session back on its own business (actingFor)", allows: (change) => change.kind === "changed" && /^SESSION#/.test(change.key) && ofA(change) },
  ...Object.fromEntries(Object.keys(ROUTE_ROLES).filter(isKeyRoute).map((route): [string, Documented] => [route, {
    what: "with a live key of the fuzzer's: the request's record (APIREQUEST#…), the key's lastUsedAt, its per-minute counter (RATE#api-key#…)",
    evenRefused: true,
    allows: (change) => (ownPartition(change) && /\|APIREQUEST#/.test(change.key) && change.kind === "added")
      || (ownPartition(change) && /\|APIKEY#/.test(change.key) && change.kind === "changed" && change.attributes.every((name) => name === "lastUsedAt"))
      || (fz.a.keyIds.some((keyId) => change.key.startsWith(`RATE#api-key#${keyId}#`)) && change.kind !== "removed"),
  }])),
};

type RequestClass = "anonymous" | "signed-in" | "cross-tenant" | "bad-form-token" | "wrong-content" | "api-key";

beforeAll(async () => {
  fz = await createFuzzWorld();
  const world = fz.world;
  consentOrigins = [world.square.url, world.clover.url, new URL(world.quickbooks.endpoints.authorize).origin];
  // The names the app's own pages use for fields and in links, read as A with A's own ids: new forms are fuzzed by their real field names.
  const names = new Set(COMMON_NAMES);
  const queries = new Set(COMMON_NAMES);
  for (const route of appRoutes().filter((each) => each.method === "GET" && each.params.every((param) => PARAM_RULES[param]))) {
    const path = route.path.replace(/:(\w+)/g, (_, param: string) => encodeURIComponent(PARAM_RULES[param]!().own[0] ?? "x"));
    const response = await world.app.request(`${PUBLIC_URL}${path}`, { headers: { Cookie: `${SESSION_COOKIE}=${fz.a.secret}` } });
    const html = await response.text();
    for (const match of html.matchAll(/\sname="([^"]+)"/g)) names.add(match[1]!);
    for (const match of html.matchAll(/href="[^"?]*\?([^"]*)"/g)) for (const pair of match[1]!.split("&amp;")) queries.add(decodeURIComponent(pair.split("=")[0] ?? ""));
  }
  // And every name the routes read in their source: a query a redirect names but no page links to (GET
  // /locations?started=…, round 8's sweep) is fuzzed too.
  for (const name of namesReadByRoutes()) {
    names.add(name);
    queries.add(name);
  }
  names.delete("form_token");
  fieldNames = [...names].filter(Boolean);
  queryNames = [...queries].filter(Boolean);
  // The write counter sees the app's writes (a session is one).
  const writes = fz.writes();
  await fz.renewSession();
  expect(fz.writes()).toBeGreaterThan(writes);
  current = await fz.table.scan();
  // Two worlds' worth of set-up (A's and B's accounts, connections through the simulators' consent pages) and every page read once: more than the default 30 s on a loaded machine.
}, 120_000);

/** The query and field names lib/web/routes reads: `c.req.query("…")`, `fields["…"]`, `(await formFields(c))["…"]`. */
function namesReadByRoutes(): string[] {
  const folder = new URL("../../lib/web/routes/", import.meta.url);
  const names = new Set<string>();
  for (const file of readdirSync(folder)) {
    const source = readFileSync(new URL(file, folder), "utf8");
    for (const match of source.matchAll(/\.query\("([^"]+)"\)|\bfields\["([^"]+)"\]|formFields\(c\)\)\["([^"]+)"\]/g)) names.add(match[1] ?? match[2] ?? match[3]!);
  }
  expect([...names], "the routes read no query or field by name any more: mend namesReadByRoutes").toContain("started");
  return [...names];
}

afterAll(async () => {
  expectCleanLogs(fz.world);
  // Approvals the fuzzer queued (POST /days/<A's location>/<day>/approve is a valid request) are A's only.
  for (const job of await fz.links.drain()) expect(JSON.stringify(job.body)).toContain(fz.a.merchantId);
  await fz.close();
});

it("has a generator rule for every route's shape, and knows which routes are public", () => {
  const routes = appRoutes();
  expect(routes.length).toBeGreaterThan(20);
  const missing = routes.flatMap((route) => route.params.filter((param) => !PARAM_RULES[param]).map((param) => `${route.key} (:${param})`));
  expect(missing, "routes with a path parameter the fuzzer has no rule for: add one to PARAM_RULES in test/fuzz/routes.test.ts").toEqual([]);
  const keys = new Set(routes.map((route) => route.key));
  for (const known of [...PUBLIC_ROUTES, ...WEBHOOK_ROUTES]) expect(keys, `${known} is listed but not a route any more`).toContain(known);
});

interface Built {
  url: string;
  init: RequestInit & { headers: Record<string, string> };
  typed: string[];
  /** The plain case of its class: right content type, right Origin, small body. */
  plain: boolean;
  /** The body is over the app's form limit: the answer must be 413, whoever sends it. */
  oversized: boolean;
  /** The api-key class: the Authorization header, made when the request is sent (A's live key is renewed as its limit nears). */
  key?: KeyMode;
}

/** What the api-key class sends as Authorization: A's live key, or one that must get exactly 401. */
type KeyMode = { kind: "live" } | { kind: "refused"; header: (live: string) => string | undefined; what: string };

const REFUSED_KEYS: readonly Extract<KeyMode, { kind: "refused" }>[] = [
  { kind: "refused", what: "none", header: () => undefined },
  { kind: "refused", what: "revoked", header: () => `Bearer ${fz.keys.revoked}` },
  { kind: "refused", what: "expired", header: () => `Bearer ${fz.keys.expired}` },
  { kind: "refused", what: "unknown", header: () => `Bearer ${API_KEY_PREFIX}${randomBytes(32).toString("base64url")}` },
  { kind: "refused", what: "cut short", header: (live) => `Bearer ${live.slice(0, -1)}` },
  { kind: "refused", what: "run on", header: (live) => `Bearer ${live}x` },
  { kind: "refused", what: "twice", header: (live) => `Bearer ${live} ${live}` },
  { kind: "refused", what: "no scheme", header: (live) => live },
  { kind: "refused", what: "Basic", header: (live) => `Basic ${Buffer.from(`${live}:`).toString("base64")}` },
  { kind: "refused", what: "prefix uppercased", header: (live) => `Bearer ${live.replace(API_KEY_PREFIX, API_KEY_PREFIX.toUpperCase())}` },
  { kind: "refused", what: "bare scheme", header: () => "Bearer" },
];

/** Query values the API's date ranges are tried with, beside hostile text: in range, reversed, too long, impossible, not dates. */
const RANGE_VALUES = ["2025-05-25", B_DAY, "2025-05-31", "2024-01-01", "2025-02-30", "2025-6-1", "", "2025-06-01T00:00:00Z", "yesterday"];

/**
 * A request to an API route with a key: A's live key most of the time (its own ids, near misses,
 * hostile text and B's ids in the path; date ranges and hostile fields in the query), else a key
 * that must be refused. No cookie: the API never reads one.
 */
function apiRequestFor(route: Route): fc.Arbitrary<Built> {
  const rules = route.params.map((param) => PARAM_RULES[param]!());
  const paramValue = (values: ParamValues) => fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...values.own) },
    { weight: 2, arbitrary: fc.constantFrom(...(values.victim.length > 0 ? values.victim : values.own)) },
    { weight: 1, arbitrary: hostileText([...values.own, ...values.nearMiss]) },
    { weight: 1, arbitrary: brokenId(values.own) },
  );
  const segments = fc.tuple(...rules.map((rule) => pathSegment(paramValue(rule))));
  const range = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...RANGE_VALUES) }, { weight: 1, arbitrary: hostileText(RANGE_VALUES) });
  const rangeFields = fc.tuple(fc.option(range), fc.option(range)).map(([from, to]): Field[] => [
    ...(from === null ? [] : [{ name: "from", value: from }]), ...(to === null ? [] : [{ name: "to", value: to }]),
  ]);
  const extra = fieldList(queryNames, hostileText(fz.b.markers), 3);
  const key = fc.oneof({ weight: 4, arbitrary: fc.constant<KeyMode>({ kind: "live" }) }, { weight: 2, arbitrary: fc.constantFrom<KeyMode>(...REFUSED_KEYS) });
  return fc.record({ segments, rangeFields, extra, broken: fc.boolean(), key }).map(({ segments: drawn, rangeFields: ranges, extra: fields, broken, key: mode }) => {
    let index = 0;
    const typed: string[] = [];
    const path = route.path.replace(/:(\w+)/g, () => {
      const segment = drawn[index++]!;
      typed.push(safeDecode(segment));
      return segment;
    });
    const queryFields = [...ranges, ...fields];
    for (const field of queryFields) typed.push(field.name, field.value);
    const search = encodePairs(queryFields, broken && fields.length > 0);
    return {
      url: `${PUBLIC_URL}${path}${search ? `?${search}` : ""}`, init: { method: "GET", headers: { "User-Agent": "Fuzzer tool/1" } }, typed, plain: true, oversized: false, key: mode,
    };
  });
}

/** A's live key's requests since it was made: a new key before the per-minute limit is reached (the clock never moves here). */
let liveKeyUses = 0;

/** Sets the request's Authorization header from its key mode; returns what it was, for the checks. */
async function authorize(built: Built): Promise<KeyMode | undefined> {
  if (!built.key) return undefined;
  if (built.key.kind === "live" && ++liveKeyUses >= API_RATE_LIMIT.limit - 5) {
    await fz.renewKey();
    current = await fz.table.now();
    liveKeyUses = 1;
  }
  const header = built.key.kind === "live" ? `Bearer ${fz.keys.live}` : built.key.header(fz.keys.live);
  if (header === undefined) delete built.init.headers["Authorization"];
  else built.init.headers["Authorization"] = header;
  return built.key;
}

const asciiHeader = (text: string) => encodeURIComponent(stripLoneSurrogates(text)).slice(0, 2000);

/** A's ids of every kind, for brokenId: broken, each is an id that is not one. */
const ownIds = () => [fz.a.merchantId, fz.a.locationId, ...fz.a.connections.flatMap((connection) => [connection.connectionId, connection.externalId]), ...fz.a.keyIds];

/** A request to `route` as `kind`, every part drawn by fast-check. */
function requestFor(route: Route, kind: RequestClass): fc.Arbitrary<Built> {
  const rules = route.params.map((param) => PARAM_RULES[param]!());
  const victimValues = fz.b.markers;
  const paramValue = (values: ParamValues) => {
    const own = [...values.own, ...values.nearMiss];
    if (kind === "cross-tenant") return fc.constantFrom(...(values.victim.length > 0 ? values.victim : own));
    // Ids that are not ids (empty, "#", very long, control characters), made from real ones, on purpose in every path parameter.
    if (kind === "anonymous") return fc.oneof({ weight: 2, arbitrary: hostileText([...own, ...values.victim]) }, { weight: 1, arbitrary: brokenId([...values.own, ...values.victim]) });
    return fc.oneof({ weight: 2, arbitrary: hostileText(own) }, { weight: 1, arbitrary: brokenId(values.own) });
  };
  const valuePool = kind === "cross-tenant" ? [...victimValues, fz.b.formToken, fz.b.pendingState] : kind === "anonymous" ? victimValues : [];
  // And in the fields and queries, which name ids too (posConnectionId, locationId, businessId, started, realmId, …).
  const values = kind === "cross-tenant" ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...valuePool) }, { weight: 1, arbitrary: hostileText() })
    : fc.oneof({ weight: 3, arbitrary: hostileText(valuePool) }, { weight: 1, arbitrary: brokenId(ownIds()) });
  const segments = fc.tuple(...rules.map((rule) => fc.tuple(pathSegment(paramValue(rule)), fc.constant(rule))));
  const query = fc.tuple(fieldList(queryNames, values, 4), fc.boolean());
  const form = fc.tuple(fieldList(fieldNames, values, 8), fc.boolean());
  const tokenMode = fc.constantFrom("missing", "wrong", "victim's", "empty", "repeated, last wrong", "uppercase", "padded");
  const cookieMode = fc.constantFrom("none", "garbage", "unknown secret", "victim's hash", "malformed", "hostile");
  const contentType = fc.constantFrom("application/json", "multipart/form-data; boundary=x", "text/plain", "", "application/x-www-form-urlencodedx", "text/html; charset=utf-7", "application/xml");
  const oversize = fc.integer({ min: 16 * 1024 + 1, max: 64 * 1024 });
  return fc.record({ segments, query, form, tokenMode, cookieMode, contentType, oversize, hostileHeader: hostileText([], 60), badOrigin: fc.boolean(), wrongContentKind: fc.constantFrom("type", "size") })
    .map(({ segments: drawn, query: [queryFields, queryBroken], form: [formFields, formBroken], tokenMode: token, cookieMode: cookie, contentType: type, oversize: size, hostileHeader, badOrigin, wrongContentKind }) => {
      let index = 0;
      const typed: string[] = [];
      const path = route.path.replace(/:(\w+)/g, () => {
        const segment = drawn[index++]![0];
        typed.push(safeDecode(segment));
        return segment;
      });
      for (const field of [...queryFields, ...formFields]) typed.push(field.name, field.value);
      const search = encodePairs(queryFields, queryBroken);
      const url = `${PUBLIC_URL}${path}${search ? `?${search}` : ""}`;
      const headers: Record<string, string> = { "User-Agent": `Fuzzer/1 ${asciiHeader(hostileHeader).slice(0, 100)}` };
      const signedIn = kind !== "anonymous";
      if (signedIn) headers["Cookie"] = `${SESSION_COOKIE}=${fz.a.secret}; other=${asciiHeader(hostileHeader).slice(0, 50)}`;
      else if (cookie !== "none") headers["Cookie"] = badCookie(cookie, hostileHeader);
      let plain = true;
      const init: Built["init"] = { method: route.method, headers };
      if (route.method === "POST") {
        const fields: Field[] = signedIn ? formFields.filter((field) => field.name !== "form_token") : formFields;
        let extra = "";
        if (kind === "signed-in" || kind === "cross-tenant" || kind === "wrong-content") extra = `form_token=${fz.a.formToken}`;
        if (kind === "bad-form-token") extra = badToken(token);
        let body = encodePairs(fields, formBroken, extra);
        headers["Content-Type"] = "application/x-www-form-urlencoded";
        headers["Origin"] = PUBLIC_URL;
        if (kind === "anonymous" && badOrigin) {
          headers["Origin"] = "https://evil.example";
          plain = false;
        }
        if (kind === "wrong-content") {
          plain = false;
          if (wrongContentKind === "type") {
            if (type === "") delete headers["Content-Type"];
            else headers["Content-Type"] = type;
            if (type === "application/json") body = JSON.stringify(Object.fromEntries(fields.map((field) => [field.name, field.value])));
          } else {
            body = `${body}&pad=${"A".repeat(size)}`;
          }
        }
        init.body = body;
        if (Buffer.byteLength(body) > FORM_BODY_LIMIT_BYTES) plain = false;
      }
      return { url, init, typed, plain, oversized: typeof init.body === "string" && Buffer.byteLength(init.body) > FORM_BODY_LIMIT_BYTES };
    });
}

function badCookie(mode: string, hostile: string): string {
  switch (mode) {
    case "garbage": return `${SESSION_COOKIE}=${randomBytes(12).toString("hex")}`;
    case "unknown secret": return `${SESSION_COOKIE}=${randomBytes(32).toString("base64url")}`;
    case "victim's hash": return `${SESSION_COOKIE}=${fz.b.sessionHashes[0]!}; ${SESSION_COOKIE}=${fz.b.sessionHashes[1] ?? ""}`;
    case "malformed": return `;;=;${SESSION_COOKIE};${SESSION_COOKIE}="%ZZ"; =x`;
    default: return `${SESSION_COOKIE}=${asciiHeader(hostile)}`;
  }
}

function badToken(mode: string): string {
  switch (mode) {
    case "missing": return "";
    case "wrong": return `form_token=${randomBytes(32).toString("hex")}`;
    // B's real form token: valid for B's session, not for A's.
    case "victim's": return `form_token=${fz.b.formToken}`;
    case "empty": return "form_token=";
    // The last character changed: a token that ends in 0 would otherwise be repeated unchanged, and rightly accepted.
    case "repeated, last wrong": return `form_token=${fz.a.formToken}&form_token=${fz.a.formToken.slice(0, -1)}${fz.a.formToken.endsWith("0") ? "1" : "0"}`;
    case "uppercase": return `form_token=${fz.a.formToken.toUpperCase()}`;
    default: return `form_token=%20${fz.a.formToken}`;
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The business name the fuzzer's requests last gave A. */
let ownBusinessName = "";

/**
 * Sends one fuzzed request and checks everything: the oracle (judge), the statuses its class may get,
 * and the table (the items its write commands named, read again; a full scan in the full run) against the route's documented writes.
 */
async function attempt(route: Route, kind: RequestClass, built: Built): Promise<void> {
  const world = fz.world;
  // A's business name is whatever the fuzzer last typed into it (B's markers included): A's pages show it as A's own.
  const typed = [...built.typed, ownBusinessName];
  const sent: Sent = { route: route.key, method: route.method, url: built.url, headers: built.init.headers, typed, ...(typeof built.init.body === "string" ? { body: built.init.body } : {}) };
  const keyMode = await authorize(built);
  const before = current;
  const response = await world.app.request(built.url, built.init, { requestContext: { http: { sourceIp: "198.51.100.201" } } });
  const verdict = await judge(response, sent, fz.b, consentOrigins);
  if (route.key === "POST /business-name") ownBusinessName = (await world.deps.store.getMerchant(fz.a.merchantId))?.name ?? "";
  // A scan costs more than most requests on moto_server: the items the request's write commands named
  // are read again (the table view), and only the full run scans the whole table after every request
  // (and each test ends with one anyway: backstop).
  const after = FULL ? await fz.table.scan() : await fz.table.now();
  current = after;
  const changes = changesBetween(before, after);
  const documented = DOCUMENTED_WRITES[route.key];
  const unexplained = changes.filter((change) => !((verdict.status < 400 || documented?.evenRefused) && documented?.allows(change)));
  // A valid sign-out or session end took the fuzzer's session: start another for the next request.
  if (changes.some((change) => change.kind === "removed" && change.key === `SESSION#${sessionHashOf(fz.a.secret)}|SESSION`)) {
    await fz.renewSession();
    current = await fz.table.now();
  }

  const problems = [...verdict.problems];
  // A path whose encoded dots the URL parser resolved ("/days/x/%2e%2e/approve" is "/days/approve") is
  // no longer a request to this route: only the checks above, which hold for any answer, apply.
  const stillThisRoute = new RegExp(`^${route.path.replace(/:\w+/g, "[^/]+")}$`).test(new URL(built.url).pathname);
  for (const change of unexplained) problems.push(`the table changed: ${change.kind} ${change.key.slice(0, 80)} ${change.attributes.join(",")}`);
  const isPublic = PUBLIC_ROUTES.has(route.key);
  if (stillThisRoute && isKeyRoute(route.key)) {
    problems.push(...keyRouteProblems(route, kind, keyMode, built, verdict.status, response));
  } else if (stillThisRoute && kind === "anonymous" && !isPublic) {
    if (route.method === "GET" && (verdict.status !== 303 || !toSignIn(response.headers.get("Location")))) problems.push(`an anonymous GET got ${String(verdict.status)} to ${String(response.headers.get("Location"))}, not 303 to /sign-in`);
    if (route.method === "POST" && ![401, 403, 413, 415].includes(verdict.status)) problems.push(`an anonymous POST got ${String(verdict.status)}, not 401`);
    if (route.method === "POST" && built.plain && verdict.status !== 401) problems.push(`an anonymous form POST got ${String(verdict.status)}, not 401`);
  }
  if (built.oversized && verdict.status !== 413) problems.push(`a body over the limit got ${String(verdict.status)}, not 413`);
  if (kind === "bad-form-token" && stillThisRoute && !isPublic && !built.oversized && verdict.status !== 403) problems.push(`a bad form token got ${String(verdict.status)}, not 403`);
  if (kind === "wrong-content" && stillThisRoute && route.key !== "POST /unsubscribe" && ![413, 415].includes(verdict.status)) problems.push(`a wrong content type or size got ${String(verdict.status)}, not 413 or 415`);
  if (problems.length > 0) throw new Error(`${route.key} as ${kind}: ${problems.join("; ")}\n  ${describeRequest(sent)}\n  answer: ${String(verdict.status)} ${JSON.stringify(verdict.body.slice(0, 300))}`);
}

/**
 * What an API route that needs a key must answer: without A's live key (a session cookie, no key or a
 * refused one) exactly 401 with WWW-Authenticate; with it, 200, 400 for a bad query, 404 for an id A
 * cannot see (B's business or location: never 200), or 429 with Retry-After.
 */
function keyRouteProblems(route: Route, kind: RequestClass, keyMode: KeyMode | undefined, built: Built, status: number, response: Response): string[] {
  if (kind !== "api-key" || keyMode?.kind !== "live") {
    const refused = status === 401 && /^Bearer /.test(response.headers.get("WWW-Authenticate") ?? "");
    return refused ? [] : [`a request without a live key (${keyMode?.kind === "refused" ? keyMode.what : kind}) got ${String(status)}, not 401 with WWW-Authenticate`];
  }
  if (![200, 400, 404, 429].includes(status)) return [`a live key got ${String(status)}`];
  if (status === 429) return response.headers.get("Retry-After") ? [] : ["a 429 without Retry-After"];
  const segments = new URL(built.url).pathname.split("/").map(safeDecode);
  const named = (param: string) => segments[route.path.split("/").indexOf(`:${param}`)];
  const victims = route.params.filter((param) => PARAM_RULES[param]!().victim.includes(named(param) ?? ""));
  // A bad query is refused before anything is looked up: the same 400 whoever's ids the path names.
  return victims.length > 0 && status !== 404 && status !== 400 ? [`B's ${victims.join(" and ")} got ${String(status)}, not 404`] : [];
}

/** Routes fuzzed since the table was last scanned whole. */
const sinceScan: string[] = [];

/**
 * Runs `requests` against one route; the full run then scans the table (nothing may have changed
 * that no write command named), the reduced run once per test, after its last route (backstop).
 */
async function fuzzRoute(route: Route, kind: string, failures: string[], requests: () => Promise<void>): Promise<void> {
  try {
    await requests();
  } catch (error) {
    failures.push(error instanceof Error ? error.message : String(error));
  }
  sinceScan.push(route.key);
  if (FULL) await backstop(kind, failures);
}

/** A full scan against the table view: a change no write command named is a failure of the routes fuzzed since the last scan. */
async function backstop(kind: string, failures: string[]): Promise<void> {
  const after = await fz.table.scan();
  const unseen = changesBetween(current, after);
  current = after;
  const routes = sinceScan.splice(0);
  if (unseen.length > 0) {
    failures.push(`${routes.length === 1 ? routes[0]! : `one of ${routes.join(", ")}`} as ${kind}: the table changed with no write command seen: ${unseen.map((change) => `${change.kind} ${change.key.slice(0, 60)}`).join(", ")}`);
  }
}

/** Values every path parameter, query parameter and form field is tried with once, in every route (the reduced run: the first eight). */
const ALL_EDGE_VALUES = [
  "a#b", "%", "", "x".repeat(2000), `<b>${MARKER}</b>`, `${MARKER.toLowerCase()}@example.com`, "\uD800", "a\u0000b",
  "#", " ", "..", "../..", "\u0000", "__proto__", "MERCHANT#x", "9".repeat(40), "-1", "\u202E", "null", "[]", "{}", "2025-02-30",
];
const EDGE_VALUES = FULL ? ALL_EDGE_VALUES : ALL_EDGE_VALUES.slice(0, 8);

it("answers every edge value in every path parameter, query parameter and form field of every route", async () => {
  const failures: string[] = [];
  const plainRequest = (url: string, method: string, body: string, typed: string[], key?: KeyMode): Built => ({
    url, typed, plain: true, oversized: Buffer.byteLength(body) > FORM_BODY_LIMIT_BYTES, ...(key ? { key } : {}),
    init: {
      method,
      headers: { Cookie: `${SESSION_COOKIE}=${fz.a.secret}`, ...(method === "POST" ? { "Content-Type": "application/x-www-form-urlencoded", Origin: PUBLIC_URL } : {}) },
      ...(method === "POST" ? { body } : {}),
    },
  });
  for (const route of fuzzable("signed-in")) {
    const own = (param: string) => encodeURIComponent(PARAM_RULES[param]!().own[0] ?? "x");
    const token = () => (route.method === "POST" ? `form_token=${fz.a.formToken}` : "");
    // The API's routes with A's live key (the session cookie is sent too, and ignored there).
    const [kind, key]: [RequestClass, KeyMode | undefined] = isKeyRoute(route.key) ? ["api-key", { kind: "live" }] : ["signed-in", undefined];
    await fuzzRoute(route, "signed-in (edge values)", failures, async () => {
      for (const value of EDGE_VALUES) {
        const encoded = encodeURIComponent(stripLoneSurrogates(value));
        for (const param of route.params) {
          const path = route.path.replace(/:(\w+)/g, (_, name: string) => (name === param ? encoded : own(name)));
          await attempt(route, kind, plainRequest(`${PUBLIC_URL}${path}`, route.method, token(), [value], key));
        }
        const path = route.path.replace(/:(\w+)/g, (_, name: string) => own(name));
        const names = route.method === "POST" ? fieldNames : queryNames;
        const pairs = names.map((name) => `${encodeURIComponent(name)}=${encoded}`).join("&");
        const url = route.method === "GET" ? `${PUBLIC_URL}${path}?${pairs}` : `${PUBLIC_URL}${path}?${queryNames.map((name) => `${encodeURIComponent(name)}=${encoded}`).join("&")}`;
        await attempt(route, kind, plainRequest(url, route.method, route.method === "POST" ? `${pairs}&${token()}` : "", [value, ...names], key));
      }
    });
  }
  await backstop("signed-in (edge values)", failures);
  expect(failures.join("\n\n")).toBe("");
}, 600_000);

/** Runs per route and class; full = npm run fuzz. */
const RUNS: Record<RequestClass, number> = {
  "signed-in": runs(6, 150),
  "cross-tenant": runs(2, 40),
  anonymous: runs(3, 60),
  "bad-form-token": runs(2, 30),
  "wrong-content": runs(2, 30),
  "api-key": runs(12, 300),
};

const fuzzable = (kind: RequestClass) => appRoutes().filter((route) => !WEBHOOK_ROUTES.has(route.key) && route.params.every((param) => PARAM_RULES[param])
  && (kind === "api-key" ? isKeyRoute(route.key) : kind === "anonymous" || kind === "signed-in" || kind === "cross-tenant" || route.method === "POST")
  && !(kind === "bad-form-token" && PUBLIC_ROUTES.has(route.key)));

for (const kind of Object.keys(RUNS) as RequestClass[]) {
  const who = kind === "cross-tenant" ? "with merchant B's ids" : kind === "api-key" ? "with API keys (A's live one and refused ones)" : `as ${kind}`;
  it(`answers hostile requests ${who} on every route: never 5xx, nothing changed that is not documented, a sentence on every 4xx`, async () => {
    const seed = Number(process.env["DAYBOOK_FUZZ_SEED"] ?? Date.now() % 2_147_483_647);
    // Every route is fuzzed even after one fails, so one run reports every failing route.
    const failures: string[] = [];
    for (const route of fuzzable(kind)) {
      const requests = kind === "api-key" ? apiRequestFor(route) : requestFor(route, kind);
      await fuzzRoute(route, kind, failures, () => check(fc.asyncProperty(requests, (built) => attempt(route, kind, built)), RUNS[kind], seed));
    }
    await backstop(kind, failures);
    expect(failures.join("\n\n")).toBe("");
  }, 600_000);
}
