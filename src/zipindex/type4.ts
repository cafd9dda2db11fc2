// Type 4 (the openstor fork): chunked. The body is NOT compressed: it is a
// run of MessagePack maps, one per chunk, until the input ends:
//   {"Files": int, "First": str, "Last": str, "Payload": bin}
// where Payload is a complete type-3 index (byte 03 + zstd frame) of up to
// 25,000 entries. Chunks cover ascending name ranges, so one lookup
// decompresses one chunk.
import { CozipError } from '../errors.js';
import { concatBytes } from '../io/stream.js';
import { TYPE_STRUCTS } from './container.js';
import { corrupt, indexTooLarge } from './errors.js';
import { bytesField, int64Field, mapField } from './fields.js';
import { type File, MAX_INDEX_SIZE, sortFiles, sortFilesByName } from './file.js';
import {
  chunkDecoder,
  encode,
  mapHeader,
  rawStr,
  readValues,
  type Values,
  wire,
} from './msgpack.js';
import { compareBytes, nameBytes } from './names.js';
import { decodeStructs, encodeStructs, findInStructs } from './type3.js';
import { zstdCompress, zstdDecompress } from './zstd.js';

/** Entries per chunk, and the count from which the encoder chunks. */
export const CHUNK_FILES = 25_000;

/** A type-3 serialization: the type byte, then the zstd frame. */
export async function serializeStructs(files: File[]): Promise<Uint8Array> {
  const frame = await zstdCompress(checkPayload(encodeStructs(files)));
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

/** Type-4 body (without the type byte). `files` is not reordered. */
export async function encodeChunked(files: File[]): Promise<Uint8Array[]> {
  const sorted = sortFilesByName(files.slice());
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const size of chunkSizes(sorted.length)) {
    const chunk = sorted.slice(at, at + size);
    at += size;
    const first = nameBytes(chunk[0]);
    const last = nameBytes(chunk[chunk.length - 1]);
    const payload = await serializeStructs(sortFiles(chunk));
    // First and Last are str of raw name bytes, which the library cannot write.
    parts.push(
      concatBytes([
        mapHeader(4),
        encode(KEY_FILES),
        encode(wire(chunk.length)),
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

/** All entries: chunk order, and offset order inside a chunk. */
export function decodeChunked(body: Uint8Array): File[] {
  return readValues(chunkDecoder, body, (values) => {
    const files: File[] = [];
    while (values.more()) decodeStructs(chunkPayload(readChunk(values)), files);
    return files;
  });
}

/**
 * Walks the chunks by their First/Last names (trusted, not verified) to the
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
  const found = locateChunk(body, key);
  return found ? findInStructs(found.payload(), key) : undefined;
}
