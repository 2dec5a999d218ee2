/**
 * zod's English messages, one way to turn a validation failure into sentences a person can act on, and
 * validation in place. Modules import zod's mini build themselves (`import * as z from "zod/mini"`), so
 * that a bundle keeps only the parts of zod it uses; this module, which every entry loads through the
 * config, sets the one locale the bundles carry.
 */
import * as z from "zod/mini";
import en from "zod/v4/locales/en.js";

z.config(en());

export function describeIssues(error: z.core.$ZodError, subject: string): string {
  const details = error.issues.slice(0, 5).map((issue) => {
    const path = issue.path.map(String).join(".");
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  const more = error.issues.length > 5 ? ` (and ${error.issues.length - 5} more)` : "";
  return `${subject} is not valid: ${details.join("; ")}${more}`;
}

type Check = (value: unknown) => boolean;
const compiled = new WeakMap<z.core.$ZodType, Check>();

/**
 * A checker for a schema made of objects, arrays, optionals, nullables and leaves that validates a
 * value IN PLACE: zod's own parse always builds a new object for every object and array it passes
 * (even z.looseObject), which for a POS page of a thousand orders is most of the work and most of the
 * garbage. Leaves with refinements (a regex, a minimum) are handed to zod, which copies nothing for a
 * string or a number. Anything that could transform a value (defaults, pipes) cannot be checked in place
 * and is refused when the checker is made, so a schema never silently means something else here.
 */
function checkerOf(schema: z.core.$ZodType): Check {
  const known = compiled.get(schema);
  if (known) return known;
  const def = schema._zod.def as z.core.$ZodTypeDef & Record<string, unknown>;
  let check: Check;
  switch (def.type) {
    case "optional": {
      const inner = lazyChecker(def["innerType"] as z.core.$ZodType);
      check = (value) => value === undefined || inner()(value);
      break;
    }
    case "nullable": {
      const inner = lazyChecker(def["innerType"] as z.core.$ZodType);
      check = (value) => value === null || inner()(value);
      break;
    }
    case "object": {
      // A catchall (strict or loose objects) says something of the other keys: left to zod.
      if (def["catchall"] !== undefined) throw new Error("an object with a catchall cannot be checked in place");
      const fields = Object.entries(def["shape"] as Record<string, z.core.$ZodType>).map(([key, field]) => [key, lazyChecker(field)] as const);
      check = (value) => {
        if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
        const record = value as Record<string, unknown>;
        for (const [key, field] of fields) if (!field()(record[key])) return false;
        return true;
      };
      break;
    }
    case "array": {
      const element = lazyChecker(def["element"] as z.core.$ZodType);
      check = (value) => {
        if (!Array.isArray(value)) return false;
        const each = element();
        for (const item of value) if (!each(item)) return false;
        return true;
      };
      break;
    }
    case "unknown":
    case "any":
      check = () => true;
      break;
    case "string":
    case "number":
    case "boolean":
    case "enum":
    case "literal": {
      const plain = def.type === "string" && def.checks === undefined ? (value: unknown) => typeof value === "string"
        : def.type === "boolean" ? (value: unknown) => typeof value === "boolean"
          : def.type === "number" && (def as { format?: string }).format === "safeint" && def.checks === undefined ? Number.isSafeInteger
            : undefined;
      check = plain ?? ((value) => z.safeParse(schema as z.ZodMiniType, value).success);
      break;
    }
    default:
      throw new Error(`a ${def.type} cannot be checked in place`);
  }
  compiled.set(schema, check);
  return check;
}

/** Schemas may refer to themselves through getters; each is compiled when first reached. */
function lazyChecker(schema: z.core.$ZodType): () => Check {
  let check: Check | undefined;
  return () => (check ??= checkerOf(schema));
}

/**
 * Validates `value` against `schema` without copying it, and returns it typed. On failure, zod parses
 * it to say what is wrong (describeIssues' sentences, exactly as a parse would give them), and
 * `fail` turns that into the caller's error.
 */
export function checkInPlace<T>(schema: z.ZodMiniType<T>, value: unknown, fail: (error: z.core.$ZodError) => Error): T {
  if (checkerOf(schema)(value)) return value as T;
  const parsed = schema.safeParse(value);
  // The in-place check is stricter than zod nowhere; were it ever, zod's answer stands.
  if (parsed.success) return parsed.data;
  throw fail(parsed.error);
}
