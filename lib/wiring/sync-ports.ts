/**
 * The sync's and the payouts step's ports on a process's services: the stores, the merchant's settings,
 * the providers' clients (lib/wiring/provider-apis.ts), the clock. For the runtimes that sync (the
 * worker, `daybook sync`, the local stack, the tests' worlds); the web app does not load them.
 */
import type { PayoutPorts } from "../payouts/post-payouts";
import type { SyncPorts, SyncStep } from "../sync/sync-day";
import { type ApiTuning, payoutApis, syncApis } from "./provider-apis";
import type { Services } from "./services";

export interface SyncPortOptions {
  /** The providers' clients' patience; their own defaults when unset. */
  tuning?: ApiTuning;
  /** Crash points for the fault campaign; nothing in production. */
  checkpoint?: (step: SyncStep) => void | Promise<void>;
  /** The POS and QuickBooks ports themselves, instead of the real clients (the engine's fast tests). */
  apis?: Pick<SyncPorts, "summarisePosDay" | "quickBooksClient"> & Partial<Pick<SyncPorts, "readPosNight">>;
  /** The payouts' reader itself, instead of the real Square client. */
  payoutApis?: Pick<PayoutPorts, "listPayouts">;
  /** DAYBOOK_RECOVERY_UNTIL: until then every create is preceded by the DocNumber lookup. */
  recoveryUntil?: Date;
}

/** The recovery window from the settings, if one is open. */
export function recoveryOf(config: { DAYBOOK_RECOVERY_UNTIL?: string | undefined }): Pick<SyncPortOptions, "recoveryUntil"> {
  return config.DAYBOOK_RECOVERY_UNTIL === undefined ? {} : { recoveryUntil: new Date(config.DAYBOOK_RECOVERY_UNTIL) };
}

/** The sync's ports: the stores, the merchant's settings, the providers' clients, the clock. */
export function syncPortsOf(services: Services, options: SyncPortOptions = {}): SyncPorts {
  return {
    store: services.storage.store,
    settings: services.storage.settings,
    now: services.now,
    ...(options.apis ?? syncApis(services.tokens, services.hosts, options.tuning)),
    onNeedsReconnect: services.connectionRefused,
    ...(options.checkpoint ? { checkpoint: options.checkpoint } : {}),
    ...(options.recoveryUntil ? { recoveryUntil: options.recoveryUntil } : {}),
  };
}

/** The payouts step's ports (lib/payouts/post-payouts.ts): the sync's, the payout store, Square's payout reader. */
export function payoutPortsOf(services: Services, options: SyncPortOptions = {}): PayoutPorts {
  const sync = syncPortsOf(services, options);
  return {
    store: sync.store,
    quickBooksClient: (connection) => sync.quickBooksClient(connection),
    now: () => sync.now(),
    onNeedsReconnect: (connection) => sync.onNeedsReconnect?.(connection),
    checkpoint: (step) => sync.checkpoint?.(step),
    payouts: services.storage.payouts,
    ...(options.payoutApis ?? payoutApis(services.tokens, services.hosts, options.tuning, services.now)),
    // Once per Square connection made before daybook asked for payouts: the email loads then.
    askToReconnectForPayouts: async (connection) => {
      const { sendPayoutsScopeEmail } = await import("./on-demand/connection-refused");
      return sendPayoutsScopeEmail({ store: services.storage.store, email: services.email, publicUrl: services.publicUrl }, connection);
    },
  };
}
