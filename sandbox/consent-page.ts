/**
 * Answers a simulator's OAuth consent page as a browser would: opens it, fills its one form (hidden
 * inputs, the chosen account or each select's first option, the approve or deny button), submits it
 * and returns where the answer redirects, unfollowed. Used by the local stack's smoke run and the tests.
 */

export class ConsentPageError extends Error {
  override name = "ConsentPageError";
}

const unescapeHtml = (text: string) =>
  text.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (_, name: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'", "#x27": "'" })[name] ?? "");

export async function submitConsentPage(authorizeUrl: string, decision: "approve" | "deny", account?: string): Promise<URL> {
  const page = await fetch(authorizeUrl);
  const html = await page.text();
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (page.status !== 200 || !action) throw new ConsentPageError(`the consent page answered ${String(page.status)} without a form`);
  const form = new URLSearchParams();
  for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) form.set(name ?? "", unescapeHtml(value ?? ""));
  for (const [, name, first] of html.matchAll(/<select name="([^"]+)">\s*<option value="([^"]*)"/g)) {
    if (account !== undefined && !html.includes(`<option value="${account}"`)) throw new ConsentPageError(`the consent page does not offer the account ${account}`);
    form.set(name ?? "", account ?? unescapeHtml(first ?? ""));
  }
  const button = [...html.matchAll(/<button type="submit" name="([^"]+)" value="([^"]+)"/g)]
    .find(([, , value]) => (decision === "approve" ? ["approve", "allow"] : ["deny"]).includes(value ?? ""));
  if (!button?.[1] || !button[2]) throw new ConsentPageError(`the consent page has no ${decision} button`);
  form.set(button[1], button[2]);
  const decided = await fetch(new URL(unescapeHtml(action), authorizeUrl), {
    method: "POST", redirect: "manual", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: form.toString(),
  });
  await decided.arrayBuffer();
  const location = decided.headers.get("Location");
  if (decided.status !== 302 || !location) throw new ConsentPageError(`answering the consent page gave ${String(decided.status)}`);
  return new URL(location);
}
