// Type 4 (the openstor fork): chunked. The body is NOT compressed: it is a
// run of MessagePack maps, one per chunk, until the input ends:
//   {"Files": int, "First": str, "Last": str, "Payload": bin}
// where Payload is a complete type-3 index (byte 03 + zstd frame) of up to
// 25,000 entries. Chunks cover ascending name ranges, so one lookup
// decompresses one chunk.
import { CozipError } from '../errors.js';
import { concatBytes } from '../io/stream.js';
import { type FileColumns, nameAt, offsetComparer, offsetsSorted } from './columns.js';
import { TYPE_STRUCTS } from './container.js';
import { corrupt, indexTooLarge } from './errors.js';
import { bytesField, int64Field, mapField } from './fields.js';
import { type File, MAX_INDEX_SIZE } from './file.js';
import {
  chunkDecoder,
  encode,
  mapHeader,
  rawStr,
  readValues,
  type Values,
  wire,
} from './msgpack.js';
import { nameOrder } from './name-order.js';
import { compareBytes } from './names.js';
import { type Packer, packer } from './pack.js';
import { decodeStructs, encodeStructs, findInStructs } from './type3.js';
import { zstdCompress, zstdDecompress } from './zstd.js';

/** Entries per chunk, and the count from which the encoder chunks. */
export const CHUNK_FILES = 25_000;

/**
 * A type-3 serialization of the entries `order` picks: the type byte, then
 * the zstd frame. `p`: a packer to reuse (one value at a time).
 */
export async function serializeStructs(
  cols: FileColumns,
  order: Uint32Array,
  p?: Packer,
): Promise<Uint8Array> {
  const frame = await zstdCompress(checkPayload(encodeStructs(cols, order, p)));
  const out = new Uint8Array(1 + frame.length);
  out[0] = TYPE_STRUCTS;
  out.set(frame, 1);
  return out;
}

/** A payload no decoder would accept is refused here, before compressing it. */
export function checkPayload(payload: Uint8Array): Uint8Array {
  if (payload.length > MAX_INDEX_SIZE) {
    throw indexTooLarge(`msgpack payload of ${payload.length} bytes`, payload.length);
  }
  return payload;
}

/** Chunk sizes: all when <= 25,000 remain, half when < 50,000, else 25,000. */
export function chunkSizes(n: number): number[] {
  const sizes: number[] = [];
  let left = n;
  while (left > 0) {
    const take =
      left <= CHUNK_FILES ? left : left < 2 * CHUNK_FILES ? Math.floor(left / 2) : CHUNK_FILES;
    sizes.push(take);
    left -= take;
  }
  return sizes;
}

const KEY_FILES = 'Files';
const KEY_FIRST = 'First';
const KEY_LAST = 'Last';
const KEY_PAYLOAD = 'Payload';

/** Stable sort by offset, only when not already so. */
function byOffset(cols: FileColumns, chunk: Uint32Array): Uint32Array {
  const compare = offsetComparer(cols);
  for (let k = 1; k < chunk.length; k++) {
    if (compare(chunk[k - 1], chunk[k]) > 0) {
      chunk.set(Array.from(chunk).sort(compare));
      break;
    }
  }
  return chunk;
}

/**
 * Each chunk's entries in offset order, ties in name order: `sorted` cut
 * into `sizes`, each piece sorted by offset (stable). When offsets rise with
 * the entry index that is index order, which one counting pass gives all
 * chunks at once.
 */
function chunkOrders(cols: FileColumns, sorted: Uint32Array, sizes: number[]): Uint32Array[] {
  const starts = [0];
  for (const size of sizes) starts.push(starts[starts.length - 1] + size);
  const pieces = sizes.map((size, c) => sorted.subarray(starts[c], starts[c] + size));
  if (!offsetsSorted(cols, true)) return pieces.map((piece) => byOffset(cols, piece.slice()));
  const chunkOf = new Uint32Array(sorted.length);
  pieces.forEach((piece, c) => {
    for (const i of piece) chunkOf[i] = c;
  });
  const byChunk = new Uint32Array(sorted.length);
  const fill = starts.slice();
  for (let i = 0; i < sorted.length; i++) byChunk[fill[chunkOf[i]]++] = i;
  return sizes.map((size, c) => byChunk.subarray(starts[c], starts[c] + size));
}

/**
 * Type-4 body (without the type byte): chunks cut from the entries sorted by
 * name (ties by offset, then entry order), each sorted by offset.
 */
export async function encodeChunked(cols: FileColumns): Promise<Uint8Array[]> {
  const byOffsetThen = offsetComparer(cols);
  const sorted = nameOrder(cols, (a, b) => byOffsetThen(a, b) || a - b);
  const sizes = chunkSizes(sorted.length);
  const orders = chunkOrders(cols, sorted, sizes);
  const parts: Uint8Array[] = [];
  // One buffer for every chunk's payload: each is compressed before the next is written.
  const p = packer(0);
  let at = 0;
  for (const [c, size] of sizes.entries()) {
    const first = nameAt(cols, sorted[at]);
    const last = nameAt(cols, sorted[at + size - 1]);
    at += size;
    const payload = await serializeStructs(cols, orders[c], p);
    // First and Last are str of raw name bytes, which the library cannot write.
    parts.push(
      concatBytes([
        mapHeader(4),
        encode(KEY_FILES),
        encode(wire(size)),
        encode(KEY_FIRST),
        rawStr(first),
        encode(KEY_LAST),
        rawStr(last),
        encode(KEY_PAYLOAD),
        encode(payload),
      ]),
    );
  }
  return parts;
}

interface Chunk {
  first: Uint8Array;
  last: Uint8Array;
  payload: Uint8Array | undefined;
}

const EMPTY = new Uint8Array(0);

/** The next chunk map; keys in any order (str or bin), unknown keys skipped. */
function readChunk(values: Values): Chunk {
  const map = mapField(values.take('chunk'), 'chunk');
  const bytes = (key: string) => (Object.hasOwn(map, key) ? bytesField(map[key], key) : undefined);
  // Informational only, but Go reads it as an int.
  if (Object.hasOwn(map, KEY_FILES)) int64Field(map[KEY_FILES], KEY_FILES);
  return {
    first: bytes(KEY_FIRST) ?? EMPTY,
    last: bytes(KEY_LAST) ?? EMPTY,
    payload: bytes(KEY_PAYLOAD),
  };
}

/** The decompressed type-3 payload of a chunk. */
function chunkPayload(chunk: Chunk): Uint8Array {
  const p = chunk.payload;
  if (!p?.length) throw corrupt('missing payload');
  if (p[0] !== TYPE_STRUCTS) {
    throw new CozipError('UNKNOWN_INDEX_TYPE', `zipindex: unknown chunk version ${p[0]}`, {
      details: { type: p[0] },
    });
  }
  return zstdDecompress(p.subarray(1));
}

/**
 * CORRUPT_INDEX unless First <= Last. A chunk whose range is empty hides
 * its entries from lookups (which walk the chunks by these names) while a
 * full read lists them; no writer makes one. (Chunks out of order, or names
 * outside their chunk's range, stay as Go reads them: trusted, see the spec.)
 */
function checkRange(chunk: Chunk, index: number): void {
  if (compareBytes(chunk.first, chunk.last) > 0) {
    throw corrupt(`chunk ${index}: First is after Last`, { chunk: index });
  }
}

/** All entries: chunk order, and offset order inside a chunk. */
export function decodeChunked(body: Uint8Array): File[] {
  return readValues(chunkDecoder, body, (values) => {
    const files: File[] = [];
    for (let index = 0; values.more(); index++) {
      const chunk = readChunk(values);
      checkRange(chunk, index);
      decodeStructs(chunkPayload(chunk), files);
    }
    return files;
  });
}

/** checkRange for every chunk, without decompressing any (a lookup's first step). */
export function checkChunkRanges(body: Uint8Array): void {
  readValues(chunkDecoder, body, (values) => {
    for (let index = 0; values.more(); index++) checkRange(readChunk(values), index);
  });
}

/**
 * Walks the chunks by their First/Last names (trusted, not verified, but
 * for First <= Last: see checkChunkRanges) to the
 * one whose range holds `key`: its position, and its type-3 payload
 * decompressed only when asked for.
 */
export function locateChunk(
  body: Uint8Array,
  key: Uint8Array,
): { index: number; payload: () => Uint8Array } | undefined {
  return readValues(chunkDecoder, body, (values) => {
    for (let index = 0; values.more(); index++) {
      const chunk = readChunk(values);
      if (compareBytes(key, chunk.first) < 0) return undefined;
      if (compareBytes(key, chunk.last) <= 0) return { index, payload: () => chunkPayload(chunk) };
    }
    return undefined;
  });
}

/** The entry stored under `key`, decompressing only the chunk that may hold it. */
export function findInChunked(body: Uint8Array, key: Uint8Array): File | undefined {
  checkChunkRanges(body);
  const found = locateChunk(body, key);
  return found ? findInStructs(found.payload(), key) : undefined;
}
