import { availableParallelism } from 'node:os';

/** Number of CPU cores this process may use. */
export function cpuCount(): number {
  return Math.max(1, availableParallelism());
}

/**
 * Map over items with at most `limit` calls in flight; results keep the input order.
 * The first rejection stops new calls and is rethrown once in-flight calls settle.
 */
export async function mapConcurrent<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index]!, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
  return results;
}
