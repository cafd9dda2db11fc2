import { CozipError } from '../errors.js';
import { throwIfAborted } from './abort.js';
import { checkRange, type RangeSource } from './source.js';

export const DEFAULT_CHUNK_SIZE = 1 << 20;

export interface ReadStreamOptions {
  /** Size of each read when the source cannot stream (default 1 MiB). */
  chunkSize?: number;
  signal?: AbortSignal;
}

/**
 * The bytes [start, end) of `source` as chunks: one streamed request when the
 * source can stream, otherwise sequential reads with the next one already in
 * flight while the consumer handles the current chunk.
 */
export async function* readStream(
  source: RangeSource,
  start: number,
  end: number,
  options: ReadStreamOptions = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  const { chunkSize = DEFAULT_CHUNK_SIZE, signal } = options;
  checkRange(source, start, end);
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) {
    throw new CozipError('INVALID_ARGUMENT', `chunkSize must be a positive integer: ${chunkSize}`);
  }
  throwIfAborted(signal);
  if (start === end) return;
  if (source.stream) {
    yield* source.stream(start, end, { signal });
    return;
  }
  let pos = start;
  const next = () => {
    const stop = Math.min(end, pos + chunkSize);
    const pending = source.read(pos, stop, { signal });
    pos = stop;
    return pending;
  };
  let pending: Promise<Uint8Array> | undefined = next();
  try {
    while (pending) {
      const chunk: Uint8Array = await pending;
      pending = pos < end ? next() : undefined;
      yield chunk;
    }
  } finally {
    // The consumer stopped early: nobody will await the read ahead.
    pending?.catch(() => {});
  }
}

/** Joins chunks into one array (returns the only chunk as is). */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  let length = 0;
  for (const chunk of chunks) length += chunk.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** Drains an iterable of chunks into one array. */
export async function readAll(
  iterable: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of iterable) chunks.push(chunk);
  return concatBytes(chunks);
}
