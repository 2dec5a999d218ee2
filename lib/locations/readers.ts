/**
 * What the locations and mapping pages read from the providers with a connection's tokens: a POS
 * connection's locations (Square: ListLocations; Clover: the merchant is one location), what the POS has
 * to map (pos-catalog.ts), a day of the location as the nightly sync reads it (the go-live preview), and
 * a QuickBooks company's chart of accounts. ProviderReaders is the port; lib/wiring makes the readers and clients
 * behind it, acting through the process's token keeper, tuned for a person waiting.
 */
import { isTimeZone } from "../domain/business-day";
import { isPosLocationId } from "../ids";
import type { Connection } from "../model";
import type { SyncPorts } from "../sync/sync-day";
import type { PosCatalog } from "./pos-catalog";
import type { CloverReader } from "../pos/clover/reader";
import { SquareRequestError } from "../pos/square/errors";
import type { RawResponseCaller } from "../pos/square/raw-responses";
import type { QuickBooksAccountCreator } from "../quickbooks/client";
import type { QuickBooksClient, QuickBooksTrackingReader } from "../quickbooks/types";
import * as z from "zod/mini";
import { describeIssues } from "../validation";

export interface ProviderReaders {
  /** The POS connection's locations. */
  posLocations(connection: Connection): Promise<PosLocation[]>;
  /** What the POS has to map for the location: categories, tenders, taxes, service charges, non-revenue items. */
  posCatalog(connection: Connection, locationId: string): Promise<PosCatalog>;
  /** The location's business day from its POS, read and summarised as the nightly sync does; nothing is written anywhere. */
  posDay: SyncPorts["summarisePosDay"];
  /** A QuickBooks client for the connection's company (its chart of accounts, creating accounts, its Location and Class lists). */
  quickBooks(connection: Connection): QuickBooksClient & QuickBooksAccountCreator & QuickBooksTrackingReader;
  /** The connected account's name: the Square business name, the Clover merchant's name, the QuickBooks company name. */
  accountName(connection: Connection): Promise<string>;
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
    // Checked as a location id below: a location with any other id is left out, not the whole answer.
    id: z.string(),
    name: z.optional(z.string()),
    timezone: z.optional(z.string()),
    currency: z.optional(z.string()),
    status: z.optional(z.string()),
  }))),
});

/** A Clover merchant is one location. */
export async function cloverLocations(reader: CloverReader): Promise<PosLocation[]> {
  const merchant = await reader.getMerchant();
  return [{ locationId: merchant.merchantId, name: merchant.name, timeZone: merchant.timeZone, currency: merchant.currency }];
}

/** A Square seller's active locations (ListLocations). */
export async function squareLocations(square: RawResponseCaller): Promise<PosLocation[]> {
  const parsed = listLocationsSchema.safeParse(await square.call("ListLocations", (client) => client.locations.list()));
  if (!parsed.success) throw new SquareRequestError(describeIssues(parsed.error, "Square's answer to ListLocations"), "bug");
  return (parsed.data.locations ?? [])
    // An id that is not a location id could never be stored or posted for: such a location is not offered.
    .filter((location) => location.status !== "INACTIVE" && location.currency !== undefined && isPosLocationId(location.id))
    .map((location) => ({
      locationId: location.id,
      name: location.name ?? location.id,
      ...(location.timezone !== undefined && isTimeZone(location.timezone) ? { timeZone: location.timezone } : {}),
      currency: location.currency ?? "",
    }));
}

const retrieveMerchantSchema = z.object({ merchant: z.object({ id: z.string(), business_name: z.optional(z.nullable(z.string())) }) });

/** The Square seller's business name (RetrieveMerchant "me"); its id when Square has no name for it. */
export async function squareBusinessName(square: RawResponseCaller): Promise<string> {
  const parsed = retrieveMerchantSchema.safeParse(await square.call("RetrieveMerchant", (client) => client.merchants.get({ merchantId: "me" })));
  if (!parsed.success) throw new SquareRequestError(describeIssues(parsed.error, "Square's answer to RetrieveMerchant"), "bug");
  return parsed.data.merchant.business_name?.trim() || parsed.data.merchant.id;
}
