// Type 3: "struct of arrays", always zstd-compressed. Eight columns, each
// delta-encoded against a prediction from the previous entry so that an
// offset-sorted index compresses to a few bytes per entry:
//   0 names    bin each
//   1 csizes   C[i] - C[i-1]                         (C[0] as is)
//   2 usizes   U[i] - C[i]                           (this entry's C)
//   3 offsets  O[i] - (O[i-1] + C[i-1] + 46 + len(N[i-1]))   (O[0] as is)
//   4 methods  M[i] ^ M[i-1]
//   5 flags    F[i] ^ F[i-1]
//   6 crcs     one bin, 4 bytes little-endian per entry
//   7 custom   bin each: a msgpack map str->str, or empty
// All arithmetic wraps at 64 bits. 46 = local header (30) + data descriptor (16).
import { getU32, putU32 } from '../zip/bytes.js';
import { compressedAt, type FileColumns, offsetAt, uncompressedAt } from './columns.js';
import { customFromValue, customObject } from './custom.js';
import { corrupt, tooManyFiles } from './errors.js';
import { arrayField, bytesField, eachField, int64Field, uintField } from './fields.js';
import { type File, MAX_FILES, makeFile } from './file.js';
import { addI64, addU64, asI64, asU64, big, subI64 } from './int64.js';
import {
  columnDecoder,
  decodeFirst,
  encode,
  entryDecoder,
  readArrayHeader,
  readValues,
  type Values,
} from './msgpack.js';
import { type Packer, packArrayHeader, packBin, packed, packer, packInt, restart } from './pack.js';

const COLUMNS = 8;
/** Local file header (30) plus a data descriptor with signature (16). */
const PREDICTED_GAP = 46;
const EMPTY: Uint8Array = new Uint8Array(0);

/** The custom column's blobs; consecutive entries sharing a map share its blob. */
function customBlobs(cols: FileColumns, order: Uint32Array): Uint8Array[] {
  const blobs: Uint8Array[] = new Array(order.length);
  let last: Map<string, string> | undefined;
  let blob = EMPTY;
  for (let k = 0; k < order.length; k++) {
    const m = cols.custom?.[order[k]];
    if (m !== last) {
      last = m;
      blob = m?.size ? encode(customObject(m)) : EMPTY;
    }
    blobs[k] = blob;
  }
  return blobs;
}

/**
 * The msgpack payload of the entries `order` picks, in that order. The
 * entries are visited once (they are scattered: a chunk is a name range),
 * writing the names and keeping the other columns' deltas for the rest.
 * Written into `p` when given (its buffer reused: the result is a view).
 */
export function encodeStructs(
  cols: FileColumns,
  order: Uint32Array,
  p: Packer = packer(0),
): Uint8Array {
  const n = order.length;
  const { names, nameStart, compressedSize, uncompressedSize, offset, method, flags } = cols;
  // Exact values are looked up only when some value is beyond 2^53.
  const wide = cols.wide !== undefined;
  const custom = cols.custom ? customBlobs(cols, order) : undefined;
  // Room for all: names and custom blobs, at most 32 bytes of the rest an entry.
  let bytes = 32 * n + 64;
  for (let k = 0; k < n; k++) bytes += nameStart[order[k] + 1] - nameStart[order[k]];
  if (custom) for (const blob of custom) bytes += blob.length;
  restart(p, bytes);
  packArrayHeader(p, COLUMNS);
  packArrayHeader(p, n);
  const csizes: (number | bigint)[] = [];
  const usizes: (number | bigint)[] = [];
  const offsets: (number | bigint)[] = [];
  const methods = new Uint16Array(n);
  const flagBits = new Uint16Array(n);
  const crcs = new Uint8Array(4 * n);
  let cPrev: number | bigint = 0;
  let oPrev: number | bigint = 0;
  let gap = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k];
    const start = nameStart[i];
    const end = nameStart[i + 1];
    packBin(p, names, start, end);
    const c = wide ? asI64(compressedAt(cols, i)) : compressedSize[i];
    const u = wide ? asI64(uncompressedAt(cols, i)) : uncompressedSize[i];
    const o = wide ? offsetAt(cols, i) : offset[i];
    csizes.push(k ? subI64(c, cPrev) : c);
    usizes.push(subI64(u, c));
    // The next header predicted after the previous entry's header, name, data and descriptor.
    offsets.push(k ? subI64(o, addI64(addI64(oPrev, cPrev), gap)) : o);
    methods[k] = method[i] ^ (k ? method[order[k - 1]] : 0);
    flagBits[k] = flags[i] ^ (k ? flags[order[k - 1]] : 0);
    putU32(crcs, 4 * k, cols.crc32[i]);
    cPrev = c;
    oPrev = o;
    gap = PREDICTED_GAP + end - start;
  }
  for (const column of [csizes, usizes, offsets, methods, flagBits]) {
    packArrayHeader(p, n);
    for (let k = 0; k < n; k++) packInt(p, column[k]);
  }
  packBin(p, crcs);
  packArrayHeader(p, n);
  for (let k = 0; k < n; k++) packBin(p, custom ? custom[k] : EMPTY);
  return packed(p);
}

/** The eight columns, checked for type and length; values not yet accumulated. */
export interface Columns {
  names: Uint8Array[];
  csizes: (number | bigint)[];
  usizes: (number | bigint)[];
  offsets: (number | bigint)[];
  methods: number[];
  flags: number[];
  crcs: Uint8Array;
  custom: Uint8Array[];
}

function column(values: Values, n: number, what: string): unknown[] {
  const col = arrayField(values.take(what), what);
  if (col.length !== n) {
    throw corrupt(`field number mismatch: ${what} has ${col.length} values for ${n} names`);
  }
  return col;
}

/**
 * Reads the names; then, unless `wanted` says the index is of no use
 * (the name looked up is absent), the other seven columns.
 */
function readColumns(payload: Uint8Array, wanted?: (names: Uint8Array[]) => boolean) {
  const { length: cols, rest } = readArrayHeader(payload);
  if (cols !== COLUMNS) throw corrupt(`msgpack: wanted array of size ${COLUMNS}; got ${cols}`);
  return readValues(columnDecoder, rest, (values): Columns | undefined => {
    const names = eachField(arrayField(values.take('names'), 'names'), 'name', bytesField);
    const n = names.length;
    if (n > MAX_FILES) throw tooManyFiles(n);
    if (wanted && !wanted(names)) return undefined;
    const ints = (what: string) => eachField(column(values, n, what), what, int64Field);
    const uint16s = (what: string) =>
      eachField(column(values, n, what), what, (v) => uintField(v, 16, what));
    const csizes = ints('csizes');
    const usizes = ints('usizes');
    const offsets = ints('offsets');
    const methods = uint16s('methods');
    const flags = uint16s('flags');
    const crcs = bytesField(values.take('crcs'), 'crcs');
    // Go's full decoder does not check this (and panics on short input); its lookup does.
    if (crcs.length !== 4 * n) throw corrupt(`CRC field has ${crcs.length} bytes, want ${4 * n}`);
    const custom = eachField(column(values, n, 'custom'), 'custom', bytesField);
    return { names, csizes, usizes, offsets, methods, flags, crcs, custom };
  });
}

function parseCustom(blob: Uint8Array): Map<string, string> | undefined {
  // Bytes after the map inside the blob are ignored, as Go does.
  return blob.length ? customFromValue(decodeFirst(entryDecoder, blob, 'custom')) : undefined;
}

/**
 * Rebuilds the entries 0..last from the deltas, and hands over those `keep`
 * asks for. All arithmetic wraps at 64 bits, as in Go.
 */
function rebuild(cols: Columns, last: number, keep: (i: number) => boolean, out: File[]): File[] {
  const { names, csizes, usizes, offsets, methods, flags, crcs, custom } = cols;
  let c: number | bigint = 0;
  let o: number | bigint = 0;
  let m = 0;
  let fl = 0;
  for (let i = 0; i <= last; i++) {
    if (i === 0) {
      o = offsets[0];
    } else {
      // Predicted from the previous entry, before its values are replaced.
      const step = addI64(asI64(c), PREDICTED_GAP + names[i - 1].length);
      o = addI64(addI64(offsets[i], o), step);
    }
    c = i === 0 ? asU64(csizes[0]) : addU64(c, csizes[i]);
    m ^= methods[i];
    fl ^= flags[i];
    if (!keep(i)) continue;
    const u = addU64(c, usizes[i]);
    const crc = getU32(crcs, 4 * i);
    out.push(makeFile(names[i], big(c), big(u), big(o), crc, m, fl, parseCustom(custom[i])));
  }
  return out;
}

/** The payload's columns, decoded and checked, for entryAt. */
export function decodeColumns(payload: Uint8Array): Columns {
  return readColumns(payload) as Columns;
}

/** Entry `i` of decoded columns (the deltas are summed up to it). */
export function entryAt(cols: Columns, i: number): File {
  return rebuild(cols, i, (j) => j === i, [])[0];
}

/** Appends the entries of a type-3 payload to `out`. */
export function decodeStructs(payload: Uint8Array, out: File[] = []): File[] {
  const cols = readColumns(payload) as Columns;
  return rebuild(cols, cols.names.length - 1, () => true, out);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) return false;
  return true;
}

/**
 * One entry of a type-3 payload. The names are read first: when `key` is
 * absent the other columns are not parsed. Otherwise every column is
 * validated, values are accumulated up to the first match, and only that
 * entry's custom data is parsed.
 */
export function findInStructs(payload: Uint8Array, key: Uint8Array): File | undefined {
  let idx = -1;
  const cols = readColumns(payload, (names) => {
    idx = names.findIndex((name) => sameBytes(name, key));
    return idx >= 0;
  });
  if (!cols) return undefined;
  return rebuild(cols, idx, (i) => i === idx, [])[0];
}
