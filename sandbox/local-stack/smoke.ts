/**
 * The smoke run (`npm start -- --smoke`): the first-time flow a newcomer follows, driven headless over
 * HTTP against a running local stack. Each step is checked where it lands: the page's answer, the
 * record in the table, and the simulator accepting the token daybook stored.
 */
import type { ProviderName } from "../../lib/model";
import { openTokens } from "../../lib/oauth/tokens";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { DEMO } from "./demo";
import type { LocalStack } from "./stack";
import { FlowError, WebClient } from "./web-client";

export interface SmokeStep {
  name: string;
  ok: boolean;
  /** Why it failed; never a token, a link or an address. */
  problem?: string;
}

export const SMOKE_EMAIL = "owner@smoke.daybook.localhost";

/** The demo account each provider's consent page is answered with, and the connect form's extra fields. */
export const DEMO_ACCOUNTS: Record<ProviderName, { account: string; region?: string }> = {
  square: { account: DEMO.square.merchantId },
  quickbooks: { account: DEMO.quickbooks.realmId },
  clover: { account: DEMO.clover.merchantId, region: "us" },
};

const PROVIDER_NAMES: Record<ProviderName, string> = { square: "Square", clover: "Clover", quickbooks: "QuickBooks" };

export async function runSmoke(stack: LocalStack, report: (step: SmokeStep) => void = () => undefined): Promise<SmokeStep[]> {
  const steps: SmokeStep[] = [];
  const client = new WebClient(stack.url);
  const step = async (name: string, run: () => Promise<void>): Promise<boolean> => {
    let result: SmokeStep;
    try {
      await run();
      result = { name, ok: true };
    } catch (error) {
      result = { name, ok: false, problem: error instanceof FlowError ? error.message : `unexpected ${error instanceof Error ? error.name : "error"}` };
    }
    steps.push(result);
    report(result);
    return result.ok;
  };

  const answered = await step("the web app answers", async () => {
    const page = await client.get("/sign-in");
    await page.arrayBuffer();
    if (page.status !== 200) throw new FlowError(`GET /sign-in answered ${String(page.status)}`);
  });
  const signedIn = answered && await step("sign in through the link in the outbox", async () => {
    await client.signIn(SMOKE_EMAIL, stack.outboxDir);
    await client.nameBusiness(DEMO.square.businessName);
    const page = await client.get("/connections");
    await page.arrayBuffer();
    if (page.status !== 200) throw new FlowError(`signed in, GET /connections answered ${String(page.status)}`);
  });
  if (!signedIn) return steps;
  const connected = new Set<ProviderName>();
  for (const provider of ["square", "quickbooks", "clover"] as const) {
    const ok = await step(`connect ${PROVIDER_NAMES[provider]} through its consent page`, async () => {
      const { account, region } = DEMO_ACCOUNTS[provider];
      await client.connect(provider, account, region);
      if (!(await connectionWorks(stack, SMOKE_EMAIL, provider))) throw new FlowError(`the stored ${PROVIDER_NAMES[provider]} token is not accepted by the simulator`);
    });
    if (ok) connected.add(provider);
  }
  if (connected.has("square") && connected.has("quickbooks")) {
    await step("go live with the Square location from yesterday (set up, mapping and preview, start), and email its one summary", () => goLive(stack, client));
  }
  return steps;
}

/**
 * Goes live with the demo's Square location as the pages lead a merchant: sets it up (its zone from
 * Square, the day starting at midnight), reviews the mapping page with its preview of the last complete
 * day, and starts posting from the day the start form suggests. The local queue runs that day's job
 * through the nightly worker, the progress page says the backfill finished, the demo company holds one
 * journal entry for the day, and the backfill's one summary email is in the outbox.
 */
async function goLive(stack: LocalStack, client: WebClient): Promise<void> {
  const merchant = await stack.deps.store.findMerchantByEmail(SMOKE_EMAIL);
  if (!merchant) throw new FlowError("the signed-in merchant is not in the table");
  const connections = await stack.deps.store.listConnections(merchant.merchantId);
  const connectionOf = (provider: ProviderName) => connections.find((connection) => connection.provider === provider && connection.status === "active");
  const square = connectionOf("square");
  const quickbooks = connectionOf("quickbooks");
  if (!square || !quickbooks) throw new FlowError("the Square or QuickBooks connection is not active");
  const reportsBefore = await reportEmails(stack.outboxDir);

  const setUp = await client.post("/locations", {
    posConnectionId: square.connectionId, locationId: DEMO.square.locationId, timeZone: DEMO.timeZone, dayStart: "00:00", quickbooksConnectionId: quickbooks.connectionId,
  });
  await setUp.arrayBuffer();
  const mappingPath = `/locations/${DEMO.square.locationId}/mapping`;
  if (setUp.status !== 303 || setUp.headers.get("Location") !== `${mappingPath}?setup`) throw new FlowError(`setting the location up answered ${String(setUp.status)}, not a redirect to its mapping`);
  const mapping = await client.get(`${mappingPath}?setup`);
  const html = await mapping.text();
  if (mapping.status !== 200 || !html.includes("<caption>Preview entry lines")) throw new FlowError(`the mapping page answered ${String(mapping.status)} without the preview of a day`);
  const from = /<input type="date" id="start-from" name="from"[^>]*value="(\d{4}-\d{2}-\d{2})"/.exec(html)?.[1];
  if (!from) throw new FlowError("the mapping page has no start form with a suggested first day");
  if (stack.quickbooks.journalEntries(DEMO.quickbooks.realmId).length > 0) throw new FlowError("QuickBooks holds an entry before posting started");

  const started = await client.post(`/locations/${DEMO.square.locationId}/start`, { from });
  await started.arrayBuffer();
  const progressPath = started.headers.get("Location") ?? "";
  if (started.status !== 303 || !/^\/backfill\/[\w-]+$/.test(progressPath)) throw new FlowError(`starting to post answered ${String(started.status)}, not a redirect to the backfill's progress`);
  await stack.queue.idle();
  const progress = await client.get(progressPath);
  const finished = await progress.text();
  if (progress.status !== 200 || !finished.includes("Backfill finished") || !finished.includes('<p role="status">1 of 1 days</p>')) {
    throw new FlowError(`the backfill's progress page answered ${String(progress.status)} without "Backfill finished, 1 of 1 days"`);
  }

  const record = await stack.deps.store.getSyncRecord(merchant.merchantId, DEMO.square.locationId, from);
  if (record?.state !== "posted") throw new FlowError(`the day ${from} ended "${record?.state ?? "not synced"}", not "posted"`);
  const entries = stack.quickbooks.journalEntries(DEMO.quickbooks.realmId);
  if (entries.length !== 1 || entries[0]?.["TxnDate"] !== from) throw new FlowError(`QuickBooks holds ${String(entries.length)} entries, not one for ${from}`);
  if ((await reportEmails(stack.outboxDir)) !== reportsBefore + 1) throw new FlowError("the backfill's summary email did not reach the outbox, or more than one did");
}

async function reportEmails(outboxDir: string): Promise<number> {
  const files = (await readdir(outboxDir)).filter((file) => file.endsWith(".eml"));
  const purposes = await Promise.all(files.map(async (file) => /^X-Daybook-Purpose: (.*)$/m.exec(await readFile(join(outboxDir, file), "utf8"))?.[1]?.trim()));
  return purposes.filter((purpose) => purpose === "backfill-summary").length;
}

/**
 * Whether the merchant signed in as `email` has an active connection to the provider whose stored
 * access token the provider's simulator accepts now.
 */
export async function connectionWorks(stack: LocalStack, email: string, provider: ProviderName): Promise<boolean> {
  const merchant = await stack.deps.store.findMerchantByEmail(email);
  if (!merchant) return false;
  const connection = (await stack.deps.store.listConnections(merchant.merchantId)).find((candidate) => candidate.provider === provider && candidate.status === "active");
  if (!connection) return false;
  const { accessToken } = await openTokens(stack.deps.vault, connection);
  const id = connection.externalId;
  const url = {
    square: `${stack.square.url}/v2/locations`,
    clover: `${stack.clover.url}/v3/merchants/${id}`,
    quickbooks: `${stack.quickbooks.endpoints.apiBase}/v3/company/${id}/companyinfo/${id}?minorversion=75`,
  }[provider];
  const response = await fetch(url, { headers: { Authorization: `Bearer ${accessToken}`, Accept: "application/json" } });
  await response.arrayBuffer();
  return response.ok;
}
