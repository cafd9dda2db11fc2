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
import { checkCustom, readCustom, writeCustom } from './custom.js';
import { tooManyFiles } from './errors.js';
import { type File, MAX_FILES, makeFile } from './file.js';
import { addI64, addU64, asI64, asU64, big, small, subI64 } from './int64.js';
import { corrupt, MsgReader } from './msgpack-read.js';
import { MsgWriter } from './msgpack-write.js';
import { utf8Length } from './names.js';

const COLUMNS = 8;
/** Local file header (30) plus a data descriptor with signature (16). */
const PREDICTED_GAP = 46;

export function encodeStructs(files: File[]): Uint8Array {
  const n = files.length;
  const w = new MsgWriter(64 + n * 24);
  w.arrayHeader(COLUMNS);
  w.arrayHeader(n);
  const lengths = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const f = files[i];
    if (f.rawName) {
      w.binBytes(f.rawName);
      lengths[i] = f.rawName.length;
    } else {
      const len = utf8Length(f.name);
      w.utf8(f.name, len, true);
      lengths[i] = len;
    }
  }
  w.arrayHeader(n);
  let prevC: number | bigint = 0;
  for (let i = 0; i < n; i++) {
    const c = small(files[i].compressedSize);
    w.int(i === 0 ? asI64(c) : subI64(asI64(c), asI64(prevC)));
    prevC = c;
  }
  w.arrayHeader(n);
  for (const f of files) {
    w.int(subI64(asI64(small(f.uncompressedSize)), asI64(small(f.compressedSize))));
  }
  w.arrayHeader(n);
  for (let i = 0; i < n; i++) {
    const o = small(files[i].offset);
    if (i === 0) {
      w.int(o);
      continue;
    }
    const p = files[i - 1];
    const predicted = addI64(
      addI64(small(p.offset), asI64(small(p.compressedSize))),
      PREDICTED_GAP + lengths[i - 1],
    );
    w.int(subI64(o, predicted));
  }
  w.arrayHeader(n);
  for (let i = 0; i < n; i++)
    w.uint(i === 0 ? files[0].method : files[i].method ^ files[i - 1].method);
  w.arrayHeader(n);
  for (let i = 0; i < n; i++)
    w.uint(i === 0 ? files[0].flags : files[i].flags ^ files[i - 1].flags);
  const crcs = new Uint8Array(4 * n);
  for (let i = 0; i < n; i++) putU32(crcs, 4 * i, files[i].crc32);
  w.binBytes(crcs);
  w.arrayHeader(n);
  const custom = new MsgWriter(64);
  for (const f of files) {
    if (!f.custom?.size) {
      w.binHeader(0);
      continue;
    }
    checkCustom(f.custom);
    custom.length = 0;
    writeCustom(custom, f.custom);
    w.binBytes(custom.bytes());
  }
  return w.bytes();
}

function sameBytes(buf: Uint8Array, at: number, key: Uint8Array): boolean {
  for (let j = 0; j < key.length; j++) if (buf[at + j] !== key[j]) return false;
  return true;
}

/** Reads the top array and the names column; returns the names as views. */
function readNames(r: MsgReader): Uint8Array[] {
  const cols = r.arrayHeader();
  if (cols !== COLUMNS) throw corrupt(`msgpack: wanted array of size ${COLUMNS}; got ${cols}`);
  const n = r.arrayHeader();
  if (n > MAX_FILES) throw tooManyFiles(n);
  // Each name takes at least 2 bytes: a count beyond that is corrupt (and not allocated).
  if (n * 2 > r.remaining) throw corrupt('msgpack: too few bytes left to read object');
  const names: Uint8Array[] = [];
  for (let i = 0; i < n; i++) names.push(r.bin());
  return names;
}

function columnHeader(r: MsgReader, n: number, column: string): void {
  const m = r.arrayHeader();
  if (m !== n) throw corrupt(`field number mismatch: ${column} has ${m} values for ${n} names`);
}

function readInts(r: MsgReader, n: number, column: string): (number | bigint)[] {
  columnHeader(r, n, column);
  const out: (number | bigint)[] = [];
  for (let i = 0; i < n; i++) out.push(r.int64());
  return out;
}

function readUint16s(r: MsgReader, n: number, column: string): number[] {
  columnHeader(r, n, column);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(r.uint(16));
  return out;
}

function readCrcs(r: MsgReader, n: number): Uint8Array {
  const crcs = r.bin();
  // Go's full decoder does not check this (and panics on short input); its lookup does.
  if (crcs.length !== 4 * n) {
    throw corrupt(`CRC field has ${crcs.length} bytes, want ${4 * n}`);
  }
  return crcs;
}

function parseCustom(blob: Uint8Array): Map<string, string> | undefined {
  // Bytes after the map inside the blob are ignored, as Go does.
  return blob.length ? readCustom(new MsgReader(blob)) : undefined;
}

/** Appends the entries of a type-3 payload to `out`. */
export function decodeStructs(payload: Uint8Array, out: File[] = []): File[] {
  const r = new MsgReader(payload);
  const names = readNames(r);
  const n = names.length;
  const csizes = readInts(r, n, 'csizes');
  const usizes = readInts(r, n, 'usizes');
  const offsets = readInts(r, n, 'offsets');
  const methods = readUint16s(r, n, 'methods');
  const flags = readUint16s(r, n, 'flags');
  const crcs = readCrcs(r, n);
  columnHeader(r, n, 'custom');
  let c: number | bigint = 0;
  let o: number | bigint = 0;
  let m = 0;
  let fl = 0;
  for (let i = 0; i < n; i++) {
    const blob = r.bin();
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
    out.push(
      makeFile(
        names[i],
        big(c),
        big(addU64(c, usizes[i])),
        big(o),
        getU32(crcs, 4 * i),
        m,
        fl,
        parseCustom(blob),
      ),
    );
  }
  return out;
}

/**
 * One entry of a type-3 payload. The names are scanned first: when `key` is
 * absent the other columns are not read. Otherwise every column is
 * validated, values are accumulated up to the first match, and only that
 * entry's custom data is parsed.
 */
export function findInStructs(payload: Uint8Array, key: Uint8Array): File | undefined {
  const r = new MsgReader(payload);
  const cols = r.arrayHeader();
  if (cols !== COLUMNS) throw corrupt(`msgpack: wanted array of size ${COLUMNS}; got ${cols}`);
  const n = r.arrayHeader();
  if (n > MAX_FILES) throw tooManyFiles(n);
  let idx = -1;
  let name: Uint8Array | undefined;
  // Sum of the name lengths before the match: they enter every offset prediction.
  let namesBefore = 0;
  const buf = r.buf;
  for (let i = 0; i < n; i++) {
    const len = r.binHeader();
    const at = r.pos;
    r.pos += len;
    if (idx >= 0) continue;
    if (len === key.length && sameBytes(buf, at, key)) {
      idx = i;
      name = buf.subarray(at, at + len);
    } else namesBefore += len;
  }
  if (idx < 0 || !name) return undefined;

  columnHeader(r, n, 'csizes');
  let c: number | bigint = 0;
  // Sum of the compressed sizes before the match, for the offset.
  let sizesBefore: number | bigint = 0;
  for (let i = 0; i < n; i++) {
    const v = r.int64();
    if (i > idx) continue;
    c = i === 0 ? asU64(v) : addU64(c, v);
    if (i < idx) sizesBefore = addI64(sizesBefore, asI64(c));
  }
  columnHeader(r, n, 'usizes');
  let u: number | bigint = 0;
  for (let i = 0; i < n; i++) {
    const v = r.int64();
    if (i === idx) u = addU64(c, v);
  }
  columnHeader(r, n, 'offsets');
  let o: number | bigint = addI64(sizesBefore, namesBefore + PREDICTED_GAP * idx);
  for (let i = 0; i < n; i++) {
    const v = r.int64();
    if (i <= idx) o = addI64(o, v);
  }
  const xorUpTo = (column: string) => {
    columnHeader(r, n, column);
    let x = 0;
    for (let i = 0; i < n; i++) {
      const v = r.uint(16);
      if (i <= idx) x ^= v;
    }
    return x;
  };
  const method = xorUpTo('methods');
  const flags = xorUpTo('flags');
  const crcs = readCrcs(r, n);
  columnHeader(r, n, 'custom');
  let custom: Map<string, string> | undefined;
  for (let i = 0; i < n; i++) {
    if (i === idx) custom = parseCustom(r.bin());
    else r.skipBin();
  }
  return makeFile(name, big(c), big(u), big(o), getU32(crcs, 4 * idx), method, flags, custom);
}
