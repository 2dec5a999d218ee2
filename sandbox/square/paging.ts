/**
 * Sorting and cursor paging for the Square simulator's list and search endpoints.
 *
 * A cursor is opaque and signed, and carries a fingerprint of the query it was made for, so a cursor
 * sent with any other query fails with INVALID_CURSOR, as Square's does. Pages are keyset pages (each
 * starts strictly after the last item of the previous one, by sort time then id): an order updated
 * while a client pages moves to the end and may come twice, but nothing is ever skipped.
 */
import { createHash, createHmac, randomBytes } from "node:crypto";
import { invalidRequest } from "./api-error";

export type SortOrder = "ASC" | "DESC";

export interface SortKey {
  at: number;
  id: string;
}

interface CursorPayload {
  /** Fingerprint of the query. */
  f: string;
  /** The last item's sort key. */
  a: number;
  i: string;
  /** The "now" of the first page, which defaults such as a missing end time stay pinned to. */
  n: number;
}

export interface CursorState {
  after: SortKey;
  pinnedNow: number;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The fingerprint of a query: what a cursor is bound to. */
export function queryFingerprint(endpoint: string, merchantId: string, query: unknown): string {
  return createHash("sha256").update(canonicalJson({ endpoint, merchantId, query })).digest("base64url").slice(0, 22);
}

export class CursorCodec {
  private readonly secret = randomBytes(32);

  encode(fingerprint: string, state: CursorState): string {
    const payload: CursorPayload = { f: fingerprint, a: state.after.at, i: state.after.id, n: state.pinnedNow };
    const text = Buffer.from(JSON.stringify(payload)).toString("base64url");
    return `${text}.${this.sign(text)}`;
  }

  decode(cursor: string, fingerprint: string): CursorState {
    const [text, signature, extra] = cursor.split(".");
    if (!text || extra !== undefined || signature !== this.sign(text)) {
      throw invalidRequest("INVALID_CURSOR", "The cursor is not valid.", "cursor");
    }
    const payload = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as CursorPayload;
    if (payload.f !== fingerprint) {
      throw invalidRequest("INVALID_CURSOR", "The cursor was issued for a different query; resend the original query with it.", "cursor");
    }
    return { after: { at: payload.a, id: payload.i }, pinnedNow: payload.n };
  }

  private sign(text: string): string {
    return createHmac("sha256", this.secret).update(text).digest("base64url").slice(0, 16);
  }
}

function compareKeys(a: SortKey, b: SortKey): number {
  if (a.at !== b.at) return a.at - b.at;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export interface Page<T> {
  items: T[];
  /** The sort key to continue after, when more items follow. */
  next?: SortKey;
}

export interface SortedEntry<T> {
  item: T;
  key: SortKey;
}

/** Items with their keys, sorted in the given order: what pageAfter pages through. */
export function sortedEntries<T>(items: readonly T[], keyOf: (item: T) => SortKey, order: SortOrder): SortedEntry<T>[] {
  const sign = order === "ASC" ? 1 : -1;
  return items.map((item) => ({ item, key: keyOf(item) })).sort((a, b) => sign * compareKeys(a.key, b.key));
}

/** The page of already sorted entries that starts strictly after `after` (found by binary search). */
export function pageAfter<T>(sorted: readonly SortedEntry<T>[], order: SortOrder, after: SortKey | undefined, limit: number): Page<T> {
  const sign = order === "ASC" ? 1 : -1;
  let low = 0;
  if (after !== undefined) {
    let high = sorted.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (sign * compareKeys((sorted[middle] as SortedEntry<T>).key, after) > 0) high = middle;
      else low = middle + 1;
    }
  }
  const page = sorted.slice(low, low + limit);
  const last = page.at(-1);
  return { items: page.map(({ item }) => item), ...(sorted.length - low > limit && last ? { next: last.key } : {}) };
}

/** Sorts items by key in the given order and returns the page that starts after `after`. */
export function pageOf<T>(items: readonly T[], keyOf: (item: T) => SortKey, order: SortOrder, after: SortKey | undefined, limit: number): Page<T> {
  return pageAfter(sortedEntries(items, keyOf, order), order, after, limit);
}

/**
 * The filtered and sorted result of a query, kept while the data it came from is unchanged, so that
 * paging through N items in pages of L costs one sort rather than N/L of them. Keyed by the owner (the
 * store), the query's fingerprint and whatever else the result depends on (the pinned "now"); an entry
 * is used only while the owner's revision is the one it was made at. A handful of queries are kept,
 * the least recently used dropped first.
 */
export class SortedResults {
  private readonly byOwner = new WeakMap<object, Map<string, { revision: number; sorted: readonly SortedEntry<unknown>[] }>>();

  constructor(private readonly capacity = 8) {}

  get<T>(owner: object, revision: number, key: string, build: () => SortedEntry<T>[]): readonly SortedEntry<T>[] {
    const entries = this.byOwner.get(owner) ?? new Map<string, { revision: number; sorted: readonly SortedEntry<unknown>[] }>();
    this.byOwner.set(owner, entries);
    const cached = entries.get(key);
    entries.delete(key);
    if (cached?.revision === revision) {
      entries.set(key, cached);
      return cached.sorted as readonly SortedEntry<T>[];
    }
    const sorted = build();
    entries.set(key, { revision, sorted });
    for (const oldest of entries.keys()) {
      if (entries.size <= this.capacity) break;
      entries.delete(oldest);
    }
    return sorted;
  }
}
