/**
 * When QuickBooks says a company's chart of accounts changed (its account webhook), the names of the
 * accounts its locations map are read again: one read of the chart per connection, however many
 * locations post to it, and only for a company daybook posts to. No night reads the chart for this.
 */
import type { Connection } from "../model";
import type { QuickBooksAccount } from "../quickbooks/types";
import type { Store } from "../store/store";
import { captureAccountLabels } from "./account-labels";

export interface RefreshLabelsPorts {
  store: Pick<Store, "listLocations" | "refreshAccountLabels">;
  readChart(connection: Connection): Promise<QuickBooksAccount[]>;
}

/**
 * Refreshes the account names of every location posting through the connection; returns how many were
 * written. A location saved meanwhile is left alone (the write is conditional): its save captured them.
 */
export async function refreshAccountLabelsOf(ports: RefreshLabelsPorts, connection: Connection): Promise<number> {
  const locations = (await ports.store.listLocations(connection.merchantId)).filter((location) => location.quickbooksConnectionId === connection.connectionId);
  if (locations.length === 0) return 0;
  const chart = await ports.readChart(connection);
  let written = 0;
  for (const location of locations) {
    if (await ports.store.refreshAccountLabels(location, captureAccountLabels(chart, location.mapping, location.accountLabels))) written++;
  }
  return written;
}
