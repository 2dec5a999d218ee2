/**
 * The QuickBooks consent link (lib/quickbooks/oauth.ts authorizeUrl) is made without loading
 * intuit-oauth, so pages that show a "connect" link do not load it; it must ask for exactly what the
 * library's own authorizeUri() asks for.
 */
import OAuthClient from "intuit-oauth";
import { describe, expect, it } from "vitest";
import { createQuickBooksOAuth, intuitEndpoints } from "../../lib/quickbooks/oauth";

const config = { clientId: "ABclient", clientSecret: "secret", redirectUri: "https://app.daybook.example/connect/quickbooks/callback?x=1&y=a b", environment: "sandbox" as const };

describe("the QuickBooks consent link", () => {
  it("carries the same query as intuit-oauth's authorizeUri, on the configured authorize endpoint", () => {
    const ours = new URL(createQuickBooksOAuth(config).authorizeUrl("state-123"));
    const library = new URL(new OAuthClient({ ...config, logging: false }).authorizeUri({ scope: [OAuthClient.scopes.Accounting], state: "state-123" }));
    expect(`${ours.origin}${ours.pathname}`).toBe(intuitEndpoints("sandbox").authorize);
    const sorted = (url: URL) => [...url.searchParams].sort(([a], [b]) => a.localeCompare(b));
    expect(sorted(ours)).toEqual(sorted(library));
  });
});
