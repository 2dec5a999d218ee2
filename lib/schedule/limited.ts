/**
 * Runs `work` on every item with at most `limit` running at once, and resolves with the results in
 * the items' order: the scheduler's tick spreads its AWS calls this way, enough to hide each call's
 * latency, few enough for one Lambda's sockets and the table's partitions.
 */
export async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
