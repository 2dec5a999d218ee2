/**
 * `npm run openapi`: generates the API's OpenAPI document from the zod schemas that validate it
 * (lib/api/openapi.ts) and writes it to lib/api/openapi.json, which GET /api/v1/openapi.json serves.
 * Run it after changing an API route or schema, and commit the file. `-- --check` writes nothing and
 * exits 1 when the committed file differs from the generated one.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { relative } from "node:path";
import { OPENAPI_DOCUMENT_FILE, renderOpenApiDocument } from "../lib/api/openapi";

const USAGE = `usage: npm run openapi [-- --check]
  Generates the API's OpenAPI document from its zod schemas into ${relative(process.cwd(), OPENAPI_DOCUMENT_FILE)}.
  --check  write nothing; exit 1 if the committed document is out of date
  --help   this text
`;

const args = process.argv.slice(2);
const unknown = args.filter((arg) => arg !== "--check" && arg !== "--help");
if (args.includes("--help") || unknown.length > 0) {
  if (unknown.length > 0) process.stderr.write(`openapi: unknown argument ${unknown.join(" ")}\n`);
  (unknown.length > 0 ? process.stderr : process.stdout).write(USAGE);
  process.exit(unknown.length > 0 ? 2 : 0);
}

const file = relative(process.cwd(), OPENAPI_DOCUMENT_FILE);
const generated = renderOpenApiDocument();
let committed: string | undefined;
try {
  committed = readFileSync(OPENAPI_DOCUMENT_FILE, "utf8");
} catch {
  committed = undefined;
}
if (args.includes("--check")) {
  if (committed === generated) {
    process.stdout.write(`${file} is up to date\n`);
  } else {
    process.stderr.write(`${file} is out of date with the API's schemas: run npm run openapi and commit it\n`);
    process.exit(1);
  }
} else if (committed === generated) {
  process.stdout.write(`${file} is up to date\n`);
} else {
  writeFileSync(OPENAPI_DOCUMENT_FILE, generated);
  process.stdout.write(`wrote ${file}\n`);
}
