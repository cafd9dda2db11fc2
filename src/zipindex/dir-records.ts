// The central directory records of one layout, straight into columns. The
// fields the index keeps are read in place (zip/central-header.ts reads them), so a plain record (no ZIP64
// values) under the default filter costs no object at all; ZIP64 records
// and custom filters go through the generic header decoder.
import { CozipError } from '../errors.js';
import { getU32 } from '../zip/bytes.js';
import {
  type CentralHeader,
  decodeCentralHeader,
  newCentralFixed,
  readCentralFixed,
} from '../zip/central-header.js';
import { getDecompressor } from '../zip/codecs.js';
import { CENTRAL_HEADER_SIZE, SIG_CENTRAL, U16_SENTINEL, U32_SENTINEL } from '../zip/constants.js';
import { entryFromCentral, type ResolvedSizes, resolveSizes } from '../zip/entry.js';
import {
  type FileColumns,
  newColumns,
  pushEntry,
  pushFile,
  setCustom,
  trimColumns,
} from './columns.js';
import { dirEntry, type FileFilter, isRegularMode, recordMode } from './dir-entry.js';
import { type File, makeFile } from './file.js';

export interface Keep {
  /** A caller's filter; undefined for the default one. */
  filter: FileFilter | undefined;
  /** Custom values for every file kept (after the filter's own). */
  custom: ReadonlyMap<string, string> | undefined;
}

/** A File from a header and its resolved sizes; `base` shifts the offset (prefixed archives). */
function toFile(h: CentralHeader, sizes: ResolvedSizes, base: number): File {
  return makeFile(
    h.rawName,
    BigInt(sizes.compressedSize),
    BigInt(sizes.uncompressedSize),
    BigInt(sizes.localHeaderOffset + base),
    h.crc32,
    h.method,
    h.flags,
    undefined,
  );
}

function header(dir: Uint8Array, o: number, at: number): CentralHeader {
  // Only called once the record is known to be whole.
  return decodeCentralHeader(dir, o, at + o)!.header;
}

/**
 * The files kept from the records in `dir` (the directory found at archive
 * offset `at`), and how many records there were. `expected` (the declared
 * count) only sizes the first allocation.
 */
export function collectRecords(
  dir: Uint8Array,
  at: number,
  base: number,
  keep: Keep,
  expected: number,
): { files: FileColumns; records: number } {
  const entries = Math.min(expected, Math.floor(dir.length / CENTRAL_HEADER_SIZE));
  const files = newColumns(entries, dir.length - CENTRAL_HEADER_SIZE * entries);
  const { filter } = keep;
  // One map for all: the default filter's files have none of their own.
  const shared = keep.custom && new Map(keep.custom);
  let o = 0;
  let records = 0;
  const f = newCentralFixed();
  while (o + 4 <= dir.length) {
    // A wrong signature: the decoder's error.
    if (getU32(dir, o) !== SIG_CENTRAL) header(dir, o, at);
    if (dir.length - o < CENTRAL_HEADER_SIZE) break;
    readCentralFixed(dir, o, f);
    const nameLength = f.nameLength;
    const length = CENTRAL_HEADER_SIZE + nameLength + f.extraLength + f.commentLength;
    if (dir.length - o < length) break;
    let compressed = f.compressedSize;
    let uncompressed = f.uncompressedSize;
    let offset = f.localHeaderOffset;
    let h: CentralHeader | undefined;
    let sizes: ResolvedSizes | undefined;
    if (
      compressed === U32_SENTINEL ||
      uncompressed === U32_SENTINEL ||
      offset === U32_SENTINEL ||
      f.diskStart === U16_SENTINEL
    ) {
      // Every record's ZIP64 values are read (bad ones fail), kept or not.
      h = header(dir, o, at);
      sizes = resolveSizes(h);
      compressed = sizes.compressedSize;
      uncompressed = sizes.uncompressedSize;
      offset = sizes.localHeaderOffset;
    }
    if (filter) {
      h ??= header(dir, o, at);
      sizes ??= resolveSizes(h);
      const file = filter(toFile(h, sizes, base), dirEntry(entryFromCentral(h, records, base)));
      if (file) {
        const i = pushFile(files, file);
        if (shared) setCustom(files, i, new Map([...(file.custom ?? []), ...shared]));
      }
    } else {
      const name = o + CENTRAL_HEADER_SIZE;
      const dirName = nameLength > 0 && dir[name + nameLength - 1] === 0x2f;
      const mode = recordMode(f.versionMadeBy, f.externalAttributes, dirName);
      const method = f.method;
      if (isRegularMode(mode) && getDecompressor(method)) {
        const i = pushEntry(
          files,
          dir,
          name,
          name + nameLength,
          compressed,
          uncompressed,
          offset + base,
          f.crc32,
          method,
          f.flags,
        );
        if (shared) setCustom(files, i, shared);
      }
    }
    o += length;
    records++;
  }
  if (o < dir.length) {
    throw new CozipError('TRUNCATED', `central directory record at ${at + o} is cut short`, {
      details: { offset: at + o },
    });
  }
  return { files: trimColumns(files), records };
}
