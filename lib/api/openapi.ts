/**
 * The OpenAPI 3.1 document of /api/v1, generated from API_ROUTES and the zod schemas that validate
 * the API (zod's own toJSONSchema, JSON Schema 2020-12: OpenAPI 3.1's dialect). Nothing in it is
 * written by hand but the words.
 *
 * It is generated ahead of time, not by the deployed code: `npm run openapi` writes it to
 * lib/api/openapi.json (committed), which GET /api/v1/openapi.json serves with the deployment's own
 * URL as its server (withServer). zod's JSON Schema generator is so left out of the Lambda bundle,
 * where esbuild would put it in the api's start chunk, loaded at every cold start. A fast-lane test
 * (test/unit/openapi-document.test.ts) fails when the committed document differs from the one
 * generated from the schemas now, so it cannot drift from the validators.
 */
import { fileURLToPath } from "node:url";
import * as z from "zod/mini";
import { API_KEY_DEFAULT_DAYS, API_RATE_LIMIT, API_REQUEST_LOG_DAYS } from "./keys";
import { API_ROUTES } from "./routes";
import { COMPONENTS, MAX_RANGE_DAYS } from "./schemas";

type JsonObject = Record<string, unknown>;

const ERRORS: Record<string, string> = {
  "400": "A query parameter is missing or not valid; the message names it.",
  "401": "No API key, or one that is not valid, revoked or expired.",
  "404": "Nothing with these ids, or nothing the key can see.",
  "429": `More than ${String(API_RATE_LIMIT.limit)} requests in ${String(API_RATE_LIMIT.windowSeconds)} seconds with this key; Retry-After says when to try again.`,
};

/** Where the generated document is committed; the API serves it from there. */
export const OPENAPI_DOCUMENT_FILE = fileURLToPath(new URL("openapi.json", import.meta.url));

/** The document as committed: generated, without its server (a deployment's own URL: withServer adds it), pretty-printed. */
export function renderOpenApiDocument(): string {
  return `${JSON.stringify(generateOpenApiDocument(), null, 2)}\n`;
}

export function generateOpenApiDocument(): JsonObject {
  const registry = z.registry<{ id: string }>();
  for (const { name, schema } of COMPONENTS) registry.add(schema, { id: name });
  const generated = z.toJSONSchema(registry, { target: "draft-2020-12", uri: (id) => `#/components/schemas/${id}` }).schemas as Record<string, JsonObject>;
  const schemas: Record<string, JsonObject> = {};
  for (const { name, description } of COMPONENTS) {
    const { $schema: _dialect, $id: _id, ...schema } = generated[name] ?? {};
    schemas[name] = { ...schema, description };
  }
  const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
  const json = (schema: JsonObject, description: string, headers?: JsonObject) => ({ description, ...(headers ? { headers } : {}), content: { "application/json": { schema } } });

  const paths: Record<string, JsonObject> = {};
  for (const route of API_ROUTES) {
    const parameters = [
      ...parametersOf(route.params, "path"),
      ...parametersOf(route.query, "query"),
    ];
    const known = COMPONENTS.some((each) => each.name === route.response.name);
    const errors = route.open ? [] : ["401", "429", ...(route.params ? ["404"] : []), ...(route.query ? ["400"] : [])];
    paths[route.path] = {
      get: {
        operationId: route.operationId,
        summary: route.summary,
        description: route.description,
        ...(route.open ? { security: [] } : {}),
        ...(parameters.length > 0 ? { parameters } : {}),
        responses: {
          "200": json(known ? ref(route.response.name) : { type: "object", required: ["openapi", "info", "paths"] }, route.response.description),
          ...Object.fromEntries(errors.map((status) => [status, json(ref("Error"), ERRORS[status] ?? "An error.", status === "429"
            ? { "Retry-After": { description: "Seconds until the key may make requests again.", schema: { type: "integer", minimum: 1 } } }
            : status === "401" ? { "WWW-Authenticate": { description: "Bearer realm=\"daybook\".", schema: { type: "string" } } } : undefined)])),
        },
      },
    };
  }

  return {
    openapi: "3.1.0",
    info: {
      title: "daybook API",
      version: "1.0.0",
      description: [
        "Read-only access to what daybook posts to QuickBooks for the businesses an API key's creator can see: their own, and those that invited them as their accountant.",
        `Authenticate with an API key made on daybook's API keys page, sent as \`Authorization: Bearer dbk_…\`. A key lasts ${String(API_KEY_DEFAULT_DAYS)} days unless its creator chose otherwise, and can be revoked there at any time.`,
        `Money is in integer minor units (cents) beside its ISO 4217 currency; days are business days (YYYY-MM-DD) in the location's time zone; a date range is at most ${String(MAX_RANGE_DAYS)} days.`,
        `Errors are JSON: {"error": {"code": "not_found", "message": "…"}}, with a stable code. Each request is kept in daybook's log for ${String(API_REQUEST_LOG_DAYS)} days: the key's id, the route, the status and the duration, never the key or a body.`,
      ].join("\n\n"),
    },
    security: [{ apiKey: [] }],
    paths,
    components: {
      securitySchemes: { apiKey: { type: "http", scheme: "bearer", description: "A daybook API key: dbk_ and 43 characters." } },
      schemas,
    },
  };
}

function parametersOf(schema: z.ZodMiniObject | undefined, where: "path" | "query"): JsonObject[] {
  if (!schema) return [];
  return Object.entries(schema.def.shape).map(([name, field]) => {
    const { $schema: _dialect, ...fieldSchema } = z.toJSONSchema(field as z.ZodMiniType, { target: "draft-2020-12", io: "input" }) as JsonObject;
    return { name, in: where, required: true, schema: fieldSchema };
  });
}
