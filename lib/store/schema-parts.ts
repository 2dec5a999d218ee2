/**
 * The parts every stored item's schema is made of (schemas.ts, merchant-profile.ts and each store's
 * own): the check that a schema matches its type, ids, timestamps, days, money, currencies and email
 * addresses. Kept apart from the records' schemas, which only the stores that read those records load.
 */
import * as z from "zod/mini";
import { normalizeEmail } from "./keys";

/**
 * Same keys, and each side assignable to the other. `z.object` drops keys it does not know, so a
 * field added to a type but not to its schema would silently vanish on write; this makes it a
 * compile error instead.
 */
type Exact<A, B> = [A] extends [B]
  ? [B] extends [A]
    ? [Exclude<keyof A, keyof B> | Exclude<keyof B, keyof A>] extends [never] ? true : false
    : false
  : false;

export function describing<T>() {
  return <S extends z.ZodMiniType>(schema: S & (Exact<z.output<S>, T> extends true ? unknown : "the schema does not match the type")): S =>
    schema;
}

/** Any text but the empty string: ids and timestamps are checked alike, so they share one schema (a zod schema is immutable). */
export const nonEmpty = z.string().check(z.minLength(1));
export const id = nonEmpty;
export const timestamp = nonEmpty;
export const businessDay = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date, YYYY-MM-DD"));
export const minorUnits = z.int();
export const currency = z.string().check(z.regex(/^[A-Z]{3}$/, "must be an ISO 4217 currency code"));

/** The store normalises addresses before it writes (keys.ts normalizeEmail); anything else in the table is corrupt. */
export const normalizedEmail = z.string().check(
  z.regex(/^[^@\s]+@[^@\s]+$/, "must be an email address"),
  z.refine((email) => email === normalizeEmail(email), "must be lower-cased and trimmed"),
);
