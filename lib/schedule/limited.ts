/**
 * Runs `work` on every item with at most `limit` running at once, and resolves with the results in
 * the items' order: the scheduler's tick spreads its AWS calls this way, enough to hide each call's
 * latency, few enough for one Lambda's sockets and the table's partitions. Once one item's work fails,
 * no further item is started; the promise rejects with that first error after the work already running
 * has ended, so nothing of it goes on after the caller has moved on.
 */
export async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index] as T, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure !== undefined) throw failure.error;
  return results;
}
