/**
 * The shapes the Clover reader checks before handing bodies on (reference/clover.md §2.1, §4): list
 * envelopes `{elements: [...]}` whose entries carry an id, the merchant with its properties, and error
 * bodies `{message, details}`. Everything else in a body passes through untouched for the summariser
 * (lib/pos/clover/schemas.ts) to validate.
 */
import * as z from "zod/mini";
import { checkInPlace } from "../../check-in-place";

const withId = z.looseObject({ id: z.string() });
export type CloverObject = z.infer<typeof withId>;

/** Checked in place (listElements): a parse would copy every entry of a page of a thousand orders. */
const listEnvelopeSchema = z.object({ elements: z.array(z.object({ id: z.string() })) });

/** The entries of a list body, as Clover sent them (nothing copied), once the envelope and each entry's id are checked. */
export function listElements(body: unknown, fail: (error: z.core.$ZodError) => Error): CloverObject[] {
  return checkInPlace(listEnvelopeSchema, body, fail).elements;
}

export const objectSchema = withId;

export const merchantSchema = z.looseObject({
  id: z.string(),
  name: z.optional(z.string()),
  defaultCurrency: z.optional(z.string()),
  properties: z.optional(z.looseObject({ timezone: z.optional(z.string()), defaultCurrency: z.optional(z.string()) })),
});

export const errorBodySchema = z.looseObject({ message: z.optional(z.string()), details: z.optional(z.string()) });
