/**
 * What the locations page reads from the providers with a connection's tokens: a POS connection's
 * locations (Square: ListLocations; Clover: the merchant is one location) and a QuickBooks company's
 * active chart of accounts.
 */
import { isTimeZone } from "../domain/business-day";
import type { TokenKeeper } from "../oauth/token-keeper";
import { CLOVER_API_HOSTS, type CloverRegion, createCloverReader } from "../pos/clover/client";
import { SquareRequestError } from "../pos/square/errors";
import { createRawResponseCaller } from "../pos/square/raw-responses";
import { createQuickBooksClient } from "../quickbooks/client";
import type { QuickBooksAccount } from "../quickbooks/types";
import { quickBooksTokenSource } from "../sync/quickbooks-tokens";
import type { Connection } from "../model";
import { describeIssues, z } from "../validation";

export interface ProviderHosts {
  squareBaseUrl: string;
  /** One host standing in for all of Clover's regions (a simulator); each connection's region otherwise. */
  cloverBaseUrl?: string;
  quickBooksBaseUrl: string;
  /** Per request; default 15 s (a person is waiting). */
  timeoutMs?: number;
}

export interface PosLocation {
  locationId: string;
  name: string;
  /** The POS's own time zone for the location, when it has a valid one: the form's suggestion. */
  timeZone?: string;
  currency: string;
}

const listLocationsSchema = z.object({
  locations: z.optional(z.array(z.object({
    id: z.string().check(z.minLength(1)),
    name: z.optional(z.string()),
    timezone: z.optional(z.string()),
    currency: z.optional(z.string()),
    status: z.optional(z.string()),
  }))),
});

export async function listPosLocations(hosts: ProviderHosts, tokens: TokenKeeper, connection: Connection): Promise<PosLocation[]> {
  const timeoutMs = hosts.timeoutMs ?? 15_000;
  const accessToken = () => tokens.accessToken(connection);
  if (connection.provider === "clover") {
    const region = (connection.region ?? "us") as CloverRegion;
    const reader = hosts.cloverBaseUrl !== undefined
      ? createCloverReader({ baseUrl: hosts.cloverBaseUrl, merchantId: connection.externalId, accessToken, timeoutMs, maxRetries: 1 })
      : createCloverReader({ region: Object.hasOwn(CLOVER_API_HOSTS, region) ? region : "us", merchantId: connection.externalId, accessToken, timeoutMs, maxRetries: 1 });
    const merchant = await reader.getMerchant();
    return [{ locationId: merchant.merchantId, name: merchant.name, timeZone: merchant.timeZone, currency: merchant.currency }];
  }
  if (connection.provider !== "square") throw new Error(`connection ${connection.connectionId} is not a POS connection`);
  const square = createRawResponseCaller({ baseUrl: hosts.squareBaseUrl, accessToken, timeoutMs, maxRetries: 1 });
  const parsed = listLocationsSchema.safeParse(await square.call("ListLocations", (client) => client.locations.list()));
  if (!parsed.success) throw new SquareRequestError(describeIssues(parsed.error, "Square's answer to ListLocations"), "bug");
  return (parsed.data.locations ?? [])
    .filter((location) => location.status !== "INACTIVE" && location.currency !== undefined)
    .map((location) => ({
      locationId: location.id,
      name: location.name ?? location.id,
      ...(location.timezone !== undefined && isTimeZone(location.timezone) ? { timeZone: location.timezone } : {}),
      currency: location.currency ?? "",
    }));
}

export async function listQuickBooksAccounts(hosts: ProviderHosts, tokens: TokenKeeper, connection: Connection): Promise<QuickBooksAccount[]> {
  const client = createQuickBooksClient({
    baseUrl: hosts.quickBooksBaseUrl, realmId: connection.externalId, tokens: quickBooksTokenSource(tokens, connection),
    timeoutMs: hosts.timeoutMs ?? 15_000, maxAttempts: 2,
  });
  return client.listActiveAccounts();
}
