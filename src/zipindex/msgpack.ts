// MessagePack through @msgpack/msgpack. Two things the library does not do
// are written out here, byte for byte from the MessagePack spec:
//  - a str from raw bytes: ZIP names need not be UTF-8, the library writes a
//    str only from a JS string, and Go's reader wants str (not bin) there;
//  - the header of an array on its own, so that its elements can be decoded
//    one at a time: a lookup stops at its match, and bytes after the last
//    element are ignored, as Go does.
// Everything else (values, nesting, integer families, bounds) is the library's.
import { DecodeError, Decoder, Encoder } from '@msgpack/msgpack';
import { CozipError } from '../errors.js';
import { corrupt, tooManyCustomEntries, tooManyFiles } from './errors.js';
import { MAX_CUSTOM_ENTRIES, MAX_FILES } from './file.js';
import { valueEnd } from './msgpack-bounds.js';

const encoder = new Encoder({ useBigInt64: true });

/** One value as MessagePack (a fresh copy). Integers must come through `wire`. */
export function encode(value: unknown): Uint8Array {
  return encoder.encode(value);
}

/**
 * An integer as the encoder must be given it: with `useBigInt64` the library
 * writes a number beyond 32 bits as a float, so those travel as bigints; a
 * bigint that fits 32 bits becomes a number so that it takes the short forms.
 */
export function wire(v: number | bigint): number | bigint {
  if (typeof v === 'bigint') return v >= -0x80000000n && v <= 0xffffffffn ? Number(v) : v;
  return v >= -0x80000000 && v <= 0xffffffff ? v : BigInt(v);
}

/** A str holding exactly `b` (fixstr, str 8, str 16, str 32). */
export function rawStr(b: Uint8Array): Uint8Array {
  const n = b.length;
  const head = n < 32 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 5;
  const out = new Uint8Array(head + n);
  const view = new DataView(out.buffer);
  if (head === 1) out[0] = 0xa0 | n;
  else if (head === 2) out.set([0xd9, n]);
  else if (head === 3) {
    out[0] = 0xda;
    view.setUint16(1, n);
  } else {
    out[0] = 0xdb;
    view.setUint32(1, n);
  }
  out.set(b, head);
  return out;
}

/** An array header for `n` elements (fixarray, array 16, array 32). */
export function arrayHeader(n: number): Uint8Array {
  if (n < 16) return Uint8Array.of(0x90 | n);
  if (n < 0x10000) return Uint8Array.of(0xdc, n >>> 8, n & 0xff);
  return Uint8Array.of(0xdd, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

/** A map header for `n` pairs (fixmap, map 16, map 32). */
export function mapHeader(n: number): Uint8Array {
  if (n < 16) return Uint8Array.of(0x80 | n);
  if (n < 0x10000) return Uint8Array.of(0xde, n >>> 8, n & 0xff);
  return Uint8Array.of(0xdf, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

/** The array header at the start of `b`: its element count and the bytes after it. */
export function readArrayHeader(b: Uint8Array): { length: number; rest: Uint8Array } {
  if (b.length < 1) throw corrupt('msgpack: too few bytes left to read object');
  const t = b[0];
  if (t >= 0x90 && t <= 0x9f) return { length: t & 0x0f, rest: b.subarray(1) };
  const width = t === 0xdc ? 2 : t === 0xdd ? 4 : 0;
  if (!width) throw corrupt(`msgpack: wanted an array, found type byte 0x${t.toString(16)}`);
  if (b.length < 1 + width) throw corrupt('msgpack: too few bytes left to read object');
  const view = new DataView(b.buffer, b.byteOffset + 1, width);
  const length = width === 2 ? view.getUint16(0) : view.getUint32(0);
  return { length, rest: b.subarray(1 + width) };
}

/** Map keys of type-4 chunk maps may be str or bin; all other keys must be str. */
function strKey(key: unknown): string {
  if (typeof key === 'string') return key;
  throw new DecodeError(`map key of type ${typeof key}, want str`);
}

const latin1 = new TextDecoder('latin1');

function strOrBinKey(key: unknown): string {
  return key instanceof Uint8Array ? latin1.decode(key) : strKey(key);
}

// `rawStrings`: a str comes back as its bytes (names are raw ZIP names);
// `useBigInt64`: 64-bit families come back exact. Separate decoders so that
// nested reads (a custom blob inside a column walk) do not share state.
const common = { useBigInt64: true, rawStrings: true } as const;

/** Type 1/2 entries and custom maps (at most 1000 pairs). */
export const entryDecoder = new Decoder({
  ...common,
  maxMapLength: MAX_CUSTOM_ENTRIES,
  mapKeyConverter: strKey,
});
/** Type-3 columns (at most MAX_FILES values). */
export const columnDecoder = new Decoder({
  ...common,
  maxArrayLength: MAX_FILES,
  mapKeyConverter: strKey,
});
/** Type-4 chunk maps and the layered container. */
export const chunkDecoder = new Decoder({ ...common, mapKeyConverter: strOrBinKey });

/** The library's failures as typed errors; the two limits get their own codes. */
function translate(err: unknown): unknown {
  if (err instanceof CozipError) return err;
  if (!(err instanceof Error)) return err;
  const limit = /^Max length exceeded: (map|array) length \((\d+)\)/.exec(err.message);
  if (limit) {
    const n = Number(limit[2]);
    return limit[1] === 'map' ? tooManyCustomEntries(n) : tooManyFiles(n);
  }
  return corrupt(`msgpack: ${err.message}`);
}

/** A run of values decoded one at a time. */
export interface Values {
  /** The next value; CORRUPT_INDEX when the bytes end first. */
  take(what: string): unknown;
  /** Whether any bytes are left. */
  more(): boolean;
}

/**
 * Decodes the values stored back to back in `b` as `read` asks for them, one
 * at a time, each bounded by the bytes that remain; the rest is never parsed.
 */
export function readValues<T>(decoder: Decoder, b: Uint8Array, read: (values: Values) => T): T {
  let pos = 0;
  const values: Values = {
    take(what) {
      if (pos >= b.length) throw corrupt(`msgpack: too few bytes left to read ${what}`);
      // Bounds first (see msgpack-bounds.ts), then the library decodes the value.
      const end = valueEnd(b, pos);
      const value = b.subarray(pos, end);
      pos = end;
      try {
        return decoder.decode(value);
      } catch (err) {
        throw translate(err);
      }
    },
    more: () => pos < b.length,
  };
  return read(values);
}

/** The first value in `b`; bytes after it are ignored. */
export function decodeFirst(decoder: Decoder, b: Uint8Array, what: string): unknown {
  return readValues(decoder, b, (values) => values.take(what));
}
