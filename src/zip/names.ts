// Entry names: how the bytes in a header become a string, and which names are safe.

/** Code points of CP437 bytes 0x80..0xFF (the IBM PC character set ZIP assumes without bit 11). */
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐' +
  '└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

const utf8Strict = new TextDecoder('utf-8', { fatal: true });
const utf8Lossy = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

export function encodeUtf8(s: string): Uint8Array {
  // Names are short and mostly ASCII: a loop beats a call into the encoder.
  if (s.length <= 256) {
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) return utf8Encoder.encode(s);
      out[i] = c;
    }
    return out;
  }
  return utf8Encoder.encode(s);
}

/**
 * Writes the UTF-8 of `s` into `out` at `at` (room for utf8Length(s) bytes
 * must be there); returns the bytes written. No array per name: a million
 * names go into one buffer.
 */
export function encodeUtf8Into(s: string, out: Uint8Array, at: number): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return i + utf8Encoder.encodeInto(s.slice(i), out.subarray(at + i)).written;
    out[at + i] = c;
  }
  return s.length;
}

/** Byte length of the UTF-8 encoding of `s` (lone surrogates count as U+FFFD). */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      // A pair is 2 UTF-16 units and 4 bytes; a lone surrogate becomes 3 bytes.
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 2;
        i++;
      } else n += 2;
    } else n += 2;
  }
  return n;
}

/** Bytes below 0x80 as a string: a call per 1 KiB, not a concatenation per character. */
function asciiString(raw: Uint8Array): string {
  const codes = raw as unknown as number[];
  if (raw.length <= 1024) return String.fromCharCode.apply(null, codes);
  let s = '';
  for (let i = 0; i < raw.length; i += 1024) {
    const part = raw.subarray(i, i + 1024) as unknown as number[];
    s += String.fromCharCode.apply(null, part);
  }
  return s;
}

export function decodeCp437(raw: Uint8Array): string {
  if (isAscii(raw)) return asciiString(raw);
  let s = '';
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i];
    s += b < 0x80 ? String.fromCharCode(b) : CP437_HIGH[b - 0x80];
  }
  return s;
}

/** Strict UTF-8 decode; undefined when the bytes are not valid UTF-8. */
export function decodeUtf8Strict(raw: Uint8Array): string | undefined {
  try {
    return utf8Strict.decode(raw);
  } catch {
    return undefined;
  }
}

export function decodeUtf8Lossy(raw: Uint8Array): string {
  return utf8Lossy.decode(raw);
}

export function isAscii(raw: Uint8Array): boolean {
  for (let i = 0; i < raw.length; i++) if (raw[i] >= 0x80) return false;
  return true;
}

export type NameEncoding = 'ascii' | 'utf8' | 'utf8-detected' | 'unicode-path' | 'cp437';

/**
 * Decodes a header name. A valid Info-ZIP Unicode Path extra (its CRC matches
 * the header bytes) wins; then bit 11 means UTF-8; without it, bytes that are
 * valid multi-byte UTF-8 are taken as UTF-8 (macOS and others write UTF-8
 * without setting bit 11); anything else is CP437, as APPNOTE prescribes.
 */
export function decodeName(
  raw: Uint8Array,
  utf8Flag: boolean,
  unicodePath: string | undefined,
): { name: string; encoding: NameEncoding } {
  if (unicodePath !== undefined) return { name: unicodePath, encoding: 'unicode-path' };
  if (utf8Flag) return { name: decodeUtf8Lossy(raw), encoding: 'utf8' };
  if (isAscii(raw)) return { name: decodeCp437(raw), encoding: 'ascii' };
  const utf8 = decodeUtf8Strict(raw);
  if (utf8 !== undefined) return { name: utf8, encoding: 'utf8-detected' };
  return { name: decodeCp437(raw), encoding: 'cp437' };
}

/**
 * Why a name is unsafe to create on disk under a target directory, or
 * undefined when it is safe: absolute paths, drive letters, `..` components,
 * backslashes, NUL and other control characters.
 */
export function unsafeNameReason(name: string): string | undefined {
  if (name.length === 0) return 'empty name';
  if (name.startsWith('/')) return 'absolute path';
  if (/^[A-Za-z]:/.test(name)) return 'drive letter';
  if (name.includes('\\')) return 'backslash in name';
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'control character in name';
  if (/(?:^|\/)\.\.(?:\/|$)/.test(name)) return 'parent directory (..) component';
  return undefined;
}
