/**
 * Drives a simulator's OAuth consent page as a browser would: opens it, fills its one form (hidden
 * inputs, the chosen or first option of each select, the approve or deny button), submits it and
 * returns the redirect back to the app, unfollowed.
 */
import { expect } from "vitest";

const unescapeHtml = (text: string) =>
  text.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (_, name: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'", "#x27": "'" })[name] ?? "");

/** The Location the consent page's answer redirects to. */
export async function submitConsentPage(authorizeUrl: string, decision: "approve" | "deny", choose?: string): Promise<URL> {
  const page = await fetch(authorizeUrl);
  expect(page.status).toBe(200);
  const html = await page.text();
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error("the consent page has no form");
  const form = new URLSearchParams();
  for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) form.set(name ?? "", unescapeHtml(value ?? ""));
  for (const [, name, value] of html.matchAll(/<select name="([^"]+)">\s*<option value="([^"]*)"/g)) form.set(name ?? "", choose ?? unescapeHtml(value ?? ""));
  const button = [...html.matchAll(/<button type="submit" name="([^"]+)" value="([^"]+)"/g)]
    .find(([, , value]) => (decision === "approve" ? ["approve", "allow"] : ["deny"]).includes(value ?? ""));
  if (!button?.[1] || !button[2]) throw new Error(`the consent page has no ${decision} button`);
  form.set(button[1], button[2]);
  const decided = await fetch(new URL(unescapeHtml(action), authorizeUrl), {
    method: "POST", redirect: "manual", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: form.toString(),
  });
  expect(decided.status).toBe(302);
  return new URL(decided.headers.get("Location") ?? "");
}
