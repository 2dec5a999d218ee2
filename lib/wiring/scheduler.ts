/**
 * The scheduler's runtime (functions/scheduler.ts): the due-index and the locations in the table and
 * the SQS queue for the tick; for the morning digests after it (lib/report/digest.ts), the stores they
 * read, email within the daily caps, and the link key. No vault, no provider, no provider's secret: a
 * bundle of its own, small.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { SESv2Client } from "@aws-sdk/client-sesv2";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { SchedulerConfig } from "../config";
import type { EmailSender } from "../email/email";
import type { DigestDeps, DigestRunResult } from "../report/digest";
import { dueDigestMarks } from "../report/digest-marks";
import { createSqsJobQueue } from "../schedule/enqueue";
import type { SchedulerDeps } from "../schedule/scheduler";
import { createDynamoDueDigestMarks } from "../store/due-digest-marks";
import { createDynamoDueTick } from "../store/due-index-tick";
import type { Storage } from "../store/storage";
import { type AwsCredentials, awsClientConfig } from "./aws";
import { cappedEmail, type EmailCapOptions, emailFrom } from "./email";
import { storageOnDemand } from "./storage";

export interface SchedulerRuntime {
  /** runSchedulerTick's deps but the tick's `now` and log. */
  deps: Omit<SchedulerDeps, "now" | "log">;
  /** sendDueDigests's deps but its `now` and log. */
  digests: Omit<DigestDeps, "now" | "log">;
  /**
   * The morning digests due at `now` (lib/report/digest.ts's sendDueDigests): every tick reads the due
   * marks; what builds and sends digests loads on the first tick that has some.
   */
  sendDigests: (now: Date, log?: DigestDeps["log"]) => Promise<DigestRunResult>;
  close(): void;
}

export interface SchedulerParts extends EmailCapOptions {
  dynamo?: DynamoDBClient;
  sqs?: SQSClient;
  ses?: SESv2Client;
  /** The sender under the caps (a test's recorder); SES or the outbox from the settings otherwise. */
  email?: EmailSender;
  credentials?: AwsCredentials;
  now?: () => Date;
}

/** What the digest step reads and sends with, from a process's storage and (capped) email. */
export function digestDepsOf(
  storage: Storage, email: EmailSender, publicUrl: string, linkKey: Buffer, now: () => Date = () => new Date(),
): Omit<DigestDeps, "now" | "log"> {
  return {
    digests: storage.digests, store: storage.store, reports: storage.reports, recipients: storage.recipients, members: storage.members, email, publicUrl, linkKey,
    deposits: { payouts: storage.payouts, store: storage.store, carries: { store: storage.carries, now } },
  };
}

export function composeScheduler(config: SchedulerConfig, parts: SchedulerParts = {}): SchedulerRuntime {
  const dynamo = parts.dynamo ?? new DynamoDBClient(awsClientConfig(config, "dynamodb", parts.credentials));
  const sqs = parts.sqs ?? new SQSClient(awsClientConfig(config, "sqs", parts.credentials));
  const now = parts.now ?? (() => new Date());
  // Every tick reads and moves the due-index's entries and reads the due digests' marks: those parts
  // of the two stores are made at start; the stores the digests read and write (and the rest of these
  // two), on the first tick that sends some.
  const tableName = config.DAYBOOK_TABLE;
  const documents = DynamoDBDocumentClient.from(dynamo);
  const dueIndex = createDynamoDueTick({ client: documents, tableName, locationTableName: tableName });
  const dueMarks = createDynamoDueDigestMarks({ client: documents, tableName });
  const storage = storageOnDemand({ client: dynamo, tableName, now });
  let sender = parts.email;
  // SES's client loads on the first digest sent: most ticks send none.
  let closeEmail = (): void => undefined;
  if (!sender) {
    const built = emailFrom(config, { ...(parts.ses ? { ses: parts.ses } : {}), ...(parts.credentials ? { credentials: parts.credentials } : {}), now });
    sender = built.email;
    closeEmail = built.close;
  }
  const email = cappedEmail(sender, storage, now, parts);
  const digests = digestDepsOf(storage, email, config.DAYBOOK_PUBLIC_URL, Buffer.from(config.DAYBOOK_LINK_KEY, "base64"), now);
  return {
    deps: { dueIndex, queue: createSqsJobQueue(sqs, config.DAYBOOK_QUEUE_URL), shards: config.DAYBOOK_DUE_SHARDS },
    digests,
    async sendDigests(at, log) {
      const marks = await dueDigestMarks({ digests: dueMarks }, at);
      if (marks.length === 0) return { merchants: 0, sent: 0, waiting: 0, failed: 0 };
      const { sendDueDigests } = await import("./on-demand/digests");
      return sendDueDigests({ ...digests, now: () => at, ...(log ? { log } : {}) }, marks);
    },
    close() {
      if (!parts.dynamo) dynamo.destroy();
      if (!parts.sqs) sqs.destroy();
      closeEmail();
    },
  };
}
