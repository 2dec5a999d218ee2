/**
 * Sign-in by emailed link and sessions, through the app as a browser uses it: the link read from the
 * outbox, the cookie kept by the test browser, the table on moto and the clock moved by the test.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SIGN_IN_RATE_LIMITS } from "../../lib/auth/sign-in";
import { type Browser, createWebWorld, expectCleanLogs, PUBLIC_URL, type WebWorld } from "./world";

let world: WebWorld;
beforeAll(async () => {
  world = await createWebWorld();
});
afterAll(async () => {
  expectCleanLogs(world);
  await world.close();
});

const MINUTE = 60_000;
let counter = 0;
/** A fresh address per test, so their rate limits and accounts never meet. */
const newAddress = () => `owner${++counter}.${Date.now()}@example.com`;

async function merchantIdOf(email: string): Promise<string> {
  const merchant = await world.deps.store.findMerchantByEmail(email);
  if (!merchant) throw new Error("no merchant for that address");
  return merchant.merchantId;
}

async function signedInAs(browser: Browser): Promise<boolean> {
  const page = await browser.get("/connections");
  return page.status === 200;
}

describe("sign-in by emailed link", () => {
  it("signs a new address in end to end through the emailed link, creating its account only when the link is used", async () => {
    const browser = world.browser();
    const first = await browser.get("/connections");
    expect(first.status).toBe(303);
    expect(first.headers.get("Location")).toBe("/sign-in?next=%2Fconnections");

    const address = newAddress();
    const link = await browser.requestSignInLink(`  ${address.toUpperCase()} `);
    const [email] = (await world.emails()).slice(-1);
    expect(email?.purpose).toBe("sign-in");
    expect(email?.subject).toBe("Your daybook sign-in link");

    // Opening the link (as a mail scanner would) neither signs in nor uses it up.
    const landing = await browser.get(link.slice(PUBLIC_URL.length));
    expect(landing.status).toBe(200);
    expect(landing.headers.getSetCookie()).toEqual([]);
    const landingPage = await landing.text();
    expect(landingPage).toContain('<form method="post" action="/sign-in/confirm">');
    // It names the address it signs in.
    expect(landingPage).toContain(`This link signs in <strong>${address}</strong>.`);
    expect(await world.deps.store.findMerchantByEmail(address)).toBeUndefined();

    const confirmed = await browser.useSignInLink(link);
    expect(confirmed.status).toBe(303);
    // A new account is asked for its business's name first.
    expect(confirmed.headers.get("Location")).toBe("/business-name");
    const page = await browser.get("/connections");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(address);
    const merchant = await world.deps.store.findMerchantByEmail(address);
    expect(merchant).toMatchObject({ email: address, createdAt: world.clock.date().toISOString() });
  });

  it("answers a known and an unknown address alike, and sends both the same email", async () => {
    const known = newAddress();
    await world.browser().signIn(known);
    const unknown = newAddress();

    const answers = [];
    for (const address of [known, unknown]) {
      const before = (await world.emails()).length;
      const response = await world.browser().post("/sign-in", { email: address });
      const sent = (await world.emails()).slice(before);
      expect(sent).toHaveLength(1);
      answers.push({
        status: response.status,
        contentType: response.headers.get("Content-Type"),
        body: await response.text(),
        cookies: response.headers.getSetCookie(),
        subject: sent[0]!.subject,
        // The message without what must differ: the address and the token.
        message: sent[0]!.raw.split("\r\n\r\n").slice(1).join("\r\n\r\n").replace(/token=[A-Za-z0-9_-]{43}/g, "token=…").replace(/daybook-[0-9a-f-]{36}/g, "boundary"),
      });
    }
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]?.status).toBe(200);
    expect(answers[0]?.body).toContain("Check your email");
    expect(await world.deps.store.findMerchantByEmail(unknown)).toBeUndefined();
  });

  it("rate limits per address and per client with the same page, sending nothing past the limit", async () => {
    const address = newAddress();
    const { perAddress, perClient } = SIGN_IN_RATE_LIMITS;
    const sentTo = async (to: string) => (await world.emails()).filter((email) => email.to === to).length;

    // Per address, whichever client asks.
    for (let index = 0; index < perAddress.limit; index++) {
      const response = await world.browser({ ip: `198.51.100.${index + 1}` }).post("/sign-in", { email: address });
      expect(response.status).toBe(200);
    }
    expect(await sentTo(address)).toBe(perAddress.limit);
    const limited = await world.browser({ ip: "198.51.100.200" }).post("/sign-in", { email: address });
    expect(limited.status).toBe(200);
    expect(await limited.text()).toContain("Check your email");
    expect(await sentTo(address)).toBe(perAddress.limit);

    // Per client, whichever addresses it asks for.
    const client = world.browser({ ip: "192.0.2.44" });
    const before = (await world.emails()).length;
    for (let index = 0; index < perClient.limit; index++) await client.post("/sign-in", { email: newAddress() });
    expect((await world.emails()).length - before).toBe(perClient.limit);
    const overClient = newAddress();
    const refused = await client.post("/sign-in", { email: overClient });
    expect(refused.status).toBe(200);
    expect(await refused.text()).toContain("Check your email");
    expect(await sentTo(overClient)).toBe(0);

    // A new window: both may ask again.
    world.clock.advance(perClient.windowSeconds * 1000);
    await world.browser({ ip: "198.51.100.201" }).post("/sign-in", { email: address });
    expect(await sentTo(address)).toBe(perAddress.limit + 1);
    await client.post("/sign-in", { email: overClient });
    expect(await sentTo(overClient)).toBe(1);
  });

  it("counts an address's plus-tagged variants (and Gmail's dotted ones) as one mailbox, and an IPv6 /64 as one client", async () => {
    const { perAddress, perClient } = SIGN_IN_RATE_LIMITS;
    const stamp = `${++counter}x${Date.now()}`;
    const sentTo = async (prefix: string) => (await world.emails()).filter((email) => email.to.startsWith(prefix)).length;
    let ip = 0;
    const ask = (email: string, from = `198.51.100.${String(++ip % 250)}`) => world.browser({ ip: from }).post("/sign-in", { email });

    // One mailbox however it is tagged: only the limit's worth of links reach it.
    for (let index = 0; index < perAddress.limit + 3; index++) expect((await ask(`victim${stamp}+${index}@example.com`)).status).toBe(200);
    expect(await sentTo(`victim${stamp}`)).toBe(perAddress.limit);
    // Gmail ignores dots, and googlemail.com is gmail.com; elsewhere "a.b" and "ab" are two people.
    const gmail = [`first.last${stamp}@gmail.com`, `firstlast${stamp}@gmail.com`, `f.i.r.s.t.last${stamp}+news@googlemail.com`];
    for (let round = 0; round < 2; round++) for (const address of gmail) await ask(address);
    const toGmail = (await world.emails()).filter((email) => email.to.replaceAll(".", "").replace(/\+[^@]*/, "").startsWith(`firstlast${stamp}@`)).length;
    expect(toGmail).toBe(perAddress.limit);
    for (const address of [`a.b${stamp}@example.com`, `ab${stamp}@example.com`]) await ask(address);
    expect([await sentTo(`a.b${stamp}@`), await sentTo(`ab${stamp}@`)]).toEqual([1, 1]);

    // One client across its /64, whichever address in it asks.
    const before = (await world.emails()).length;
    for (let index = 0; index < perClient.limit + 3; index++) await ask(newAddress(), `2001:db8:77:1:${(index + 1).toString(16)}::9`);
    expect((await world.emails()).length - before).toBe(perClient.limit);
    await ask(newAddress(), "2001:db8:77:2::1");
    expect((await world.emails()).length - before).toBe(perClient.limit + 1);
  });

  it("accepts a link for 15 minutes and refuses it after, with a 400 page, no cookie and nothing stored", async () => {
    const inTime = newAddress();
    const stillGood = await world.browser().requestSignInLink(inTime);
    const late = newAddress();
    const expiring = await world.browser().requestSignInLink(late);
    world.clock.advance(15 * MINUTE - 1000);
    const browser = world.browser();
    expect((await browser.useSignInLink(stillGood)).status).toBe(303);

    world.clock.advance(2000);
    const before = await world.scan();
    const lateBrowser = world.browser();
    const refused = await lateBrowser.useSignInLink(expiring);
    expect(refused.status).toBe(400);
    expect(refused.headers.getSetCookie()).toEqual([]);
    const page = await refused.text();
    expect(page).toContain("This sign-in link no longer works");
    expect(page).toContain('action="/sign-in"');
    expect(await world.deps.store.findMerchantByEmail(late)).toBeUndefined();
    const after = await world.scan();
    expect(after.length).toBeLessThanOrEqual(before.length);
    expect(after.filter((item) => !before.some((old) => JSON.stringify(old) === JSON.stringify(item)))).toEqual([]);
    expect(await signedInAs(lateBrowser)).toBe(false);
  });

  it("uses a link once: a second use is a 400 and makes no session", async () => {
    const address = newAddress();
    const link = await world.browser().requestSignInLink(address);
    const first = world.browser();
    expect((await first.useSignInLink(link)).status).toBe(303);
    const merchantId = await merchantIdOf(address);
    expect(await world.deps.auth.listSessions(merchantId, world.clock.date())).toHaveLength(1);

    const second = world.browser({ ip: "203.0.113.200" });
    const reused = await second.useSignInLink(link);
    expect(reused.status).toBe(400);
    expect(reused.headers.getSetCookie()).toEqual([]);
    expect(await world.deps.auth.listSessions(merchantId, world.clock.date())).toHaveLength(1);
    expect(await signedInAs(second)).toBe(false);
  });

  it("refuses a malformed token without a database read or a 500", async () => {
    const browser = world.browser();
    for (const query of ["", "?token=", "?token=short", `?token=${"a".repeat(44)}`, "?token=%3Cscript%3E", `?token=${"a".repeat(43)}`]) {
      const response = await browser.get(`/sign-in/confirm${query}`);
      expect(response.status).toBe(400);
      expect(await response.text()).not.toContain("<script>");
    }
    const posted = await browser.post("/sign-in/confirm", { token: "x".repeat(43).replace(/x$/, "!") });
    expect(posted.status).toBe(400);
  });

  it("sets the session cookie __Host-daybook_session with exactly HttpOnly, Secure, SameSite=Lax, Path=/ and no Domain", async () => {
    const browser = world.browser();
    const confirmed = await browser.useSignInLink(await browser.requestSignInLink(newAddress()));
    const cookies = confirmed.headers.getSetCookie();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatch(/^__Host-daybook_session=[A-Za-z0-9_-]{43}; Max-Age=43200; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
  });

  it("makes a new session id at every sign-in and ends the session it replaces", async () => {
    const address = newAddress();
    const browser = world.browser();
    await browser.signIn(address);
    const firstCookie = browser.cookies.get("__Host-daybook_session");
    const stolenCopy = world.browser();
    stolenCopy.cookies.set("__Host-daybook_session", firstCookie ?? "");
    expect(await signedInAs(stolenCopy)).toBe(true);

    await browser.signIn(address);
    const secondCookie = browser.cookies.get("__Host-daybook_session");
    expect(secondCookie).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(secondCookie).not.toBe(firstCookie);
    expect(await signedInAs(stolenCopy)).toBe(false);
    expect(await signedInAs(browser)).toBe(true);
    expect(await world.deps.auth.listSessions(await merchantIdOf(address), world.clock.date())).toHaveLength(1);
  });

  it("ends a session after 30 idle minutes, touching it at most once a minute", async () => {
    const address = newAddress();
    const browser = world.browser();
    await browser.signIn(address);
    const merchantId = await merchantIdOf(address);
    const lastSeen = async () => (await world.deps.auth.listSessions(merchantId, world.clock.date()))[0]?.lastSeenAt;
    const signedInAt = world.clock.date().toISOString();

    world.clock.advance(30_000);
    expect(await signedInAs(browser)).toBe(true);
    expect(await lastSeen()).toBe(signedInAt);
    world.clock.advance(31_000);
    expect(await signedInAs(browser)).toBe(true);
    expect(await lastSeen()).toBe(world.clock.date().toISOString());

    world.clock.advance(29 * MINUTE);
    expect(await signedInAs(browser)).toBe(true);
    world.clock.advance(30 * MINUTE);
    const after = await browser.get("/connections");
    expect(after.status).toBe(303);
    expect(after.headers.get("Location")).toBe("/sign-in?next=%2Fconnections");
    // The dead cookie is cleared, with the same attributes.
    expect(after.headers.getSetCookie()).toEqual(["__Host-daybook_session=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax"]);
  });

  it("ends a session 12 hours after sign-in however busy it is", async () => {
    const browser = world.browser();
    await browser.signIn(newAddress());
    for (let elapsed = 0; elapsed < 12 * 60; elapsed += 20) {
      expect(await signedInAs(browser)).toBe(true);
      world.clock.advance(20 * MINUTE);
    }
    expect(await signedInAs(browser)).toBe(false);
  });

  it("signs out: the session ends and the cookie is cleared", async () => {
    const address = newAddress();
    const browser = world.browser();
    await browser.signIn(address);
    const cookie = browser.cookies.get("__Host-daybook_session") ?? "";
    const signedOut = await browser.post("/sign-out");
    expect(signedOut.status).toBe(303);
    expect(signedOut.headers.get("Location")).toBe("/sign-in");
    expect(signedOut.headers.getSetCookie()).toEqual(["__Host-daybook_session=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax"]);
    const replay = world.browser();
    replay.cookies.set("__Host-daybook_session", cookie);
    expect(await signedInAs(replay)).toBe(false);
    expect(await world.deps.auth.listSessions(await merchantIdOf(address), world.clock.date())).toEqual([]);
  });
});

describe("back to the page a person was going to", () => {
  const HOMES = ["/business-name", "/connections", "/clients"];

  it("carries the page through the sign-in form and the emailed link, and lands there", async () => {
    const address = newAddress();
    await world.browser().signIn(address);
    const browser = world.browser();
    const interrupted = await browser.get("/sessions?ended=2");
    expect(interrupted.status).toBe(303);
    const signInPage = interrupted.headers.get("Location") ?? "";
    expect(signInPage).toBe("/sign-in?next=%2Fsessions%3Fended%3D2");

    const page = await (await browser.get(signInPage)).text();
    expect(page).toContain("Sign in to continue to the page you opened");
    const next = /name="next" value="([^"]*)"/.exec(page)?.[1];
    expect(next).toBe("/sessions?ended=2");

    const link = await browser.requestSignInLinkFor(address, { next: next ?? "" });
    // The emailed link is the same as ever: the page waits with the link's record, not in the email.
    expect((await world.emails()).at(-1)?.raw).not.toContain("sessions");
    const confirmed = await browser.useSignInLink(link);
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.get("Location")).toBe("/sessions?ended=2");
    expect((await browser.get("/sessions?ended=2")).status).toBe(200);
    // Signed in, the sign-in page with a page to go to goes straight there.
    const again = await browser.get("/sign-in?next=%2Faccount");
    expect(again.headers.get("Location")).toBe("/account");
  });

  it("goes home instead of to another site, back into the sign-in, or a page whose address holds a secret", async () => {
    for (const next of [
      "//evil.example/", "https://evil.example/", "/\\evil.example", "/sign-out", "/sign-in/confirm?x=1",
      "/connect/square/callback?code=sq0cgb-secret&state=abc", "/invitations/accept?token=abc", "/ spaces", `/${"a".repeat(600)}`,
    ]) {
      const shown = await (await world.browser().get(`/sign-in?next=${encodeURIComponent(next)}`)).text();
      expect(shown, next).not.toContain('name="next"');
      const browser = world.browser();
      const link = await browser.requestSignInLinkFor(newAddress(), { next });
      const confirmed = await browser.useSignInLink(link);
      expect(confirmed.status, next).toBe(303);
      expect(HOMES, next).toContain(confirmed.headers.get("Location"));
    }
  });
});

const LAPTOP_CHROME = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const IPHONE_SAFARI = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

describe("the sessions page", () => {
  it("lists each session with when, browser and approximate network, marks this one, and ends one or all others", async () => {
    const address = newAddress();
    const laptop = world.browser({ ip: "203.0.113.45", userAgent: LAPTOP_CHROME });
    const phone = world.browser({ ip: "2001:db8:abcd:12::9", userAgent: IPHONE_SAFARI });
    const tablet = world.browser({ ip: "198.51.100.23", userAgent: "Tablet <b>Browser</b>" });
    await laptop.signIn(address);
    world.clock.advance(2 * MINUTE);
    await phone.signIn(address);
    await tablet.signIn(address);

    const page = await (await laptop.get("/sessions")).text();
    // By the names a person knows, not the User-Agent string (kept in the cell's title).
    expect(page).toContain(">Chrome 131 on macOS</td>");
    expect(page).toContain(">Safari 17.5 on iPhone</td>");
    expect(page).toContain(">Unknown browser</td>");
    expect(page).toContain("203.0.113.0/24");
    expect(page).toContain("2001:db8:abcd::/48");
    expect(page).toContain("Tablet &lt;b&gt;Browser&lt;/b&gt;");
    expect(page).toContain("198.51.100.0/24");
    expect(page).not.toContain("203.0.113.45");
    expect(page).not.toContain("2001:db8:abcd:12::9");
    expect(page.match(/This browser/g)).toHaveLength(1);
    expect(page).toContain("End all other sessions (2)");

    const merchantId = await merchantIdOf(address);
    const sessions = await world.deps.auth.listSessions(merchantId, world.clock.date());
    const phoneSession = sessions.find((session) => session.userAgent === IPHONE_SAFARI);
    const ended = await laptop.post("/sessions/end", { session: phoneSession?.sessionHash ?? "" });
    expect(ended.status).toBe(303);
    expect(await signedInAs(phone)).toBe(false);
    expect(await signedInAs(tablet)).toBe(true);

    const unknown = await laptop.post("/sessions/end", { session: "0".repeat(64) });
    expect(unknown.status).toBe(404);
    const malformed = await laptop.post("/sessions/end", { session: "not-a-hash" });
    expect(malformed.status).toBe(404);

    await phone.signIn(address);
    const endOthers = await laptop.post("/sessions/end-others");
    expect(endOthers.status).toBe(303);
    expect(endOthers.headers.get("Location")).toBe("/sessions?ended=2");
    expect(await signedInAs(phone)).toBe(false);
    expect(await signedInAs(tablet)).toBe(false);
    expect(await signedInAs(laptop)).toBe(true);
    expect(await (await laptop.get("/sessions?ended=2")).text()).toContain("Ended 2 sessions.");
  });

  it("ending this browser's own session signs it out", async () => {
    const address = newAddress();
    const browser = world.browser();
    await browser.signIn(address);
    const [own] = await world.deps.auth.listSessions(await merchantIdOf(address), world.clock.date());
    const response = await browser.post("/sessions/end", { session: own?.sessionHash ?? "" });
    expect(response.status).toBe(303);
    expect(response.headers.get("Location")).toBe("/sign-in");
    expect(await signedInAs(browser)).toBe(false);
  });
});
