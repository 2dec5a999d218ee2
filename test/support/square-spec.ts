/**
 * Validates JSON bodies against Square's official OpenAPI 3.0 spec (../shared/specs/square/api.json).
 *
 * Recipe: ../shared/reference/square.md §6.3. The spec is converted once per test file (module instance) into
 * plain JSON Schema that Ajv 8 understands, and each schema is compiled lazily on first use and cached:
 *   1. add the referenced-but-undefined enum `CatalogModifierToggleOverrideType`;
 *   2. OpenAPI `nullable: true` → `anyOf [..., {type:"null"}]` / `type: [T, "null"]` (+ `null` in `enum`);
 *   3. strict mode: `additionalProperties: false` on every object schema with `properties` (misspelled fields fail),
 *      except schemas taking part in `allOf` composition (the spec currently has none) – see `allOfTargets`;
 *   4. `required` names that the schema does not declare as properties are dropped (the spec's `RiskEvaluation`
 *      requires `status` but has no such property, so strict mode could never accept it);
 *   5. annotations (`description`, `example`, `readOnly`, `x-*`, ...) are stripped.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";

export type SquareSchemaName =
  | "SearchOrdersResponse"
  | "BatchRetrieveCatalogObjectsResponse"
  | "ListPaymentsResponse"
  | "ListPaymentRefundsResponse"
  | "Order"
  | "ListLocationsResponse"
  | "ObtainTokenResponse"
  | "RevokeTokenResponse"
  | "Error"
  | (string & Record<never, never>); // any other schema name; the intersection keeps editor completion for the above

const SPEC_URL = new URL("../../../shared/specs/square/api.json", import.meta.url);
const SCHEMA_PREFIX = "#/components/schemas/";

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Keywords that carry no validation meaning (or OpenAPI-only meaning handled here); dropped from the output. */
const DROPPED = new Set(["nullable", "readOnly", "writeOnly", "description", "example", "examples", "deprecated", "title"]);

/** Sub-schema positions that hold a single schema / a list of schemas / a name→schema map. */
const SINGLE = new Set(["items", "not", "additionalProperties"]);
const LIST = new Set(["allOf", "anyOf", "oneOf"]);

/** Names of component schemas referenced directly from an `allOf` list; closing those would break the composition. */
function allOfTargets(schemas: JsonObject): Set<string> {
  const targets = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const child of node) visit(child);
      return;
    }
    if (!isObject(node)) return;
    const allOf = node["allOf"];
    if (Array.isArray(allOf)) {
      for (const member of allOf) {
        const ref = isObject(member) ? member["$ref"] : undefined;
        if (typeof ref === "string" && ref.startsWith(SCHEMA_PREFIX)) targets.add(ref.slice(SCHEMA_PREFIX.length));
      }
    }
    for (const [key, child] of Object.entries(node)) if (key !== "example" && key !== "examples") visit(child);
  };
  visit(schemas);
  return targets;
}

/**
 * Converts one OpenAPI 3.0 schema object to JSON Schema (draft-07 as Ajv 8 reads it).
 * `close`: add `additionalProperties:false` to object schemas with `properties` (false for allOf members).
 */
function convertSchema(node: unknown, close: boolean): unknown {
  if (!isObject(node)) return node; // boolean schemas, or garbage Ajv will report
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (DROPPED.has(key) || key.startsWith("x-")) continue;
    if (key === "properties" && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, convertSchema(sub, true)]));
    } else if (SINGLE.has(key)) {
      out[key] = convertSchema(value, true);
    } else if (LIST.has(key) && Array.isArray(value)) {
      out[key] = value.map((sub) => convertSchema(sub, key !== "allOf"));
    } else {
      out[key] = value;
    }
  }

  const properties = out["properties"];
  if (isObject(properties)) {
    const required = out["required"];
    if (Array.isArray(required)) out["required"] = required.filter((name) => typeof name === "string" && name in properties);
    if (close && out["additionalProperties"] === undefined && out["allOf"] === undefined) out["additionalProperties"] = false;
  }

  if (node["nullable"] !== true) return out;
  const ref = out["$ref"];
  if (typeof ref === "string") {
    delete out["$ref"];
    return { ...out, anyOf: [{ $ref: ref }, { type: "null" }] };
  }
  const type: unknown = out["type"];
  if (typeof type === "string") out["type"] = [type, "null"];
  else if (Array.isArray(type) && !type.includes("null")) out["type"] = [...(type as unknown[]), "null"];
  const values: unknown = out["enum"];
  if (Array.isArray(values) && !values.includes(null)) out["enum"] = [...(values as unknown[]), null];
  // `nullable` without `type`/`$ref` (e.g. CustomAttribute.value) already accepts anything, null included.
  return out;
}

function convertSpec(schemas: JsonObject): JsonObject {
  const open = allOfTargets(schemas);
  const converted: JsonObject = {};
  for (const [name, schema] of Object.entries(schemas)) converted[name] = convertSchema(schema, !open.has(name));
  // Referenced by CatalogItemModifierListInfo / CatalogModifierOverride but never defined (values from SDK v46).
  converted["CatalogModifierToggleOverrideType"] ??= { type: "string", enum: ["NO", "YES", "NOT_SET"] };
  return converted;
}

function loadSpec(): Ajv {
  const spec: unknown = JSON.parse(readFileSync(fileURLToPath(SPEC_URL), "utf8"));
  const components = isObject(spec) ? spec["components"] : undefined;
  const schemas = isObject(components) ? components["schemas"] : undefined;
  if (!isObject(schemas)) throw new Error(`${SPEC_URL.pathname}: no components.schemas`);

  // validateSchema:false – checking the 3 MB document against the meta-schema up front costs time;
  // each schema actually used is still compiled (and so checked) on first use.
  const ajv = new Ajv({ strict: false, allErrors: true, verbose: true, validateSchema: false });
  addFormats(ajv);
  for (const format of ["int64", "int32", "double", "decimal"]) ajv.addFormat(format, true); // `type` does the checking
  ajv.addSchema({ $id: "square", components: { schemas: convertSpec(schemas) } });
  return ajv;
}

let ajvInstance: Ajv | undefined;
const validators = new Map<string, ValidateFunction>();

function validatorFor(schema: SquareSchemaName): ValidateFunction {
  let validate = validators.get(schema);
  if (validate) return validate;
  ajvInstance ??= loadSpec();
  validate = ajvInstance.getSchema(`square${SCHEMA_PREFIX}${schema}`);
  if (!validate) throw new Error(`Square spec has no schema named ${JSON.stringify(schema)}`);
  validators.set(schema, validate);
  return validate;
}

function formatError(error: ErrorObject): string {
  const path = error.instancePath === "" ? "/" : error.instancePath;
  const params: JsonObject = error.params;
  let detail = "";
  if (error.keyword === "additionalProperties") detail = ` (${String(params["additionalProperty"])})`;
  else if (error.keyword === "enum") detail = ` (${JSON.stringify(params["allowedValues"])}, got ${JSON.stringify(error.data)})`;
  return `${path}: ${error.message ?? error.keyword}${detail}`;
}

/**
 * Drops the noise of the `anyOf [X, {type:"null"}]` wrappers made from `nullable`: the "must be null" branch error,
 * and the "must match a schema in anyOf" summary when a more specific error about the same value is kept.
 */
function withoutNullableNoise(errors: ErrorObject[]): ErrorObject[] {
  const kept = errors.filter((error) => !(error.keyword === "type" && error.schema === "null"));
  return kept.filter(
    (error) =>
      error.keyword !== "anyOf" ||
      !kept.some(
        (other) =>
          other !== error &&
          (other.instancePath === error.instancePath || other.instancePath.startsWith(`${error.instancePath}/`)),
      ),
  );
}

/** Returns a list of human-readable problems ("/orders/0/line_items/0/quantity: must be string"), empty when valid. */
export function squareSpecProblems(schema: SquareSchemaName, body: unknown): string[] {
  const validate = validatorFor(schema);
  if (validate(body)) return [];
  return [...new Set(withoutNullableNoise(validate.errors ?? []).map(formatError))];
}
