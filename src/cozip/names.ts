// Entry name rules of the cozip core (spec "rules for every entry"), as
// revised in 0.1.0 (names are ASCII), and as they were in 1.0.1 (UTF-8), which
// readers still accept.
import { encodeUtf8 } from '../zip/names.js';

/** The spec revision whose name rules apply. */
export type CozipSpec = '0.1.0' | '1.0.1';

export const CURRENT_SPEC: CozipSpec = '0.1.0';

const SLASH = 0x2f;
const DOT = 0x2e;
const BACKSLASH = 0x5c;

/**
 * Why `name` may not be a cozip entry name under `spec`, or undefined when it
 * may. One pass over the characters and no allocation: writers check every
 * one of a million names.
 */
export function cozipNameProblem(name: string, spec: CozipSpec = CURRENT_SPEC): string | undefined {
  const ascii = spec !== '1.0.1';
  const n = name.length;
  if (n === 0) return 'empty name';
  if (name.charCodeAt(0) === SLASH) return 'leading /';
  if (n >= 2 && name.charCodeAt(1) === 0x3a && isLetter(name.charCodeAt(0))) return 'drive letter';
  let bytes = 0;
  let partStart = 0;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? name.charCodeAt(i) : SLASH;
    if (c === SLASH) {
      const len = i - partStart;
      if (
        (len === 1 && name.charCodeAt(partStart) === DOT) ||
        (len === 2 && name.charCodeAt(partStart) === DOT && name.charCodeAt(partStart + 1) === DOT)
      ) {
        return `"${name.slice(partStart, i)}" path component`;
      }
      partStart = i + 1;
      if (i < n) bytes++;
      continue;
    }
    if (c === BACKSLASH) return 'backslash (use / as the separator)';
    if (c === 0) return 'NUL character';
    if (c < 0x80) bytes++;
    else if (ascii)
      return `non-ASCII character ${JSON.stringify(name[i])} (cozip ${spec} names are ASCII)`;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < n ? name.charCodeAt(i + 1) : 0;
      if (c > 0xdbff || d < 0xdc00 || d > 0xdfff) return 'not valid UTF-8 (lone surrogate)';
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  if (name.charCodeAt(n - 1) === SLASH) return 'directory entries are not allowed';
  if (bytes > 0xffff) return 'longer than 65,535 UTF-8 bytes';
  return undefined;
}

function isLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** True when every character of `name` is ASCII. */
export function isAsciiName(name: string): boolean {
  for (let i = 0; i < name.length; i++) if (name.charCodeAt(i) >= 0x80) return false;
  return true;
}

/**
 * `name` with every UTF-8 byte >= 0x80 written as %XX (upper-case hex): an
 * ASCII name that still says what the original was. "é.tif" becomes
 * "%C3%A9.tif". Other characters, "%" included, stay as they are.
 */
export function percentEscapeName(name: string): string {
  if (isAsciiName(name)) return name;
  let out = '';
  for (const b of encodeUtf8(name)) {
    out += b < 0x80 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
