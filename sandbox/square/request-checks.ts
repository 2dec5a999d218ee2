/**
 * Checks of request fields for the Square simulator, each failing with the 400 error and code Square
 * uses (INVALID_REQUEST_ERROR with EXPECTED_*, INVALID_ENUM_VALUE, INVALID_TIME, ...) and the field's path.
 */
import { invalidRequest } from "./api-error";

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Parses a JSON request body; Square wants an object. */
export function parseJsonBody(text: string): JsonObject {
  let body: unknown;
  try {
    body = text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    throw invalidRequest("EXPECTED_JSON_BODY", "The request body is not valid JSON.");
  }
  if (!isObject(body)) throw invalidRequest("EXPECTED_JSON_BODY", "The request body must be a JSON object.");
  return body;
}

/** Null and absent are the same to Square: the field is unset. */
export function optionalObject(value: unknown, field: string): JsonObject | undefined {
  if (value == null) return undefined;
  if (!isObject(value)) throw invalidRequest("EXPECTED_OBJECT", `Expected \`${field}\` to be an object.`, field);
  return value;
}

/**
 * Fields this simulator does not know. Square ignores some unknown fields, but a simulator that silently
 * ignored a misspelt filter would hide a client's bug, so it refuses them.
 */
export function rejectUnknownFields(object: JsonObject, known: readonly string[], path: string): void {
  for (const key of Object.keys(object)) {
    if (!known.includes(key)) {
      const field = path ? `${path}.${key}` : key;
      throw invalidRequest("BAD_REQUEST", `Unrecognized field \`${field}\`.`, field);
    }
  }
}

export function optionalString(value: unknown, field: string): string | undefined {
  if (value == null) return undefined;
  if (typeof value !== "string") throw invalidRequest("EXPECTED_STRING", `Expected \`${field}\` to be a string.`, field);
  return value;
}

export function optionalBoolean(value: unknown, field: string): boolean | undefined {
  if (value == null) return undefined;
  if (typeof value !== "boolean") throw invalidRequest("EXPECTED_BOOLEAN", `Expected \`${field}\` to be a boolean.`, field);
  return value;
}

export function optionalInteger(value: unknown, field: string, min: number, max: number): number | undefined {
  if (value == null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw invalidRequest("EXPECTED_INTEGER", `Expected \`${field}\` to be an integer.`, field);
  }
  if (value < min) throw invalidRequest("VALUE_TOO_LOW", `\`${field}\` must be at least ${min}; got ${value}.`, field);
  if (value > max) throw invalidRequest("VALUE_TOO_HIGH", `\`${field}\` must be at most ${max}; got ${value}.`, field);
  return value;
}

export function enumValue<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    throw invalidRequest(
      "INVALID_ENUM_VALUE",
      `\`${field}\` must be one of ${allowed.join(", ")}; got ${JSON.stringify(value)}.`,
      field,
    );
  }
  return value as T;
}

export function stringArray(value: unknown, field: string, min: number, max: number): string[] {
  if (value == null) {
    if (min > 0) throw invalidRequest("MISSING_REQUIRED_PARAMETER", `\`${field}\` is required.`, field);
    return [];
  }
  if (!Array.isArray(value)) throw invalidRequest("EXPECTED_ARRAY", `Expected \`${field}\` to be an array.`, field);
  if (value.length < min) {
    throw invalidRequest("ARRAY_LENGTH_TOO_SHORT", `\`${field}\` must have at least ${min} element(s).`, field);
  }
  if (value.length > max) {
    throw invalidRequest("ARRAY_LENGTH_TOO_LONG", `\`${field}\` must have at most ${max} elements; got ${value.length}.`, field);
  }
  return value.map((item, index) => {
    if (typeof item !== "string") throw invalidRequest("EXPECTED_STRING", `Expected \`${field}[${index}]\` to be a string.`, field);
    return item;
  });
}

/** An RFC 3339 timestamp with an explicit offset, as Square requires; epoch milliseconds. */
export function optionalTimestamp(value: unknown, field: string): number | undefined {
  const text = optionalString(value, field);
  if (text === undefined) return undefined;
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw invalidRequest("INVALID_TIME", `\`${field}\` must be an RFC 3339 timestamp; got ${JSON.stringify(text)}.`, field);
  }
  return ms;
}

export function checkTimeRange(startMs: number | undefined, endMs: number | undefined, field: string): void {
  if (startMs !== undefined && endMs !== undefined && startMs > endMs) {
    throw invalidRequest("INVALID_TIME_RANGE", `\`${field}\`: the start is after the end.`, field);
  }
}
