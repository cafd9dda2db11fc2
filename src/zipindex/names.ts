// Names as the index stores them: the raw bytes of the ZIP name. A File
// carries the name as a string, plus the bytes themselves when they are not
// UTF-8 (so nothing is lost on a round trip). Order and equality are by bytes,
// as in Go.
import { decodeName, utf8Length } from '../zip/names.js';

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export interface Named {
  name: string;
  /** The stored bytes, present only when they are not valid UTF-8. */
  rawName?: Uint8Array;
}

/** A name from stored bytes: UTF-8 when valid, else CP437 with the bytes kept. */
export function nameFromBytes(b: Uint8Array): Named {
  const name = utf8Name(b);
  return name === undefined
    ? { name: decodeName(b, false, undefined).name, rawName: b.slice() }
    : { name };
}

/** The name when `b` is valid UTF-8, else undefined. */
export function utf8Name(b: Uint8Array): string | undefined {
  const n = b.length;
  // ASCII fast path: most names, and far cheaper than a decoder call.
  if (n <= 64) {
    let ascii = true;
    for (let i = 0; i < n; i++) {
      if (b[i] >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return String.fromCharCode.apply(null, b as unknown as number[]);
  }
  try {
    return strictUtf8.decode(b);
  } catch {
    return undefined;
  }
}

/** The bytes a name is stored as. */
export function nameBytes(f: Named): Uint8Array {
  return f.rawName ?? utf8.encode(f.name);
}

/** Stored length of a name in bytes. */
export function nameLength(f: Named): number {
  return f.rawName ? f.rawName.length : utf8Length(f.name);
}

/**
 * A string that identifies the stored bytes: the name itself, or for non-UTF-8
 * names the bytes with each byte >= 0x80 as the unit U+DC00+byte (a lone
 * surrogate, which no decoded UTF-8 name contains), so `/` stays `/`.
 */
export function nameKey(f: Named): string {
  if (!f.rawName) return f.name;
  let s = '';
  for (const b of f.rawName) s += String.fromCharCode(b < 0x80 ? b : 0xdc00 + b);
  return s;
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/**
 * UTF-16 strings compared in UTF-8 byte order: code units agree with byte
 * order except that surrogates (U+10000 and up) must sort after U+E000-U+FFFF.
 */
export function compareUtf8Order(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/** Go's string order (bytes) for two names. */
export function compareNames(a: Named, b: Named): number {
  if (!a.rawName && !b.rawName) return compareUtf8Order(a.name, b.name);
  return compareBytes(nameBytes(a), nameBytes(b));
}

/** The bytes to look for: a string is matched by its UTF-8 encoding. */
export function searchBytes(name: string | Uint8Array): Uint8Array {
  return typeof name === 'string' ? utf8.encode(name) : name;
}

/** Whether `f` is stored under exactly the bytes `key`. */
export function nameEquals(f: Named, key: Uint8Array): boolean {
  if (f.rawName) return compareBytes(f.rawName, key) === 0;
  if (utf8Length(f.name) !== key.length) return false;
  return compareBytes(utf8.encode(f.name), key) === 0;
}
