// Entry name rules of the cozip core (spec "rules for every entry").

const SLASH = 0x2f;
const DOT = 0x2e;
const BACKSLASH = 0x5c;

/**
 * Why `name` may not be a cozip entry name, or undefined when it may. One
 * pass over the characters and no allocation: writers check every one of a
 * million names.
 */
export function cozipNameProblem(name: string): string | undefined {
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
