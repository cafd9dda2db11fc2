import { closedError, throwIfAborted } from './abort.js';
import { checkRange, type IoStats, type RangeSource, type ReadOptions } from './source.js';

export type BytesSource = RangeSource & { readonly stats: IoStats; close(): Promise<void> };

/**
 * A RangeSource over bytes already in memory. Reads return views into `bytes`
 * (no copy), so callers must treat them as read-only.
 */
export function bytesSource(bytes: Uint8Array, name = 'memory'): BytesSource {
  const stats: IoStats = { requests: 0, bytesFetched: 0 };
  let closed = false;
  const source: BytesSource = {
    size: bytes.length,
    name,
    stats,
    async read(start: number, end: number, options?: ReadOptions) {
      checkRange(source, start, end);
      if (closed) throw closedError(name);
      throwIfAborted(options?.signal);
      stats.requests++;
      stats.bytesFetched += end - start;
      return bytes.subarray(start, end);
    },
    async close() {
      closed = true;
    },
  };
  return source;
}
