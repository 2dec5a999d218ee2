/**
 * The business's name, every part real: asked once after the first sign-in (suggested from the
 * connected QuickBooks company), saved on the merchant, shown in every page title, changed later on
 * the account page; a bad name is refused next to the field and changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Browser, createWebWorld, expectCleanLogs, type WebWorld } from "./world";

let world: WebWorld;
beforeAll(async () => {
  world = await createWebWorld();
});
afterAll(async () => {
  expectCleanLogs(world);
  await world.close();
});

let counter = 0;
const newAddress = () => `named${String(++counter)}.${String(Date.now())}@example.com`;
const titleOf = (html: string) => /<title>([^<]*)<\/title>/.exec(html)?.[1];
const fieldOf = (html: string) => /<input[^>]*id="business-name"[^>]*>/.exec(html)?.[0] ?? "";
const errorOf = (html: string) => /<p id="business-name-error" class="error" role="alert">([^<]*)<\/p>/.exec(html)?.[1];
const nameOf = async (email: string) => (await world.deps.store.findMerchantByEmail(email))?.name;

describe("the business's name", () => {
  it("is asked once, after the first sign-in, and then heads every page title", async () => {
    const browser = world.browser();
    const email = newAddress();
    expect(await browser.signIn(email)).toBe("/business-name");
    const asked = await (await browser.get("/business-name")).text();
    expect(titleOf(asked)).toBe("Name your business · daybook");
    expect(fieldOf(asked)).toContain('value=""');
    expect(fieldOf(asked)).toContain('autocomplete="organization"');

    const saved = await browser.post("/business-name", { name: "  Corner Cafe  ", next: "/connections" });
    expect(saved.status).toBe(303);
    expect(saved.headers.get("Location")).toBe("/connections");
    expect(await nameOf(email)).toBe("Corner Cafe");
    for (const [path, title] of [["/connections", "Connections"], ["/locations", "Locations"], ["/history", "History"], ["/account", "Account"], ["/reports", "Reports"]] as const) {
      expect(titleOf(await (await browser.get(path)).text()), path).toBe(`${title} · Corner Cafe · daybook`);
    }

    // Signing in again goes straight on: the name is not asked twice.
    expect(await world.browser().signIn(email)).toBe("/connections");
  });

  it("is suggested from the QuickBooks company connected before it was given", async () => {
    const browser = world.browser();
    await browser.signIn(newAddress());
    expect((await browser.connect("quickbooks", world.accounts.quickbooks[1])).status).toBe(303);
    const asked = await (await browser.get("/business-name")).text();
    expect(fieldOf(asked)).toContain('value="Books 2 LLC"');
    expect(asked).toContain("Suggested from your QuickBooks company, Books 2 LLC.");
  });

  it("is refused empty, too long or with control characters, next to the field, keeping what was typed and storing nothing", async () => {
    const browser = world.browser();
    const email = newAddress();
    await browser.signIn(email);
    const cases: [string, string][] = [
      ["   ", "Enter the business name."],
      ["x".repeat(101), "A business name has at most 100 characters."],
      ["Corner\u0007Cafe", "Use letters, digits, spaces and punctuation only."],
    ];
    for (const [name, message] of cases) {
      const refused = await browser.post("/business-name", { name, next: "/connections" });
      expect(refused.status, JSON.stringify(name)).toBe(400);
      const html = await refused.text();
      expect(errorOf(html)).toBe(message);
      expect(fieldOf(html)).toContain('aria-invalid="true"');
      expect(fieldOf(html)).toContain('aria-describedby="business-name-error"');
    }
    expect(await nameOf(email)).toBe("");
  });

  it("is changed on the account page, which says so and keeps a refused name next to its field", async () => {
    const browser: Browser = world.browser();
    const email = newAddress();
    await browser.signIn(email);
    expect((await browser.post("/business-name", { name: "Old Name" })).status).toBe(303);
    const account = await (await browser.get("/account")).text();
    expect(fieldOf(account)).toContain('value="Old Name"');

    const changed = await browser.post("/business-name", { name: "Harbor Bakery & Co", next: "/account" });
    expect(changed.headers.get("Location")).toBe("/account?named");
    const shown = await (await browser.get("/account?named")).text();
    expect(shown).toContain('<p role="status">Business name saved.</p>');
    expect(titleOf(shown)).toBe("Account · Harbor Bakery &amp; Co · daybook");

    const refused = await browser.post("/business-name", { name: "", next: "/account" });
    expect(refused.status).toBe(400);
    const html = await refused.text();
    expect(titleOf(html)).toBe("Account · Harbor Bakery &amp; Co · daybook");
    expect(errorOf(html)).toBe("Enter the business name.");
    expect(await nameOf(email)).toBe("Harbor Bakery & Co");
  });
});
