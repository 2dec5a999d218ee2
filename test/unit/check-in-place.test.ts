/**
 * lib/check-in-place.ts's checkInPlace: it accepts exactly what zod's parse accepts, hands back the very
 * value it was given (nothing copied), and names a fault in the words a parse gives. Proved on the
 * generators' Square and Clover orders, corrupted at random places in random ways.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { listElements } from "../../lib/pos/clover/responses";
import { orderSchema as cloverOrderSchema } from "../../lib/pos/clover/schemas";
import { orderSchema as squareOrderSchema, listPaymentsPageSchema } from "../../lib/pos/square/schemas";
import * as z from "zod/mini";
import { checkInPlace } from "../../lib/check-in-place";
import { describeIssues } from "../../lib/validation";
import { generateCloverDay } from "../../sandbox/clover/generate-day";
import { generateDay } from "../../sandbox/square/generate-day";

const squareOrders = generateDay({ seed: 3, sales: 40, date: "2025-06-14", timeZone: "America/New_York", returnRate: 0.2, openRate: 0.1, noiseRate: 0.3 }).orders;
const cloverOrders = generateCloverDay({ seed: 3, orders: 40, date: "2025-06-14", timeZone: "America/New_York" }).orders;

/** Every path to a value inside `value`. */
function pathsOf(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== "object" || value === null) return [path];
  const entries = Array.isArray(value) ? value.map((item, index) => [index, item] as const) : Object.entries(value);
  return [path, ...entries.flatMap(([key, item]) => pathsOf(item, [...path, key]))];
}

function setAt(value: unknown, path: readonly (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  if (Array.isArray(value)) return (value as unknown[]).map((item, index) => (index === head ? setAt(item, rest, replacement) : item));
  const record = value as Record<string, unknown>;
  return { ...record, [head]: setAt(record[head], rest, replacement) };
}

const replacements = fc.constantFrom<unknown>(undefined, null, "text", "", 12, 1.5, -3, Number.NaN, 2 ** 60, true, [], {}, [1], { elements: 5 });

const outcome = (schema: z.ZodMiniType, value: unknown) => {
  try {
    return { ok: true as const, same: checkInPlace(schema, value, (error) => new Error(describeIssues(error, "it"))) === value };
  } catch (error) {
    return { ok: false as const, message: (error as Error).message };
  }
};

function agreesWithZod(schema: z.ZodMiniType, orders: readonly object[]) {
  return fc.property(fc.nat({ max: orders.length - 1 }), fc.nat(), replacements, (which, where, replacement) => {
    const order = orders[which] as object;
    const paths = pathsOf(order);
    const corrupted = setAt(order, paths[where % paths.length] ?? [], replacement);
    const parsed = schema.safeParse(corrupted);
    const checked = outcome(schema, corrupted);
    expect(checked.ok).toBe(parsed.success);
    if (checked.ok) expect(checked.same).toBe(true);
    else if (!parsed.success) expect(checked.message).toBe(describeIssues(parsed.error, "it"));
  });
}

describe("checking a POS body in place", () => {
  it("accepts exactly what zod's parse accepts, on corrupted Square orders, returns the same object, and says what parse says", () => {
    fc.assert(agreesWithZod(squareOrderSchema, squareOrders), { numRuns: 3000, seed: 17 });
  });

  it("the same on corrupted Clover orders", () => {
    fc.assert(agreesWithZod(cloverOrderSchema, cloverOrders), { numRuns: 3000, seed: 17 });
  });

  it("copies nothing: the page handed back is the page given, its orders the same objects", () => {
    const page = { payments: [{ id: "P1", created_at: "2025-06-14T12:00:00Z", status: "COMPLETED", processing_fee: [{ amount_money: { amount: 30, currency: "USD" } }] }] };
    expect(checkInPlace(listPaymentsPageSchema, page, (error) => new Error(describeIssues(error, "page")))).toBe(page);
  });

  it("a Clover list page: its entries handed on as Clover sent them, and a bad page named as the copying parse named it", () => {
    const said = (error: z.core.$ZodError) => new Error(describeIssues(error, "Clover's answer to ListOrders"));
    const page = { href: "https://api.clover.com/v3/merchants/M/orders", elements: [{ id: "O1", total: 500, lineItems: { elements: [{ id: "L1" }] } }] };
    const entries = listElements(page, said);
    expect(entries).toBe(page.elements);
    expect(entries[0]).toBe(page.elements[0]);
    // The envelope the reader parsed before (a loose object of loose objects, which copied every entry).
    const copying = z.looseObject({ elements: z.array(z.looseObject({ id: z.string() })) });
    for (const bad of [{ elements: [{ id: "O1" }, { total: 5 }] }, { message: "Not Found" }, { elements: [{ id: 7 }] }, [], null]) {
      const parsed = copying.safeParse(bad);
      if (parsed.success) throw new Error("the old envelope accepted a bad page");
      expect(() => listElements(bad, said)).toThrow(describeIssues(parsed.error, "Clover's answer to ListOrders"));
    }
    expect(() => listElements({ elements: [{ id: "O1" }, { total: 5 }] }, said))
      .toThrow("Clover's answer to ListOrders is not valid: elements.1.id: Invalid input: expected string, received undefined");
  });

  it("refuses, when made, a schema it cannot check without changing the value", () => {
    const withDefault = z.object({ a: z._default(z.string(), "x") });
    expect(() => checkInPlace(withDefault, { a: "y" }, () => new Error("bad"))).toThrow(/cannot be checked in place/);
  });
});
