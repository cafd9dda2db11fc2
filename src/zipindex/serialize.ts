// Serialize and deserialize a list of Files, choosing the encoding by entry
// count exactly as the Go implementation does:
//   < 10 entries        type 1 (msgpack < 200 bytes) or 2 (the same, zstd)
//   10 .. 24,999        type 3 (struct of arrays, zstd)
//   >= 25,000           type 4 (chunks of type 3), unless `chunked: false`
import { CozipError } from '../errors.js';
import { concatBytes } from '../io/stream.js';
import { TYPE_CHUNKED, TYPE_COMPRESSED, TYPE_PLAIN, TYPE_STRUCTS, unpack } from './container.js';
import { indexTooLarge, tooManyFiles } from './errors.js';
import { type File, MAX_FILES, MAX_INDEX_SIZE } from './file.js';
import { decodeArray, encodeArray } from './type1.js';
import { decodeStructs } from './type3.js';
import {
  CHUNK_FILES,
  checkPayload,
  decodeChunked,
  encodeChunked,
  serializeStructs,
} from './type4.js';
import { zstdCompress } from './zstd.js';

/** Below this many entries, the array-of-entries layout (types 1 and 2). */
const ARRAY_BELOW = 10;
/** From this msgpack size on, types 1 becomes 2 (compressed). */
const COMPRESS_FROM = 200;

export interface SerializeOptions {
  /**
   * Chunk indexes of 25,000 entries or more (type 4, default true). minio's
   * zipindex cannot read type 4: pass false to write type 3 for any count.
   */
  chunked?: boolean;
}

const U64 = 1n << 64n;
const I63 = 1n << 63n;

/** Why `f` cannot be written, or undefined when it can. */
function invalidField(f: File): string | undefined {
  if (typeof f.name !== 'string') return 'name is not a string';
  if (f.compressedSize < 0n || f.compressedSize >= U64) return 'compressed size is not a uint64';
  if (f.uncompressedSize < 0n || f.uncompressedSize >= U64) {
    return 'uncompressed size is not a uint64';
  }
  if (f.offset < -I63 || f.offset >= I63) return 'offset is not an int64';
  if (!Number.isInteger(f.crc32) || f.crc32 < 0 || f.crc32 > 0xffffffff) return 'bad CRC-32';
  if (!Number.isInteger(f.method) || f.method < 0 || f.method > 0xffff) return 'bad method';
  if (!Number.isInteger(f.flags) || f.flags < 0 || f.flags > 0xffff) return 'bad flags';
  return undefined;
}

function checkFiles(files: File[]): void {
  for (let i = 0; i < files.length; i++) {
    const why = invalidField(files[i]);
    if (why) {
      throw new CozipError('INVALID_ARGUMENT', `zipindex: file #${i} (${files[i].name}): ${why}`, {
        details: { index: i, name: files[i].name },
      });
    }
  }
}

function withType(type: number, parts: Uint8Array[]): Uint8Array {
  const n = parts.reduce((sum, p) => sum + p.length, 1);
  if (n > MAX_INDEX_SIZE) throw indexTooLarge(`serialized index of ${n} bytes`, n);
  return concatBytes([Uint8Array.of(type), ...parts]);
}

/**
 * The serialized index. Entries keep their order (types 1-3); run
 * `optimizeSize` first for the smallest result. `files` is never reordered.
 */
export async function serialize(
  files: File[],
  options: SerializeOptions = {},
): Promise<Uint8Array> {
  if (files.length > MAX_FILES) throw tooManyFiles(files.length);
  checkFiles(files);
  if (files.length < ARRAY_BELOW) {
    const payload = checkPayload(encodeArray(files));
    if (payload.length < COMPRESS_FROM) return withType(TYPE_PLAIN, [payload]);
    return withType(TYPE_COMPRESSED, [await zstdCompress(payload)]);
  }
  if (files.length < CHUNK_FILES || options.chunked === false) {
    const out = await serializeStructs(files);
    if (out.length > MAX_INDEX_SIZE) throw indexTooLarge(`serialized index of ${out.length} bytes`);
    return out;
  }
  return withType(TYPE_CHUNKED, await encodeChunked(files));
}

/** Every entry of a serialized index (any of types 1-4). */
export function deserializeFiles(b: Uint8Array): File[] {
  const { type, payload } = unpack(b);
  switch (type) {
    case TYPE_PLAIN:
    case TYPE_COMPRESSED:
      return decodeArray(payload);
    case TYPE_STRUCTS:
      return decodeStructs(payload);
    case TYPE_CHUNKED:
      return decodeChunked(payload);
  }
}
