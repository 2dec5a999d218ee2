/**
 * Square's catalog, reduced to what the summary needs: which reporting category a sold item
 * variation belongs to. Built from BatchRetrieveCatalogObjects responses (variations with their
 * related items, then the items' categories), deleted objects included, since old orders refer to
 * deleted and renamed items.
 */
import { checkInPlace } from "../../check-in-place";
import { describeIssues } from "../../validation";
import { type CategoryRef, UNCATEGORIZED } from "../category-ref";
import { batchRetrieveCatalogPageSchema, type SquareCatalogObject } from "./schemas";
import { SquareDataError } from "./errors";

export { type CategoryRef, CUSTOM_AMOUNTS, UNCATEGORIZED } from "../category-ref";

/** categoryOf's kept answer for an object the catalog does not hold (one lookup per line rather than two). */
const UNKNOWN: CategoryRef = { id: "", name: "" };

export class SquareCatalog {
  private readonly itemOfVariation = new Map<string, string>();
  private readonly categoryOfItem = new Map<string, string | null>();
  private readonly categoryNames = new Map<string, string>();
  /** categoryOf's answers, kept until another response comes (every sold line asks); UNKNOWN for none. */
  private readonly answers = new Map<string, CategoryRef>();

  static fromResponses(bodies: readonly unknown[]): SquareCatalog {
    const catalog = new SquareCatalog();
    for (const body of bodies) catalog.addResponse(body);
    return catalog;
  }

  addResponse(body: unknown): void {
    // Checked where it lies, nothing copied (lib/validation.ts says why).
    const page = checkInPlace(batchRetrieveCatalogPageSchema, body, (error) =>
      new SquareDataError(describeIssues(error, "the BatchRetrieveCatalogObjects response")));
    this.answers.clear();
    for (const object of page.objects ?? []) this.addObject(object);
    for (const object of page.related_objects ?? []) this.addObject(object);
  }

  private addObject(object: SquareCatalogObject): void {
    if (object.type === "ITEM_VARIATION" && object.item_variation_data?.item_id) {
      this.itemOfVariation.set(object.id, object.item_variation_data.item_id);
    } else if (object.type === "ITEM") {
      const item = object.item_data;
      const category = item?.reporting_category?.id ?? item?.categories?.[0]?.id ?? item?.category_id ?? null;
      this.categoryOfItem.set(object.id, category);
    } else if (object.type === "CATEGORY") {
      this.categoryNames.set(object.id, object.category_data?.name ?? object.id);
    }
  }

  /** Whether the catalog holds an object (variation, item or category) with this id. */
  has(id: string): boolean {
    return this.itemOfVariation.has(id) || this.categoryOfItem.has(id) || this.categoryNames.has(id);
  }

  /** Item ids the variations point at that the catalog does not hold yet (for a second retrieve). */
  missingItemIds(): string[] {
    return [...new Set(this.itemOfVariation.values())].filter((id) => !this.categoryOfItem.has(id));
  }

  /** Category ids the items point at that the catalog does not hold yet. */
  missingCategoryIds(): string[] {
    const ids = [...this.categoryOfItem.values()].filter((id): id is string => id !== null);
    return [...new Set(ids)].filter((id) => !this.categoryNames.has(id));
  }

  /**
   * The category of a line's catalog object (an item variation, or an item). Undefined when the
   * catalog does not know the object: the caller counts it as uncategorised and says so.
   */
  categoryOf(catalogObjectId: string): CategoryRef | undefined {
    const known = this.answers.get(catalogObjectId);
    if (known !== undefined) return known === UNKNOWN ? undefined : known;
    const answer = this.lookUp(catalogObjectId);
    this.answers.set(catalogObjectId, answer ?? UNKNOWN);
    return answer;
  }

  private lookUp(catalogObjectId: string): CategoryRef | undefined {
    const itemId = this.itemOfVariation.get(catalogObjectId) ?? catalogObjectId;
    const categoryId = this.categoryOfItem.get(itemId);
    if (categoryId === undefined) return undefined;
    if (categoryId === null) return UNCATEGORIZED;
    return { id: categoryId, name: this.categoryNames.get(categoryId) ?? categoryId };
  }
}
