/**
 * Validation in place: checks a value against a zod schema without copying it (zod's own parse builds
 * a new object for every object and array it passes), for the POS readers' pages of a thousand orders.
 * On failure, zod itself says what is wrong (lib/validation.ts's describeIssues).
 */
import * as z from "zod/mini";

type Check = (value: unknown) => boolean;
const compiled = new WeakMap<z.core.$ZodType, Check>();

/**
 * A checker for a schema made of objects, arrays, optionals, nullables and leaves that validates a
 * value IN PLACE: zod's own parse always builds a new object for every object and array it passes
 * (even z.looseObject), which for a POS page of a thousand orders is most of the work and most of the
 * garbage. The checker is compiled to one plain function per object or array schema (as zod compiles
 * its own object parsers), so checking a field is a property read and a typeof, without a call per
 * level. Leaves with refinements (a regex, a minimum) are handed to zod, which copies nothing for a
 * string or a number. Anything that could transform a value (defaults, pipes) cannot be checked in
 * place and is refused when the checker is made, so a schema never silently means something else here.
 */
function checkerOf(schema: z.core.$ZodType): Check {
  const known = compiled.get(schema);
  if (known) return known;
  const functions: string[] = [];
  const names = new Map<z.core.$ZodType, string>();
  const leaves: z.core.$ZodType[] = [];

  /** The name of the function checking an object or array schema, written on first use (schemas may refer to themselves). */
  function functionFor(node: z.core.$ZodType): string {
    const existing = names.get(node);
    if (existing) return existing;
    const name = `check${names.size}`;
    names.set(node, name);
    const def = node._zod.def as z.core.$ZodTypeDef & Record<string, unknown>;
    let body: string;
    if (def.type === "object") {
      // A catchall (strict or loose objects) says something of the other keys: left to zod.
      if (def["catchall"] !== undefined) throw new Error("an object with a catchall cannot be checked in place");
      const fields = Object.entries(def["shape"] as Record<string, z.core.$ZodType>)
        .map(([key, field]) => `x = v[${JSON.stringify(key)}]; if (!(${test(field, "x")})) return false;`);
      body = `if (typeof v !== "object" || v === null || Array.isArray(v)) return false; let x; ${fields.join(" ")} return true;`;
    } else {
      body = `if (!Array.isArray(v)) return false; for (let i = 0; i < v.length; i++) { const x = v[i]; if (!(${test(def["element"] as z.core.$ZodType, "x")})) return false; } return true;`;
    }
    functions.push(`function ${name}(v) { ${body} }`);
    return name;
  }

  /** A boolean expression: `variable` passes `node`. */
  function test(node: z.core.$ZodType, variable: string): string {
    const def = node._zod.def as z.core.$ZodTypeDef & Record<string, unknown>;
    switch (def.type) {
      case "optional":
        return `(${variable} === undefined || ${test(def["innerType"] as z.core.$ZodType, variable)})`;
      case "nullable":
        return `(${variable} === null || ${test(def["innerType"] as z.core.$ZodType, variable)})`;
      case "object":
      case "array":
        return `${functionFor(node)}(${variable})`;
      case "unknown":
      case "any":
        return "true";
      case "string":
      case "number":
      case "boolean":
      case "enum":
      case "literal": {
        if (def.type === "string" && def.checks === undefined) return `typeof ${variable} === "string"`;
        if (def.type === "boolean") return `typeof ${variable} === "boolean"`;
        if (def.type === "number" && (def as { format?: string }).format === "safeint" && def.checks === undefined) return `Number.isSafeInteger(${variable})`;
        leaves.push(node);
        return `leaf(${leaves.length - 1}, ${variable})`;
      }
      default:
        throw new Error(`a ${def.type} cannot be checked in place`);
    }
  }

  const top = test(schema, "value");
  const leaf = (index: number, value: unknown) => z.safeParse(leaves[index] as z.ZodMiniType, value).success;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the source is made above from the schema's own keys (JSON-quoted) and fixed text
  const make = new Function("leaf", `${functions.join("\n")}\nreturn function check(value) { return ${top}; };`) as (leaf: (index: number, value: unknown) => boolean) => Check;
  const check = make(leaf);
  compiled.set(schema, check);
  return check;
}

/**
 * The in-place check of `schema` alone, as a type guard: for a caller that checks many values (each
 * order of a page) and names a failing one only when it fails (checkInPlace then says what is wrong).
 */
export function inPlaceGuard<T>(schema: z.ZodMiniType<T>): (value: unknown) => value is T {
  return checkerOf(schema) as (value: unknown) => value is T;
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
