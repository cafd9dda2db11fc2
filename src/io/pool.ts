// Bounded concurrency over a list: range reads are latency-bound, so
// overlapping a few of them (which the planner may also merge) is the cheap
// way to go fast over HTTP.

/**
 * Calls `fn` for every item with at most `limit` calls in flight. After the
 * first failure no new item is started; the first error is rethrown once every
 * call in flight has settled (so cleanup in them has finished).
 */
export async function runPool<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const i = next++;
      try {
        await fn(items[i], i);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
}
