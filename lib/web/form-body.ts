/**
 * A form's text fields. A module of its own: every request's session check reads the form token
 * with it (lib/web/session.ts), while the fields' schemas (forms.ts) load with the routes that check them,
 * and the pages (./pages/layout.tsx, which writes the token into every form) with the routes that render them.
 */
import type { Context } from "hono";

/** The field every form carries its session's form token in (lib/auth/sessions.ts formTokenOf). */
export const FORM_TOKEN_FIELD = "form_token";

/** The form's text fields (the only kind these forms have); the last value wins for a repeated name. */
export async function formFields(c: Context): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(body)) if (typeof value === "string") fields[name] = value;
  return fields;
}
