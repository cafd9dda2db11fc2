// The serialized index: one type byte, then the body. Limits that apply to
// every type are checked here, before anything is decoded.
import { CozipError } from '../errors.js';
import { corrupt, indexTooLarge } from './errors.js';
import { MAX_INDEX_SIZE } from './file.js';
import { zstdDecompress } from './zstd.js';

export const TYPE_PLAIN = 1;
export const TYPE_COMPRESSED = 2;
export const TYPE_STRUCTS = 3;
export const TYPE_CHUNKED = 4;

export interface Unpacked {
  type: 1 | 2 | 3 | 4;
  /** Types 1-3: the msgpack payload (decompressed); type 4: the raw body. */
  payload: Uint8Array;
}

export function unpack(b: Uint8Array): Unpacked {
  if (b.length < 1) throw corrupt('unexpected EOF: empty index');
  if (b.length > MAX_INDEX_SIZE) throw indexTooLarge(`index of ${b.length} bytes`, b.length);
  const type = b[0];
  const body = b.subarray(1);
  switch (type) {
    case TYPE_PLAIN:
    case TYPE_CHUNKED:
      return { type, payload: body };
    case TYPE_COMPRESSED:
    case TYPE_STRUCTS:
      return { type, payload: zstdDecompress(body) };
    default:
      throw new CozipError('UNKNOWN_INDEX_TYPE', `zipindex: unknown version ${type}`, {
        details: { type },
      });
  }
}
