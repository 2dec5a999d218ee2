/**
 * BatchRetrieveCatalogObjects (POST /v2/catalog/batch-retrieve). Related objects go one level deep, as
 * on Square (reference/square.md §2.4): a variation brings its item, an item brings its categories and
 * taxes, never the item's categories for a variation. Unknown ids are simply absent from the answer.
 */
import { isObject, type JsonObject, optionalBoolean, optionalInteger, rejectUnknownFields, stringArray } from "./request-checks";
import type { SquareData } from "./store";

/** Square documents no maximum; the simulator refuses absurd batches rather than guess one lower. */
const MAX_OBJECT_IDS = 1000;

function idOf(value: unknown): string[] {
  return isObject(value) && typeof value["id"] === "string" ? [value["id"]] : [];
}

function relatedIds(object: JsonObject): string[] {
  if (object["type"] === "ITEM_VARIATION" && isObject(object["item_variation_data"])) {
    const itemId = object["item_variation_data"]["item_id"];
    return typeof itemId === "string" ? [itemId] : [];
  }
  if (object["type"] === "ITEM" && isObject(object["item_data"])) {
    const item = object["item_data"];
    const categories = Array.isArray(item["categories"]) ? item["categories"].flatMap(idOf) : [];
    const legacyCategory = typeof item["category_id"] === "string" ? [item["category_id"]] : [];
    const taxes = Array.isArray(item["tax_ids"]) ? item["tax_ids"].filter((id): id is string => typeof id === "string") : [];
    return [...idOf(item["reporting_category"]), ...categories, ...legacyCategory, ...taxes];
  }
  return [];
}

export function batchRetrieveCatalogObjects(data: SquareData, merchantId: string, body: JsonObject): JsonObject {
  rejectUnknownFields(
    body,
    ["object_ids", "include_related_objects", "catalog_version", "include_deleted_objects", "include_category_path_to_root"],
    "",
  );
  const ids = [...new Set(stringArray(body["object_ids"], "object_ids", 1, MAX_OBJECT_IDS))];
  const includeRelated = optionalBoolean(body["include_related_objects"], "include_related_objects") ?? false;
  const includeDeleted = optionalBoolean(body["include_deleted_objects"], "include_deleted_objects") ?? false;
  // The simulator keeps one version of the catalog: a requested catalog_version is checked and served from it.
  optionalInteger(body["catalog_version"], "catalog_version", 0, Number.MAX_SAFE_INTEGER);
  optionalBoolean(body["include_category_path_to_root"], "include_category_path_to_root");

  const visible = (id: string): JsonObject[] => {
    const object = data.catalogObject(merchantId, id);
    return object && (includeDeleted || object["is_deleted"] !== true) ? [object] : [];
  };
  const objects = ids.flatMap(visible);
  const returned = new Set(objects.map((object) => String(object["id"])));
  const related = includeRelated
    ? [...new Set(objects.flatMap(relatedIds))].filter((id) => !returned.has(id)).flatMap(visible)
    : [];
  return {
    ...(objects.length ? { objects } : {}),
    ...(related.length ? { related_objects: related } : {}),
  };
}
