/**
 * The API's OpenAPI document is generated ahead of time (lib/api/openapi.ts, `npm run openapi`) and
 * committed as lib/api/openapi.json, which the API serves: it must be what the schemas that validate
 * the API generate now. test/web/api.test.ts checks the served document is valid OpenAPI 3.1 and that
 * every route answers as it documents.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { OPENAPI_DOCUMENT_FILE, renderOpenApiDocument } from "../../lib/api/openapi";
import { withServer } from "../../lib/api/routes";

describe("the committed OpenAPI document", () => {
  it("is the one generated from the API's routes and zod schemas now", () => {
    const committed = readFileSync(OPENAPI_DOCUMENT_FILE, "utf8");
    expect(committed, "lib/api/openapi.json is out of date with the API's schemas: run npm run openapi and commit it").toBe(renderOpenApiDocument());
  });

  it("describes every route and schema component, and names no server of its own", () => {
    const document = JSON.parse(readFileSync(OPENAPI_DOCUMENT_FILE, "utf8")) as Record<string, unknown>;
    expect(Object.keys(document)).toEqual(["openapi", "info", "security", "paths", "components"]);
    expect(Object.keys(document["paths"] as object)).toHaveLength(7);
    const schemas = (document["components"] as { schemas: Record<string, { type?: string }> }).schemas;
    expect(schemas["DayList"]?.type).toBe("object");
  });

  it("is served with the deployment's API as its server, after info, as the document always had it", () => {
    const document = JSON.parse(readFileSync(OPENAPI_DOCUMENT_FILE, "utf8")) as Record<string, unknown>;
    const served = withServer(document, "https://app.daybook.example");
    expect(Object.keys(served)).toEqual(["openapi", "info", "servers", "security", "paths", "components"]);
    expect(served["servers"]).toEqual([{ url: "https://app.daybook.example/api/v1" }]);
    expect({ ...served, servers: undefined }).toEqual({ ...document, servers: undefined });
  });
});
