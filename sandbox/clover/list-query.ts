/**
 * The query parameters of Clover's list endpoints (reference/clover.md §2.1, §2.2, §2.3):
 * - `filter=<field><op><value>`, repeated and ANDed, ops `= != > >= < <=`, on the endpoint's allowed
 *   fields only (400 otherwise; every list answer names them in X-Clover-Allowed-Filter-Fields);
 * - on orders, payments and refunds, time filters (createdTime, modifiedTime, clientCreatedTime) may
 *   span at most 90 days, a missing upper bound meaning now. Clover clamps silently; the simulator
 *   answers 400 so a client that would lose data to the clamp fails loudly in tests;
 * - `limit` 1 to 1000 (default 100) and `offset`;
 * - `expand`, comma-separated, at most 3 fields, each one the endpoint can expand.
 */
import { badRequest } from "./api-error";
import { type ExpansionSpec, expandablePaths, isObject, type JsonObject } from "./expansion";

const ALLOWED_FILTER_FIELDS_HEADER = "X-Clover-Allowed-Filter-Fields";
const MAX_EXPANSIONS = 3;
const MAX_LIMIT = 1000;
const DEFAULT_LIMIT = 100;
const MAX_TIME_RANGE_MS = 90 * 86_400_000;
const TIME_FIELDS: readonly string[] = ["createdTime", "modifiedTime", "clientCreatedTime"];

const OPERATORS = [">=", "<=", "!=", ">", "<", "="] as const;
type Operator = (typeof OPERATORS)[number];

export interface Filter {
  field: string;
  operator: Operator;
  value: string;
}

export interface ListRules {
  filterFields: readonly string[];
  expansions: ExpansionSpec;
  /** Whether the 90-day limit on time filters applies (orders, payments, refunds). */
  ninetyDayLimit: boolean;
}

export interface ListQuery {
  filters: Filter[];
  expand: ReadonlySet<string>;
  limit: number;
  offset: number;
}

function allowedFilterFieldsHeader(rules: Pick<ListRules, "filterFields">): Record<string, string> {
  return { [ALLOWED_FILTER_FIELDS_HEADER]: rules.filterFields.join(",") };
}

function parseFilter(text: string, rules: ListRules): Filter {
  const at = text.search(/[<>=!]/);
  const field = at > 0 ? text.slice(0, at).trim() : "";
  const operator = at > 0 ? OPERATORS.find((op) => text.startsWith(op, at)) : undefined;
  const value = operator ? text.slice(at + operator.length).trim() : "";
  if (!field || !operator || value === "") {
    throw badRequest(`Cannot read the filter "${text}"; write it as <field><operator><value>, e.g. modifiedTime>=1718856000000.`);
  }
  if (!rules.filterFields.includes(field)) {
    throw badRequest(`"${field}" is not a filter field here; see ${ALLOWED_FILTER_FIELDS_HEADER}.`, allowedFilterFieldsHeader(rules));
  }
  return { field, operator, value };
}

function timeValue(filter: Filter): number {
  const value = Number(filter.value);
  if (!Number.isSafeInteger(value)) throw badRequest(`The ${filter.field} filter needs epoch milliseconds, not "${filter.value}".`);
  return value;
}

/** Each time field filtered on must be bounded to at most 90 days, its open upper end being now. */
function checkTimeRanges(filters: readonly Filter[], now: number): void {
  for (const field of TIME_FIELDS) {
    const on = filters.filter((filter) => filter.field === field && filter.operator !== "!=");
    if (on.length === 0) continue;
    let lower = Number.NEGATIVE_INFINITY;
    let upper = now;
    for (const filter of on) {
      const value = timeValue(filter);
      if (filter.operator === ">" || filter.operator === ">=" || filter.operator === "=") lower = Math.max(lower, value);
      if (filter.operator === "<" || filter.operator === "<=" || filter.operator === "=") upper = Math.min(upper, value);
    }
    if (upper - lower > MAX_TIME_RANGE_MS) {
      throw badRequest(`The ${field} filters cover more than 90 days; Clover answers at most 90 days at a time, so ask for shorter ranges.`);
    }
  }
}

function parseInteger(text: string | null, name: string, min: number, max: number, fallback: number): number {
  if (text === null) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw badRequest(`${name} must be an integer from ${min} to ${max}; it is "${text}".`);
  return value;
}

export function parseExpand(params: URLSearchParams, spec: ExpansionSpec): ReadonlySet<string> {
  const asked = new Set(params.getAll("expand").flatMap((value) => value.split(",")).map((field) => field.trim()).filter(Boolean));
  if (asked.size > MAX_EXPANSIONS) {
    throw badRequest(`expand names ${asked.size} fields; Clover expands at most ${MAX_EXPANSIONS} per call.`);
  }
  const known = expandablePaths(spec);
  for (const field of asked) {
    if (!known.includes(field)) throw badRequest(`"${field}" cannot be expanded here; expandable: ${known.join(", ")}.`);
  }
  return asked;
}

export function parseListQuery(params: URLSearchParams, rules: ListRules, now: number): ListQuery {
  const filters = params.getAll("filter").map((text) => parseFilter(text, rules));
  if (rules.ninetyDayLimit) checkTimeRanges(filters, now);
  return {
    filters,
    expand: parseExpand(params, rules.expansions),
    limit: parseInteger(params.get("limit"), "limit", 1, MAX_LIMIT, DEFAULT_LIMIT),
    offset: parseInteger(params.get("offset"), "offset", 0, Number.MAX_SAFE_INTEGER, 0),
  };
}

function valueAt(body: JsonObject, path: string): unknown {
  let value: unknown = body;
  for (const key of path.split(".")) value = isObject(value) ? value[key] : undefined;
  return value;
}

function matches(body: JsonObject, filter: Filter): boolean {
  const actual = valueAt(body, filter.field);
  if (actual === undefined || actual === null) return filter.operator === "!=";
  const wanted = filter.value;
  let order: number;
  if (typeof actual === "number" && Number.isFinite(Number(wanted))) order = Math.sign(actual - Number(wanted));
  else {
    const text = typeof actual === "string" ? actual : JSON.stringify(actual);
    order = text === wanted ? 0 : text < wanted ? -1 : 1;
  }
  switch (filter.operator) {
    case "=": return order === 0;
    case "!=": return order !== 0;
    case ">": return order > 0;
    case ">=": return order >= 0;
    case "<": return order < 0;
    case "<=": return order <= 0;
  }
}

/** Whether a body passes every filter (they are ANDed). */
export function matchesAll(body: JsonObject, filters: readonly Filter[]): boolean {
  return filters.every((filter) => matches(body, filter));
}

export function pageOf<T>(items: readonly T[], query: Pick<ListQuery, "limit" | "offset">): T[] {
  return items.slice(query.offset, query.offset + query.limit);
}

/**
 * Results of list queries kept while the data they came from is unchanged, so that paging through N
 * items in pages of L filters them once rather than N/L times. Keyed by the owner (the store) and a key
 * naming the query; an entry is used only while the owner's revision is the one it was made at. A
 * handful are kept, the least recently used dropped first.
 */
export class QueryResults {
  private readonly byOwner = new WeakMap<object, Map<string, { revision: number; items: readonly unknown[] }>>();

  constructor(private readonly capacity = 8) {}

  get<T>(owner: object, revision: number, key: string, build: () => T[]): readonly T[] {
    const entries = this.byOwner.get(owner) ?? new Map<string, { revision: number; items: readonly unknown[] }>();
    this.byOwner.set(owner, entries);
    const cached = entries.get(key);
    entries.delete(key);
    if (cached?.revision === revision) {
      entries.set(key, cached);
      return cached.items as readonly T[];
    }
    const items = build();
    entries.set(key, { revision, items });
    for (const oldest of entries.keys()) {
      if (entries.size <= this.capacity) break;
      entries.delete(oldest);
    }
    return items;
  }
}

/** A key naming a list query's filters (ANDed, so their order is irrelevant). */
export function filtersKey(filters: readonly Filter[]): string {
  return JSON.stringify(filters.map((filter) => [filter.field, filter.operator, filter.value]).sort());
}

export interface ListAnswer {
  body: { elements: JsonObject[]; href: string };
  headers: Record<string, string>;
}

/** A list endpoint's answer: the page in Clover's envelope, and the allowed filter fields header. */
export function listAnswer(elements: JsonObject[], rules: ListRules, href: string): ListAnswer {
  return { body: { elements, href }, headers: allowedFilterFieldsHeader(rules) };
}
