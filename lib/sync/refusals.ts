/**
 * QuickBooks refused a day's entry because something it names changed in QuickBooks: an account made
 * inactive or deleted (2500, 610), or the location's QuickBooks Location or Class (a ClassRef or
 * DepartmentRef refused: inactive, unknown, or no longer tracked by the company's preferences).
 *
 * For an account, the sync then reads the chart of accounts once (never on a night QuickBooks takes
 * the entry), refreshes the location's account names from it (lib/locations/account-labels.ts), and
 * the failure names the accounts the chart no longer lists, with the lines that use them, and what to
 * do. For a Location or Class, the failure names the tag and says where to choose another.
 *
 * A refused create created nothing (QuickBooks replays a requestid it accepted before), so the entry
 * daybook had claimed is void: the next run builds it again from the mapping as it is then.
 */
import { accountLabel } from "../domain/account-label";
import type { EntryLine } from "../domain/journal-entry";
import { captureAccountLabels } from "../locations/account-labels";
import type { LocationConfig } from "../model";
import { QuickBooksError, type QuickBooksClient } from "../quickbooks/types";
import type { Store } from "../store/store";

const ACCOUNT_CODES = new Set(["2500", "610"]);
const TAG_ELEMENTS = new Set(["DepartmentRef", "ClassRef"]);

/** The refusal concerns an account (or names nothing more precise) and the company's chart should be re-read. */
export function isAccountRefusal(error: unknown): error is QuickBooksError {
  return error instanceof QuickBooksError && ACCOUNT_CODES.has(error.details.code ?? "") && !TAG_ELEMENTS.has(error.details.element ?? "");
}

/** The refusal names the entry's Location (DepartmentRef) or Class (ClassRef). */
export function isTagRefusal(error: unknown): error is QuickBooksError {
  return error instanceof QuickBooksError && error.kind !== "retryable" && error.kind !== "needs-reconnect" && TAG_ELEMENTS.has(error.details.element ?? "");
}

const tid = (error: QuickBooksError) => (error.details.intuitTid ? ` [intuit_tid ${error.details.intuitTid}]` : "");
const reference = (error: QuickBooksError) => (error.details.code ? `error ${error.details.code}` : `HTTP ${String(error.details.status ?? 400)}`);

function listOf(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items.at(-1) ?? ""}`;
}

export interface RefusalPorts {
  store: Pick<Store, "refreshAccountLabels">;
  /** Logs why the chart could not be read; the failure still goes out in QuickBooks' own words. */
  onChartUnreadable?(error: unknown): void;
}

/**
 * After an account refusal: reads the chart once, keeps the location's account names up to date, and
 * says which of the entry's accounts QuickBooks no longer has active. Returns the sentence for the
 * day's failure.
 */
export async function explainAccountRefusal(
  ports: RefusalPorts, quickbooks: Pick<QuickBooksClient, "listActiveAccounts">, location: LocationConfig, lines: readonly Pick<EntryLine, "accountId" | "description">[], error: QuickBooksError,
): Promise<string> {
  let chart;
  try {
    chart = await quickbooks.listActiveAccounts();
  } catch (readError) {
    ports.onChartUnreadable?.(readError);
    return error.message;
  }
  const labels = captureAccountLabels(chart, location.mapping, location.accountLabels);
  await ports.store.refreshAccountLabels(location, labels);

  const active = new Set(chart.map((account) => account.id));
  const usedBy = new Map<string, string[]>();
  for (const line of lines) {
    if (active.has(line.accountId)) continue;
    const descriptions = usedBy.get(line.accountId) ?? [];
    if (!descriptions.includes(line.description)) descriptions.push(line.description);
    usedBy.set(line.accountId, descriptions);
  }
  if (usedBy.size === 0) {
    return `QuickBooks refused the entry because something it names is inactive or no longer exists (${reference(error)}), though every account it uses is active. ` +
      `Check the QuickBooks Location and Class chosen for this location on the locations page.${tid(error)}`;
  }
  const named = [...usedBy].map(([id, descriptions]) => `${accountLabel(id, labels)} (${descriptions.join(", ")})`);
  const one = usedBy.size === 1;
  return `QuickBooks refused the entry because ${one ? "the account" : "the accounts"} ${listOf(named)} ${one ? "is" : "are"} no longer active in QuickBooks: ` +
    `made inactive or deleted (${reference(error)}). Make ${one ? "it" : "them"} active again in QuickBooks, or map another account on this location's mapping page.${tid(error)}`;
}

/** The sentence for the day's failure when QuickBooks refused something the entry names (an account, its Location or Class); undefined for any other failure. */
export async function explainRefusal(
  ports: RefusalPorts, quickbooks: Pick<QuickBooksClient, "listActiveAccounts">, location: LocationConfig, lines: readonly Pick<EntryLine, "accountId" | "description">[], error: QuickBooksError,
): Promise<string | undefined> {
  if (isAccountRefusal(error)) return explainAccountRefusal(ports, quickbooks, location, lines, error);
  return isTagRefusal(error) ? explainTagRefusal(location, error) : undefined;
}

/** After a Location or Class refusal: the sentence for the day's failure, naming the tag. */
export function explainTagRefusal(location: LocationConfig, error: QuickBooksError): string {
  const isClass = error.details.element === "ClassRef";
  const tag = isClass ? location.quickBooksTags?.class : location.quickBooksTags?.location;
  const what = `${isClass ? "Class" : "Location"}${tag ? ` "${tag.name}"` : ""}`;
  return `QuickBooks refused the entry's ${what}: it is inactive or no longer exists, or the company no longer tracks ${isClass ? "classes" : "locations"} (${reference(error)}). ` +
    `Choose another on the locations page, or none.${tid(error)}`;
}
