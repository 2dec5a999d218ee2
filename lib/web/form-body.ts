/**
 * A form's text fields. A module of its own: every request's session check reads the form token
 * with it (lib/web/session.ts), while the fields' schemas (forms.ts) load with the routes that check them.
 */
import type { Context } from "hono";

/** The form's text fields (the only kind these forms have); the last value wins for a repeated name. */
export async function formFields(c: Context): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(body)) if (typeof value === "string") fields[name] = value;
  return fields;
}
