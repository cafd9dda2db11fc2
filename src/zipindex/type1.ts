// Types 1 and 2: an array with one 8-value array per entry, values verbatim:
// [name str, compressed uint64, uncompressed uint64, offset int64,
//  crc uint32, method uint16, flags uint16, custom map str->str].
// Type 1 stores it as is, type 2 zstd-compressed; the encoder only uses them
// for fewer than 10 entries, the decoder accepts up to 100.
import { concatBytes } from '../io/stream.js';
import { customFromValue, customObject } from './custom.js';
import { tooManyFiles } from './errors.js';
import { arrayField, bytesField, int64Field, uint64Field, uintField } from './fields.js';
import { type File, makeFile } from './file.js';
import { big, small } from './int64.js';
import {
  arrayHeader,
  encode,
  entryDecoder,
  rawStr,
  readArrayHeader,
  readValues,
  wire,
} from './msgpack.js';
import { compareBytes, nameBytes } from './names.js';

/** Decoder limit on entries of types 1 and 2. */
export const MAX_ARRAY_FILES = 100;
const FIELDS = 8;

export function encodeArray(files: File[]): Uint8Array {
  const parts: Uint8Array[] = [arrayHeader(files.length)];
  for (const f of files) {
    // The name is a str of its raw bytes, which the library cannot write.
    parts.push(arrayHeader(FIELDS), rawStr(nameBytes(f)));
    const rest = [
      wire(small(f.compressedSize)),
      wire(small(f.uncompressedSize)),
      wire(small(f.offset)),
      f.crc32,
      f.method,
      f.flags,
      customObject(f.custom),
    ];
    for (const v of rest) parts.push(encode(v));
  }
  return concatBytes(parts);
}

function toFile(e: unknown[]): File {
  return makeFile(
    bytesField(e[0], 'name'),
    big(uint64Field(e[1], 'compressed size')),
    big(uint64Field(e[2], 'uncompressed size')),
    big(int64Field(e[3], 'offset')),
    uintField(e[4], 32, 'crc32'),
    uintField(e[5], 16, 'method'),
    uintField(e[6], 16, 'flags'),
    customFromValue(e[7]),
  );
}

/**
 * Walks the entries in order; `visit` returning a File stops the walk, and
 * the entries after it are never parsed. Bytes after the array are ignored.
 */
function walk(payload: Uint8Array, visit: (entry: unknown[]) => File | undefined) {
  const { length: n, rest } = readArrayHeader(payload);
  if (n > MAX_ARRAY_FILES) throw tooManyFiles(n, MAX_ARRAY_FILES);
  return readValues(entryDecoder, rest, (values) => {
    for (let i = 0; i < n; i++) {
      const found = visit(arrayField(values.take('entry'), 'entry', FIELDS));
      if (found) return found;
    }
    return undefined;
  });
}

export function decodeArray(payload: Uint8Array): File[] {
  const files: File[] = [];
  walk(payload, (e) => {
    files.push(toFile(e));
    return undefined;
  });
  return files;
}

/** Entries are parsed in order up to the first match; later ones are not looked at. */
export function findInArray(payload: Uint8Array, key: Uint8Array): File | undefined {
  return walk(payload, (e) => {
    const file = toFile(e);
    return compareBytes(e[0] as Uint8Array, key) === 0 ? file : undefined;
  });
}
