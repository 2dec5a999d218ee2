/**
 * The API keys page: a person's keys for the read-only API (lib/api), made (shown once), listed and
 * revoked here, with the requests of the last 14 days. Keys belong to the person, whichever business
 * the session works on: a key sees every business its creator can see.
 */
import type { Context, Hono } from "hono";
import { API_KEY_DEFAULT_DAYS, API_KEY_MAX_DAYS, createApiKey } from "../../api/keys";
import { API_PREFIX } from "../../api/errors";
import type { Merchant } from "../../model";
import * as z from "zod/mini";
import { daybookIdField } from "../../ids";
import type { AppEnv, WebDeps } from "../deps";
import { check, formFields, keptValue, typed } from "../forms";
import { ApiKeysPage, type ApiKeysPageProps } from "../pages/api-keys";
import type { Viewer } from "../pages/layout";
import { NotFoundPage } from "../pages/messages";
import { signedIn } from "../session";

const RECENT_REQUESTS = 20;
const DAYS_MESSAGE = `Enter how many days the key should work: a whole number from 1 to ${String(API_KEY_MAX_DAYS)}.`;

const keyForm = z.object({
  name: typed("Give the key a name, so you know later what it is for.", 100, "A key's name has at most 100 characters."),
  days: z.pipe(
    z.string({ error: DAYS_MESSAGE }).check(z.trim(), z.regex(/^\d{1,3}$/, DAYS_MESSAGE)),
    z.pipe(z.transform(Number), z.int().check(z.gte(1, DAYS_MESSAGE), z.lte(API_KEY_MAX_DAYS, DAYS_MESSAGE))),
  ),
});
const keyIdParam = daybookIdField();

export function addApiKeyRoutes(app: Hono<AppEnv>, deps: WebDeps): void {
  const render = async (c: Context<AppEnv>, person: Merchant, viewer: Viewer, extra: Partial<ApiKeysPageProps>, status: 200 | 400 = 200) => {
    const [keys, requests] = await Promise.all([deps.apiKeys.listKeys(person.merchantId), deps.apiKeys.listRequests(person.merchantId, RECENT_REQUESTS)]);
    return c.html(ApiKeysPage({
      viewer, keys, requests, now: deps.now(), defaultDays: API_KEY_DEFAULT_DAYS, maxDays: API_KEY_MAX_DAYS, apiUrl: `${deps.publicUrl}${API_PREFIX}`, ...extra,
    }), status);
  };

  app.get("/api-keys", (c) => {
    const { person, viewer } = signedIn(c);
    return render(c, person, viewer, c.req.query("done") === "revoked" ? { notice: "Key revoked: requests with it are refused from now on." } : {});
  });

  app.post("/api-keys", async (c) => {
    const { person, viewer } = signedIn(c);
    const fields = await formFields(c);
    const form = check(keyForm, fields);
    if (!form.ok) {
      return render(c, person, viewer, { form: { name: keptValue(fields["name"], 100), days: keptValue(fields["days"], 10), errors: { name: form.errors["name"], days: form.errors["days"] } } }, 400);
    }
    const { secret, key } = await createApiKey(deps.apiKeys, { ownerId: person.merchantId, name: form.value.name, days: form.value.days, now: deps.now() });
    deps.log("info", "api key created", { personId: person.merchantId, keyId: key.keyId, days: form.value.days });
    // The key is in this page only: not in a redirect's URL, not in the table, not in a log.
    return render(c, person, viewer, { created: { name: key.name, secret } });
  });

  app.post("/api-keys/:keyId/revoke", async (c) => {
    const { person, viewer } = signedIn(c);
    const id = keyIdParam.safeParse(c.req.param("keyId"));
    // Only the person's own keys: anyone else's id revokes nothing and is not found.
    const revoked = id.success && (await deps.apiKeys.revokeKey(person.merchantId, id.data, deps.now()));
    if (!revoked) return c.html(NotFoundPage({ viewer }), 404);
    deps.log("info", "api key revoked", { personId: person.merchantId, keyId: id.data });
    return c.redirect("/api-keys?done=revoked", 303);
  });
}
