/**
 * Merchant A, signed in, tries every route of the app with merchant B's ids: B's sessions, connections,
 * OAuth state, email address, provider accounts, invitation, API key. A never reads, changes, exports
 * or deletes anything of B's: each answer is the one A gets for its own nothing, no answer carries B's
 * data, and B's items in the table are byte-identical afterwards. The table must name every route the
 * app has. Then the same with the member role: an accountant working on A's books (who gets 403 where
 * only A's owner may go), and an accountant whose access A has removed (who sees nothing of A either).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { newSecret, sha256Hex } from "../../lib/auth/secrets";
import { approximateIp } from "../../lib/auth/client-network";
import { sessionHashOf, startSession } from "../../lib/auth/sessions";
import { findOrCreateAccount } from "../../lib/auth/sign-in";
import { type LinkPurpose, signLink } from "../../lib/links/signed-link";
import { endAccess } from "../../lib/members/access";
import { acceptInvitation } from "../../lib/members/invitations";
import type { Connection } from "../../lib/model";
import { openTokens } from "../../lib/oauth/tokens";
import { addressHash } from "../../lib/report/recipients";
import { ROUTE_ROLES } from "../../lib/web/roles";
import { SESSION_COOKIE } from "../../lib/web/session";
import { accept } from "./accountants-world";
import { addEmailLinks, type EmailLinksWorld } from "./email-links-world";
import { changesBetween, type TableView, watchTable } from "./table-view";
import { accessWorks, type Browser, createWebWorld, expectCleanLogs, type WebWorld } from "./world";

let world: WebWorld;
let links: EmailLinksWorld;
let table: TableView;
const secrets: string[] = [];
beforeAll(async () => {
  world = await createWebWorld();
  links = await addEmailLinks(world);
  table = watchTable(world);
});
afterAll(async () => {
  expectCleanLogs(world, secrets);
  links.close();
  await world.close();
});

interface Victim {
  email: string;
  merchantId: string;
  browser: Browser;
  connections: Connection[];
  sessionHashes: string[];
  /** B's OAuth flow, started and approved at the provider but not yet back at daybook. */
  pendingCallback: string;
  locationId: string;
  /** B's API key's id, and an invitation B sent that is not yet accepted. */
  keyId: string;
  invitationId: string;
}

interface Attempt {
  route: string;
  request: (a: Browser, b: Victim) => Promise<Response>;
  status: number;
  /** What else must hold afterwards. */
  then?: (b: Victim) => Promise<void>;
  /** B's values A typed into the request itself, which a page may show back to A (not a read of B's data). */
  typed?: (b: Victim) => string[];
  /** The QuickBooks disconnect check refreshes B's still-working tokens: those fields may change, nothing else. */
  tokensMayRotate?: boolean;
  /** What else an accountant of business A may get, when earlier accountants already changed A (a recipient added before). */
  againOnA?: number[];
}

const B_DAY = "2025-06-01";
/** A link naming B's things, signed with a key that is not daybook's: A cannot sign with the real one. */
const forgedLink = (b: Victim, purpose: LinkPurpose) => signLink({
  purpose, merchantId: b.merchantId, subject: purpose === "approve-day" ? `${b.locationId}/${B_DAY}` : addressHash(b.email), expiresAt: Math.floor(world.clock.ms() / 1000) + 86_400,
}, randomBytes(32));
const nothingQueued = async () => {
  expect(await links.drain()).toEqual([]);
};

const connectionOf = (b: Victim, provider: Connection["provider"]) => b.connections.find((connection) => connection.provider === provider)!;

/** A makes an API key on its own API keys page, and calls the API with it. */
async function withOwnKey(a: Browser, path: string): Promise<Response> {
  const made = await a.post("/api-keys", { name: "Attacker key", days: "1" });
  const secret = /value="(dbk_[A-Za-z0-9_-]{43})"/.exec(await made.text())?.[1];
  if (!secret) throw new Error("A could not make an API key");
  secrets.push(secret);
  return a.get(path, { headers: { Authorization: `Bearer ${secret}` } });
}
const B_RANGE = `from=2025-05-25&to=${B_DAY}`;

const ATTEMPTS: Attempt[] = [
  { route: "GET /style.css", request: (a) => a.get("/style.css"), status: 200 },
  { route: "GET /", request: (a) => a.get("/"), status: 303 },
  { route: "GET /sign-in", request: (a) => a.get("/sign-in"), status: 303 },
  // Anyone may ask for a link to any address; it goes to B's inbox, and nothing of B's changes.
  { route: "POST /sign-in", request: (a, b) => a.post("/sign-in", { email: b.email }), status: 200 },
  // A link that is not one (or is used up) is refused on opening: nothing to confirm.
  { route: "GET /sign-in/confirm", request: (a) => a.get(`/sign-in/confirm?token=${randomBytes(32).toString("base64url")}`), status: 400 },
  { route: "POST /sign-in/confirm", request: (a) => a.post("/sign-in/confirm", { token: randomBytes(32).toString("base64url") }), status: 400 },
  { route: "POST /sign-out", request: (a) => a.post("/sign-out"), status: 303 },
  { route: "GET /sessions", request: (a) => a.get("/sessions"), status: 200 },
  { route: "POST /sessions/end", request: (a, b) => a.post("/sessions/end", { session: b.sessionHashes[0]! }), status: 404 },
  { route: "POST /sessions/end-others", request: (a) => a.post("/sessions/end-others"), status: 303 },
  { route: "GET /connections", request: (a) => a.get("/connections"), status: 200 },
  { route: "POST /connect/:provider", request: (a) => a.post("/connect/square"), status: 303 },
  { route: "GET /connect/:provider/callback", request: (a, b) => a.get(b.pendingCallback), status: 400 },
  ...(["square", "clover", "quickbooks"] as const).map((provider): Attempt => ({
    route: "GET /connections/:connectionId/disconnect",
    request: (a, b) => a.get(`/connections/${connectionOf(b, provider).connectionId}/disconnect`),
    status: 404,
  })),
  ...(["square", "clover", "quickbooks"] as const).map((provider): Attempt => ({
    route: "POST /connections/:connectionId/disconnect",
    request: (a, b) => a.post(`/connections/${connectionOf(b, provider).connectionId}/disconnect`),
    status: 404,
  })),
  { route: "GET /account", request: (a) => a.get("/account"), status: 200 },
  // The business name is the signed-in merchant's: A's page suggests nothing of B's, and A's save names A's business only.
  { route: "GET /business-name", request: (a) => a.get("/business-name"), status: 200 },
  { route: "POST /business-name", request: (a, b) => a.post("/business-name", { name: "Victim Street", merchantId: b.merchantId }), status: 303 },
  { route: "POST /account/time-zone", request: (a, b) => a.post("/account/time-zone", { timeZone: "America/Denver", merchantId: b.merchantId }), status: 303 },
  { route: "GET /account/export", request: (a) => a.get("/account/export"), status: 200 },
  { route: "POST /account/delete", request: (a, b) => a.post("/account/delete", { email: b.email }), status: 400, typed: (b) => [b.email] },
  {
    route: "POST /webhooks/square",
    request: (a, b) => a.request("POST", "/webhooks/square", JSON.stringify({
      merchant_id: connectionOf(b, "square").externalId, type: "oauth.authorization.revoked", event_id: "e1",
      data: { object: { revocation: { revoked_at: new Date(world.clock.ms() + 86_400_000).toISOString(), revoker_type: "MERCHANT" } } },
    }), { headers: { "Content-Type": "application/json" } }),
    status: 401,
  },
  {
    route: "POST /webhooks/clover",
    request: (a, b) => a.request("POST", "/webhooks/clover", JSON.stringify({
      appId: world.clover.appId, merchants: { [connectionOf(b, "clover").externalId]: [{ objectId: `A:${world.clover.appId}`, type: "DELETE", ts: 1 }] },
    }), { headers: { "Content-Type": "application/json", "X-Clover-Auth": "a-guess" } }),
    status: 401,
  },
  // Anyone can say B's company changed its accounts; unsigned, nothing is read or written.
  {
    route: "POST /webhooks/quickbooks",
    request: (a, b) => a.request("POST", "/webhooks/quickbooks", JSON.stringify({
      eventNotifications: [{ realmId: connectionOf(b, "quickbooks").externalId, dataChangeEvent: { entities: [{ name: "Account", id: "79", operation: "Update" }] } }],
    }), { headers: { "Content-Type": "application/json" } }),
    status: 401,
  },
  { route: "GET /approve", request: (a, b) => a.get(`/approve?token=${forgedLink(b, "approve-day")}`), status: 400 },
  { route: "POST /approve", request: (a, b) => a.post("/approve", { token: forgedLink(b, "approve-day") }), status: 400, then: nothingQueued },
  { route: "GET /days/:locationId/:businessDay", request: (a, b) => a.get(`/days/${b.locationId}/${B_DAY}`), status: 404 },
  { route: "POST /days/:locationId/:businessDay/approve", request: (a, b) => a.post(`/days/${b.locationId}/${B_DAY}/approve`), status: 404, then: nothingQueued },
  { route: "GET /locations", request: (a) => a.get("/locations"), status: 200 },
  ...(["square", "clover"] as const).map((provider): Attempt => ({
    route: "POST /locations",
    request: (a, b) => a.post("/locations", {
      posConnectionId: connectionOf(b, provider).connectionId, locationId: provider === "square" ? b.locationId : connectionOf(b, provider).externalId,
      timeZone: "America/New_York", dayStart: "04:00", quickbooksConnectionId: connectionOf(b, "quickbooks").connectionId,
    }),
    status: 404,
  })),
  { route: "POST /locations/:locationId/start", request: (a, b) => a.post(`/locations/${b.locationId}/start`, { from: B_DAY }), status: 404, then: nothingQueued },
  { route: "GET /unsubscribe", request: (a, b) => a.get(`/unsubscribe?token=${forgedLink(b, "unsubscribe")}`), status: 400 },
  {
    route: "POST /unsubscribe",
    request: (a, b) => a.post(`/unsubscribe?token=${forgedLink(b, "unsubscribe")}`, { "List-Unsubscribe": "One-Click" }, { origin: "https://mail.example" }),
    status: 400,
  },
  { route: "POST /unsubscribe/frequency", request: (a, b) => a.post(`/unsubscribe/frequency?token=${forgedLink(b, "unsubscribe")}`, { frequency: "weekly" }), status: 400 },
  { route: "POST /unsubscribe/undo", request: (a, b) => a.post(`/unsubscribe/undo?token=${forgedLink(b, "resubscribe")}`), status: 400 },
  { route: "GET /recipients/confirm", request: (a, b) => a.get(`/recipients/confirm?token=${forgedLink(b, "confirm-recipient")}`), status: 400 },
  { route: "POST /recipients/confirm", request: (a, b) => a.post("/recipients/confirm", { token: forgedLink(b, "confirm-recipient") }), status: 400 },
  {
    route: "GET /disconnect/quickbooks",
    request: (a, b) => a.get(`/disconnect/quickbooks?realmId=${connectionOf(b, "quickbooks").externalId}`),
    status: 200,
    tokensMayRotate: true,
    async then(b) {
      const connection = await world.deps.store.getConnection(b.merchantId, connectionOf(b, "quickbooks").connectionId);
      expect(connection?.status).toBe("active");
      const tokens = await openTokens(world.deps.vault, connection!);
      secrets.push(tokens.accessToken, tokens.refreshToken ?? "");
      expect(await accessWorks(world, "quickbooks", tokens.accessToken, connection!.externalId)).toBe(true);
    },
  },
  // The backfill pages, on the links' queue (so nothingQueued sees whatever they queue). The app reads
  // deps.backfill per request: setting it turns the pages on.
  ...((withBackfill: () => void): Attempt[] => [
    { route: "GET /backfill", request: (a) => { withBackfill(); return a.get("/backfill"); }, status: 200 },
    {
      route: "POST /backfill",
      request: (a, b) => { withBackfill(); return a.post("/backfill", { locationId: b.locationId, from: "2025-05-30", to: "2025-05-31" }); },
      status: 400,
      async then(b) {
        await nothingQueued();
        // B's own backfill, for the next rows to reach for.
        const started = await b.browser.post("/backfill/latest", { locationId: b.locationId });
        expect(started.status).toBe(303);
        expect(await links.drain()).toHaveLength(1);
      },
    },
    {
      route: "POST /backfill/latest",
      request: (a, b) => { withBackfill(); return a.post("/backfill/latest", { locationId: b.locationId }); },
      status: 404,
      then: nothingQueued,
    },
    {
      route: "GET /backfill/:backfillId",
      async request(a, b) {
        withBackfill();
        const ids = (await world.scan()).filter((item) => item["PK"]?.S?.includes(b.merchantId)).map((item) => item["SK"]?.S ?? "").filter((sk) => sk.startsWith("BACKFILL#"));
        expect(ids).toHaveLength(1);
        return a.get(`/backfill/${ids[0]!.slice("BACKFILL#".length)}`);
      },
      status: 404,
    },
  ])(() => {
    world.deps.backfill ??= { queue: world.deps.links!.queue };
  }),
  // The reports settings and history pages. The first row then gives B a recipient list (with an address
  // naming B's id, so a page showing it fails the marker check), review mode and a synced day, for the
  // rows after it to reach for.
  ...((victimAccountant: (b: Victim) => string, victimReportsKept: (b: Victim) => Promise<void>): Attempt[] => [
    {
      route: "GET /reports",
      request: (a) => a.get("/reports"),
      status: 200,
      async then(b) {
        const { addConfirmedRecipient } = await import("./email-links-world");
        const { summaryOf } = await import("../support/summaries");
        await addConfirmedRecipient(world, b.merchantId, b.email, victimAccountant(b));
        await world.deps.settings.setReviewMode(b.merchantId, true, world.clock.date());
        await world.deps.store.saveSyncRecord({
          merchantId: b.merchantId, locationId: b.locationId, businessDay: B_DAY, state: "no-sales", posted: [], attempts: 0,
          lastSummary: summaryOf({ sales: { VICTIM: 4_321 } }), updatedAt: world.clock.date().toISOString(),
        }, 0);
        await victimReportsKept(b);
      },
    },
    { route: "GET /reports", request: (a) => a.get("/reports"), status: 200 },
    // A may add B's address to A's own list: it is A's list that changes, never B's.
    { route: "POST /reports/recipients", request: (a, b) => a.post("/reports/recipients", { email: b.email }), status: 303, then: victimReportsKept, againOnA: [400], typed: (b) => [b.email] },
    { route: "POST /reports/recipients/remove", request: (a, b) => a.post("/reports/recipients/remove", { email: victimAccountant(b) }), status: 400, then: victimReportsKept },
    { route: "POST /reports/recipients/remove", request: (a, b) => a.post("/reports/recipients/remove", { email: b.email }), status: 400, then: victimReportsKept, againOnA: [303], typed: (b) => [b.email] },
    { route: "POST /reports/recipients/frequency", request: (a, b) => a.post("/reports/recipients/frequency", { email: victimAccountant(b), frequency: "weekly" }), status: 400, then: victimReportsKept },
    { route: "POST /reports/recipients/resend", request: (a, b) => a.post("/reports/recipients/resend", { email: victimAccountant(b) }), status: 400, then: victimReportsKept },
    { route: "POST /reports/review-mode", request: (a) => a.post("/reports/review-mode", {}), status: 303, then: victimReportsKept },
    { route: "GET /history", request: (a) => a.get("/history"), status: 200 },
    { route: "GET /history", request: (a, b) => a.get(`/history?location=${b.locationId}`), status: 404 },
  ])(
    (b) => `books-${b.merchantId}@example.com`,
    async (b) => {
      expect(await world.deps.recipients.addressesThatMayReceive(b.merchantId, b.email)).toEqual([b.email, `books-${b.merchantId}@example.com`]);
      expect(await world.deps.settings.getReviewMode(b.merchantId)).toBe(true);
      expect((await world.deps.store.listSyncRecords(b.merchantId)).map((record) => record.businessDay)).toEqual([B_DAY]);
    },
  ),
  // The mapping page (issue 7): B's location or QuickBooks company from A's session is not found, and B's company is not even read.
  ...([
    ["GET /locations/:locationId/mapping", (a, b) => a.get(`/locations/${b.locationId}/mapping`)],
    ["POST /locations/:locationId/mapping", (a, b) => a.post(`/locations/${b.locationId}/mapping`, {
      sales: "79", discounts: "80", returns: "80", serviceCharges: "79", tax: "160", tips: "161", giftCards: "162", nonRevenue: "162", tenders: "151", fees: "8", rounding: "90", overShort: "90",
    })],
    ["POST /locations/:locationId/mapping/create-accounts", (a, b) => a.post(`/locations/${b.locationId}/mapping/create-accounts`)],
    ["POST /quickbooks/:connectionId/create-accounts", (a, b) => a.post(`/quickbooks/${connectionOf(b, "quickbooks").connectionId}/create-accounts`, { return: "/locations" })],
  ] satisfies [string, (a: Browser, b: Victim) => Promise<Response>][]).map(([route, send]): Attempt => ({
    route,
    status: 404,
    async request(a, b) {
      const realmId = connectionOf(b, "quickbooks").externalId;
      const calls = () => world.quickbooks.requestLog().filter((record) => record.realmId === realmId).length;
      const before = calls();
      const response = await send(a, b);
      expect(calls(), `${route} read B's QuickBooks company`).toBe(before);
      return response;
    },
  })),
  // Accountants' access (issue 19): B's business, B's invitation, B's API key, with A's session or A's own key.
  { route: "GET /clients", request: (a) => a.get("/clients"), status: 200 },
  { route: "GET /clients/open", request: (a, b) => a.get(`/clients/open?business=${b.merchantId}&next=${encodeURIComponent(`/days/${b.locationId}/${B_DAY}`)}`), status: 404 },
  { route: "POST /clients/switch", request: (a, b) => a.post("/clients/switch", { businessId: b.merchantId, next: "/history" }), status: 404 },
  { route: "POST /clients/:businessId/leave", request: (a, b) => a.post(`/clients/${b.merchantId}/leave`), status: 404 },
  { route: "GET /invitations/accept", request: (a) => a.get(`/invitations/accept?token=${newSecret()}`), status: 400 },
  { route: "POST /invitations/accept", request: (a) => a.post("/invitations/accept", { token: newSecret() }), status: 400 },
  // B's address's "no invitations" cannot be made or lifted with a link A signed, and A's own account page names only A's address.
  { route: "GET /invitations/stop", request: (a, b) => a.get(`/invitations/stop?token=${forgedLink(b, "stop-invitations")}`), status: 400 },
  { route: "POST /invitations/stop", request: (a, b) => a.post("/invitations/stop", { token: forgedLink(b, "stop-invitations") }), status: 400 },
  { route: "POST /invitations/allow", request: (a, b) => a.post("/invitations/allow", { token: forgedLink(b, "allow-invitations") }), status: 400 },
  { route: "POST /account/invitations", request: (a, b) => a.post("/account/invitations", { invitations: "stop", email: b.email }), status: 303 },
  // A may invite B's address to A's own business: an email to B, and nothing of B's changes.
  { route: "POST /reports/access/invite", request: (a, b) => a.post("/reports/access/invite", { email: b.email }), status: 303, typed: (b) => [b.email] },
  { route: "POST /reports/access/remove", request: (a, b) => a.post("/reports/access/remove", { personId: b.merchantId }), status: 404 },
  { route: "POST /reports/access/cancel", request: (a, b) => a.post("/reports/access/cancel", { invitationId: b.invitationId }), status: 404 },
  { route: "GET /api-keys", request: (a) => a.get("/api-keys"), status: 200 },
  { route: "POST /api-keys", request: (a) => a.post("/api-keys", { name: "Attacker key", days: "90" }), status: 200 },
  { route: "POST /api-keys/:keyId/revoke", request: (a, b) => a.post(`/api-keys/${b.keyId}/revoke`), status: 404 },
  { route: "GET /api/v1/openapi.json", request: (a) => a.get("/api/v1/openapi.json"), status: 200 },
  { route: "GET /api/v1/businesses", request: (a) => withOwnKey(a, "/api/v1/businesses"), status: 200 },
  // A session cookie alone never opens the API.
  { route: "GET /api/v1/businesses/:businessId", request: (a, b) => a.get(`/api/v1/businesses/${b.merchantId}`), status: 401 },
  { route: "GET /api/v1/businesses/:businessId", request: (a, b) => withOwnKey(a, `/api/v1/businesses/${b.merchantId}`), status: 404 },
  { route: "GET /api/v1/businesses/:businessId/locations", request: (a, b) => withOwnKey(a, `/api/v1/businesses/${b.merchantId}/locations`), status: 404 },
  ...(["days", "payouts", "reports"] as const).map((what): Attempt => ({
    route: `GET /api/v1/businesses/:businessId/locations/:locationId/${what}`,
    request: (a, b) => withOwnKey(a, `/api/v1/businesses/${b.merchantId}/locations/${b.locationId}/${what}?${B_RANGE}`),
    status: 404,
  })),
];

async function victim(): Promise<Victim> {
  const email = `victim.${Date.now()}@example.com`;
  const browser = world.browser({ userAgent: "Victim Browser/9" });
  await browser.signIn(email);
  await world.browser({ userAgent: "Victim Phone/9" }).signIn(email);
  for (const provider of ["square", "clover", "quickbooks"] as const) {
    expect((await browser.connect(provider, world.accounts[provider][1])).status).toBe(303);
  }
  const merchantId = (await world.deps.store.findMerchantByEmail(email))!.merchantId;
  const connections = await world.deps.store.listConnections(merchantId);
  for (const connection of connections) {
    const tokens = await openTokens(world.deps.vault, connection);
    secrets.push(tokens.accessToken, tokens.refreshToken ?? "");
  }
  const sessionHashes = (await world.deps.auth.listSessions(merchantId, world.clock.date())).map((session) => session.sessionHash);
  const pendingCallback = await browser.consent("square", "approve", world.accounts.square[1]);
  const locationId = "LOCVICTIM1";
  await world.deps.store.putLocation({
    merchantId, locationId, source: "square", name: "Victim Street", posConnectionId: connections.find((each) => each.provider === "square")!.connectionId,
    quickbooksConnectionId: connections.find((each) => each.provider === "quickbooks")!.connectionId, timeZone: "America/New_York", dayStart: "04:00", currency: "USD",
    mapping: { defaults: { sales: "1", discounts: "2", returns: "2", serviceCharges: "3", tax: "4", tips: "5", giftCards: "6", nonRevenue: "7", tenders: "8", fees: "9", rounding: "10", overShort: "10" } },
    updatedAt: world.clock.date().toISOString(),
  });
  const made = await browser.post("/api-keys", { name: "Victim key", days: "90" });
  secrets.push(/value="(dbk_[A-Za-z0-9_-]{43})"/.exec(await made.text())?.[1] ?? "");
  const [key] = await world.deps.apiKeys.listKeys(merchantId);
  expect((await browser.post("/reports/access/invite", { email: `books-of-victim.${Date.now()}@example.com` })).status).toBe(303);
  const [invitation] = await world.deps.members.listInvitations(merchantId, world.clock.date());
  return { email, merchantId, browser, connections, sessionHashes, pendingCallback, locationId, keyId: key!.keyId, invitationId: invitation!.invitationId };
}

/**
 * A browser signed in to a new account: the account and session the emailed link makes (the link's own
 * flow is test/web/sign-in.test.ts's), made directly, without the email's round trip.
 */
async function newMerchant(email: string, options: { userAgent: string; ip: string }): Promise<Browser> {
  const browser = world.browser(options);
  const now = world.clock.date();
  const { merchant, created } = await findOrCreateAccount(world.deps.store, email, now);
  expect(created).toBe(true);
  const { secret } = await startSession(world.deps.auth, { merchantId: merchant.merchantId, userAgent: options.userAgent, approximateIp: approximateIp(options.ip), now });
  browser.cookies.set(SESSION_COOKIE, secret);
  return browser;
}

let victimB: Victim | undefined;
/** B, made once for every test of this file. */
async function theVictim(): Promise<Victim> {
  victimB ??= await victim();
  return victimB;
}

const markersOf = (b: Victim) => [
  b.email, b.merchantId, b.locationId, "Victim Street", "Victim Browser/9", "Victim Phone/9", b.keyId, b.invitationId, "Victim key", ...b.sessionHashes,
  ...b.connections.flatMap((connection) => [connection.connectionId, connection.externalId]),
];

/**
 * B's items (every item naming B, in any partition), with the token fields blanked when a row may rotate
 * B's tokens. From the table view: the items write commands named since the last look are read again.
 */
async function itemsOfVictim(b: Victim, tokensMayRotate: boolean): Promise<string[]> {
  const items = [...(await table.now()).values()].map(({ text }) => text).filter((text) => text.includes(b.merchantId)).sort();
  if (!tokensMayRotate) return items;
  return items.map((item) => item.replace(/"(tokenCiphertext|tokenVersion|updatedAt)":\{"[NS]":"[^"]*"\}/g, '"$1":"…"'));
}

it("merchant A's session never reaches merchant B's data, on every route", async () => {
  const routes = new Set(world.app.routes.filter((route) => route.method !== "ALL").map((route) => `${route.method} ${route.path}`));
  expect(new Set(ATTEMPTS.map((attempt) => attempt.route))).toEqual(routes);

  const b = await theVictim();
  const bMarkers = markersOf(b);

  // Profile, email claim, three connections, two sessions and the pending OAuth state at least.
  expect((await itemsOfVictim(b, false)).length).toBeGreaterThanOrEqual(8);

  for (const [index, attempt] of ATTEMPTS.entries()) {
    // A client address each: all from one would soon meet the sign-in limit per client.
    const a = await newMerchant(`attacker.${Date.now()}.${Math.random().toString(36).slice(2)}@example.com`, { userAgent: "Attacker Browser/1", ip: `198.51.100.${String(index + 1)}` });
    const before = await itemsOfVictim(b, attempt.tokensMayRotate ?? false);
    const response = await attempt.request(a, b);
    expect(response.status, attempt.route).toBe(attempt.status);
    const body = await response.text();
    const typed = attempt.typed?.(b) ?? [];
    for (const marker of bMarkers.filter((each) => !typed.includes(each))) expect(body, `${attempt.route} shows B's ${marker.slice(0, 12)}…`).not.toContain(marker);
    expect(await itemsOfVictim(b, attempt.tokensMayRotate ?? false), attempt.route).toEqual(before);
    await attempt.then?.(b);
  }

  // B's own session, connections and flow still work.
  expect((await b.browser.get("/connections")).status).toBe(200);
  expect((await b.browser.get(b.pendingCallback)).status).toBe(303);
  expect(await world.deps.auth.listSessions(b.merchantId, world.clock.date())).toHaveLength(2);
  for (const connection of b.connections) {
    const current = await world.deps.store.getConnection(b.merchantId, connection.connectionId);
    // B's finished flow reconnected the same Square account, which replaces (removes) B's earlier Square connection.
    expect(current?.status, connection.provider).toBe(connection.provider === "square" ? undefined : "active");
  }
  // The table view B's items were read from saw every change: a full scan finds nothing else.
  expect(changesBetween(await table.now(), await table.scan())).toEqual([]);
}, 180_000);

/** Business A for the member role: its owner, and a location whose name no other business has. */
let businessA: { merchantId: string; email: string; owner: Browser } | undefined;
async function theBusiness(): Promise<{ merchantId: string; email: string; owner: Browser }> {
  if (businessA) return businessA;
  const email = `alder.${Date.now()}@example.com`;
  const owner = world.browser({ userAgent: "Alder Owner/1", ip: "198.51.100.250" });
  await owner.signIn(email);
  const merchantId = (await world.deps.store.findMerchantByEmail(email))!.merchantId;
  await world.deps.store.putLocation({
    merchantId, locationId: "LOCALDER1", source: "square", name: "Alder Street", posConnectionId: "none", quickbooksConnectionId: "none",
    timeZone: "America/New_York", dayStart: "04:00", currency: "USD",
    mapping: { defaults: { sales: "1", discounts: "2", returns: "2", serviceCharges: "3", tax: "4", tips: "5", giftCards: "6", nonRevenue: "7", tenders: "8", fees: "9", rounding: "10", overShort: "10" } },
    updatedAt: world.clock.date().toISOString(),
  });
  businessA = { merchantId, email, owner };
  return businessA;
}

/** A new accountant of A, through a real invitation link (made here: A's daily limit on sending them is not under test). */
async function accountantOf(business: { merchantId: string }, index: number): Promise<{ browser: Browser; personId: string }> {
  const token = newSecret();
  const email = `accountant.${String(index)}.${Date.now()}@example.com`;
  const now = world.clock.date();
  await world.deps.members.putInvitation({
    invitationId: randomUUID(), tokenHash: sha256Hex(token), businessId: business.merchantId, email, invitedBy: business.merchantId,
    createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + 86_400_000).toISOString(),
  });
  const browser = world.browser({ userAgent: "Accountant Browser/1", ip: `198.51.100.${String(100 + (index % 100))}` });
  expect((await accept(browser, `https://daybook.test/invitations/accept?token=${token}`)).status).toBe(303);
  return { browser, personId: (await world.deps.store.findMerchantByEmail(email))!.merchantId };
}

/** The accountant's session, if it is still live (an attempt may have signed it out). */
const sessionOf = (accountant: { browser: Browser }) => world.deps.auth.getSession(sessionHashOf(accountant.browser.cookies.get(SESSION_COOKIE) ?? ""), world.clock.date());

/**
 * The accountant accepts a new invitation of A's (lib/members/invitations.ts's acceptInvitation, and the
 * session set to work on A, as the invitation page does), then A removes the access again: the same
 * person and session as before, freshly removed. Cheaper than a new accountant through the pages.
 */
async function removedAgain(business: { merchantId: string }, accountant: { browser: Browser; personId: string }): Promise<void> {
  const token = newSecret();
  const now = world.clock.date();
  const person = (await world.deps.store.getMerchant(accountant.personId))!;
  await world.deps.members.putInvitation({
    invitationId: randomUUID(), tokenHash: sha256Hex(token), businessId: business.merchantId, email: person.email, invitedBy: business.merchantId,
    createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + 86_400_000).toISOString(),
  });
  expect((await acceptInvitation(world.deps, token))?.person.merchantId).toBe(accountant.personId);
  await world.deps.auth.setActingFor(sessionHashOf(accountant.browser.cookies.get(SESSION_COOKIE) ?? ""), accountant.personId, business.merchantId);
  expect((await sessionOf(accountant))?.actingFor).toBe(business.merchantId);
  expect(await endAccess(world.deps, business.merchantId, accountant.personId)).toBe(true);
}

it("the member role: an accountant working on A's books never reaches B's data and is refused A's owner's routes; one whose access A removed sees nothing of B's nor A's", async () => {
  const b = await theVictim();
  const a = await theBusiness();
  const bMarkers = markersOf(b);
  const aMarkers = [a.merchantId, "Alder Street", "LOCALDER1"];
  let made = 0;
  let working = await accountantOf(a, made++);
  let removed: { browser: Browser; personId: string } | undefined;
  // What the working accountants typed into A's business may show on A's pages later (B's address added to A's recipients).
  const typedIntoA = new Set<string>();
  for (const attempt of ATTEMPTS) {
    const role = ROUTE_ROLES[attempt.route];
    // One working accountant throughout, replaced only when an attempt ended its session or its work on A.
    if ((await sessionOf(working))?.actingFor !== a.merchantId) working = await accountantOf(a, made++);
    // A removed accountant's first request to A's pages is refused and puts the session back on their own
    // account: removed afresh for each such route (given access again, then removed); the others take
    // the session as the last route left it, already back on its own. A new accountant when an attempt
    // ended the session.
    if (!removed || !(await sessionOf(removed))) {
      removed = await accountantOf(a, made++);
      expect(await endAccess(world.deps, a.merchantId, removed.personId)).toBe(true);
    } else if (role === "member" || role === "owner") {
      await removedAgain(a, removed);
    }
    const before = await itemsOfVictim(b, attempt.tokensMayRotate ?? false);
    // Working on A: A's owner's routes are refused before their handler; the rest answer as for A's owner.
    // Removed: the first request is refused (403) and the session is back on the accountant's own, empty
    // account (a POST reads its form token first), which gets what any account without B's data gets.
    const cases = [
      { who: "working", browser: working.browser, expected: [role === "owner" ? 403 : attempt.status, ...(attempt.againOnA ?? [])], hidden: bMarkers.filter((marker) => !typedIntoA.has(marker)) },
      { who: "removed", browser: removed.browser, expected: [...(role === "member" || role === "owner" ? [403] : []), attempt.status], hidden: [...bMarkers, ...aMarkers] },
    ];
    for (const { who, browser, expected, hidden } of cases) {
      const response = await attempt.request(browser, b);
      expect(expected, `${attempt.route}, ${who}, answered ${String(response.status)}`).toContain(response.status);
      const body = await response.text();
      const typed = attempt.typed?.(b) ?? [];
      for (const marker of hidden.filter((each) => !typed.includes(each))) expect(body, `${attempt.route}, ${who}, shows ${marker.slice(0, 12)}…`).not.toContain(marker);
      expect(await links.drain(), `${attempt.route}, ${who}, queued a job`).toEqual([]);
    }
    expect(await itemsOfVictim(b, attempt.tokensMayRotate ?? false), attempt.route).toEqual(before);
    for (const value of attempt.typed?.(b) ?? []) typedIntoA.add(value);
  }
  // A's own connections and account are as A left them.
  expect(await world.deps.store.getMerchant(a.merchantId)).toBeDefined();
  expect(changesBetween(await table.now(), await table.scan())).toEqual([]);
}, 600_000);
