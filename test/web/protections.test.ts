/**
 * The protections around every route: security headers, caching, methods, body sizes, input
 * validation, error pages, cross-site request forgery, and the client address under a real socket.
 */
import { randomUUID } from "node:crypto";
import { request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { describe, expect, it } from "vitest";
import { createApiKey } from "../../lib/api/keys";
import { newSecret, sha256Hex } from "../../lib/auth/secrets";
import { findOrCreateAccount } from "../../lib/auth/sign-in";
import { acceptInvitation } from "../../lib/members/invitations";
import { createDynamoAuthStore } from "../../lib/store/auth";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createApp } from "../../lib/web/app";
import { approximateIp } from "../../lib/auth/client-network";
import { signLink } from "../../lib/links/signed-link";
import { addressHash } from "../../lib/report/recipients";
import { approveUrl } from "../../lib/worker/process-job";
import { type EmailLinksWorld, useLinkedWebWorld } from "./email-links-world";
import { DEFAULT_ACCOUNT_IDS } from "../../sandbox/quickbooks/server";
import { canonicalJson, PUBLIC_URL, type WebWorld } from "./world";

let world: WebWorld;
let links: EmailLinksWorld;
useLinkedWebWorld((opened, openedLinks) => {
  world = opened;
  links = openedLinks;
});

let counter = 0;
const newAddress = () => `protect${++counter}.${Date.now()}@example.com`;

describe("headers", () => {
  it("sends a strict CSP, HSTS, no framing, a same-origin referrer policy and no-store on pages", async () => {
    const browser = world.browser();
    await browser.signIn(newAddress());
    for (const path of ["/sign-in", "/connections", "/sessions", "/account", "/no-such-page"]) {
      const response = await (path === "/sign-in" ? world.browser() : browser).get(path);
      const csp = response.headers.get("Content-Security-Policy") ?? "";
      const directives = Object.fromEntries(csp.split(";").map((part) => part.trim().split(/\s+/)).map(([name = "", ...values]) => [name, values]));
      expect(directives["default-src"]).toEqual(["'self'"]);
      expect(directives["script-src"]).toEqual(["'none'"]);
      expect(directives["frame-ancestors"]).toEqual(["'none'"]);
      expect(directives["object-src"]).toEqual(["'none'"]);
      expect(directives["base-uri"]).toEqual(["'none'"]);
      // The providers' consent pages, because Chrome applies form-action to the redirect after POST /connect/:provider.
      expect(new Set(directives["form-action"])).toEqual(new Set(["'self'", world.square.url, world.clover.url, new URL(world.quickbooks.endpoints.authorize).origin]));
      expect(response.headers.get("Strict-Transport-Security")).toBe("max-age=31536000; includeSubDomains");
      expect(response.headers.get("Referrer-Policy")).toBe("same-origin");
      expect(response.headers.get("X-Frame-Options")).toBe("DENY");
      expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
      expect(response.headers.get("Cache-Control")).toBe("no-store");
    }
    const stylesheet = await world.browser().get("/style.css");
    expect(stylesheet.headers.get("Cache-Control")).toBe("public, max-age=3600");
    expect(stylesheet.headers.get("Content-Type")).toBe("text/css; charset=utf-8");
  });

  it("has no inline script or style on any page, so the CSP holds without exceptions", async () => {
    const browser = world.browser();
    await browser.signIn(newAddress());
    for (const path of ["/connections", "/sessions", "/account"]) {
      const html = await (await browser.get(path)).text();
      expect(html).not.toMatch(/<script|<style| style=| on[a-z]+=/i);
    }
  });
});

describe("methods, sizes and input", () => {
  it("serves only GET, HEAD and POST: others and wrong methods on known paths are 405", async () => {
    const browser = world.browser();
    // TRACE cannot be built with fetch's Request: the socket test below sends it.
    for (const method of ["PUT", "DELETE", "PATCH", "OPTIONS"]) {
      const response = await browser.request(method, "/sign-in");
      expect(response.status).toBe(405);
      expect(response.headers.get("Allow")).toBe("GET, HEAD, POST");
    }
    expect((await browser.get("/sign-out")).status).toBe(405);
    expect((await browser.get("/webhooks/square")).status).toBe(405);
    expect((await browser.request("POST", "/sessions", new URLSearchParams())).status).toBe(405);
    const head = await browser.request("HEAD", "/sign-in");
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });

  it("answers an unknown page with a 404 page", async () => {
    const response = await world.browser().get("/admin");
    expect(response.status).toBe(404);
    expect(await response.text()).toContain("Page not found");
  });

  it("refuses forms over 16 KB with 413", async () => {
    const response = await world.browser().post("/sign-in", { email: `${"a".repeat(20_000)}@example.com` });
    expect(response.status).toBe(413);
    expect(await response.text()).toContain("Too much data");
  });

  it("answers a mistyped address with a 400, the sentence next to the field and the typed value kept, escaped", async () => {
    const typed = `"><script>alert(1)</script>`;
    const response = await world.browser().post("/sign-in", { email: typed });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain('<p id="email-error" class="error" role="alert">Enter an email address like name@example.com.</p>');
    expect(html).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(html).not.toContain("<script>");
    const empty = await world.browser().post("/sign-in", {});
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain("Enter your email address.");
  });

  it("answers a real failure with a plain 500 page, logging what failed and showing no stack", async () => {
    // A store whose table does not exist: DynamoDB itself fails, as in an outage.
    const broken = createApp({
      ...world.deps,
      auth: createDynamoAuthStore({ client: DynamoDBDocumentClient.from(world.dynamo), tableName: "daybook-no-such-table" }),
    });
    const response = await broken.request(`${PUBLIC_URL}/sign-in`, {
      method: "POST", headers: { Origin: PUBLIC_URL, "Content-Type": "application/x-www-form-urlencoded" }, body: "email=someone%40example.com",
    });
    expect(response.status).toBe(500);
    const html = await response.text();
    expect(html).toContain("Something went wrong");
    expect(html).not.toMatch(/ResourceNotFound|at .*\.ts|Error:/);
    expect(world.logs.at(-1)).toMatchObject({ level: "error", message: "request failed", fields: { method: "POST", route: "/sign-in" } });
  });
});

describe("cross-site request forgery", () => {
  it("refuses every state-changing route without this app's Origin, form content or form token, with 403 and nothing stored", async () => {
    const address = newAddress();
    const browser = world.browser();
    await browser.signIn(address);
    const other = world.browser({ userAgent: "Other device" });
    await other.signIn(address);
    expect((await browser.connect("square")).status).toBe(303);
    const merchant = await world.deps.store.findMerchantByEmail(address);
    const [connection] = await world.deps.store.listConnections(merchant!.merchantId);
    // A location with QuickBooks connected, so approving its held day would succeed.
    expect((await browser.connect("quickbooks")).status).toBe(303);
    const books = (await world.deps.store.listConnections(merchant!.merchantId)).find((each) => each.provider === "quickbooks")!;
    const locationId = "LOCPROTECT";
    await world.deps.store.putLocation({
      merchantId: merchant!.merchantId, locationId, source: "square", name: "Main Street", posConnectionId: connection!.connectionId,
      quickbooksConnectionId: books.connectionId, timeZone: "America/New_York", dayStart: "04:00", currency: "USD",
      mapping: { defaults: { sales: "1", discounts: "2", returns: "2", serviceCharges: "3", tax: "4", tips: "5", giftCards: "6", nonRevenue: "7", tenders: "8", fees: "9", rounding: "10", overShort: "10" } },
      updatedAt: world.clock.date().toISOString(),
    });
    await world.deps.store.saveSyncRecord({
      merchantId: merchant!.merchantId, locationId, businessDay: "2025-06-01", state: "held", posted: [], attempts: 0, heldReason: "review", updatedAt: world.clock.date().toISOString(),
    }, 0);
    const approveToken = new URL(approveUrl({ publicUrl: PUBLIC_URL, linkKey: links.key, now: world.clock.date }, { merchantId: merchant!.merchantId, locationId, businessDay: "2025-06-01" })).searchParams.get("token")!;
    const sessions = await world.deps.auth.listSessions(merchant!.merchantId, world.clock.date());
    const otherSession = sessions.find((session) => session.userAgent === "Other device")!;
    const link = await world.browser().requestSignInLink(newAddress());
    const linkToken = new URL(link).searchParams.get("token")!;
    const formToken = await browser.formToken();
    const squareLocationId = /name="locationId" value="([^"]+)"/.exec(await (await browser.get("/locations")).text())?.[1] ?? "";
    // Accountants (issue 19): an invitation to withdraw, one to accept, an accountant to remove, a business
    // this merchant works for as an accountant (to leave), and an API key to revoke.
    const invitation = async (businessId: string, email: string) => {
      const token = newSecret();
      const at = world.clock.date();
      const invitationId = randomUUID();
      await world.deps.members.putInvitation({
        invitationId, tokenHash: sha256Hex(token), businessId, email, invitedBy: businessId, createdAt: at.toISOString(),
        expiresAt: new Date(at.getTime() + 86_400_000).toISOString(),
      });
      return { token, invitationId };
    };
    const toAccept = (await invitation(merchant!.merchantId, newAddress())).token;
    const toWithdraw = (await invitation(merchant!.merchantId, newAddress())).invitationId;
    const accountant = await acceptInvitation(world.deps, (await invitation(merchant!.merchantId, newAddress())).token);
    const client = (await findOrCreateAccount(world.deps.store, newAddress(), world.clock.date())).merchant;
    expect(await acceptInvitation(world.deps, (await invitation(client.merchantId, address)).token)).toBeDefined();
    const { key } = await createApiKey(world.deps.apiKeys, { ownerId: merchant!.merchantId, name: "Protect", days: 90, now: world.clock.date() });

    // The recipient's own links: for the address the reports route below adds, and for the owner's.
    const invited = newAddress();
    const recipientLink = (purpose: "confirm-recipient" | "unsubscribe" | "resubscribe", to: string) => signLink({
      purpose, merchantId: merchant!.merchantId, subject: addressHash(to), expiresAt: Math.floor(world.clock.ms() / 1000) + 86_400,
    }, links.key);

    const invitee = newAddress();
    const invitationsLink = (purpose: "stop-invitations" | "allow-invitations") => signLink({
      purpose, merchantId: merchant!.merchantId, subject: addressHash(invitee), expiresAt: Math.floor(world.clock.ms() / 1000) + 86_400,
    }, links.key);

    const ids = DEFAULT_ACCOUNT_IDS;
    // Each state-changing route with a body that would succeed from the app's own page (checked last).
    const routes: { path: string; fields: Record<string, string>; succeeds: number; signedIn: boolean }[] = [
      { path: "/sign-in", fields: { email: newAddress() }, succeeds: 200, signedIn: false },
      { path: "/sign-in/confirm", fields: { token: linkToken }, succeeds: 303, signedIn: false },
      { path: "/approve", fields: { token: approveToken }, succeeds: 200, signedIn: false },
      { path: `/days/${locationId}/2025-06-01/approve`, fields: {}, succeeds: 200, signedIn: true },
      { path: "/business-name", fields: { name: "Main Street Coffee", next: "/connections" }, succeeds: 303, signedIn: true },
      {
        path: "/locations", succeeds: 303, signedIn: true,
        fields: { posConnectionId: connection!.connectionId, locationId: squareLocationId, timeZone: "America/New_York", dayStart: "04:00", quickbooksConnectionId: books.connectionId },
      },
      // The location just set up starts from today's day, still to come: nothing is queued.
      { path: `/locations/${squareLocationId}/start`, fields: { from: "2025-06-02" }, succeeds: 303, signedIn: true },
      {
        path: `/locations/${locationId}/mapping`, succeeds: 303, signedIn: true,
        fields: {
          sales: ids.sales, discounts: ids.discounts, returns: ids.discounts, serviceCharges: ids.sales, tax: ids.salesTax, tips: ids.tips,
          giftCards: ids.giftCards, nonRevenue: ids.giftCards, tenders: ids.cardClearing, fees: ids.bankCharges, rounding: ids.overShort, overShort: ids.overShort,
        },
      },
      { path: `/locations/${locationId}/mapping/create-accounts`, fields: {}, succeeds: 303, signedIn: true },
      { path: `/quickbooks/${books.connectionId}/create-accounts`, fields: { return: "/locations" }, succeeds: 303, signedIn: true },
      { path: "/backfill", fields: { locationId, from: "2025-05-31", to: "2025-05-31" }, succeeds: 303, signedIn: true },
      { path: "/backfill/latest", fields: { locationId }, succeeds: 303, signedIn: true },
      { path: "/reports/recipients", fields: { email: invited }, succeeds: 303, signedIn: true },
      // Its confirmation went a moment ago and still works: the page says so, with a 400 (not the 403 above).
      { path: "/reports/recipients/resend", fields: { email: invited }, succeeds: 400, signedIn: true },
      { path: "/recipients/confirm", fields: { token: recipientLink("confirm-recipient", invited) }, succeeds: 200, signedIn: false },
      { path: "/reports/recipients/frequency", fields: { email: invited, frequency: "weekly" }, succeeds: 303, signedIn: true },
      { path: `/unsubscribe/frequency?token=${recipientLink("unsubscribe", address)}`, fields: { frequency: "exceptions" }, succeeds: 200, signedIn: false },
      { path: `/unsubscribe/undo?token=${recipientLink("resubscribe", address)}`, fields: {}, succeeds: 200, signedIn: false },
      { path: "/reports/recipients/remove", fields: { email: address }, succeeds: 303, signedIn: true },
      { path: "/reports/review-mode", fields: { reviewMode: "on" }, succeeds: 303, signedIn: true },
      { path: "/business-name", fields: { name: "Protected Bakery" }, succeeds: 303, signedIn: true },
      { path: "/account/time-zone", fields: { timeZone: "America/Denver" }, succeeds: 303, signedIn: true },
      { path: "/reports/access/invite", fields: { email: newAddress() }, succeeds: 303, signedIn: true },
      { path: "/reports/access/cancel", fields: { invitationId: toWithdraw }, succeeds: 303, signedIn: true },
      { path: "/reports/access/remove", fields: { personId: accountant!.person.merchantId }, succeeds: 303, signedIn: true },
      { path: "/invitations/accept", fields: { token: toAccept }, succeeds: 303, signedIn: false },
      // An invitee's "no invitations", from the email's link and undone from the page's; the owner's own, on the account page.
      { path: "/invitations/stop", fields: { token: invitationsLink("stop-invitations") }, succeeds: 200, signedIn: false },
      { path: "/invitations/allow", fields: { token: invitationsLink("allow-invitations") }, succeeds: 200, signedIn: false },
      { path: "/account/invitations", fields: { invitations: "stop" }, succeeds: 303, signedIn: true },
      { path: "/clients/switch", fields: { businessId: client.merchantId }, succeeds: 303, signedIn: true },
      { path: `/clients/${client.merchantId}/leave`, fields: {}, succeeds: 303, signedIn: true },
      { path: "/api-keys", fields: { name: "Protect 2", days: "30" }, succeeds: 200, signedIn: true },
      { path: `/api-keys/${key.keyId}/revoke`, fields: {}, succeeds: 303, signedIn: true },
      { path: "/sessions/end", fields: { session: otherSession.sessionHash }, succeeds: 303, signedIn: true },
      { path: "/sessions/end-others", fields: {}, succeeds: 303, signedIn: true },
      { path: "/connect/square", fields: {}, succeeds: 303, signedIn: true },
      { path: `/connections/${connection!.connectionId}/disconnect`, fields: {}, succeeds: 303, signedIn: true },
      { path: "/sign-out", fields: {}, succeeds: 303, signedIn: true },
      { path: "/account/delete", fields: { email: address }, succeeds: 200, signedIn: true },
    ];
    const postRoutes = world.app.routes.filter((route) => route.method === "POST" && !route.path.startsWith("/webhooks/")).map((route) => route.path);
    const covered = routes.map((route) => route.path.replace(/\?.*$/, "").replace(/^\/connect\/square$/, "/connect/:provider").replace(/^\/connections\/[^/]+\/disconnect$/, "/connections/:connectionId/disconnect")
      .replace(/^\/days\/[^/]+\/[^/]+\/approve$/, "/days/:locationId/:businessDay/approve")
      .replace(/^\/locations\/[^/]+\/mapping/, "/locations/:locationId/mapping").replace(/^\/locations\/[^/]+\/start$/, "/locations/:locationId/start").replace(/^\/quickbooks\/[^/]+\//, "/quickbooks/:connectionId/")
      .replace(/^\/clients\/[^/]+\/leave$/, "/clients/:businessId/leave").replace(/^\/api-keys\/[^/]+\/revoke$/, "/api-keys/:keyId/revoke"));
    // RFC 8058 one-click unsubscribe is the one deliberate exception: mail clients post it cross-site (test/web/email-links.test.ts).
    expect(new Set(covered)).toEqual(new Set(postRoutes.filter((path) => path !== "/unsubscribe")));
    expect(postRoutes.filter((path) => !covered.includes(path))).toEqual(["/unsubscribe"]);

    const before = (await world.scan()).map(canonicalJson).sort();
    for (const route of routes) {
      const fields = { ...route.fields, ...(route.signedIn ? { form_token: formToken } : {}) };
      const attempts: [string, Promise<Response>][] = [
        ["no Origin", browser.post(route.path, fields, { origin: null })],
        ["a foreign Origin", browser.post(route.path, fields, { origin: "https://evil.example" })],
        ["Origin null", browser.post(route.path, fields, { origin: "null" })],
        ["a look-alike Origin", browser.post(route.path, fields, { origin: `${PUBLIC_URL}.evil.example` })],
      ];
      for (const [what, attempt] of attempts) {
        const response = await attempt;
        expect(response.status, `${route.path} with ${what}`).toBe(403);
        expect(response.headers.getSetCookie(), `${route.path} with ${what}`).toEqual([]);
      }
      // JSON or text bodies are not forms: refused before any handler, whatever the Origin says.
      const json = await browser.request("POST", route.path, JSON.stringify(fields), { headers: { "Content-Type": "application/json" } });
      expect(json.status, `${route.path} as JSON`).toBe(415);
      if (route.signedIn) {
        const withoutToken = await browser.request("POST", route.path, new URLSearchParams(route.fields));
        expect(withoutToken.status, `${route.path} without a form token`).toBe(403);
        const otherToken = await browser.request("POST", route.path, new URLSearchParams({ ...route.fields, form_token: "f".repeat(64) }));
        expect(otherToken.status, `${route.path} with a wrong form token`).toBe(403);
      }
    }
    expect((await world.scan()).map(canonicalJson).sort()).toEqual(before);
    expect(await links.drain()).toEqual([]);

    // The same requests from the app's own pages work: the refusals above were the check, not the input.
    for (const route of routes) {
      // Signing in and accepting an invitation start a session of their own: in another browser.
      const sender = route.path === "/sign-in/confirm" || route.path === "/invitations/accept" ? world.browser() : browser;
      const response = await sender.post(route.path, route.fields);
      expect(response.status, route.path).toBe(route.succeeds);
      if (route.path === "/sign-out") await browser.signIn(address);
    }
    // Both approvals name the same day: one job; then the two backfills' days.
    const queued = (await links.drain()).map((job) => job.body as Record<string, unknown>);
    expect(queued.map(({ businessDay, kind }) => `${String(kind)} ${String(businessDay)}`)).toEqual(["approve 2025-06-01", "backfill 2025-05-31", "backfill 2025-06-01"]);
  });
});

describe("the client address", () => {
  it("is the socket's under @hono/node-server, shown as its /24, never in full", async () => {
    let server: ServerType | undefined;
    const port = await new Promise<number>((resolve) => {
      server = serve({ fetch: world.app.fetch, hostname: "127.0.0.1", port: 0 }, (info: AddressInfo) => resolve(info.port));
    });
    try {
      const base = `http://127.0.0.1:${port}`;
      const address = newAddress();
      const link = await world.browser().requestSignInLink(address);
      const post = (path: string, form: Record<string, string>, cookie = "") =>
        fetch(`${base}${path}`, {
          method: "POST", redirect: "manual",
          headers: { Origin: PUBLIC_URL, "Content-Type": "application/x-www-form-urlencoded", "User-Agent": "Socket Browser", ...(cookie ? { Cookie: cookie } : {}) },
          body: new URLSearchParams(form).toString(),
        });
      const signedIn = await post("/sign-in/confirm", { token: new URL(link).searchParams.get("token")! });
      expect(signedIn.status).toBe(303);
      const cookie = (signedIn.headers.getSetCookie()[0] ?? "").split(";")[0]!;
      const page = await (await fetch(`${base}/sessions`, { headers: { Cookie: cookie } })).text();
      expect(page).toContain("Socket Browser");
      expect(page).toContain("127.0.0.0/24");

      const trace = await new Promise<number | undefined>((resolve, reject) => {
        const sent = httpRequest({ host: "127.0.0.1", port, method: "TRACE", path: "/sign-in" }, (response) => {
          response.resume();
          response.on("end", () => resolve(response.statusCode));
        });
        sent.on("error", reject);
        sent.end();
      });
      expect(trace).toBe(405);
    } finally {
      await new Promise((resolve) => server?.close(resolve));
    }
  });

  it("keeps only the network part of IPv4, IPv6 and mapped addresses", () => {
    expect(approximateIp("203.0.113.45")).toBe("203.0.113.0/24");
    expect(approximateIp("::ffff:198.51.100.7")).toBe("198.51.100.0/24");
    expect(approximateIp("2001:db8:abcd:12::9")).toBe("2001:db8:abcd::/48");
    expect(approximateIp("2001:0db8:0000:0000::1")).toBe("2001:db8:0::/48");
    expect(approximateIp("::1")).toBe("0:0:0::/48");
    expect(approximateIp("fe80::1%eth0")).toBe("fe80:0:0::/48");
    expect(approximateIp(undefined)).toBe("unknown");
    expect(approximateIp("not an address")).toBe("unknown");
  });
});
