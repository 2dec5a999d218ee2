/**
 * A job queue that keeps what was sent, in memory, checked against the message contract as SQS's
 * sender is: the tests' in-memory runtime (lib/wiring/memory.ts). The local stack's queue, which runs
 * the jobs, is sandbox/local-stack/local-queue.ts.
 */
import { type JobQueue, sendEachByGroup } from "./enqueue";
import { deduplicationIdOf, type SyncJob, syncJobSchema } from "./job";

export interface SentJob {
  job: SyncJob;
  messageGroup: string;
  deduplicationId: string;
}

export interface MemoryJobQueue extends JobQueue {
  /** Every job sent so far, in order, duplicates included (SQS would drop a repeat within five minutes). */
  readonly sent: readonly SentJob[];
  /** The jobs sent since the last call, taken off the queue. */
  take(): SentJob[];
}

export function createMemoryJobQueue(): MemoryJobQueue {
  const sent: SentJob[] = [];
  let taken = 0;
  const queue: MemoryJobQueue = {
    sent,
    sendJobs(jobs, messageGroup) {
      const checked = jobs.map((job) => syncJobSchema.parse(job));
      for (const job of checked) sent.push({ job, messageGroup, deduplicationId: deduplicationIdOf(job) });
      return Promise.resolve();
    },
    sendEach: (messages) => sendEachByGroup(queue, messages),
    take() {
      const fresh = sent.slice(taken);
      taken = sent.length;
      return fresh;
    },
  };
  return queue;
}
