/**
 * What an id from outside may look like, one check per kind of id. Ids arrive in paths, forms, query
 * strings, webhooks, OAuth callbacks, providers' answers, command lines and queue messages, and become
 * the table's key segments (lib/store/keys.ts throws on "" and "#": a bug's error, a 500), parts of
 * providers' URLs and log fields. Each boundary checks its ids here before anything is read or stored,
 * and refuses anything else as the person's (or the sender's) mistake.
 */
import * as z from "zod/mini";
import type { ProviderName } from "./model";

/** daybook's own ids (UUIDs): merchants and people, connections, backfills, API keys, invitations. */
export const DAYBOOK_ID = /^[A-Za-z0-9-]{1,64}$/;

/**
 * A POS location's id: Square's location id ("a short generated string of letters and numbers", at most
 * 32), or a Clover merchant's id (13 letters and digits; a Clover merchant is one location).
 */
export const POS_LOCATION_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The provider account a connection is to (Connection.externalId), as each provider makes them. */
export const PROVIDER_ACCOUNT_ID: Readonly<Record<ProviderName, RegExp>> = {
  /** A Square merchant id: letters and digits (underscore and dash allowed). */
  square: /^[A-Za-z0-9_-]{1,100}$/,
  /** A Clover merchant id: 13 letters and digits. */
  clover: /^[A-Za-z0-9]{1,64}$/,
  /** A QuickBooks company (realm) id: digits. */
  quickbooks: /^\d{1,32}$/,
};

export const isDaybookId = (value: string | undefined): boolean => value !== undefined && DAYBOOK_ID.test(value);
export const isPosLocationId = (value: string | undefined): boolean => value !== undefined && POS_LOCATION_ID.test(value);
export const isProviderAccountId = (provider: ProviderName, value: string | undefined): boolean => value !== undefined && PROVIDER_ACCOUNT_ID[provider].test(value);

/** zod fields of the same checks, for the routes' and messages' schemas; `message` is what a person reads. */
export const daybookIdField = (message?: string) => z.string(message === undefined ? undefined : { error: message }).check(z.regex(DAYBOOK_ID, message));
export const posLocationIdField = (message?: string) => z.string(message === undefined ? undefined : { error: message }).check(z.regex(POS_LOCATION_ID, message));
