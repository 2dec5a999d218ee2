/** Where a value holds bytes (a Uint8Array, as the DynamoDB client gives a binary attribute): what no person can read in an export. */
export function binaryIn(value: unknown, path = "$"): string[] {
  if (value instanceof Uint8Array) return [path];
  if (Array.isArray(value)) return value.flatMap((each, index) => binaryIn(each, `${path}[${index}]`));
  if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([name, each]) => binaryIn(each, `${path}.${name}`));
  return [];
}
