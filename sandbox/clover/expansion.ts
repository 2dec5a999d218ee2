/**
 * How the Clover simulator turns a stored, complete body into what Clover sends for a given `expand`
 * (reference/clover.md §2.1, §2.2): an expandable collection not asked for is left out, an expandable
 * object not asked for shrinks to its `{id}` reference, and a dotted path (`lineItems.discounts`)
 * expands its parent too, as Clover's own example `expand=lineItems.taxRates` does. Every nested
 * `{elements}` collection is cut to 100 entries, since Clover caps nested collections and cannot page
 * them. Fields no spec names are sent as stored.
 */

export type JsonObject = Record<string, unknown>;

export interface Expandable {
  kind: "collection" | "object";
  children?: ExpansionSpec;
}

export type ExpansionSpec = Readonly<Record<string, Expandable>>;

const NESTED_COLLECTION_CAP = 100;

const collection = (children?: ExpansionSpec): Expandable => (children ? { kind: "collection", children } : { kind: "collection" });
const object = (children?: ExpansionSpec): Expandable => (children ? { kind: "object", children } : { kind: "object" });

export const LINE_ITEM_EXPANSIONS: ExpansionSpec = {
  discounts: collection(),
  modifications: collection(),
  taxRates: collection(),
};

export const PAYMENT_EXPANSIONS: ExpansionSpec = {
  tender: object(),
  cardTransaction: object(),
  order: object(),
  refunds: collection(),
};

export const REFUND_EXPANSIONS: ExpansionSpec = {
  payment: object(),
  overrideMerchantTender: object(),
};

const CREDIT_EXPANSIONS: ExpansionSpec = { tender: object() };

/** The order's expandable fields (reference/clover.md §2.2), nested ones two levels deep. */
export const ORDER_EXPANSIONS: ExpansionSpec = {
  lineItems: collection(LINE_ITEM_EXPANSIONS),
  discounts: collection(),
  serviceCharge: object(),
  payments: collection({ tender: object(), cardTransaction: object() }),
  refunds: collection(REFUND_EXPANSIONS),
  credits: collection(CREDIT_EXPANSIONS),
  voids: collection(),
  customers: collection(),
  employee: object(),
  orderType: object(),
};

export const ITEM_EXPANSIONS: ExpansionSpec = {
  categories: collection(),
  tags: collection(),
  taxRates: collection(),
  modifierGroups: collection(),
};

export const CATEGORY_EXPANSIONS: ExpansionSpec = { items: collection() };

export const MERCHANT_EXPANSIONS: ExpansionSpec = { properties: object() };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The entries of a `{elements: [...]}` collection (empty for anything else). */
export function elementsOf(value: unknown): JsonObject[] {
  const elements = isObject(value) ? value["elements"] : undefined;
  return Array.isArray(elements) ? elements.filter(isObject) : [];
}

/** Every path `expand` may name: the spec's fields, and each child as `parent.child`. */
export function expandablePaths(spec: ExpansionSpec): string[] {
  return Object.entries(spec).flatMap(([field, expandable]) => [
    field,
    ...Object.keys(expandable.children ?? {}).map((child) => `${field}.${child}`),
  ]);
}

function isExpanded(path: string, expand: ReadonlySet<string>): boolean {
  if (expand.has(path)) return true;
  for (const asked of expand) if (asked.startsWith(`${path}.`)) return true;
  return false;
}

/** The body as Clover sends it for `expand` (without the nested cap; see capNestedCollections). */
export function render(body: JsonObject, spec: ExpansionSpec, expand: ReadonlySet<string>, prefix = ""): JsonObject {
  const out: JsonObject = {};
  for (const [field, value] of Object.entries(body)) {
    const expandable = spec[field];
    if (!expandable) {
      out[field] = value;
      continue;
    }
    const path = `${prefix}${field}`;
    if (!isExpanded(path, expand)) {
      // Not asked for: a collection is left out, an object shrinks to its reference.
      const id = isObject(value) ? value["id"] : undefined;
      if (expandable.kind === "object" && typeof id === "string") out[field] = { id };
      continue;
    }
    const children = expandable.children ?? {};
    if (expandable.kind === "collection") {
      out[field] = { ...(isObject(value) ? value : {}), elements: elementsOf(value).map((element) => render(element, children, expand, `${path}.`)) };
    } else {
      out[field] = isObject(value) ? render(value, children, expand, `${path}.`) : value;
    }
  }
  return out;
}

/** Cuts every `{elements}` collection inside `body` (not `body` itself) to Clover's nested cap. */
export function capNestedCollections(body: JsonObject): JsonObject {
  const cap = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(cap);
    if (!isObject(value)) return value;
    const out: JsonObject = {};
    for (const [key, inner] of Object.entries(value)) {
      out[key] = key === "elements" && Array.isArray(inner) ? inner.slice(0, NESTED_COLLECTION_CAP).map(cap) : cap(inner);
    }
    return out;
  };
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(body)) out[key] = cap(value);
  return out;
}

/**
 * Checks that a body handed to the simulator is shaped as Clover's: each expandable collection present
 * is `{elements: object[]}` and each expandable object is an object, all the way down.
 */
export function checkShape(body: JsonObject, spec: ExpansionSpec, where: string): void {
  for (const [field, expandable] of Object.entries(spec)) {
    const value = body[field];
    if (value === undefined) continue;
    const path = `${where}.${field}`;
    if (expandable.kind === "object") {
      if (!isObject(value)) throw new Error(`${path} must be an object`);
      checkShape(value, expandable.children ?? {}, path);
      continue;
    }
    const elements = isObject(value) ? value["elements"] : undefined;
    if (!Array.isArray(elements) || !elements.every(isObject)) throw new Error(`${path} must be {elements: [objects]}, as Clover wraps collections`);
    elements.forEach((element, i) => {
      checkShape(element, expandable.children ?? {}, `${path}.elements[${i}]`);
    });
  }
}
