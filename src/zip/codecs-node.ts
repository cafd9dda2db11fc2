// Node implementations of the runtime codecs, selected by the "node"
// condition of the `#codecs` import. Same exports as codecs-web.ts.
import { pipeline, Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import { CozipError } from '../errors.js';
import { crc32Table } from './crc32-table.js';
import { inflateInto, inflateReused, inflateRoom, REUSE_LIMIT } from './inflate-node.js';
import { zstdDecompressJs } from './zstd-js.js';

type Bytes = AsyncIterable<Uint8Array>;

const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** CRC-32 of `data` continuing from `value`; zlib's when Node has it (>= 20.15). */
export const crc32: (data: Uint8Array, value?: number) => number = nativeCrc32
  ? (data, value = 0) => nativeCrc32(data, value)
  : crc32Table;

export const runtimeName = 'node';

function zlibError(err: unknown, what: string): unknown {
  if (err instanceof CozipError) return err;
  const code = (err as { code?: string })?.code;
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return new CozipError('CORRUPT_DATA', `${what}: ${(err as Error).message}`, { cause: err });
  }
  if (code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
    return new CozipError('SIZE_MISMATCH', `${what}: output larger than declared`, { cause: err });
  }
  return err;
}

async function* throughZlib(input: Bytes, z: zlib.Zlib & NodeJS.ReadWriteStream, what: string) {
  pipeline(Readable.from(input, { objectMode: false }), z, () => {});
  try {
    for await (const chunk of z as unknown as AsyncIterable<Buffer>) yield chunk as Uint8Array;
  } catch (err) {
    throw zlibError(err, what);
  } finally {
    (z as unknown as { destroy(): void }).destroy();
  }
}

export function inflateRaw(input: Bytes): AsyncIterable<Uint8Array> {
  return throughZlib(input, zlib.createInflateRaw({ chunkSize: 64 * 1024 }), 'inflate');
}

export function deflateRaw(input: Bytes, level = 6): AsyncIterable<Uint8Array> {
  return throughZlib(input, zlib.createDeflateRaw({ level }), 'deflate');
}

/**
 * Output buffer size for a known result size: one buffer instead of 16 KiB
 * pieces joined at the end (the spare bytes let zlib report the end in the
 * same call); capped, as the size comes from the archive.
 */
function outputChunk(maxOutput: number): number {
  return Math.min(Math.max(64, maxOutput + 64), 1 << 20);
}

/** One-shot inflate of a whole member; fails with SIZE_MISMATCH past `maxOutput` bytes. */
export async function inflateRawBytes(data: Uint8Array, maxOutput: number): Promise<Uint8Array> {
  const reused = inflateReused(data, maxOutput);
  if (reused) return reused;
  try {
    return zlib.inflateRawSync(data, {
      maxOutputLength: Math.max(1, maxOutput),
      chunkSize: outputChunk(maxOutput),
    });
  } catch (err) {
    throw zlibError(err, 'inflate');
  }
}

/**
 * Inflates `data` into `out` when it is one whole stream of at most
 * `maxOutput` bytes (`out` has room for 64 more): the length, or undefined
 * when that cannot be done so (inflateRawBytes then gives the result or error).
 */
export function inflateRawInto(
  data: Uint8Array,
  maxOutput: number,
  out: Uint8Array,
): number | undefined {
  return inflateInto(data, maxOutput, out);
}

/** Output of inflateRawCrc, kept between calls: checked content is not kept. */
let scratch = new Uint8Array(0);

/**
 * The length and CRC-32 of what `data` inflates to, for a check that keeps
 * nothing; fails as inflateRawBytes does.
 */
export async function inflateRawCrc(
  data: Uint8Array,
  maxOutput: number,
): Promise<{ length: number; crc: number }> {
  if (maxOutput < REUSE_LIMIT) {
    const room = inflateRoom(maxOutput);
    if (scratch.length < room) scratch = new Uint8Array(Math.max(room, 64 << 10));
    const n = inflateInto(data, maxOutput, scratch);
    if (n !== undefined) return { length: n, crc: crc32(scratch.subarray(0, n)) };
  }
  const out = await inflateRawBytes(data, maxOutput);
  return { length: out.length, crc: crc32(out) };
}

/**
 * inflateRawBytes on zlib's thread pool (the callback API), so several
 * independent streams (SOZip chunks) inflate in parallel.
 */
export function inflateRawBytesOffThread(data: Uint8Array, maxOutput: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const options = { maxOutputLength: Math.max(1, maxOutput), chunkSize: outputChunk(maxOutput) };
    zlib.inflateRaw(data, options, (err, out) => {
      if (err) reject(zlibError(err, 'inflate'));
      else resolve(out);
    });
  });
}

export async function deflateRawBytes(data: Uint8Array, level = 6): Promise<Uint8Array> {
  return zlib.deflateRawSync(data, { level });
}

type ZstdFactory = () => zlib.Zlib & NodeJS.ReadWriteStream;
const nativeZstd = (zlib as unknown as { createZstdDecompress?: ZstdFactory }).createZstdDecompress;

export function zstdDecompress(input: Bytes): AsyncIterable<Uint8Array> {
  return nativeZstd ? throughZlib(input, nativeZstd(), 'zstd') : zstdDecompressJs(input);
}
