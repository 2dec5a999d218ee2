/**
 * The local stack in one process: the Square, Clover and QuickBooks simulators seeded with the demo
 * merchant, and the web app (lib/web) on @hono/node-server beside the worker, composed by
 * lib/wiring/local.ts (dynalite with its data under the data folder, the local key provider, the
 * outbox, one token keeper) from settings checked as functions/api.ts checks the environment. In place
 * of SQS and the worker Lambda an in-process queue (local-queue.ts) runs the sync jobs through the
 * worker's processJob; the web's approve links and backfill pages queue on it, and the scheduler runs at start and every minute
 * (EventBridge runs it every 15 minutes on AWS), so a location set up here has its days posted as
 * they fall due.
 *
 *   <data folder>/dynamodb/            dynalite's LevelDB files (the table)
 *   <data folder>/vault.key            the AES-256-GCM key that stands in for KMS
 *   <data folder>/outbox/              every email, as .eml and .html
 *   <data folder>/simulators/*.json    the simulators' app credentials, OAuth grants and QuickBooks books
 */
import { once } from "node:events";
import { mkdir } from "node:fs/promises";
import { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import type { Hono } from "hono";
import { loadConfig } from "../../lib/config";
import type { SyncJob } from "../../lib/schedule/job";
import { sendDueDigests } from "../../lib/report/digest";
import { runSchedulerTick } from "../../lib/schedule/scheduler";
import { LOCAL_REGION } from "../../lib/store/local/database";
import { type JobResult, processJob, type WorkerDeps } from "../../lib/worker/process-job";
import { createApp } from "../../lib/web/app";
import type { AppEnv, WebDeps } from "../../lib/web/deps";
import { composeLocal } from "../../lib/wiring/local";
import { type CloverSimulator, startCloverSimulator } from "../clover/server";
import { type QuickBooksSimulator, startQuickBooksSimulator } from "../quickbooks/server";
import { type SquareSimulator, startSquareSimulator } from "../square/server";
import { seedDemo } from "./demo";
import { createLocalQueue, type LocalJobQueue } from "./local-queue";
import { loadOrCreateCredentials, readSavedState, SavedStateError, simulatorsFolder, stateSaver } from "./saved-state";

export interface LocalStackPorts {
  web: number;
  square: number;
  clover: number;
  quickbooks: number;
}

export interface LocalStackOptions {
  dataDir: string;
  /** 0 for a free port. Default: the web app on 3000 and the simulators on 3001, 3002 and 3003. */
  ports?: Partial<LocalStackPorts>;
  /** Where the web app's log lines go; JSON lines on stdout by default. */
  log?: WebDeps["log"];
  /** The clock that places the demo's month of sales. */
  now?: () => Date;
  /** Attempts per sync job on the local queue (default 3) and the wait before attempt n+1. */
  queue?: { maxAttempts?: number; backoffMs?: (attempt: number) => number };
  /** How often the scheduler looks for days that fell due; default every minute. */
  schedulerIntervalMs?: number;
}

export interface LocalStack {
  /** The web app's public URL: http://localhost:<port>. */
  url: string;
  ports: LocalStackPorts;
  dataDir: string;
  outboxDir: string;
  deps: WebDeps;
  /** The nightly worker's deps, sharing the web app's services (one token keeper). */
  worker: WorkerDeps;
  /** Runs one job at once as the worker does when SQS delivers it, bypassing the queue. */
  runJob(job: SyncJob): Promise<JobResult>;
  /** The sync queue the web, the scheduler and the backfills send to; `idle()` waits for it to empty. */
  queue: LocalJobQueue;
  /** Runs the scheduler once now (it also runs at start and every minute). */
  tick(): Promise<void>;
  square: SquareSimulator;
  clover: CloverSimulator;
  quickbooks: QuickBooksSimulator;
  /** Saves the simulators' state and stops everything. */
  close(): Promise<void>;
}

export const DEFAULT_PORTS: LocalStackPorts = { web: 3000, square: 3001, clover: 3002, quickbooks: 3003 };

export class PortInUseError extends Error {
  override name = "PortInUseError";
}

const jsonLog: WebDeps["log"] = (level, message, fields = {}) => {
  process.stdout.write(`${JSON.stringify({ level, message, ...fields })}\n`);
};

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const ports = { ...DEFAULT_PORTS, ...options.ports };
  const dataDir = options.dataDir;
  const outboxDir = join(dataDir, "outbox");
  const now = options.now ?? (() => new Date());
  await mkdir(dataDir, { recursive: true, mode: 0o700 });

  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) await close();
  };
  try {
    // The web port first: the public URL, and with it the OAuth redirect URIs, depend on it.
    const served: { app?: Hono<AppEnv> } = {};
    const web = await listen("the web app", ports.web, (request, env) => (served.app ? served.app.fetch(request, env) : new Response("starting", { status: 503 })));
    closers.push(() => web.close());
    const url = `http://localhost:${String(web.port)}`;
    const redirectUri = (provider: string) => [`${url}/connect/${provider}/callback`];

    const credentials = loadOrCreateCredentials(dataDir);

    const stateFile = (name: string) => join(simulatorsFolder(dataDir), `${name}.json`);
    // Filled in once the simulators exist; a request cannot arrive before they listen.
    const savers: { square?: () => void; clover?: () => void; quickbooks?: () => void } = {};
    const square = await startSimulator("the Square simulator", ports.square, () => startSquareSimulator({
      port: ports.square, applicationId: credentials.square.applicationId, applicationSecret: credentials.square.applicationSecret,
      redirectUris: redirectUri("square"), afterRequest: () => savers.square?.(),
      // On the stack's clock: a test that moves it on sees the payouts Square would have made by then.
      now: () => now().getTime(),
    }));
    closers.push(() => square.close());
    const clover = await startSimulator("the Clover simulator", ports.clover, () => startCloverSimulator({
      port: ports.clover, appId: credentials.clover.appId, appSecret: credentials.clover.appSecret, webhookAuthCode: credentials.clover.webhookAuthCode,
      redirectUris: redirectUri("clover"), afterRequest: () => savers.clover?.(),
    }));
    closers.push(() => clover.close());
    const quickbooks = await startSimulator("the QuickBooks simulator", ports.quickbooks, () => startQuickBooksSimulator({
      port: ports.quickbooks, clientId: credentials.quickbooks.clientId, clientSecret: credentials.quickbooks.clientSecret,
      redirectUris: redirectUri("quickbooks"), afterRequest: () => savers.quickbooks?.(),
    }));
    closers.push(() => quickbooks.close());

    seedDemo({ square, clover, quickbooks }, now());
    restore(stateFile("square"), (state) => {
      square.importState(state);
    });
    restore(stateFile("clover"), (state) => {
      clover.importState(state);
    });
    restore(stateFile("quickbooks"), (state) => {
      quickbooks.importState(quickBooksStateOf(state));
    });
    savers.square = stateSaver(stateFile("square"), () => square.exportState());
    savers.clover = stateSaver(stateFile("clover"), () => clover.exportState());
    savers.quickbooks = stateSaver(stateFile("quickbooks"), () => quickbooks.exportState());
    // Saved at the end too, so tokens issued through the simulators' control API are kept as well.
    closers.push(() => {
      for (const save of Object.values(savers)) save();
      return Promise.resolve();
    });

    const config = loadConfig("local", {
      AWS_REGION: LOCAL_REGION,
      DAYBOOK_PUBLIC_URL: url,
      DAYBOOK_LINK_KEY: credentials.linkKey,
      DAYBOOK_VAULT_KEY_FILE: join(dataDir, "vault.key"),
      DAYBOOK_OUTBOX_DIR: outboxDir,
      SQUARE_CLIENT_ID: credentials.square.applicationId,
      SQUARE_CLIENT_SECRET: credentials.square.applicationSecret,
      SQUARE_BASE_URL: square.url,
      SQUARE_WEBHOOK_SIGNATURE_KEY: credentials.square.webhookSignatureKey,
      CLOVER_APP_ID: credentials.clover.appId,
      CLOVER_APP_SECRET: credentials.clover.appSecret,
      CLOVER_WEBHOOK_AUTH_CODE: credentials.clover.webhookAuthCode,
      CLOVER_BASE_URL: clover.url,
      QUICKBOOKS_CLIENT_ID: credentials.quickbooks.clientId,
      QUICKBOOKS_CLIENT_SECRET: credentials.quickbooks.clientSecret,
      QUICKBOOKS_ENVIRONMENT: "sandbox",
      QUICKBOOKS_BASE_URL: quickbooks.endpoints.apiBase,
      QUICKBOOKS_AUTHORIZE_URL: quickbooks.endpoints.authorize,
      QUICKBOOKS_TOKEN_URL: quickbooks.endpoints.token,
      QUICKBOOKS_REVOKE_URL: quickbooks.endpoints.revoke,
    });
    const log = options.log ?? jsonLog;
    const runtime = await composeLocal(config, {
      databaseDir: join(dataDir, "dynamodb"),
      log,
      now,
      queue: (run) => createLocalQueue({
        run,
        ...(options.queue?.maxAttempts !== undefined ? { maxAttempts: options.queue.maxAttempts } : {}),
        ...(options.queue?.backoffMs ? { backoffMs: options.queue.backoffMs } : {}),
        log,
      }),
    });
    closers.push(() => runtime.close());
    closers.push(() => runtime.queue.close());
    const { web: deps, worker, queue } = runtime;

    // The scheduler: one tick at a time; a failed tick is logged and the next one tries again.
    let ticking: Promise<void> | undefined;
    const tickLog = (level: "info" | "warn" | "error", message: string, fields: Record<string, unknown> = {}) => {
      log(level, message, Object.fromEntries(Object.entries(fields).filter((entry): entry is [string, string | number | boolean] => ["string", "number", "boolean"].includes(typeof entry[1]))));
    };
    // The tick, then the morning digests now due, as functions/scheduler.ts runs them on AWS.
    const tick = () => (ticking ??= runSchedulerTick({ ...runtime.scheduler, now: now(), log: tickLog })
      .then(() => sendDueDigests({ ...runtime.digests, now, log: tickLog })).then(() => undefined, (error: unknown) => {
      log("error", "scheduler tick failed", { error: error instanceof Error ? error.name : "unknown" });
    }).finally(() => {
      ticking = undefined;
    }));
    void tick();
    const timer = setInterval(() => void tick(), options.schedulerIntervalMs ?? 60_000);
    timer.unref();
    closers.push(async () => {
      clearInterval(timer);
      await ticking;
    });
    served.app = createApp(deps);

    return {
      url, dataDir, outboxDir, deps, worker, square, clover, quickbooks, queue, tick,
      runJob: (job) => processJob(worker, job, { number: 1, max: 1 }),
      ports: { web: web.port, square: portOf(square.url), clover: portOf(clover.url), quickbooks: portOf(quickbooks.url) },
      close: async () => {
        // No request may reach a closing table: the web app stops first.
        await web.close();
        await closeAll();
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

function restore(file: string, importState: (state: unknown) => void): void {
  const saved = readSavedState(file);
  if (saved === undefined) return;
  try {
    importState(saved);
  } catch (error) {
    throw new SavedStateError(`${file} does not fit this version of the simulators (${error instanceof Error ? error.name : "error"}); start with --reset to begin afresh`);
  }
}

function quickBooksStateOf(saved: unknown): { tokens: unknown; companies: Record<string, unknown> } {
  const record = typeof saved === "object" && saved !== null ? (saved as Record<string, unknown>) : {};
  const companies = record["companies"];
  if (typeof companies !== "object" || companies === null) throw new Error("no companies in the saved QuickBooks state");
  return { tokens: record["tokens"], companies: companies as Record<string, unknown> };
}

const portOf = (url: string) => Number(new URL(url).port);

async function startSimulator<T>(what: string, port: number, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    throw portError(what, port, error);
  }
}

function portError(what: string, port: number, error: unknown): unknown {
  if (error instanceof Error && "code" in error && error.code === "EADDRINUSE") {
    return new PortInUseError(`port ${String(port)} for ${what} is in use: stop whatever uses it, or start on other ports with --port <n> (the simulators take the next three)`);
  }
  return error;
}

async function listen(what: string, port: number, fetch: Parameters<typeof serve>[0]["fetch"]): Promise<{ port: number; close: () => Promise<void> }> {
  const server = serve({ fetch, hostname: "127.0.0.1", port });
  if (!(server instanceof Server)) throw new Error("expected an HTTP/1.1 server");
  try {
    if (!server.listening) await once(server, "listening");
  } catch (error) {
    throw portError(what, port, error);
  }
  let closed: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      (closed ??= new Promise<void>((resolve, reject) => {
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
        server.closeAllConnections();
      })),
  };
}
