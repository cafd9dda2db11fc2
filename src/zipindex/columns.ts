// The index entries column by column: typed arrays and one buffer of name
// bytes, no object, bigint or string per entry. At a million entries this is
// ~40 bytes an entry where File objects take ~250, and it is the shape the
// type-3 encoder reads. Sizes and offsets are numbers, exact up to 2^53; the
// rare larger values (File lists only: ZIPs are read as numbers) are kept
// exactly in `wide`.
import { CozipError } from '../errors.js';
import { FLAG_DATA_DESCRIPTOR } from '../zip/constants.js';
import { type File, makeFile } from './file.js';
import { small } from './int64.js';
import { nameBytes } from './names.js';

export interface FileColumns {
  /** Entries held. */
  length: number;
  /** Name bytes back to back: entry i's are `names[nameStart[i], nameStart[i + 1])`. */
  names: Uint8Array;
  nameStart: Uint32Array;
  compressedSize: Float64Array;
  uncompressedSize: Float64Array;
  offset: Float64Array;
  crc32: Uint32Array;
  method: Uint16Array;
  flags: Uint16Array;
  /** Custom metadata by entry, once any entry has some; entries may share one map. */
  custom: (Map<string, string> | undefined)[] | undefined;
  /** Exact values of the entries with a size or offset beyond 2^53 (the arrays hold approximations). */
  wide: Map<number, WideValues> | undefined;
}

export interface WideValues {
  compressedSize: bigint;
  uncompressedSize: bigint;
  offset: bigint;
}

/** Empty columns with room for `entries` entries and `nameBytes` bytes of names. */
export function newColumns(entries: number, nameBytes = entries * 24): FileColumns {
  const n = Math.max(16, entries);
  return {
    length: 0,
    names: new Uint8Array(Math.max(256, nameBytes)),
    nameStart: new Uint32Array(n + 1),
    compressedSize: new Float64Array(n),
    uncompressedSize: new Float64Array(n),
    offset: new Float64Array(n),
    crc32: new Uint32Array(n),
    method: new Uint16Array(n),
    flags: new Uint16Array(n),
    custom: undefined,
    wide: undefined,
  };
}

function resized<T extends Float64Array | Uint32Array | Uint16Array | Uint8Array>(
  a: T,
  n: number,
): T {
  const out = new (a.constructor as new (n: number) => T)(n);
  out.set(a.length > n ? a.subarray(0, n) : a);
  return out;
}

/** Room for one more entry with a name of `nameLength` bytes. */
function reserve(cols: FileColumns, nameLength: number): void {
  const n = cols.length;
  if (n === cols.offset.length) {
    const size = Math.ceil(n * 1.5) + 16;
    cols.nameStart = resized(cols.nameStart, size + 1);
    cols.compressedSize = resized(cols.compressedSize, size);
    cols.uncompressedSize = resized(cols.uncompressedSize, size);
    cols.offset = resized(cols.offset, size);
    cols.crc32 = resized(cols.crc32, size);
    cols.method = resized(cols.method, size);
    cols.flags = resized(cols.flags, size);
  }
  const end = cols.nameStart[n] + nameLength;
  if (end > cols.names.length) {
    // Offsets into the names are 32-bit; a directory that large is not held in memory anyway.
    if (end > 0xffffffff) {
      throw new CozipError('LIMIT_EXCEEDED', 'zipindex: more than 4 GiB of names');
    }
    cols.names = resized(cols.names, Math.min(0xffffffff, Math.max(end, cols.names.length * 2)));
  }
}

/** Appends an entry whose name is `src[start, end)`; values already checked. */
export function pushEntry(
  cols: FileColumns,
  src: Uint8Array,
  start: number,
  end: number,
  compressedSize: number,
  uncompressedSize: number,
  offset: number,
  crc32: number,
  method: number,
  flags: number,
): number {
  reserve(cols, end - start);
  const i = cols.length++;
  const at = cols.nameStart[i];
  cols.names.set(src.subarray(start, end), at);
  cols.nameStart[i + 1] = at + end - start;
  cols.compressedSize[i] = compressedSize;
  cols.uncompressedSize[i] = uncompressedSize;
  cols.offset[i] = offset;
  cols.crc32[i] = crc32;
  cols.method[i] = method;
  cols.flags[i] = flags;
  return i;
}

/** Gives entry `i` its custom metadata (the map is not copied). */
export function setCustom(cols: FileColumns, i: number, custom: Map<string, string>): void {
  cols.custom ??= [];
  cols.custom[i] = custom;
}

const U64 = 1n << 64n;
const I63 = 1n << 63n;

/** An integer field as a bigint (JS callers may pass numbers), or undefined. */
function integer(v: unknown): bigint | undefined {
  if (typeof v === 'bigint') return v;
  return Number.isInteger(v) ? BigInt(v as number) : undefined;
}

function inRange(v: bigint | undefined, min: bigint, end: bigint): v is bigint {
  return v !== undefined && v >= min && v < end;
}

/** Appends a File (checked first: INVALID_ARGUMENT names the bad field). */
export function pushFile(cols: FileColumns, f: File, index = cols.length): number {
  const c = integer(f.compressedSize);
  const u = integer(f.uncompressedSize);
  const o = integer(f.offset);
  let why: string | undefined;
  if (typeof f.name !== 'string') why = 'name is not a string';
  else if (!inRange(c, 0n, U64)) why = 'compressed size is not a uint64';
  else if (!inRange(u, 0n, U64)) why = 'uncompressed size is not a uint64';
  else if (!inRange(o, -I63, I63)) why = 'offset is not an int64';
  else if (!Number.isInteger(f.crc32) || f.crc32 < 0 || f.crc32 > 0xffffffff) why = 'bad CRC-32';
  else if (!Number.isInteger(f.method) || f.method < 0 || f.method > 0xffff) why = 'bad method';
  else if (!Number.isInteger(f.flags) || f.flags < 0 || f.flags > 0xffff) why = 'bad flags';
  if (why || c === undefined || u === undefined || o === undefined) {
    throw new CozipError('INVALID_ARGUMENT', `zipindex: file #${index} (${f.name}): ${why}`, {
      details: { index, name: f.name },
    });
  }
  const name = nameBytes(f);
  const [cn, un, on] = [small(c), small(u), small(o)];
  const i = pushEntry(
    cols,
    name,
    0,
    name.length,
    Number(cn),
    Number(un),
    Number(on),
    f.crc32,
    f.method,
    f.flags,
  );
  if (typeof cn === 'bigint' || typeof un === 'bigint' || typeof on === 'bigint') {
    cols.wide ??= new Map();
    cols.wide.set(i, { compressedSize: c, uncompressedSize: u, offset: o });
  }
  if (f.custom?.size) setCustom(cols, i, f.custom);
  return i;
}

/** Columns of a File list, in its order (custom maps shared, not copied). */
export function columnsFromFiles(files: File[]): FileColumns {
  const cols = newColumns(files.length);
  for (const f of files) pushFile(cols, f);
  return cols;
}

/** Entry i's compressed size, exact. */
export function compressedAt(cols: FileColumns, i: number): number | bigint {
  return cols.wide?.get(i)?.compressedSize ?? cols.compressedSize[i];
}

export function uncompressedAt(cols: FileColumns, i: number): number | bigint {
  return cols.wide?.get(i)?.uncompressedSize ?? cols.uncompressedSize[i];
}

export function offsetAt(cols: FileColumns, i: number): number | bigint {
  return cols.wide?.get(i)?.offset ?? cols.offset[i];
}

export function nameAt(cols: FileColumns, i: number): Uint8Array {
  return cols.names.subarray(cols.nameStart[i], cols.nameStart[i + 1]);
}

/** Entry i as a File of its own (custom map copied). */
export function fileAt(cols: FileColumns, i: number): File {
  const custom = cols.custom?.[i];
  return makeFile(
    nameAt(cols, i),
    BigInt(compressedAt(cols, i)),
    BigInt(uncompressedAt(cols, i)),
    BigInt(offsetAt(cols, i)),
    cols.crc32[i],
    cols.method[i],
    cols.flags[i],
    custom?.size ? new Map(custom) : undefined,
  );
}

export function filesFromColumns(cols: FileColumns): File[] {
  const files: File[] = new Array(cols.length);
  for (let i = 0; i < cols.length; i++) files[i] = fileAt(cols, i);
  return files;
}

/** Compares entries by offset, exactly. */
export function offsetComparer(cols: FileColumns): (a: number, b: number) => number {
  const { offset, wide } = cols;
  if (!wide) return (a, b) => offset[a] - offset[b];
  return (a, b) => {
    const x = offsetAt(cols, a);
    const y = offsetAt(cols, b);
    return x < y ? -1 : x > y ? 1 : 0;
  };
}

/** Whether offsets never decrease (`strict`: always increase) from entry to entry. */
export function offsetsSorted(cols: FileColumns, strict: boolean): boolean {
  const compare = offsetComparer(cols);
  for (let i = 1; i < cols.length; i++) {
    const c = compare(i - 1, i);
    if (c > 0 || (strict && c === 0)) return false;
  }
  return true;
}

/** The entries in `order`, as new columns. */
export function permuteColumns(cols: FileColumns, order: ArrayLike<number>): FileColumns {
  const out = newColumns(order.length, cols.nameStart[cols.length]);
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    const j = pushEntry(
      out,
      cols.names,
      cols.nameStart[i],
      cols.nameStart[i + 1],
      cols.compressedSize[i],
      cols.uncompressedSize[i],
      cols.offset[i],
      cols.crc32[i],
      cols.method[i],
      cols.flags[i],
    );
    const custom = cols.custom?.[i];
    if (custom) setCustom(out, j, custom);
    const wide = cols.wide?.get(i);
    if (wide) {
      out.wide ??= new Map();
      out.wide.set(j, wide);
    }
  }
  return out;
}

/**
 * `optimizeSize` for columns: sorted by offset (stable, only when not
 * already), CRCs stripped where the data descriptor repeats them.
 */
export function optimizeColumns(cols: FileColumns): FileColumns {
  let out = cols;
  if (!offsetsSorted(cols, false)) {
    const compare = offsetComparer(cols);
    out = permuteColumns(cols, Array.from({ length: cols.length }, (_, i) => i).sort(compare));
  }
  for (let i = 0; i < out.length; i++) if (out.flags[i] & FLAG_DATA_DESCRIPTOR) out.crc32[i] = 0;
  return out;
}

/** The columns without their spare room (what is left is released). */
export function trimColumns(cols: FileColumns): FileColumns {
  const n = cols.length;
  const fit = <T extends Float64Array | Uint32Array | Uint16Array | Uint8Array>(a: T, m: number) =>
    a.length === m ? a : (a.slice(0, m) as T);
  return {
    ...cols,
    names: fit(cols.names, cols.nameStart[n]),
    nameStart: fit(cols.nameStart, n + 1),
    compressedSize: fit(cols.compressedSize, n),
    uncompressedSize: fit(cols.uncompressedSize, n),
    offset: fit(cols.offset, n),
    crc32: fit(cols.crc32, n),
    method: fit(cols.method, n),
    flags: fit(cols.flags, n),
  };
}
