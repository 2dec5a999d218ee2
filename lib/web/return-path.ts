/**
 * Paths of this site passed along in a link or a form: where /clients/open goes once the business is
 * chosen, and the page a person was going to when sign-in interrupted them (a digest link opened after
 * the session ended, say), carried through the sign-in so that it ends there rather than at home.
 */
import * as z from "zod/mini";

/** A path of this site: printable ASCII from a single "/", never `//host` or `/\host`, which browsers take for another site. */
export const sitePathField = z.string().check(z.maxLength(500), z.regex(/^\/(?![/\\])[\x21-\x7e]*$/));

/** A link's secret (a sign-in or invitation token, an OAuth code and state) is never carried into a stored sign-in link. */
const SECRET_PARAMETERS = ["token", "code", "state"];

/**
 * The page to return to after signing in, or undefined (then the person lands at home): only a path
 * of this site, not the sign-in's own pages, and never one whose query holds a secret.
 */
export function returnPath(value: unknown): string | undefined {
  const path = sitePathField.safeParse(value);
  if (!path.success) return undefined;
  const url = new URL(path.data, "https://daybook.invalid");
  if (url.pathname === "/" || url.pathname.startsWith("/sign-in") || url.pathname === "/sign-out") return undefined;
  if (SECRET_PARAMETERS.some((name) => url.searchParams.has(name))) return undefined;
  return path.data;
}

/** The sign-in page's address for a person who was going to `path`. */
export function signInAddress(path: string): string {
  const kept = returnPath(path);
  return kept === undefined ? "/sign-in" : `/sign-in?next=${encodeURIComponent(kept)}`;
}
