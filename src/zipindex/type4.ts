// Type 4 (the openstor fork): chunked. The body is NOT compressed: it is a
// run of MessagePack maps, one per chunk, until the input ends:
//   {"Files": int, "First": str, "Last": str, "Payload": bin}
// where Payload is a complete type-3 index (byte 03 + zstd frame) of up to
// 25,000 entries. Chunks cover ascending name ranges, so one lookup
// decompresses one chunk.
import { CozipError } from '../errors.js';
import { TYPE_STRUCTS } from './container.js';
import { indexTooLarge } from './errors.js';
import { type File, MAX_INDEX_SIZE, sortFiles, sortFilesByName } from './file.js';
import { corrupt, MsgReader } from './msgpack-read.js';
import { MsgWriter } from './msgpack-write.js';
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
    const w = new MsgWriter(payload.length + first.length + last.length + 64);
    w.mapHeader(4);
    w.str(KEY_FILES);
    w.int(chunk.length);
    w.str(KEY_FIRST);
    w.strBytes(first);
    w.str(KEY_LAST);
    w.strBytes(last);
    w.str(KEY_PAYLOAD);
    w.binBytes(payload);
    parts.push(w.bytes());
  }
  return parts;
}

interface Chunk {
  first: Uint8Array;
  last: Uint8Array;
  payload: Uint8Array | undefined;
}

const utf8 = new TextDecoder();

/** Reads one chunk map; keys in any order, unknown keys skipped. */
function readChunk(r: MsgReader): Chunk {
  const chunk: Chunk = { first: new Uint8Array(0), last: new Uint8Array(0), payload: undefined };
  const n = r.mapHeader();
  for (let i = 0; i < n; i++) {
    const key = utf8.decode(r.strOrBin());
    if (key === KEY_FILES) r.integer();
    else if (key === KEY_FIRST) chunk.first = r.str();
    else if (key === KEY_LAST) chunk.last = r.str();
    else if (key === KEY_PAYLOAD) chunk.payload = r.bin();
    else r.skip();
  }
  return chunk;
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
  const r = new MsgReader(body);
  const files: File[] = [];
  while (r.remaining > 0) decodeStructs(chunkPayload(readChunk(r)), files);
  return files;
}

/**
 * Walks the chunks by their First/Last names (trusted, not verified) and
 * decompresses only the one whose range holds `key`.
 */
export function findInChunked(body: Uint8Array, key: Uint8Array): File | undefined {
  const r = new MsgReader(body);
  while (r.remaining > 0) {
    const chunk = readChunk(r);
    if (compareBytes(key, chunk.first) < 0) return undefined;
    if (compareBytes(key, chunk.last) <= 0) return findInStructs(chunkPayload(chunk), key);
  }
  return undefined;
}
