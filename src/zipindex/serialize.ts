// Serialize and deserialize a list of Files (or columns, the same bytes),
// choosing the encoding by entry count exactly as the Go implementation does:
//   < 10 entries        type 1 (msgpack < 200 bytes) or 2 (the same, zstd)
//   10 .. 24,999        type 3 (struct of arrays, zstd)
//   >= 25,000           type 4 (chunks of type 3), unless `chunked: false`
import { concatBytes } from '../io/stream.js';
import { columnsFromFiles, type FileColumns, filesFromColumns } from './columns.js';
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

function withType(type: number, parts: Uint8Array[]): Uint8Array {
  const n = parts.reduce((sum, p) => sum + p.length, 1);
  if (n > MAX_INDEX_SIZE) throw indexTooLarge(`serialized index of ${n} bytes`, n);
  return concatBytes([Uint8Array.of(type), ...parts]);
}

async function serializeArray(files: File[]): Promise<Uint8Array> {
  const payload = checkPayload(encodeArray(files));
  if (payload.length < COMPRESS_FROM) return withType(TYPE_PLAIN, [payload]);
  return withType(TYPE_COMPRESSED, [await zstdCompress(payload)]);
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
  // Converting checks every field (INVALID_ARGUMENT) before anything is written.
  const cols = columnsFromFiles(files);
  if (files.length < ARRAY_BELOW) return serializeArray(files);
  return serializeColumns(cols, options);
}

/** `serialize` for columns (the same bytes as for the same entries as Files). */
export async function serializeColumns(
  cols: FileColumns,
  options: SerializeOptions = {},
): Promise<Uint8Array> {
  const n = cols.length;
  if (n > MAX_FILES) throw tooManyFiles(n);
  if (n < ARRAY_BELOW) return serializeArray(filesFromColumns(cols));
  if (n < CHUNK_FILES || options.chunked === false) {
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    const out = await serializeStructs(cols, order);
    if (out.length > MAX_INDEX_SIZE) throw indexTooLarge(`serialized index of ${out.length} bytes`);
    return out;
  }
  return withType(TYPE_CHUNKED, await encodeChunked(cols));
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
