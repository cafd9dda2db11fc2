// Node only: a member's input cut into SOZip chunks and compressed in order.
// Chunks travel in jobs of about 1 MiB (fewer messages for small chunks); at
// most `window` jobs are in flight, so memory stays bounded however large
// the member is, and results are yielded in input order.
import { CozipError } from '../errors.js';
import { crc32 } from '../zip/codecs.js';
import { type CompressedJob, compressJob } from './chunk-deflate.js';
import type { CompressPool } from './compress-pool.js';

/** Input bytes per job (rounded down to whole chunks, at least one chunk). */
const JOB_BYTES = 1 << 20;

export interface ChunkedDeflateOptions {
  chunkSize: number;
  level: number;
  /** Worker threads; without a pool every job is compressed on this thread. */
  pool?: CompressPool;
  /** Jobs in flight at most (default twice the pool's threads). */
  window?: number;
  jobBytes?: number;
}

/** What the compression found out, filled in as it goes. */
export interface ChunkedDeflateState {
  crc: number;
  uncompressed: number;
  compressed: number;
  chunks: number;
  /** Start of every chunk after the first, relative to the compressed data. */
  offsets: number[];
}

export function newChunkedState(): ChunkedDeflateState {
  return { crc: 0, uncompressed: 0, compressed: 0, chunks: 0, offsets: [] };
}

/**
 * Compresses `input` as SOZip chunks and yields the compressed bytes. The
 * last chunk is the one after which the input ends, so the input is read one
 * job ahead: a full job is only sent once more input (or the end) is seen.
 */
export async function* chunkedDeflate(
  input: AsyncIterable<Uint8Array>,
  options: ChunkedDeflateOptions,
  state: ChunkedDeflateState,
): AsyncGenerator<Uint8Array, void, undefined> {
  const { chunkSize, level, pool } = options;
  const perJob = Math.max(1, Math.floor((options.jobBytes ?? JOB_BYTES) / chunkSize));
  const jobLength = perJob * chunkSize;
  const window = Math.max(1, options.window ?? (pool ? 2 * pool.threads : 1));
  const inflight: Promise<CompressedJob>[] = [];
  let nextId = 0;
  let current: Uint8Array | undefined;
  let fill = 0;
  /** A full job held back until we know whether input follows it. */
  let ready: Uint8Array | undefined;

  const submit = (data: Uint8Array, last: boolean) => {
    const job = { id: nextId++, data, chunkSize, level, last };
    const done = pool ? pool.run(job) : Promise.resolve().then(() => compressJob(job));
    // Awaited in order below; this only keeps an early failure from being unhandled.
    done.catch(() => {});
    inflight.push(done);
  };
  const take = (done: CompressedJob): Uint8Array => {
    for (const size of done.sizes) {
      if (state.chunks > 0) state.offsets.push(state.compressed);
      state.compressed += size;
      state.chunks++;
    }
    return done.bytes;
  };

  for await (const piece of input) {
    if (!(piece instanceof Uint8Array)) {
      throw new CozipError('INVALID_ARGUMENT', 'SOZip input yielded a non-byte chunk');
    }
    state.crc = crc32(piece, state.crc);
    state.uncompressed += piece.length;
    for (let at = 0; at < piece.length; ) {
      if (ready) {
        while (inflight.length >= window) yield take(await inflight.shift()!);
        submit(ready, false);
        ready = undefined;
      }
      current ??= new Uint8Array(jobLength);
      const n = Math.min(piece.length - at, jobLength - fill);
      current.set(piece.subarray(at, at + n), fill);
      fill += n;
      at += n;
      if (fill === jobLength) {
        ready = current;
        current = undefined;
        fill = 0;
      }
    }
  }
  const tail: Array<[Uint8Array, boolean]> = [];
  if (ready) tail.push([ready, fill === 0]);
  if (fill > 0) tail.push([current!.subarray(0, fill), true]);
  for (const [data, last] of tail) {
    while (inflight.length >= window) yield take(await inflight.shift()!);
    submit(data, last);
  }
  while (inflight.length > 0) yield take(await inflight.shift()!);
}
