/**
 * Warnings once: an item the mapping has no account for (a category, a tender, a tax, ...) is reported
 * in full, with the link that maps it, on the first location-day it appears; every later report only
 * counts it. Each item is remembered per location with the business day it was first reported on, so a
 * job run again for that day (a retry, a redelivery) still reports it in full, and two jobs of the same
 * location at once report it once (the first write wins).
 *
 * An item the merchant left on Default (it was on the mapping page when the mapping was last saved,
 * LocationConfig.mappingSeen) is their choice, not something to fix: it is not reported at all (the
 * entry's lines still show the account it went to). An item the POS gained since then is reported as above.
 *
 * SeenWarningStore is the storage port; lib/store/warnings-seen.ts implements it on the table.
 */
import { leftOnDefault } from "../domain/journal-entry";
import type { Warning } from "../domain/warnings";
import { isUnmapped } from "../domain/warnings";

export interface SeenWarningStore {
  /**
   * Remembers each key as first reported on `businessDay` unless it was remembered before, and answers,
   * for every key given, the business day it was first reported on.
   */
  firstReported(merchantId: string, locationId: string, keys: string[], businessDay: string): Promise<Map<string, string>>;
}

/** What an unmapped warning is about, the same every night. */
export function warningKey(warning: Warning): string {
  return `${warning.code}:${warning.subject ?? warning.message}`;
}

export interface SortedWarnings {
  /** Said in full: every warning that is not about an unmapped item, and the unmapped items new this day. */
  warnings: Warning[];
  /**
   * The warningKeys of the unmapped items first reported on an earlier day (counted only), so that an
   * email covering several days counts each item once, and never one it lists as new.
   */
  repeatedKeys: string[];
  /** The unmapped items first reported this day. */
  newUnmapped: number;
}

export async function sortWarnings(
  store: SeenWarningStore, day: { merchantId: string; locationId: string; businessDay: string }, all: Warning[],
  mappingSeen: readonly string[] = [],
): Promise<SortedWarnings> {
  const seen = new Set(mappingSeen);
  const warnings = all.filter((warning) => !leftOnDefault(warning, seen));
  const unmapped = warnings.filter(isUnmapped);
  if (unmapped.length === 0) return { warnings, repeatedKeys: [], newUnmapped: 0 };
  const firsts = await store.firstReported(day.merchantId, day.locationId, [...new Set(unmapped.map(warningKey))], day.businessDay);
  const isNew = (warning: Warning) => (firsts.get(warningKey(warning)) ?? day.businessDay) === day.businessDay;
  const kept = warnings.filter((warning) => !isUnmapped(warning) || isNew(warning));
  const repeatedKeys = unmapped.filter((warning) => !isNew(warning)).map(warningKey);
  return { warnings: kept, repeatedKeys, newUnmapped: unmapped.length - repeatedKeys.length };
}
