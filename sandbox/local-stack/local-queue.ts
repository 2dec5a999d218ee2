/**
 * The local stack's sync queue: what the SQS FIFO queue and the worker Lambda do on AWS, in-process.
 *
 * - One job at a time per message group, in the order sent; different groups run side by side.
 * - A job that throws is tried again after a short backoff, up to `maxAttempts`; the attempt number
 *   and the maximum go to the runner (lib/worker/process-job.ts), so the last attempt marks the day
 *   failed and reports it. Like a FIFO queue, a failing job holds back the rest of its group until it
 *   succeeds or is given up (on AWS it would move to the dead-letter queue; here it is dropped and
 *   counted in `deadLetters`).
 * - A job sent again with the same deduplication id (lib/schedule/job.ts) within five minutes of the
 *   first is dropped, as SQS FIFO drops it.
 *
 * Jobs live in memory only: a job still queued when the stack stops is lost (the scheduler's days are
 * caught up by its next tick only if their due-index entry had not moved on; ask for them again with
 * a backfill).
 */
import { type JobQueue, sendEachByGroup } from "../../lib/schedule/enqueue";
import { deduplicationIdOf, type SyncJob, syncJobSchema } from "../../lib/schedule/job";
import type { Attempt } from "../../lib/worker/process-job";

export const DEDUPLICATION_WINDOW_MS = 5 * 60_000;

export interface LocalQueueOptions {
  /** Runs one job; throwing asks for another attempt. */
  run(job: SyncJob, attempt: Attempt): Promise<unknown>;
  /** Attempts per job (SQS's maxReceiveCount). Default 3. */
  maxAttempts?: number;
  /** The wait before attempt n+1. Default 250 ms · 2^(n−1), at most 4 s. */
  backoffMs?: (attempt: number) => number;
  /** The clock of the deduplication window. */
  now?: () => number;
  /** Ids, kinds and error names only: never a token, an address or a message that could carry one. */
  log?(level: "info" | "warn" | "error", message: string, fields?: Record<string, string | number | boolean>): void;
}

export interface LocalJobQueue extends JobQueue {
  /** Resolves once nothing is queued, waiting or running (at once when closed). */
  idle(): Promise<void>;
  /** Stops taking and starting jobs, drops what is queued, and waits for the jobs running now. */
  close(): Promise<void>;
  /** Jobs given up after their last attempt, oldest first. */
  readonly deadLetters: readonly SyncJob[];
}

interface Group {
  jobs: SyncJob[];
  /** Attempts made on the job at the head. */
  attempts: number;
  running: Promise<void> | undefined;
}

export function createLocalQueue(options: LocalQueueOptions): LocalJobQueue {
  const maxAttempts = options.maxAttempts ?? 3;
  const backoffMs = options.backoffMs ?? ((attempt: number) => Math.min(4000, 250 * 2 ** (attempt - 1)));
  const now = options.now ?? Date.now;
  const groups = new Map<string, Group>();
  const sentAt = new Map<string, number>();
  const deadLetters: SyncJob[] = [];
  const waiters: (() => void)[] = [];
  const timers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  let closed = false;

  const isIdle = () => closed || groups.size === 0;
  const settle = () => {
    if (!isIdle()) return;
    for (const wake of waiters.splice(0)) wake();
  };

  const sleep = (ms: number) => new Promise<void>((resolve) => {
    const entry = {
      timer: setTimeout(() => {
        timers.delete(entry);
        resolve();
      }, ms),
      wake: resolve,
    };
    timers.add(entry);
  });

  const drain = async (name: string, group: Group) => {
    for (let job = group.jobs[0]; !closed && job !== undefined; job = group.jobs[0]) {
      group.attempts++;
      const attempt = { number: group.attempts, max: maxAttempts };
      try {
        await options.run(job, attempt);
        group.jobs.shift();
        group.attempts = 0;
      } catch (error) {
        const fields = { group: name, kind: job.kind, businessDay: job.businessDay, attempt: attempt.number, maxAttempts, error: error instanceof Error ? error.name : "unknown" };
        if (attempt.number >= maxAttempts) {
          options.log?.("error", "sync job given up after its last attempt", fields);
          deadLetters.push(job);
          group.jobs.shift();
          group.attempts = 0;
        } else {
          options.log?.("warn", "sync job failed; trying again", fields);
          await sleep(backoffMs(attempt.number));
        }
      }
    }
    groups.delete(name);
    settle();
  };

  const queue: LocalJobQueue = {
    deadLetters,
    sendEach: (messages) => sendEachByGroup(queue, messages),
    sendJobs(jobs, messageGroup) {
      if (closed) return Promise.reject(new Error("the local queue is closed"));
      const checked = jobs.map((job) => syncJobSchema.parse(job));
      const at = now();
      for (const [id, sent] of sentAt) if (at - sent >= DEDUPLICATION_WINDOW_MS) sentAt.delete(id);
      let group = groups.get(messageGroup);
      for (const job of checked) {
        const id = deduplicationIdOf(job);
        if (sentAt.has(id)) continue;
        sentAt.set(id, at);
        if (!group) {
          group = { jobs: [], attempts: 0, running: undefined };
          groups.set(messageGroup, group);
        }
        group.jobs.push(job);
      }
      if (group && group.running === undefined) {
        const started = group;
        // Started on the next turn, as a Lambda would be: the sender is never held up by the job.
        started.running = Promise.resolve().then(() => drain(messageGroup, started));
      }
      return Promise.resolve();
    },
    idle() {
      if (isIdle()) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    async close() {
      closed = true;
      for (const entry of timers) {
        clearTimeout(entry.timer);
        entry.wake();
      }
      timers.clear();
      await Promise.all([...groups.values()].flatMap((group) => (group.running ? [group.running] : [])));
      groups.clear();
      settle();
    },
  };
  return queue;
}
