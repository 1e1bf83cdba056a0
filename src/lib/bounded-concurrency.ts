// Side by side, but not all at once: work that holds a scarce resource (a pooled connection, a socket)
// runs at most `limit` at a time.

/**
 * Runs `work` over the items in their order with at most `limit` running at a time. The first failure
 * rejects at once and ends the lane it ran in; the other lanes go on with the remaining items.
 */
export async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
