/**
 * ListCatalog (GET /v2/catalog/list): the merchant's catalog objects of the asked types (`types`,
 * comma-separated CatalogObjectType values; every type when absent), never the deleted ones, in pages
 * of 100 ordered by id, with an opaque cursor bound to the query.
 */
import { invalidRequest } from "./api-error";
import { type CursorCodec, pageOf, queryFingerprint } from "./paging";
import type { JsonObject } from "./request-checks";
import type { SquareData } from "./store";

const PAGE_SIZE = 100;
const KNOWN_PARAMS = new Set(["cursor", "types", "catalog_version"]);
const OBJECT_TYPES = new Set([
  "ITEM", "IMAGE", "CATEGORY", "ITEM_VARIATION", "TAX", "DISCOUNT", "MODIFIER_LIST", "MODIFIER", "PRICING_RULE", "PRODUCT_SET", "TIME_PERIOD",
  "MEASUREMENT_UNIT", "SUBSCRIPTION_PLAN_VARIATION", "ITEM_OPTION", "ITEM_OPTION_VAL", "CUSTOM_ATTRIBUTE_DEFINITION", "QUICK_AMOUNTS_SETTINGS",
  "SUBSCRIPTION_PLAN", "AVAILABILITY_PERIOD",
]);

export function listCatalog(data: SquareData, cursors: CursorCodec, merchantId: string, params: Readonly<Record<string, string>>): JsonObject {
  for (const name of Object.keys(params)) {
    if (!KNOWN_PARAMS.has(name)) throw invalidRequest("INVALID_VALUE", `Unknown query parameter ${name}.`, name);
  }
  const { cursor: cursorText, ...rest } = params;
  const types = rest["types"] === undefined ? undefined : new Set(rest["types"].split(",").map((type) => type.trim().toUpperCase()).filter((type) => type !== ""));
  for (const type of types ?? []) {
    if (!OBJECT_TYPES.has(type)) throw invalidRequest("INVALID_ENUM_VALUE", `${type} is not a catalog object type.`, "types");
  }
  if (rest["catalog_version"] !== undefined && !/^\d+$/.test(rest["catalog_version"])) {
    throw invalidRequest("INVALID_VALUE", "catalog_version must be an integer.", "catalog_version");
  }
  const fingerprint = queryFingerprint("ListCatalog", merchantId, rest);
  const cursor = cursorText ? cursors.decode(cursorText, fingerprint) : undefined;
  const objects = data.catalogObjects(merchantId).filter((object) => object["is_deleted"] !== true && (types === undefined || types.has(String(object["type"]))));
  const page = pageOf(objects, (object) => ({ at: 0, id: String(object["id"]) }), "ASC", cursor?.after, PAGE_SIZE);
  return {
    ...(page.items.length ? { objects: page.items } : {}),
    ...(page.next ? { cursor: cursors.encode(fingerprint, { after: page.next, pinnedNow: 0 }) } : {}),
  };
}
