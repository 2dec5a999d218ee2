/**
 * What the web app needs from the outside, passed in so the same app runs on Lambda
 * (functions/api.ts), in the local stack and in tests.
 */
import type { PayoutRecords } from "../api/payouts";
import type { Session } from "../auth/types";
import type { EmailSender } from "../email/email";
import type { AccessRole } from "../members/types";
import type { ProviderReaders } from "../locations/readers";
import type { Merchant, ProviderName } from "../model";
import type { OAuthProvider } from "../oauth/provider";
import type { TokenKeeper } from "../oauth/token-keeper";
import type { JobQueue } from "../schedule/enqueue";
import type { Storage } from "../store/storage";
import type { TokenVault } from "../vault/vault";

export interface WebhookSecrets {
  /** Square's webhook signature key for the subscription, and the exact notification URL Square posts to (both are signed). */
  squareSignatureKey: string;
  squareNotificationUrl: string;
  /** The X-Clover-Auth code Clover sends with every webhook of the app. */
  cloverAuthCode: string;
  /** daybook's Clover app id: app events (`A:<appId>`) of other apps are ignored. */
  cloverAppId: string;
  /** QuickBooks' webhook verifier token; without it QuickBooks' webhooks are refused. */
  quickBooksVerifierToken?: string | undefined;
}

/** What the approve and unsubscribe links in report emails need (lib/links/signed-link.ts). */
export interface EmailLinks {
  /** The link-signing key the worker signs with. */
  key: Buffer;
  /** The sync queue, for approve jobs. */
  queue: JobQueue;
}

/** The stores (lib/store/storage.ts) and everything else the app uses. */
export interface WebDeps extends Storage {
  vault: TokenVault;
  email: EmailSender;
  /** The OAuth providers: connecting, disconnecting and account deletion use them (on Lambda, made on the first such request). */
  providers: () => Promise<Record<ProviderName, OAuthProvider>>;
  /** The process's one token keeper (lib/wiring): the pages, the webhooks and the worker share it. */
  tokens: TokenKeeper;
  /** The origins of the providers' consent pages, where the app's forms may lead (lib/oauth/consent-origins.ts). */
  consentOrigins: readonly string[];
  /** The providers' APIs the locations and mapping pages read with, through `tokens`. */
  readers: ProviderReaders;
  /** The app's public origin, e.g. https://app.daybook.example (links in emails, OAuth redirect URIs). */
  publicUrl: string;
  webhooks: WebhookSecrets;
  now: () => Date;
  /** Unset where there is no queue or link key (the local stack): those links then answer 404. */
  links?: EmailLinks;
  /** The payouts the API lists (none yet: lib/api/payouts.ts; the night's payout records are in `payouts`). */
  apiPayouts: PayoutRecords;
  /** The sync queue for backfills; unset where there is no queue: the backfill pages then answer 404. */
  backfill?: { queue: JobQueue };
  /** Logs structured JSON; never a token, a secret, an email address or a sign-in link. */
  log: (level: "info" | "warn" | "error", message: string, fields?: Record<string, string | number | boolean>) => void;
}

/** Hono context variables set by the session middleware. */
export interface AppEnv {
  Variables: {
    session: Session | undefined;
    /** The business the request works on: the person's own, or one that gave them access (session.actingFor). */
    merchant: Merchant | undefined;
    /** The person signed in: their own account. */
    person: Merchant | undefined;
    /** The person's role in `merchant`. */
    role: AccessRole | undefined;
    /** The person has clients (businesses that gave them access): the menu offers the client list. */
    hasClients: boolean;
    /** The session worked on a business whose access has ended since its last request (lib/web/roles.ts refuses it once). */
    accessEnded: boolean;
    /** The signed-in session's form token (lib/auth/sessions.ts formTokenOf), for the pages' forms. */
    formToken: string | undefined;
  };
}
