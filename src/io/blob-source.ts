import { CozipError } from '../errors.js';
import { closedError, throwIfAborted } from './abort.js';
import { checkRange, type IoStats, type RangeSource, type ReadOptions } from './source.js';
import { iterateStream } from './web-stream.js';

export type BlobSource = RangeSource & {
  readonly stats: IoStats;
  stream(start: number, end: number, options?: ReadOptions): AsyncIterable<Uint8Array>;
  close(): Promise<void>;
};

/**
 * A RangeSource over a Blob or File (browser uploads, drag and drop). Slicing
 * a Blob is lazy, so only the requested bytes are ever loaded.
 */
export function blobSource(blob: Blob, name = blobName(blob)): BlobSource {
  const stats: IoStats = { requests: 0, bytesFetched: 0 };
  let closed = false;

  async function read(start: number, end: number, options?: ReadOptions): Promise<Uint8Array> {
    checkRange(source, start, end);
    if (closed) throw closedError(name);
    throwIfAborted(options?.signal);
    stats.requests++;
    const bytes = new Uint8Array(await blob.slice(start, end).arrayBuffer());
    stats.bytesFetched += bytes.length;
    if (bytes.length !== end - start) {
      throw new CozipError('SHORT_READ', `${name}: got ${bytes.length} of ${end - start} bytes`, {
        details: { start, end, received: bytes.length },
      });
    }
    throwIfAborted(options?.signal);
    return bytes;
  }

  async function* stream(start: number, end: number, options?: ReadOptions) {
    checkRange(source, start, end);
    if (closed) throw closedError(name);
    throwIfAborted(options?.signal);
    stats.requests++;
    for await (const chunk of iterateStream(blob.slice(start, end).stream())) {
      throwIfAborted(options?.signal);
      stats.bytesFetched += chunk.length;
      yield chunk;
    }
  }

  const source: BlobSource = {
    size: blob.size,
    name,
    stats,
    read,
    stream,
    async close() {
      closed = true;
    },
  };
  return source;
}

/** A File knows its name; a plain Blob does not. */
function blobName(blob: Blob): string {
  const name = (blob as { name?: unknown }).name;
  return typeof name === 'string' && name !== '' ? name : 'blob';
}
