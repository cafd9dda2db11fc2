// The index record for one ZIP member, and the in-place operations on a list
// of them (Go's `Files` methods) that prepare an index for serializing.
import { FLAG_DATA_DESCRIPTOR } from '../zip/constants.js';
import { decodeName, unsafeNameReason } from '../zip/names.js';
import { compareNames, type Named, nameEquals, searchBytes, utf8Name } from './names.js';

/** What the index keeps of a member: enough to find, decompress and check it. */
export interface File extends Named {
  /** Size of the compressed data, headers excluded (uint64). */
  compressedSize: bigint;
  /** Size of the decompressed data (uint64). */
  uncompressedSize: bigint;
  /** Offset of the member's local header in the ZIP (int64). */
  offset: bigint;
  /** CRC-32 of the content; 0 when stripped (then taken from the data descriptor). */
  crc32: number;
  /** Compression method (uint16). */
  method: number;
  /** General purpose bit flags (uint16). */
  flags: number;
  /** Caller's metadata; undefined (or empty) when there is none. */
  custom?: Map<string, string>;
}

// The method ids Go's zipindex names (Store, Deflate, Zstd), as the ZIP layer defines them.
export { METHOD_DEFLATE, METHOD_STORE, METHOD_ZSTD } from '../zip/constants.js';

/** Most entries an index may hold (Go's `MaxFiles`). */
export const MAX_FILES = 100_000_000;
/** Most custom key/value pairs per file (Go's `MaxCustomEntries`). */
export const MAX_CUSTOM_ENTRIES = 1000;
/** Largest serialized index, and largest decompressed payload (Go's `MaxIndexSize`). */
export const MAX_INDEX_SIZE = 128 << 20;

function byOffset(a: File, b: File): number {
  return a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0;
}

function isSorted(files: File[], compare: (a: File, b: File) => number): boolean {
  for (let i = 1; i < files.length; i++) if (compare(files[i - 1], files[i]) > 0) return false;
  return true;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Sorts by local header offset (the order that makes type-3 deltas small). */
export function sortFiles(files: File[]): File[] {
  if (isSorted(files, byOffset)) return files;
  // Comparing numbers is about twice as fast as comparing bigints.
  const keys = new Float64Array(files.length);
  for (let i = 0; i < files.length; i++) {
    const o = files[i].offset;
    if (o > MAX_SAFE || o < -MAX_SAFE) return files.sort(byOffset);
    keys[i] = Number(o);
  }
  const order = Array.from(keys.keys()).sort((a, b) => keys[a] - keys[b]);
  const copy = files.slice();
  for (let i = 0; i < order.length; i++) files[i] = copy[order[i]];
  return files;
}

function byName(a: File, b: File): number {
  return compareNames(a, b) || byOffset(a, b);
}

/** Native string order, valid when no name has a raw name or a unit >= U+D800. */
function byPlainName(a: File, b: File): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : byOffset(a, b);
}

const HIGH_UNITS = /[\ud800-\uffff]/;

/** Sorts by name in byte order, ties by offset. */
export function sortFilesByName(files: File[]): File[] {
  // UTF-16 order is byte order unless surrogates meet U+E000..U+FFFF: the
  // common case sorts with the much faster native comparison.
  const plain = files.every((f) => !f.rawName && !HIGH_UNITS.test(f.name));
  const compare = plain ? byPlainName : byName;
  if (!isSorted(files, compare)) files.sort(compare);
  return files;
}

/** Zeroes the CRC of entries with a data descriptor (it holds the CRC), or of all. */
export function stripCRC(files: File[], all = false): File[] {
  for (const f of files) if (all || f.flags & FLAG_DATA_DESCRIPTOR) f.crc32 = 0;
  return files;
}

/** Keeps only the flag bits in `mask`. */
export function stripFlags(files: File[], mask: number): File[] {
  for (const f of files) f.flags &= mask;
  return files;
}

/** Sorts by offset and strips the CRCs the data descriptors repeat: do this before serializing. */
export function optimizeSize(files: File[]): File[] {
  return stripCRC(sortFiles(files));
}

/**
 * Drops entries whose name is unsafe to extract (absolute, drive letter, `..`
 * component, backslash, control characters). Empty names are kept, as ZIP
 * allows them. Go's version intends the same but mangles the list.
 */
export function removeInsecurePaths(files: File[]): File[] {
  let n = 0;
  for (const f of files) {
    if (f.name === '' || unsafeNameReason(f.name) === undefined) files[n++] = f;
  }
  files.length = n;
  return files;
}

/** The first file stored under `name` (UTF-8 for a string, or raw bytes), by linear search. */
export function findFile(files: File[], name: string | Uint8Array): File | undefined {
  if (typeof name === 'string') {
    for (const f of files) if (!f.rawName && f.name === name) return f;
    if (!/[\ud800-\udfff]/.test(name)) return undefined;
  }
  const key = searchBytes(name);
  for (const f of files) if (nameEquals(f, key)) return f;
  return undefined;
}

/** Copy of `f` whose custom map is not shared. */
export function cloneFile(f: File): File {
  const out: File = {
    name: f.name,
    compressedSize: f.compressedSize,
    uncompressedSize: f.uncompressedSize,
    offset: f.offset,
    crc32: f.crc32,
    method: f.method,
    flags: f.flags,
  };
  if (f.rawName) out.rawName = f.rawName;
  if (f.custom) out.custom = new Map(f.custom);
  return out;
}

/**
 * A File from decoded values; `name` holds the stored bytes. (Built field by
 * field: object spread with bigint fields is very slow in V8.)
 */
export function makeFile(
  name: Uint8Array,
  compressedSize: bigint,
  uncompressedSize: bigint,
  offset: bigint,
  crc32: number,
  method: number,
  flags: number,
  custom: Map<string, string> | undefined,
): File {
  const text = utf8Name(name);
  const f: File = {
    name: text ?? decodeName(name, false, undefined).name,
    compressedSize,
    uncompressedSize,
    offset,
    crc32,
    method,
    flags,
  };
  if (text === undefined) f.rawName = name.slice();
  if (custom) f.custom = custom;
  return f;
}
