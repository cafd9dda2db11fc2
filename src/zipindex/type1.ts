// Types 1 and 2: an array with one 8-value array per entry, values verbatim:
// [name str, compressed uint64, uncompressed uint64, offset int64,
//  crc uint32, method uint16, flags uint16, custom map str->str].
// Type 1 stores it as is, type 2 zstd-compressed; the encoder only uses them
// for fewer than 10 entries, the decoder accepts up to 100.
import { checkCustom, readCustom, writeCustom } from './custom.js';
import { tooManyFiles } from './errors.js';
import { type File, makeFile } from './file.js';
import { big } from './int64.js';
import { corrupt, MsgReader } from './msgpack-read.js';
import { MsgWriter } from './msgpack-write.js';
import { compareBytes } from './names.js';

/** Decoder limit on entries of types 1 and 2. */
export const MAX_ARRAY_FILES = 100;
const FIELDS = 8;

export function encodeArray(files: File[]): Uint8Array {
  const w = new MsgWriter(64 + files.length * 64);
  w.arrayHeader(files.length);
  for (const f of files) {
    checkCustom(f.custom);
    w.arrayHeader(FIELDS);
    if (f.rawName) w.strBytes(f.rawName);
    else w.str(f.name);
    w.uint(f.compressedSize);
    w.uint(f.uncompressedSize);
    w.int(f.offset);
    w.uint(f.crc32);
    w.uint(f.method);
    w.uint(f.flags);
    writeCustom(w, f.custom);
  }
  return w.bytes();
}

function readCount(r: MsgReader): number {
  const n = r.arrayHeader();
  if (n > MAX_ARRAY_FILES) throw tooManyFiles(n, MAX_ARRAY_FILES);
  return n;
}

/** Reads one entry; `name` is its already-read name bytes. */
function readEntry(r: MsgReader, name: Uint8Array): File {
  const compressed = big(r.uint64());
  const uncompressed = big(r.uint64());
  const offset = big(r.int64());
  const crc = r.uint(32);
  const method = r.uint(16);
  const flags = r.uint(16);
  return makeFile(name, compressed, uncompressed, offset, crc, method, flags, readCustom(r));
}

function entryHeader(r: MsgReader): Uint8Array {
  const n = r.arrayHeader();
  if (n !== FIELDS) throw corrupt(`msgpack: wanted array of size ${FIELDS}; got ${n}`);
  return r.str();
}

export function decodeArray(payload: Uint8Array): File[] {
  const r = new MsgReader(payload);
  const n = readCount(r);
  const files: File[] = [];
  for (let i = 0; i < n; i++) files.push(readEntry(r, entryHeader(r)));
  // Bytes after the array are ignored, as Go does.
  return files;
}

/** Entries are parsed in order up to the first match; later ones are not looked at. */
export function findInArray(payload: Uint8Array, key: Uint8Array): File | undefined {
  const r = new MsgReader(payload);
  const n = readCount(r);
  for (let i = 0; i < n; i++) {
    const name = entryHeader(r);
    const file = readEntry(r, name);
    if (compareBytes(name, key) === 0) return file;
  }
  return undefined;
}
