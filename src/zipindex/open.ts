// Opening a member from its index record: the local header is read to skip
// the name and extra field (its own lengths, which may differ from the
// central ones), then the data is decompressed with the method registered in
// zip/codecs and checked (size, and CRC-32 from the record or the data
// descriptor). From a RangeSource the whole member is one ranged read.
import { CozipError } from '../errors.js';
import { isRangeSource } from '../io/open-source.js';
import type { RangeSource, ReadOptions } from '../io/source.js';
import { readStream } from '../io/stream.js';
import { getU32 } from '../zip/bytes.js';
import { getDecompressor, methodName } from '../zip/codecs.js';
import {
  FLAG_DATA_DESCRIPTOR,
  FLAG_ENCRYPTED,
  LOCAL_HEADER_SIZE,
  SIG_DATA_DESCRIPTOR,
} from '../zip/constants.js';
import { checkedContent } from '../zip/entry-data.js';
import { decodeLocalHeaderFixed } from '../zip/local-header.js';
import { ByteReader } from './byte-reader.js';
import type { File } from './file.js';
import { nameLength } from './names.js';

/** A RangeSource over the whole ZIP, or a stream positioned at `file.offset`. */
export type OpenInput = RangeSource | AsyncIterable<Uint8Array>;

/** Local extra fields are rarely longer; a longer one costs a second read. */
const EXTRA_SLACK = 256;
/** Signature, CRC-32 and two 32-bit sizes. */
const DESCRIPTOR_GUESS = 16;

function safe(v: bigint, what: string, file: File): number {
  if (v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new CozipError('TOO_LARGE', `${file.name}: ${what} ${v} cannot be addressed`, {
      details: { name: file.name },
    });
  }
  return Number(v);
}

/**
 * The bytes from the local header on: one read sized for the header, the
 * data and a descriptor; the rest of the source only if the local extra
 * field turns out longer than guessed.
 */
async function* fromRange(file: File, source: RangeSource, options: ReadOptions) {
  const start = safe(file.offset, 'offset', file);
  if (start + LOCAL_HEADER_SIZE > source.size) {
    throw new CozipError(
      'BAD_RECORD',
      `local header offset ${start} of ${file.name} is past the end of the archive`,
      { details: { name: file.name, offset: start } },
    );
  }
  const descriptor = file.flags & FLAG_DATA_DESCRIPTOR ? DESCRIPTOR_GUESS : 0;
  const guess =
    LOCAL_HEADER_SIZE +
    nameLength(file) +
    EXTRA_SLACK +
    safe(file.compressedSize, 'compressed size', file) +
    descriptor;
  const end = Math.min(source.size, start + guess);
  yield* readStream(source, start, end, options);
  if (end < source.size) yield* readStream(source, end, source.size, options);
}

/** Skips the local header; returns the reader at the first data byte. */
async function atData(file: File, input: OpenInput, options: ReadOptions): Promise<ByteReader> {
  const at = Number(file.offset);
  const r = new ByteReader(isRangeSource(input) ? fromRange(file, input, options) : input);
  try {
    const h = decodeLocalHeaderFixed(await r.read(LOCAL_HEADER_SIZE, 'local header'), 0, at);
    await r.read(h.nameLength + h.extraLength, 'local header name and extra field');
  } catch (err) {
    await r.close();
    throw err;
  }
  return r;
}

/** The member's compressed bytes, as stored. */
export async function* openRaw(
  file: File,
  input: OpenInput,
  options: ReadOptions = {},
): AsyncGenerator<Uint8Array> {
  const size = safe(file.compressedSize, 'compressed size', file);
  const r = await atData(file, input, options);
  try {
    yield* r.limit(size, `data of ${file.name}`).stream;
  } finally {
    await r.close();
  }
}

/**
 * The member's content, decompressed. At the end the size must match, and
 * the CRC-32: the record's, or when it is 0 (stripped) the data descriptor's;
 * a zero CRC without a descriptor is not checked.
 */
export async function* open(
  file: File,
  input: OpenInput,
  options: ReadOptions = {},
): AsyncGenerator<Uint8Array> {
  const details = { name: file.name, method: file.method };
  if (file.flags & FLAG_ENCRYPTED) {
    throw new CozipError('ENCRYPTED', `${file.name} is encrypted; encryption is not supported`, {
      details,
    });
  }
  const decompress = getDecompressor(file.method);
  if (!decompress) {
    throw new CozipError(
      'UNSUPPORTED_METHOD',
      `${file.name} uses unsupported compression method ${file.method} (${methodName(file.method)})`,
      { details },
    );
  }
  const size = safe(file.compressedSize, 'compressed size', file);
  const expected = safe(file.uncompressedSize, 'uncompressed size', file);
  const r = await atData(file, input, options);
  try {
    const data = r.limit(size, `data of ${file.name}`);
    // The CRC to check: the index's, or when it is 0 (stripped) the data
    // descriptor's; a zero CRC without a descriptor is not checked.
    const crc = async () => {
      const want = file.crc32;
      if (!(file.flags & FLAG_DATA_DESCRIPTOR)) return want === 0 ? undefined : want;
      await data.drain();
      let b = await r.read(4, 'data descriptor');
      // The signature is optional.
      if (getU32(b, 0) === SIG_DATA_DESCRIPTOR) b = await r.read(4, 'data descriptor');
      const stored = getU32(b, 0);
      if (want !== 0 && want !== stored) {
        throw new CozipError(
          'CRC_MISMATCH',
          `${file.name}: data descriptor CRC-32 ${hex(stored)} differs from the index's ${hex(want)}`,
          { details },
        );
      }
      // Like Go: a zero CRC (stripped, and none in the descriptor) is not checked.
      return stored === 0 ? undefined : stored;
    };
    yield* checkedContent(file.name, expected, decompress(data.stream), crc);
  } finally {
    await r.close();
  }
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
