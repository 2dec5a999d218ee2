/**
 * Clover's inventory, reduced to what the summary needs: the category each item is reported under.
 * Built from `{elements: Item[]}` pages with `categories` expanded, deleted items included, since old
 * orders refer to deleted items.
 *
 * An item may be in no category or in several (reference/clover.md §2.5). daybook reports it under
 * one, chosen deterministically: the first by `sortOrder` (a category without one sorts last), then by
 * id; categories Clover marks deleted only when the item has no other. No category: Uncategorized.
 */
import { checkInPlace, inPlaceGuard } from "../../check-in-place";
import { describeIssues } from "../../validation";
import { type CategoryRef, UNCATEGORIZED } from "../category-ref";
import { CloverDataError } from "./errors";
import { type CloverCategory, elements, itemSchema, listPageSchema } from "./schemas";

function compareCategories(a: CloverCategory, b: CloverCategory): number {
  if ((a.deleted ?? false) !== (b.deleted ?? false)) return a.deleted ? 1 : -1;
  const orderA = a.sortOrder ?? Number.POSITIVE_INFINITY;
  const orderB = b.sortOrder ?? Number.POSITIVE_INFINITY;
  if (orderA !== orderB) return orderA < orderB ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

const isItem = inPlaceGuard(itemSchema);

export class CloverItemCategories {
  /** Every category each item was listed with, across all pages (an item paged twice counts once). */
  private readonly categoriesOfItem = new Map<string, Map<string, CloverCategory>>();
  /** categoryOf's answers, kept until another page comes (every order line asks). */
  private readonly chosen = new Map<string, CategoryRef>();

  static fromItemPages(bodies: readonly unknown[]): CloverItemCategories {
    const categories = new CloverItemCategories();
    for (const body of bodies) categories.addItemsPage(body);
    return categories;
  }

  addItemsPage(body: unknown): void {
    // Checked where they lie, nothing copied (lib/validation.ts says why).
    const page = checkInPlace(listPageSchema, body, (error) => new CloverDataError(describeIssues(error, "the items page")));
    this.chosen.clear();
    for (let index = 0; index < page.elements.length; index++) {
      const raw = page.elements[index];
      const item = isItem(raw) ? raw : checkInPlace(itemSchema, raw, (error) => {
        const id = (raw as { id?: unknown } | null)?.id;
        return new CloverDataError(describeIssues(error, `item ${typeof id === "string" ? id : `#${index + 1}`}`));
      });
      const known = this.categoriesOfItem.get(item.id) ?? new Map<string, CloverCategory>();
      for (const category of elements(item.categories)) known.set(category.id, category);
      this.categoriesOfItem.set(item.id, known);
    }
  }

  /** Undefined when no item page holds the item: the caller counts it as Uncategorized and says so. */
  categoryOf(itemId: string): CategoryRef | undefined {
    const known = this.chosen.get(itemId);
    if (known) return known;
    const categories = this.categoriesOfItem.get(itemId);
    if (!categories) return undefined;
    const [first] = [...categories.values()].sort(compareCategories);
    const chosen = first ? { id: first.id, name: first.name ?? first.id } : UNCATEGORIZED;
    this.chosen.set(itemId, chosen);
    return chosen;
  }
}
