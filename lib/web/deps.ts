/**
 * What the web app needs from the outside, passed in so the same app runs on Lambda
 * (functions/api.ts), in the local stack and in tests.
 */
import type { AuthStore, Session } from "../auth/types";
import type { EmailSender } from "../email/email";
import type { OAuthProvider } from "../oauth/provider";
import type { ProviderName, Merchant } from "../model";
import type { MerchantItemsTable } from "../report/merchant-items";
import type { Store } from "../store/store";
import type { TokenVault } from "../vault/vault";
import type { JobQueue } from "../schedule/enqueue";
import type { ProviderHosts } from "../locations/readers";
import type { DueIndexDeps } from "../schedule/due-index";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

export interface WebhookSecrets {
  /** Square's webhook signature key for the subscription, and the exact notification URL Square posts to (both are signed). */
  squareSignatureKey: string;
  squareNotificationUrl: string;
  /** The X-Clover-Auth code Clover sends with every webhook of the app. */
  cloverAuthCode: string;
  /** daybook's Clover app id: app events (`A:<appId>`) of other apps are ignored. */
  cloverAppId: string;
}

/** What the approve and unsubscribe links in report emails need (lib/links/signed-link.ts). */
export interface EmailLinks {
  /** The link-signing key the worker signs with. */
  key: Buffer;
  /** The sync queue, for approve jobs. */
  queue: JobQueue;
  /** The table the report modules keep recipients and reports in. */
  items: MerchantItemsTable;
}

/** What the locations page needs: the providers' API hosts it reads with, and the due-index it registers locations in. */
export interface LocationSetup {
  hosts: ProviderHosts;
  dueIndex: DueIndexDeps;
}

export interface WebDeps {
  store: Store;
  auth: AuthStore;
  vault: TokenVault;
  email: EmailSender;
  providers: Record<ProviderName, OAuthProvider>;
  /** The app's public origin, e.g. https://app.daybook.example (links in emails, OAuth redirect URIs). */
  publicUrl: string;
  webhooks: WebhookSecrets;
  now: () => Date;
  /** The table the sync reports are kept in (lib/report/report-store.ts), for the day pages. */
  reports: MerchantItemsTable;
  /** Unset where there is no queue or link key (the local stack): those links then answer 404. */
  links?: EmailLinks;
  /** Unset where the providers' APIs are not reachable: the locations page then answers 404. */
  locations?: LocationSetup;
  /** The sync queue and the table of the backfills' progress; unset where there is no queue: the backfill pages then answer 404. */
  backfill?: { queue: JobQueue; documents: DynamoDBDocumentClient; tableName: string };
  /** Logs structured JSON; never a token, a secret, an email address or a sign-in link. */
  log: (level: "info" | "warn" | "error", message: string, fields?: Record<string, string | number | boolean>) => void;
}

/** Hono context variables set by the session middleware. */
export interface AppEnv {
  Variables: {
    session: Session | undefined;
    merchant: Merchant | undefined;
    /** The signed-in session's form token (lib/auth/sessions.ts formTokenOf), for the pages' forms. */
    formToken: string | undefined;
  };
}
