// Extra fields: a list of (u16 id, u16 size, data) records after a header's name.
import { CozipError } from '../errors.js';
import { getU16, getU32, getU64, putU16, putU32, putU64 } from './bytes.js';
import { crc32 } from './codecs.js';
import {
  EXTRA_EXTENDED_TIMESTAMP,
  EXTRA_INFOZIP_UNIX_OLD,
  EXTRA_NTFS,
  EXTRA_UNICODE_PATH,
  EXTRA_ZIP64,
  U16_SENTINEL,
  U32_SENTINEL,
} from './constants.js';
import { decodeUtf8Strict, encodeUtf8 } from './names.js';

export interface ExtraField {
  id: number;
  data: Uint8Array;
}

/**
 * Splits an extra block into fields. A field whose size runs past the block
 * is a corrupt header (BAD_RECORD); up to 3 trailing bytes (alignment padding
 * some writers add) are ignored.
 */
export function parseExtraFields(extra: Uint8Array): ExtraField[] {
  const fields: ExtraField[] = [];
  let o = 0;
  while (o + 4 <= extra.length) {
    const id = getU16(extra, o);
    const size = getU16(extra, o + 2);
    if (o + 4 + size > extra.length) {
      throw new CozipError(
        'BAD_RECORD',
        `extra field 0x${id.toString(16).padStart(4, '0')} length ${size} exceeds the extra field buffer`,
        { details: { id, size, available: extra.length - o - 4 } },
      );
    }
    fields.push({ id, data: extra.subarray(o + 4, o + 4 + size) });
    o += 4 + size;
  }
  return fields;
}

export function findExtra(fields: ExtraField[], id: number): Uint8Array | undefined {
  for (const f of fields) if (f.id === id) return f.data;
  return undefined;
}

export function encodeExtraFields(fields: ExtraField[]): Uint8Array {
  let n = 0;
  for (const f of fields) n += 4 + f.data.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const f of fields) {
    if (f.data.length > 0xffff) throw new CozipError('INVALID_ARGUMENT', 'extra field over 64 KiB');
    putU16(out, o, f.id);
    putU16(out, o + 2, f.data.length);
    out.set(f.data, o + 4);
    o += 4 + f.data.length;
  }
  if (n > 0xffff) throw new CozipError('INVALID_ARGUMENT', 'extra fields over 64 KiB in total');
  return out;
}

// --- ZIP64 extended information (0x0001) ---

/** The 64-bit values a ZIP64 extra carries; only those whose header field is a sentinel. */
export interface Zip64Values {
  uncompressedSize?: number;
  compressedSize?: number;
  localHeaderOffset?: number;
  diskStart?: number;
}

/**
 * Reads the ZIP64 extra in APPNOTE order (uncompressed, compressed, offset,
 * disk), taking a field only when its 32-bit header value is the sentinel.
 */
export function readZip64Extra(
  data: Uint8Array,
  need: {
    uncompressedSize: boolean;
    compressedSize: boolean;
    localHeaderOffset: boolean;
    diskStart: boolean;
  },
): Zip64Values {
  const out: Zip64Values = {};
  let o = 0;
  const take = (what: string, width: number): number => {
    if (o + width > data.length) {
      throw new CozipError(
        'INVALID_ZIP64',
        `zip64 extended information extra field does not include ${what}`,
      );
    }
    const v = width === 8 ? getU64(data, o) : getU32(data, o);
    o += width;
    return v;
  };
  if (need.uncompressedSize) out.uncompressedSize = take('uncompressed size', 8);
  if (need.compressedSize) out.compressedSize = take('compressed size', 8);
  if (need.localHeaderOffset) out.localHeaderOffset = take('relative header offset', 8);
  if (need.diskStart) out.diskStart = take('disk start number', 4);
  return out;
}

/** Encodes the ZIP64 extra with exactly the given values, in APPNOTE order. */
export function encodeZip64Extra(v: Zip64Values): ExtraField {
  const parts: Array<[number, number]> = [];
  if (v.uncompressedSize !== undefined) parts.push([v.uncompressedSize, 8]);
  if (v.compressedSize !== undefined) parts.push([v.compressedSize, 8]);
  if (v.localHeaderOffset !== undefined) parts.push([v.localHeaderOffset, 8]);
  if (v.diskStart !== undefined) parts.push([v.diskStart, 4]);
  const data = new Uint8Array(parts.reduce((n, [, w]) => n + w, 0));
  let o = 0;
  for (const [value, width] of parts) {
    if (width === 8) putU64(data, o, value);
    else putU32(data, o, value);
    o += width;
  }
  return { id: EXTRA_ZIP64, data };
}

export function needsZip64(value: number): boolean {
  return value >= U32_SENTINEL;
}

export function needsZip64Count(value: number): boolean {
  return value >= U16_SENTINEL;
}

// --- Timestamps ---

export interface ExtraTimes {
  mtime?: Date;
  atime?: Date;
  ctime?: Date;
}

/**
 * Extended timestamp (0x5455): flags byte, then the u32/i32 Unix times whose
 * flag bits are set, in order mtime, atime, ctime. Central copies usually
 * carry only mtime while keeping the local flags, so stop at the data's end.
 */
export function readExtendedTimestamp(data: Uint8Array): ExtraTimes {
  if (data.length < 1) return {};
  const flags = data[0];
  const out: ExtraTimes = {};
  let o = 1;
  const names = ['mtime', 'atime', 'ctime'] as const;
  for (let bit = 0; bit < 3; bit++) {
    if (!(flags & (1 << bit))) continue;
    if (o + 4 > data.length) break;
    const secs = getU32(data, o) | 0; // signed
    out[names[bit]] = new Date(secs * 1000);
    o += 4;
  }
  return out;
}

export function encodeExtendedTimestamp(mtime: Date): ExtraField {
  const data = new Uint8Array(5);
  data[0] = 1;
  putU32(data, 1, Math.floor(mtime.getTime() / 1000) >>> 0);
  return { id: EXTRA_EXTENDED_TIMESTAMP, data };
}

// NTFS times are 100 ns ticks since 1601-01-01 UTC.
const NTFS_EPOCH_MS = Date.UTC(1601, 0, 1);

function ntfsToDate(b: Uint8Array, o: number): Date {
  const ticks = getU32(b, o) + getU32(b, o + 4) * 0x100000000;
  return new Date(NTFS_EPOCH_MS + ticks / 10000);
}

/** NTFS (0x000a): 4 reserved bytes, then tagged attributes; tag 1 holds mtime, atime, ctime. */
export function readNtfsTimes(data: Uint8Array): ExtraTimes {
  let o = 4;
  while (o + 4 <= data.length) {
    const tag = getU16(data, o);
    const size = getU16(data, o + 2);
    if (o + 4 + size > data.length) break;
    if (tag === 1 && size >= 24) {
      return {
        mtime: ntfsToDate(data, o + 4),
        atime: ntfsToDate(data, o + 12),
        ctime: ntfsToDate(data, o + 20),
      };
    }
    o += 4 + size;
  }
  return {};
}

/** Old Info-ZIP Unix extra (0x5855): atime u32, mtime u32, optional uid/gid. */
export function readInfoZipUnixOld(data: Uint8Array): ExtraTimes {
  if (data.length < 8) return {};
  return { atime: new Date(getU32(data, 0) * 1000), mtime: new Date(getU32(data, 4) * 1000) };
}

/**
 * extraMtime of a whole extra block, read in place: listing a million
 * entries should not split a million blocks into arrays of fields.
 */
export function extraBlockMtime(extra: Uint8Array): Date | undefined {
  let ntfs: Uint8Array | undefined;
  let ext: Uint8Array | undefined;
  let old: Uint8Array | undefined;
  for (let o = 0; o + 4 <= extra.length; ) {
    const id = getU16(extra, o);
    const end = o + 4 + getU16(extra, o + 2);
    // A field running past the block: the full parser reports it.
    if (end > extra.length) return extraMtime(parseExtraFields(extra));
    if (id === EXTRA_NTFS) ntfs ??= extra.subarray(o + 4, end);
    else if (id === EXTRA_EXTENDED_TIMESTAMP) ext ??= extra.subarray(o + 4, end);
    else if (id === EXTRA_INFOZIP_UNIX_OLD) old ??= extra.subarray(o + 4, end);
    o = end;
  }
  return timesMtime(ntfs, ext, old);
}

/** The most precise modification time the extra fields carry, if any. */
export function extraMtime(fields: ExtraField[]): Date | undefined {
  return timesMtime(
    findExtra(fields, EXTRA_NTFS),
    findExtra(fields, EXTRA_EXTENDED_TIMESTAMP),
    findExtra(fields, EXTRA_INFOZIP_UNIX_OLD),
  );
}

/** NTFS times first (100 ns), then the extended timestamp, then the old Info-ZIP field. */
function timesMtime(
  ntfs: Uint8Array | undefined,
  ext: Uint8Array | undefined,
  old: Uint8Array | undefined,
): Date | undefined {
  if (ntfs) {
    const t = readNtfsTimes(ntfs).mtime;
    if (t) return t;
  }
  // The extended timestamp's mtime, when its flag is set, is the first value.
  if (ext && ext.length >= 5 && ext[0] & 1) return new Date((getU32(ext, 1) | 0) * 1000);
  if (old) return readInfoZipUnixOld(old).mtime;
  return undefined;
}

// --- Info-ZIP Unicode Path (0x7075) ---

/**
 * Version 1 holds the CRC-32 of the header's raw name and the UTF-8 name. A
 * CRC that does not match means the header name was changed by a tool that
 * did not know the extra; the extra is then stale and ignored.
 */
export function readUnicodePath(data: Uint8Array, rawName: Uint8Array): string | undefined {
  if (data.length < 5 || data[0] !== 1) return undefined;
  if (getU32(data, 1) !== crc32(rawName)) return undefined;
  return decodeUtf8Strict(data.subarray(5));
}

export function encodeUnicodePath(name: string, rawName: Uint8Array): ExtraField {
  const utf8 = encodeUtf8(name);
  const data = new Uint8Array(5 + utf8.length);
  data[0] = 1;
  putU32(data, 1, crc32(rawName));
  data.set(utf8, 5);
  return { id: EXTRA_UNICODE_PATH, data };
}
