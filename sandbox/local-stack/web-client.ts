/**
 * A headless visitor of the local stack over real HTTP: keeps cookies as a browser does, sends the app's
 * Origin and the page's form token with each form, follows the emailed sign-in link by pressing its
 * button, and answers the simulators' consent pages by submitting their one form. The smoke run and
 * the local stack's tests drive the first-time flow with it.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ProviderName } from "../../lib/model";
import { CookieJar } from "../cookie-jar";
import { ConsentPageError, submitConsentPage } from "../consent-page";

export class FlowError extends Error {
  override name = "FlowError";
}

export class WebClient {
  readonly #jar = new CookieJar();
  readonly cookies = this.#jar.cookies;

  /** `publicUrl` is what the app calls itself (http://localhost:<port>); requests go to 127.0.0.1, where it listens. */
  constructor(readonly publicUrl: string) {}

  private target(path: string): string {
    const url = new URL(path, this.publicUrl);
    url.hostname = "127.0.0.1";
    return url.toString();
  }

  async get(path: string): Promise<Response> {
    return this.send("GET", path);
  }

  /** A form POST; signed in, the form token of the account pages is added. */
  async post(path: string, fields: Record<string, string> = {}): Promise<Response> {
    const form = new URLSearchParams(fields);
    if (!form.has("form_token") && this.cookies.size > 0) form.set("form_token", await this.formToken());
    return this.send("POST", path, form);
  }

  private async send(method: string, path: string, form?: URLSearchParams): Promise<Response> {
    const headers = new Headers();
    const cookie = this.#jar.header();
    if (cookie !== undefined) headers.set("Cookie", cookie);
    if (form) {
      headers.set("Origin", new URL(this.publicUrl).origin);
      headers.set("Content-Type", "application/x-www-form-urlencoded");
    }
    const response = await fetch(this.target(path), { method, headers, redirect: "manual", ...(form ? { body: form.toString() } : {}) });
    this.#jar.keep(response);
    return response;
  }

  async formToken(): Promise<string> {
    const page = await this.send("GET", "/connections");
    const token = /name="form_token" value="([0-9a-f]{64})"/.exec(await page.text())?.[1];
    if (page.status !== 200 || !token) throw new FlowError(`the connections page answered ${String(page.status)} without a form token`);
    return token;
  }

  /** Asks for a sign-in link, reads it from the newest email in the outbox, opens it and presses the button. */
  async signIn(email: string, outboxDir: string): Promise<void> {
    const before = await emailFiles(outboxDir);
    const asked = await this.send("POST", "/sign-in", new URLSearchParams({ email }));
    await asked.arrayBuffer();
    if (asked.status !== 200) throw new FlowError(`POST /sign-in answered ${String(asked.status)}`);
    const added = (await emailFiles(outboxDir)).filter((file) => !before.includes(file));
    if (added.length !== 1) throw new FlowError(`expected one new email in the outbox, found ${String(added.length)}`);
    const message = await readFile(join(outboxDir, added[0] ?? ""), "utf8");
    const escaped = this.publicUrl.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const link = new RegExp(`${escaped}/sign-in/confirm\\?token=[A-Za-z0-9_-]{43}`).exec(message)?.[0];
    if (!link) throw new FlowError("the sign-in email has no link to this app");
    const landing = await this.get(link);
    const token = /name="token" value="([A-Za-z0-9_-]{43})"/.exec(await landing.text())?.[1];
    if (landing.status !== 200 || !token) throw new FlowError(`the sign-in link's page answered ${String(landing.status)} without its button`);
    const confirmed = await this.send("POST", "/sign-in/confirm", new URLSearchParams({ token }));
    await confirmed.arrayBuffer();
    const next = confirmed.headers.get("Location");
    // A business without a name yet is asked for it first.
    if (confirmed.status !== 303 || (next !== "/connections" && next !== "/business-name")) {
      throw new FlowError(`confirming the sign-in answered ${String(confirmed.status)}, not a redirect to /business-name or /connections`);
    }
  }

  /** Gives the business its name, as the page after the first sign-in asks. */
  async nameBusiness(name: string): Promise<void> {
    const saved = await this.post("/business-name", { name });
    await saved.arrayBuffer();
    if (saved.status !== 303) throw new FlowError(`POST /business-name answered ${String(saved.status)}`);
  }

  /** Connects a provider through its simulator's consent page, choosing `account`; throws unless daybook says it is connected. */
  async connect(provider: ProviderName, account: string, region?: string): Promise<void> {
    const started = await this.post(`/connect/${provider}`, region === undefined ? {} : { region });
    await started.arrayBuffer();
    const authorizeUrl = started.headers.get("Location");
    if (started.status !== 303 || !authorizeUrl) throw new FlowError(`POST /connect/${provider} answered ${String(started.status)}, not a redirect to the provider`);
    const callback = await answerConsentPage(authorizeUrl, account);
    if (callback.origin !== new URL(this.publicUrl).origin) throw new FlowError(`the ${provider} consent page sent the browser elsewhere than this app`);
    const finished = await this.get(callback.pathname + callback.search);
    await finished.arrayBuffer();
    const location = finished.headers.get("Location");
    if (finished.status !== 303 || location !== `/connections?connected=${provider}`) {
      throw new FlowError(`the ${provider} callback answered ${String(finished.status)}${location ? ` to ${new URL(location, this.publicUrl).pathname}` : ""}, not "connected"`);
    }
  }
}

/** The .eml files in the outbox, or none when the folder is not there yet. */
async function emailFiles(outboxDir: string): Promise<string[]> {
  try {
    return (await readdir(outboxDir)).filter((file) => file.endsWith(".eml"));
  } catch {
    return [];
  }
}

/** Opens a simulator's consent page, picks `account` and approves; returns where it redirects (unfollowed). */
export async function answerConsentPage(authorizeUrl: string, account: string): Promise<URL> {
  try {
    return await submitConsentPage(authorizeUrl, "approve", account);
  } catch (error) {
    if (error instanceof ConsentPageError) throw new FlowError(error.message);
    throw error;
  }
}
