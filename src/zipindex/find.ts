// One lookup in a serialized index, decoding as little as the encoding
// allows: types 1-2 stop at the match, type 3 reads only the names unless the
// name is there, type 4 decompresses only the chunk whose range holds it.
import { TYPE_CHUNKED, TYPE_COMPRESSED, TYPE_PLAIN, TYPE_STRUCTS, unpack } from './container.js';
import type { File } from './file.js';
import { searchBytes } from './names.js';
import { findInArray } from './type1.js';
import { findInStructs } from './type3.js';
import { findInChunked } from './type4.js';

/**
 * The first entry stored under exactly `name` (UTF-8 bytes for a string, or
 * the raw bytes), or undefined when the index does not hold it.
 */
export function findSerialized(b: Uint8Array, name: string | Uint8Array): File | undefined {
  const key = searchBytes(name);
  const { type, payload } = unpack(b);
  switch (type) {
    case TYPE_PLAIN:
    case TYPE_COMPRESSED:
      return findInArray(payload, key);
    case TYPE_STRUCTS:
      return findInStructs(payload, key);
    case TYPE_CHUNKED:
      return findInChunked(payload, key);
  }
}
