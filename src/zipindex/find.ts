// One lookup in a serialized index, decoding as little as the encoding
// allows: types 1-2 stop at the match, type 3 reads only the names unless the
// name is there, type 4 decompresses only the chunk whose range holds it.
// Repeated lookups in the same index (the same Uint8Array) reuse what the
// earlier ones decoded: the decompressed payload of types 2 and 3, and, for
// type 4, the last few chunks decompressed (and, once one is looked up in
// twice, its columns decoded with a map from name to position).
import { TYPE_CHUNKED, TYPE_COMPRESSED, TYPE_PLAIN, TYPE_STRUCTS, unpack } from './container.js';
import type { File } from './file.js';
import { searchBytes } from './names.js';
import { findInArray } from './type1.js';
import { type Columns, decodeColumns, entryAt, findInStructs } from './type3.js';
import { checkChunkRanges, locateChunk } from './type4.js';

/** Decoded chunks kept per index: a chunk of 25,000 entries is a few MiB. */
const CHUNKS_KEPT = 4;

interface Decoded {
  type: number;
  /** Types 1-3: the (decompressed) payload; type 4: the uncompressed body. */
  payload: Uint8Array;
  /**
   * Type 4: chunk position -> its decompressed payload, and once looked up
   * in twice, its decoded columns and where each name is. Insertion order is
   * the LRU order.
   */
  chunks: Map<number, KeptChunk>;
}

interface KeptChunk {
  payload: Uint8Array;
  columns?: Columns;
  positions?: Map<string, number>;
}

const decoded = new WeakMap<Uint8Array, Decoded>();

/**
 * The first entry stored under exactly `name` (UTF-8 bytes for a string, or
 * the raw bytes), or undefined when the index does not hold it. The index
 * must not change between lookups that pass the same array.
 */
export function findSerialized(b: Uint8Array, name: string | Uint8Array): File | undefined {
  const key = searchBytes(name);
  let d = decoded.get(b);
  if (!d) {
    const { type, payload } = unpack(b);
    // The chunk ranges are checked once, as a full read checks them.
    if (type === TYPE_CHUNKED) checkChunkRanges(payload);
    d = { type, payload, chunks: new Map() };
    decoded.set(b, d);
  }
  switch (d.type) {
    case TYPE_PLAIN:
    case TYPE_COMPRESSED:
      return findInArray(d.payload, key);
    case TYPE_STRUCTS:
      return findInStructs(d.payload, key);
    case TYPE_CHUNKED:
      return findInChunk(d, key);
  }
}

function findInChunk(d: Decoded, key: Uint8Array): File | undefined {
  const found = locateChunk(d.payload, key);
  if (!found) return undefined;
  const kept = d.chunks.get(found.index);
  if (!kept) {
    // First visit: decompress, and look at the names only (most lookups are one-offs).
    const payload = found.payload();
    if (d.chunks.size >= CHUNKS_KEPT) d.chunks.delete(d.chunks.keys().next().value!);
    d.chunks.set(found.index, { payload });
    return findInStructs(payload, key);
  }
  d.chunks.delete(found.index); // most recently used again
  d.chunks.set(found.index, kept);
  // A chunk looked up in again is worth its columns decoded and its names mapped.
  if (!kept.columns || !kept.positions) {
    const columns = decodeColumns(kept.payload);
    const positions = new Map<string, number>();
    columns.names.forEach((name, i) => {
      const k = latin1(name);
      // Duplicate names: the first in index order wins, as Go's lookup does.
      if (!positions.has(k)) positions.set(k, i);
    });
    kept.columns = columns;
    kept.positions = positions;
  }
  const i = kept.positions.get(latin1(key));
  return i === undefined ? undefined : entryAt(kept.columns, i);
}

/** Bytes as a string of the same length, one character per byte: a Map key. */
function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 4096) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 4096) as unknown as number[]);
  }
  return s;
}
