/**
 * Part 6 (child process): an accountant's client list with `clients` businesses, the whole request
 * (GET /clients through the web app lib/wiring composes: the session, the one query of the
 * accountant's partition, the ordering, the page) on DynamoDB on moto_server, repeated. Each business
 * gave the accountant access through a real invitation (lib/members/invitations.ts), and its
 * locations' last nights reached the membership as the worker leaves them (tellAccountants): one in
 * ten failed, one in ten held, one in ten not posting, the rest posted; one business in four has two
 * locations.
 *
 *   DAYBOOK_BENCH_MOTO=<endpoint> tsx bench/client-list.ts <clients> <runs>
 * Prints one JSON line: ClientListResult.
 */
import { randomUUID } from "node:crypto";
import { loadavg } from "node:os";
import { newSecret, sha256Hex } from "../lib/auth/secrets";
import { startSession } from "../lib/auth/sessions";
import { addDays, businessDayOf } from "../lib/domain/business-day";
import { acceptInvitation } from "../lib/members/invitations";
import { tellAccountants } from "../lib/members/location-status";
import type { LocationConfig, SyncState } from "../lib/model";
import { createApp } from "../lib/web/app";
import { oauthAtHand, webDepsOf } from "../lib/wiring/api";
import { composeServices } from "../lib/wiring/services";
import type { AwsCounts } from "./aws-counter";
import { spread, type Spread } from "./stats";
import { createBenchWorld } from "./world";

export interface ClientListResult {
  /** When, and how busy the machine was (part 6 can be run alone, after the rest: npm run bench -- --client-list). */
  measuredAt: string;
  loadAverage: number[];
  clients: number;
  locations: number;
  /** Each request, the first (cold: the app's first request) left out. */
  ms: Spread;
  /** Of which: the one query of the accountant's partition (with its items checked), alone, the same number of times. */
  queryMs: Spread;
  /** DynamoDB calls and read units of one request. */
  aws: AwsCounts;
  /** The page's size, bytes. */
  pageBytes: number;
}

const ZONE = "America/New_York";
const SESSION_COOKIE = "__Host-daybook_session";
const MAPPING = { sales: "1", discounts: "2", returns: "2", serviceCharges: "3", tax: "4", tips: "5", giftCards: "6", nonRevenue: "7", tenders: "8", fees: "9", rounding: "10", overShort: "10" };

async function main(): Promise<void> {
  const clients = Number(process.argv[2] ?? "200");
  const runs = Number(process.argv[3] ?? "30");
  const motoEndpoint = process.env["DAYBOOK_BENCH_MOTO"];
  if (!motoEndpoint) throw new Error("DAYBOOK_BENCH_MOTO is not set");
  const world = await createBenchWorld({ motoEndpoint, source: "square", timeZone: ZONE, now: Date.now });
  const now = () => new Date();
  const services = await composeServices(world.settings, { now, dynamo: world.dynamo, storage: world.storage, vault: world.vault, email: world.email });
  const deps = webDepsOf({ ...services, ...oauthAtHand(services) }, { ...world.settings, SQUARE_WEBHOOK_SIGNATURE_KEY: "bench", CLOVER_WEBHOOK_AUTH_CODE: "bench", CLOVER_APP_ID: "bench" }, { log: () => undefined });
  const app = createApp(deps);

  const accountant = "books@bench.example";
  const today = businessDayOf(Date.now(), ZONE);
  let locations = 0;
  for (let index = 0; index < clients; index++) {
    const businessId = randomUUID();
    const at = now().toISOString();
    await deps.store.putMerchant({ merchantId: businessId, name: `Client ${String(index).padStart(3, "0")}`, email: `owner.${String(index)}@bench.example`, createdAt: at });
    const token = newSecret();
    await deps.members.putInvitation({
      invitationId: randomUUID(), tokenHash: sha256Hex(token), businessId, email: accountant, invitedBy: businessId, createdAt: at,
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    if (!(await acceptInvitation(deps, token))) throw new Error(`client ${String(index)}: the invitation was not accepted`);
    for (let place = 0; place < (index % 4 === 0 ? 2 : 1); place++) {
      locations++;
      const location: LocationConfig = {
        merchantId: businessId, locationId: `LOC${String(place)}`, source: "square", name: `Store ${String(place + 1)}`, posConnectionId: "none", quickbooksConnectionId: "none",
        timeZone: ZONE, dayStart: "04:00", currency: "USD", mapping: { defaults: MAPPING }, updatedAt: at,
      };
      await deps.store.putLocation(location);
      const kind = index % 10;
      const state: SyncState = kind === 0 ? "failed" : kind === 1 ? "held" : "posted";
      const businessDay = addDays(today, kind === 2 ? -6 : -1);
      await deps.store.saveSyncRecord({
        merchantId: businessId, locationId: location.locationId, businessDay, state, attempts: 1, updatedAt: at, posted: [],
        ...(state === "held" ? { heldReason: "Review mode is on: the entry waits for approval." } : {}),
        ...(state === "failed" ? { lastError: { kind: "needs-reconnect" as const, message: "QuickBooks refused the connection.", at } } : {}),
      }, 0);
      await tellAccountants(deps, { merchantId: businessId, locationId: location.locationId, businessDay });
    }
  }
  const person = await deps.store.findMerchantByEmail(accountant);
  if (!person) throw new Error("the accountant has no account");
  const { secret } = await startSession(deps.auth, { merchantId: person.merchantId, userAgent: "Bench/1", approximateIp: "198.51.100.0", now: now() });

  const times: number[] = [];
  let aws: AwsCounts = { calls: {}, readUnits: 0, writeUnits: 0 };
  let pageBytes = 0;
  for (let run = 0; run < runs + 1; run++) {
    const before = { calls: { ...world.aws.calls }, readUnits: world.aws.readUnits, writeUnits: world.aws.writeUnits };
    const started = performance.now();
    const response = await app.request(`${deps.publicUrl}/clients`, { headers: { Cookie: `${SESSION_COOKIE}=${secret}` } }, { requestContext: { http: { sourceIp: "198.51.100.7" } } });
    const page = await response.text();
    const ms = performance.now() - started;
    if (response.status !== 200 || !page.includes(`Your clients (${String(clients)})`)) throw new Error(`GET /clients answered ${String(response.status)} without its ${String(clients)} clients`);
    if (run === 0) continue;
    times.push(ms);
    pageBytes = Buffer.byteLength(page);
    const calls: Record<string, number> = {};
    for (const [name, count] of Object.entries(world.aws.calls)) if (count > (before.calls[name] ?? 0)) calls[name] = count - (before.calls[name] ?? 0);
    aws = { calls, readUnits: world.aws.readUnits - before.readUnits, writeUnits: world.aws.writeUnits - before.writeUnits };
  }
  const queryTimes: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const memberships = await deps.members.listMemberships(person.merchantId);
    queryTimes.push(performance.now() - started);
    if (memberships.length !== clients) throw new Error(`the query found ${String(memberships.length)} memberships`);
  }
  services.close();
  await world.close();
  const result: ClientListResult = { measuredAt: new Date().toISOString(), loadAverage: loadavg(), clients, locations, ms: spread(times), queryMs: spread(queryTimes), aws, pageBytes };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
