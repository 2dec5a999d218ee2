/**
 * The hostile values the fuzzers send: malformed, oversized, wrongly typed and injection-shaped
 * strings, path segments with bad percent-encoding, query strings and form bodies with arbitrary,
 * repeated and prototype-polluting names. Every injection payload carries MARKER, so a response that
 * echoes one unescaped (in the body or a header) is recognised by it.
 */
import fc from "fast-check";

/** In every injection payload; never in a page daybook writes itself. */
export const MARKER = "ZQX7";

/** DAYBOOK_FUZZ=full (npm run fuzz) runs the big sizes; the default run (npm test) the reduced ones. */
export const FULL = process.env["DAYBOOK_FUZZ"] === "full";
export const runs = (reduced: number, full: number): number => (FULL ? full : reduced);

export const INJECTIONS: readonly string[] = [
  // SQL and NoSQL / DynamoDB expression shapes
  `' OR '1'='1' -- ${MARKER}`, `"; DROP TABLE daybook; -- ${MARKER}`, `1; SELECT * FROM users WHERE 'a'='a' /*${MARKER}*/`,
  `{"$gt":"","${MARKER}":1}`, `{"$ne":null}`, `[$ne]=${MARKER}`, `#pk = :v OR attribute_exists(PK) ${MARKER}`, `MERCHANT#${MARKER}`, `SESSION#${MARKER}`,
  `CONNECTION#x#${MARKER}`, `RATE#sign-in-client#${MARKER}#0`,
  // HTML and script
  `<script>alert("${MARKER}")</script>`, `"><img src=x onerror=alert('${MARKER}')>`, `'><svg/onload=alert(${MARKER})>`,
  `</textarea><b>${MARKER}</b>`, `javascript:alert('${MARKER}')`, `<a href="//evil.example/${MARKER}">x</a>`, `&lt;${MARKER}&gt;&#60;`,
  `<!--${MARKER}-->`, `<![CDATA[${MARKER}]]>`, `{{7*7}}${MARKER}`, `\${7*7}${MARKER}`, `<%= 7*7 %>${MARKER}`,
  // header injection
  `x\r\nSet-Cookie: ${MARKER}=1`, `x\r\nX-${MARKER}: 1\r\n\r\n<h1>${MARKER}</h1>`, `%0d%0aSet-Cookie:%20${MARKER}=1`, `x\nLocation: https://evil.example/${MARKER}`,
  // path traversal and URL tricks
  `../../../../etc/passwd${MARKER}`, `..%2f..%2f${MARKER}`, `%2e%2e%2f%2e%2e%2f${MARKER}`, `....//....//${MARKER}`, `/\\evil.example/${MARKER}`,
  `//evil.example/${MARKER}`, `https://evil.example/${MARKER}`, `C:\\Windows\\${MARKER}`, `file:///etc/passwd#${MARKER}`,
  // unicode oddities
  `${MARKER}\u0000nul`, `\uD800${MARKER}`, `${MARKER}\uDFFF`, `\u202E${MARKER}gnp.exe`, `\uFEFF${MARKER}`, `ｓｃｒｉｐｔ${MARKER}`, `e\u0301\u0301\u0301${MARKER}`,
  `İı${MARKER}ß`, `👩‍👩‍👧‍👦${MARKER}`, `\u200B${MARKER}\u200D`, `${MARKER}\u2028\u2029`, `\u{10FFFF}${MARKER}`,
  // email- and secret-shaped (the log scan must not see these come back from the app's logs)
  `${MARKER.toLowerCase()}@example.com`, `"${MARKER}"@example.com`, `a@b`, `${MARKER}+tag@sub.example.co.uk`, `@example.com`, `x@@example.com`,
  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "0".repeat(64), `${"f".repeat(63)}g`,
  // wrong types spelled as text
  "", " ", "\t\n", "null", "undefined", "true", "0", "-1", "1e309", "NaN", "Infinity", "[]", "{}", "[object Object]", "__proto__", "constructor",
  "9".repeat(40), "-0", "0x1F", "2025-02-30", "9999-99-99", "2025-06-01T00:00:00Z", "+000000-01-01",
];

/**
 * Ids that are not ids, the class that reaches the store's key builder (which throws on "" and "#": a 500)
 * or a provider's URL when a boundary forgets its check (lib/ids.ts): empty, "#" alone or inside, very
 * long, control characters, spaces. Sent on purpose, with real ids broken the same ways (brokenId), in
 * every field that becomes a key: the webhooks' account ids, the routes' path parameters, id-named fields.
 */
export const ID_EDGES: readonly string[] = [
  "", "#", "a#b", "#a", "a#", "x".repeat(2000), "9".repeat(101), "\u0000", "a\u0000b", "a\nb", "\r\n", "\t", "a\u007fb", "a\u0085b", "\u001b[0m", " ", "a b",
];

/** A control character, a "#" or a space, each of which a real id never holds. */
const ID_BREAKERS = ["#", "#x", "\u0000", "\n", "\r", "\t", "\u001f", "\u007f", "\u0085", " "];

/** An id that is not one: an ID_EDGES value, or one of `real` with a breaker before, inside or after it, or repeated past any id's length. */
export function brokenId(real: readonly string[] = []): fc.Arbitrary<string> {
  const edges = fc.constantFrom(...ID_EDGES);
  if (real.length === 0) return edges;
  const broken = fc.tuple(fc.constantFrom(...real), fc.constantFrom(...ID_BREAKERS), fc.nat()).map(([id, breaker, at]) => {
    const cut = at % (id.length + 1);
    return `${id.slice(0, cut)}${breaker}${id.slice(cut)}`;
  });
  const long = fc.tuple(fc.constantFrom(...real), fc.integer({ min: 65, max: 3000 })).map(([id, size]) => id.repeat(Math.ceil(size / Math.max(1, id.length))).slice(0, size));
  return fc.oneof({ weight: 2, arbitrary: edges }, { weight: 3, arbitrary: broken }, { weight: 1, arbitrary: long });
}

export const FIELD_NAME_SPECIALS: readonly string[] = [
  "__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf", "form_token[]", "form_token[0]", "email[$ne]", "token[]",
  "a.b.c", "a[b][c]", "", " ", "%", "=", "&", "\u0000", `${MARKER}<b>`, "x".repeat(300),
];

/** A text value: injection shapes, arbitrary unicode, long text, or one of `pool`. */
export function hostileText(pool: readonly string[] = [], maxLength = 120): fc.Arbitrary<string> {
  const choices: fc.Arbitrary<string>[] = [
    fc.constantFrom(...INJECTIONS),
    fc.string({ maxLength }),
    fc.string({ unit: "binary", maxLength }),
    fc.string({ unit: "grapheme", maxLength: 20 }),
    fc.tuple(fc.constantFrom(...INJECTIONS), fc.string({ maxLength: 10 }), fc.constantFrom(...INJECTIONS)).map(([a, b, c]) => a + b + c),
    fc.integer({ min: 200, max: 3000 }).map((size) => `${MARKER}${"é<".repeat(size)}`),
    fc.emailAddress(),
  ];
  if (pool.length > 0) choices.push(fc.constantFrom(...pool), fc.constantFrom(...pool));
  return fc.oneof(...choices);
}

/** Percent-encoding that is wrong on purpose. */
const BAD_ENCODINGS = ["%", "%zz", "%E0%A4%A", "%C0%AF", "%FF%FE", "%00", "%ED%A0%80", "%2", "%%32%65", "%u0041", "%25%", "%0A", "%0D%0A", "%3Cscript%3E"];

/** One path segment: a value properly encoded, or a raw one with broken encoding and traversal shapes. */
export function pathSegment(values: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: values.map((value) => encodeURIComponent(stripLoneSurrogates(value))) },
    { weight: 1, arbitrary: fc.tuple(values.map((value) => encodeURIComponent(stripLoneSurrogates(value)).slice(0, 60)), fc.constantFrom(...BAD_ENCODINGS)).map(([a, b]) => `${a}${b}`) },
    { weight: 1, arbitrary: fc.constantFrom("..", ".", "%2e%2e", "..%2f..%2fetc", "%2F", "%23", "%3F", ";x=1", "%20", "~", `${MARKER}%3Cb%3E`, "%5C..%5C", "x".repeat(5000)) },
  );
}

/** encodeURIComponent throws on a lone surrogate; a raw one is sent by the bad-encoding branch instead. */
export function stripLoneSurrogates(value: string): string {
  return value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
}

export interface Field {
  name: string;
  value: string;
}

/** Name=value pairs: names from `names` (the fields the app's forms use), special and arbitrary names; repeats allowed. */
export function fieldList(names: readonly string[], values: fc.Arbitrary<string>, maxFields = 8): fc.Arbitrary<Field[]> {
  const name = fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...names) },
    { weight: 1, arbitrary: fc.constantFrom(...FIELD_NAME_SPECIALS) },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  );
  return fc.array(fc.record({ name, value: values }), { maxLength: maxFields });
}

/** A urlencoded string of the pairs: proper encoding, or raw with broken percent-encoding mixed in. */
export function encodePairs(fields: readonly Field[], broken: boolean, extra = ""): string {
  const encode = (text: string) => encodeURIComponent(stripLoneSurrogates(text));
  const parts = fields.map(({ name, value }) => (broken ? `${encode(name)}=${encode(value)}${BAD_ENCODINGS[value.length % BAD_ENCODINGS.length]}` : `${encode(name)}=${encode(value)}`));
  if (extra) parts.push(extra);
  return parts.join("&");
}

/** A JSON value nested `depth` levels deep (arrays and objects alternating). */
export function deepJson(depth: number): string {
  return `${'{"a":['.repeat(depth)}1${"]}".repeat(depth)}`;
}
