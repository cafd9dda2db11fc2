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
import { customFromValue, customObject } from './custom.js';
import { corrupt, tooManyFiles } from './errors.js';
import { arrayField, bytesField, eachField, int64Field, uintField } from './fields.js';
import { type File, MAX_FILES, makeFile } from './file.js';
import { addI64, addU64, asI64, asU64, big, small, subI64 } from './int64.js';
import {
  columnDecoder,
  decodeFirst,
  encode,
  entryDecoder,
  readArrayHeader,
  readValues,
  type Values,
  wire,
} from './msgpack.js';
import { nameBytes } from './names.js';

const COLUMNS = 8;
/** Local file header (30) plus a data descriptor with signature (16). */
const PREDICTED_GAP = 46;

export function encodeStructs(files: File[]): Uint8Array {
  const n = files.length;
  const names = files.map(nameBytes);
  const csizes: (number | bigint)[] = [];
  const usizes: (number | bigint)[] = [];
  const offsets: (number | bigint)[] = [];
  const methods: number[] = [];
  const flags: number[] = [];
  const crcs = new Uint8Array(4 * n);
  const custom: Uint8Array[] = [];
  const empty = new Uint8Array(0);
  for (let i = 0; i < n; i++) {
    const f = files[i];
    const c = asI64(small(f.compressedSize));
    const o = small(f.offset);
    if (i === 0) {
      csizes.push(wire(c));
      offsets.push(wire(o));
    } else {
      const p = files[i - 1];
      csizes.push(wire(subI64(c, asI64(small(p.compressedSize)))));
      const predicted = addI64(
        addI64(small(p.offset), asI64(small(p.compressedSize))),
        PREDICTED_GAP + names[i - 1].length,
      );
      offsets.push(wire(subI64(o, predicted)));
    }
    usizes.push(wire(subI64(asI64(small(f.uncompressedSize)), c)));
    methods.push(i === 0 ? f.method : f.method ^ files[i - 1].method);
    flags.push(i === 0 ? f.flags : f.flags ^ files[i - 1].flags);
    putU32(crcs, 4 * i, f.crc32);
    custom.push(f.custom?.size ? encode(customObject(f.custom)) : empty);
  }
  return encode([names, csizes, usizes, offsets, methods, flags, crcs, custom]);
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
