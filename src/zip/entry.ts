// A central directory record, resolved: ZIP64 values applied, name decoded,
// times and Unix mode extracted.
import type { CentralHeader } from './central-header.js';
import {
  EXTRA_UNICODE_PATH,
  EXTRA_ZIP64,
  FLAG_ENCRYPTED,
  FLAG_STRONG_ENCRYPTION,
  FLAG_UTF8,
  HOST_MACOS,
  HOST_UNIX,
  METHOD_AES,
  S_IFDIR,
  S_IFLNK,
  S_IFMT,
  U16_SENTINEL,
  U32_SENTINEL,
} from './constants.js';
import { fromDosDateTime } from './dos-time.js';
import {
  type ExtraField,
  extraMtime,
  findExtra,
  parseExtraFields,
  readUnicodePath,
  readZip64Extra,
} from './extra-fields.js';
import { decodeName, decodeUtf8Lossy, type NameEncoding } from './names.js';

export interface ZipEntry {
  /** Position in the central directory. */
  index: number;
  name: string;
  rawName: Uint8Array;
  nameEncoding: NameEncoding;
  comment: string;
  versionMadeBy: number;
  versionNeeded: number;
  flags: number;
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  /** Absolute offset of the local header in the source (prefix bytes included). */
  localHeaderOffset: number;
  diskStart: number;
  internalAttributes: number;
  externalAttributes: number;
  dosDate: number;
  dosTime: number;
  /** Modification time: NTFS or Unix extra when present, else DOS time (read as UTC). */
  mtime: Date;
  /** Raw central directory extra block and its parsed fields. */
  extra: Uint8Array;
  extraFields: ExtraField[];
  /** Sizes or offset came from a ZIP64 extra field. */
  zip64: boolean;
  encrypted: boolean;
  isDirectory: boolean;
  isSymlink: boolean;
  /** Unix permission and type bits when the entry was made on Unix or macOS. */
  unixMode: number | undefined;
}

/** The last valid, non-empty Info-ZIP Unicode Path among the extra fields. */
function unicodePath(fields: ExtraField[], rawName: Uint8Array): string | undefined {
  let found: string | undefined;
  for (const f of fields) {
    if (f.id !== EXTRA_UNICODE_PATH) continue;
    const name = readUnicodePath(f.data, rawName);
    if (name) found = name;
  }
  return found;
}

/** A central header's sizes, offset and disk, ZIP64 values applied. */
export interface ResolvedSizes {
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
  diskStart: number;
  /** Some value came from the ZIP64 extra field. */
  zip64: boolean;
}

const NO_DATA = new Uint8Array(0);

/**
 * Takes from the ZIP64 extra field exactly the values whose 32/16-bit fields
 * are saturated (APPNOTE 4.5.3); `fields` saves parsing the extra block twice.
 */
export function resolveSizes(h: CentralHeader, fields?: ExtraField[]): ResolvedSizes {
  const need = {
    uncompressedSize: h.uncompressedSize === U32_SENTINEL,
    compressedSize: h.compressedSize === U32_SENTINEL,
    localHeaderOffset: h.localHeaderOffset === U32_SENTINEL,
    diskStart: h.diskStart === U16_SENTINEL,
  };
  const zip64 =
    need.uncompressedSize || need.compressedSize || need.localHeaderOffset || need.diskStart;
  if (!zip64) {
    return {
      compressedSize: h.compressedSize,
      uncompressedSize: h.uncompressedSize,
      localHeaderOffset: h.localHeaderOffset,
      diskStart: h.diskStart,
      zip64,
    };
  }
  const extra = findExtra(fields ?? parseExtraFields(h.extra), EXTRA_ZIP64);
  const v = readZip64Extra(extra ?? NO_DATA, need);
  return {
    compressedSize: v.compressedSize ?? h.compressedSize,
    uncompressedSize: v.uncompressedSize ?? h.uncompressedSize,
    localHeaderOffset: v.localHeaderOffset ?? h.localHeaderOffset,
    diskStart: v.diskStart ?? h.diskStart,
    zip64,
  };
}

/** Resolves a central header into an entry; `base` shifts offsets for prefixed archives. */
export function entryFromCentral(h: CentralHeader, index: number, base: number): ZipEntry {
  const extraFields = parseExtraFields(h.extra);
  const { compressedSize, uncompressedSize, localHeaderOffset, diskStart, zip64 } = resolveSizes(
    h,
    extraFields,
  );
  const utf8 = (h.flags & FLAG_UTF8) !== 0;
  const { name, encoding } = decodeName(h.rawName, utf8, unicodePath(extraFields, h.rawName));
  const host = h.versionMadeBy >>> 8;
  const unixMode =
    host === HOST_UNIX || host === HOST_MACOS
      ? h.externalAttributes >>> 16 || undefined
      : undefined;
  const isDirectory =
    name.endsWith('/') ||
    (unixMode !== undefined && (unixMode & S_IFMT) === S_IFDIR) ||
    (h.externalAttributes & 0x10) !== 0;
  return {
    index,
    name,
    rawName: h.rawName,
    nameEncoding: encoding,
    comment: utf8 ? decodeUtf8Lossy(h.rawComment) : decodeName(h.rawComment, false, undefined).name,
    versionMadeBy: h.versionMadeBy,
    versionNeeded: h.versionNeeded,
    flags: h.flags,
    method: h.method,
    crc32: h.crc32,
    compressedSize,
    uncompressedSize,
    localHeaderOffset: localHeaderOffset + base,
    diskStart,
    internalAttributes: h.internalAttributes,
    externalAttributes: h.externalAttributes,
    dosDate: h.dosDate,
    dosTime: h.dosTime,
    mtime: extraMtime(extraFields) ?? fromDosDateTime(h.dosDate, h.dosTime),
    extra: h.extra,
    extraFields,
    zip64,
    encrypted:
      (h.flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) !== 0 || h.method === METHOD_AES,
    isDirectory,
    isSymlink: unixMode !== undefined && (unixMode & S_IFMT) === S_IFLNK,
    unixMode,
  };
}
