/**
 * The category a sold line is reported under, and the two pseudo-categories every POS shares, so a
 * merchant's mapping of "uncategorized" or "custom-amounts" means the same thing for Square and Clover.
 */
export interface CategoryRef {
  id: string;
  name: string;
}

/** Items the POS knows but that belong to no category (or that the catalog no longer holds). */
export const UNCATEGORIZED: CategoryRef = { id: "uncategorized", name: "Uncategorized" };
/** Lines rung up as an amount with no item behind them (Square custom amounts, Clover manual transactions). */
export const CUSTOM_AMOUNTS: CategoryRef = { id: "custom-amounts", name: "Custom amounts" };
