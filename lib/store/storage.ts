/**
 * Every storage port daybook has, on its one DynamoDB table: the only place that makes the document
 * client. lib/wiring builds one Storage per process from the table's DynamoDB client.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { ApiKeyStore } from "../api/keys";
import type { AuthStore } from "../auth/types";
import type { MemberStore } from "../members/types";
import type { HeldEmailStore } from "../email/caps";
import type { DigestStore } from "../report/digest";
import type { MerchantSettings } from "../report/review-mode";
import type { RecipientStore } from "../report/recipients";
import type { ReportStore } from "../report/report-store";
import type { SeenWarningStore } from "../report/warnings-seen";
import type { BackfillStore } from "../schedule/backfill";
import type { DueIndex } from "../schedule/due-index";
import { createDynamoApiKeyStore } from "./api-keys";
import { createDynamoAuthStore } from "./auth";
import { createDynamoBackfillStore } from "./backfills";
import { type ClearingCarryStore, createDynamoClearingCarryStore } from "./clearing-carries";
import { createDynamoDigestStore } from "./digests";
import { createDynamoDueIndex } from "./due-index";
import { createDynamoStore, type DynamoStoreOptions } from "./dynamo";
import { createDynamoMemberStore } from "./members";
import { createDynamoHeldEmailStore } from "./email-held";
import { createDynamoRecipientStore } from "./recipients";
import { createDynamoReportStore } from "./reports";
import { createDynamoPayoutStore, type PayoutStore } from "./payouts";
import { createDynamoMerchantSettings } from "./settings";
import type { Store } from "./store";
import { createDynamoSeenWarningStore } from "./warnings-seen";

export interface Storage {
  /** Merchants, connections, locations, sync records. */
  store: Store;
  /** Sign-in links, sessions, OAuth states, rate limits. */
  auth: AuthStore;
  reports: ReportStore;
  recipients: RecipientStore;
  settings: MerchantSettings;
  dueIndex: DueIndex;
  backfills: BackfillStore;
  /** Accountants' access to businesses, and invitations. */
  members: MemberStore;
  /** API keys and their 14-day request log. */
  apiKeys: ApiKeyStore;
  /** Square payouts: each one's record, and where each location's stand. */
  payouts: PayoutStore;
  /** Each Square location's card clearing carry, for the digest's Deposits section. */
  carries: ClearingCarryStore;
  /** The digests' marks and per-recipient sends. */
  digests: DigestStore;
  /** Unmapped items already reported in full, per location. */
  seenWarnings: SeenWarningStore;
  /** Emails held back by the daily caps, for the reports page. */
  heldEmails: HeldEmailStore;
}

export interface DynamoStorageOptions extends Pick<DynamoStoreOptions, "now" | "pageSize" | "batchDelete"> {
  client: DynamoDBClient;
  tableName: string;
  /** The due-index's table when it is not the main one (a test of a whole night keeps it apart). */
  dueIndexTableName?: string;
}

export function createDynamoStorage(options: DynamoStorageOptions): Storage {
  const client = DynamoDBDocumentClient.from(options.client);
  const { tableName } = options;
  return {
    store: createDynamoStore({ ...options, client }),
    auth: createDynamoAuthStore({ client, tableName }),
    reports: createDynamoReportStore({ client, tableName }),
    recipients: createDynamoRecipientStore({ client, tableName }),
    settings: createDynamoMerchantSettings({ client, tableName }),
    dueIndex: createDynamoDueIndex({ client, tableName: options.dueIndexTableName ?? tableName, locationTableName: tableName }),
    backfills: createDynamoBackfillStore({ client, tableName }),
    members: createDynamoMemberStore({ client, tableName }),
    apiKeys: createDynamoApiKeyStore({ client, tableName }),
    payouts: createDynamoPayoutStore({ client, tableName, ...(options.now ? { now: options.now } : {}) }),
    carries: createDynamoClearingCarryStore({ client, tableName }),
    digests: createDynamoDigestStore({ client, tableName }),
    seenWarnings: createDynamoSeenWarningStore({ client, tableName }),
    heldEmails: createDynamoHeldEmailStore({ client, tableName }),
  };
}
