// Where the next MessagePack value ends, found without decoding it, and
// refusing any declared length the remaining bytes cannot hold. The decoder
// allocates an array or map as soon as it reads its header: a few hundred
// bytes of nested array32 headers declaring 4 billion elements each would
// otherwise exhaust the heap before the bytes run out. Walked here first,
// a value's every container is known to be backed by real bytes (each
// element takes at least one), so decoding it allocates at most a few
// slots per input byte. Byte layouts from the MessagePack spec.
import { corrupt } from './errors.js';

/** Payload bytes after the type byte of the fixed-width families, by type byte. */
const FIXED: Record<number, number> = {
  192: 0, // nil
  194: 0, // false
  195: 0, // true
  202: 4, // float 32
  203: 8, // float 64
  204: 1, // uint 8
  205: 2, // uint 16
  206: 4, // uint 32
  207: 8, // uint 64
  208: 1, // int 8
  209: 2, // int 16
  210: 4, // int 32
  211: 8, // int 64
  212: 2, // fixext 1: type + 1
  213: 3, // fixext 2
  214: 5, // fixext 4
  215: 9, // fixext 8
  216: 17, // fixext 16
};

function readLength(b: Uint8Array, p: number, width: number): number {
  if (width === 1) return b[p];
  if (width === 2) return (b[p] << 8) | b[p + 1];
  return ((b[p] << 24) >>> 0) + (b[p + 1] << 16) + (b[p + 2] << 8) + b[p + 3];
}

/**
 * The end of the value starting at `b[start]`. CORRUPT_INDEX when the bytes
 * end first, a type byte is invalid (0xc1), or a container declares more
 * elements than bytes remain.
 */
export function valueEnd(b: Uint8Array, start: number): number {
  let p = start;
  let pending = 1; // values still to walk past
  const short = (what: string) =>
    corrupt(`msgpack: ${what} at byte ${p} runs past the end (${b.length} bytes)`);
  while (pending > 0) {
    if (p >= b.length) throw short('a value');
    const t = b[p++];
    pending--;
    if (t <= 0x7f || t >= 0xe0) continue; // fixint
    let elements = 0; // array elements or map keys and values
    let bytes = 0; // str, bin or ext payload
    let width = 0; // bytes of the length field
    if (t <= 0x8f) elements = 2 * (t & 0x0f);
    else if (t <= 0x9f) elements = t & 0x0f;
    else if (t <= 0xbf) bytes = t & 0x1f;
    else if (t in FIXED) bytes = FIXED[t];
    else if (t >= 0xc4 && t <= 0xc6)
      width = 1 << (t - 0xc4); // bin 8/16/32
    else if (t >= 0xc7 && t <= 0xc9)
      width = 1 << (t - 0xc7); // ext 8/16/32
    else if (t >= 0xd9 && t <= 0xdb)
      width = 1 << (t - 0xd9); // str 8/16/32
    else if (t === 0xdc || t === 0xdd || t === 0xde || t === 0xdf) width = t & 1 ? 4 : 2;
    else throw corrupt(`msgpack: invalid type byte 0x${t.toString(16)} at byte ${p - 1}`);
    if (width > 0) {
      if (p + width > b.length) throw short('a length');
      const n = readLength(b, p, width);
      p += width;
      if (t >= 0xdc) elements = t >= 0xde ? 2 * n : n;
      else bytes = n + (t >= 0xc7 && t <= 0xc9 ? 1 : 0); // ext: the type byte too
    }
    if (bytes > b.length - p) throw short('a str, bin or ext');
    p += bytes;
    // Every element still to come takes at least a byte.
    pending += elements;
    if (pending > b.length - p) {
      throw corrupt(
        `msgpack: ${pending} values declared at byte ${p}, only ${b.length - p} bytes remain`,
      );
    }
  }
  return p;
}
