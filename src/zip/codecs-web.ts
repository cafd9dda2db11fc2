// Browser / Deno / edge implementations of the runtime codecs, built on
// CompressionStream and DecompressionStream ('deflate-raw'). Same exports as
// codecs-node.ts.
import { CozipError } from '../errors.js';
import { concatBytes } from '../io/stream.js';
import { crc32Table } from './crc32-table.js';
import { zstdDecompressJs } from './zstd-js.js';

type Bytes = AsyncIterable<Uint8Array>;

export const crc32: (data: Uint8Array, value?: number) => number = crc32Table;

export const runtimeName = 'web';

async function* throughTransform(
  input: Bytes,
  stream: { readable: ReadableStream<Uint8Array>; writable: WritableStream<BufferSource> },
  what: string,
): AsyncIterable<Uint8Array> {
  const writer = stream.writable.getWriter();
  const pump = (async () => {
    for await (const chunk of input) await writer.write(chunk as Uint8Array<ArrayBuffer>);
    await writer.close();
  })();
  let pumpError: unknown;
  pump.catch((err) => {
    pumpError = err;
    writer.abort(err).catch(() => {});
  });
  const reader = stream.readable.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield value;
    }
    await pump;
  } catch (err) {
    if (pumpError !== undefined) throw pumpError;
    if (err instanceof CozipError) throw err;
    throw new CozipError('CORRUPT_DATA', `${what}: ${(err as Error)?.message ?? err}`, {
      cause: err,
    });
  } finally {
    reader.cancel().catch(() => {});
  }
}

export function inflateRaw(input: Bytes): AsyncIterable<Uint8Array> {
  return throughTransform(input, new DecompressionStream('deflate-raw'), 'inflate');
}

/** CompressionStream has no level setting; `level` is accepted for symmetry. */
export function deflateRaw(input: Bytes, _level = 6): AsyncIterable<Uint8Array> {
  return throughTransform(input, new CompressionStream('deflate-raw'), 'deflate');
}

async function collect(chunks: AsyncIterable<Uint8Array>, maxOutput: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let n = 0;
  for await (const c of chunks) {
    n += c.length;
    if (n > maxOutput) {
      throw new CozipError('SIZE_MISMATCH', 'inflate: output larger than declared');
    }
    parts.push(c);
  }
  return concatBytes(parts);
}

async function* once(data: Uint8Array) {
  yield data;
}

export function inflateRawBytes(data: Uint8Array, maxOutput: number): Promise<Uint8Array> {
  return collect(inflateRaw(once(data)), maxOutput);
}

/** No synchronous inflate here: callers fall back to inflateRawBytes. */
export function inflateRawInto(
  _data: Uint8Array,
  _maxOutput: number,
  _out: Uint8Array,
): number | undefined {
  return undefined;
}

/** The length and CRC-32 of what `data` inflates to (the content is not kept). */
export async function inflateRawCrc(
  data: Uint8Array,
  maxOutput: number,
): Promise<{ length: number; crc: number }> {
  const out = await inflateRawBytes(data, maxOutput);
  return { length: out.length, crc: crc32(out) };
}

/** DecompressionStream already works off the calling task; same as inflateRawBytes. */
export function inflateRawBytesOffThread(data: Uint8Array, maxOutput: number): Promise<Uint8Array> {
  return inflateRawBytes(data, maxOutput);
}

export function deflateRawBytes(data: Uint8Array, level = 6): Promise<Uint8Array> {
  return collect(deflateRaw(once(data), level), Number.MAX_SAFE_INTEGER);
}

export function zstdDecompress(input: Bytes): AsyncIterable<Uint8Array> {
  return zstdDecompressJs(input);
}
