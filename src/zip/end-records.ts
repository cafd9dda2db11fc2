// End of central directory records (APPNOTE 4.3.14 - 4.3.16).
//
// EOCD, 22 bytes + comment:
//  0 u32 signature 0x06054b50    10 u16 entries total
//  4 u16 this disk               12 u32 central directory size
//  6 u16 disk with CD start      16 u32 central directory offset
//  8 u16 entries on this disk    20 u16 comment length, then comment
//
// ZIP64 EOCD record, 56 bytes + extensible data:
//  0 u32 signature 0x06064b50    24 u64 entries on this disk
//  4 u64 size of the rest (n-12) 32 u64 entries total
// 12 u16 version made by         40 u64 central directory size
// 14 u16 version needed          48 u64 central directory offset
// 16 u32 this disk
// 20 u32 disk with CD start
//
// ZIP64 EOCD locator, 20 bytes, right before the EOCD:
//  0 u32 signature 0x07064b50     8 u64 offset of the ZIP64 EOCD record
//  4 u32 disk with the record    16 u32 total number of disks
import { CozipError } from '../errors.js';
import { getU16, getU32, getU64, putU16, putU32, putU64 } from './bytes.js';
import {
  EOCD_SIZE,
  MAX_COMMENT,
  SIG_EOCD,
  SIG_ZIP64_EOCD,
  SIG_ZIP64_LOCATOR,
  ZIP64_EOCD_SIZE,
  ZIP64_LOCATOR_SIZE,
} from './constants.js';

export interface Eocd {
  diskNumber: number;
  cdDisk: number;
  entriesOnDisk: number;
  entriesTotal: number;
  cdSize: number;
  cdOffset: number;
  comment: Uint8Array;
}

export interface Zip64Eocd {
  versionMadeBy: number;
  versionNeeded: number;
  diskNumber: number;
  cdDisk: number;
  entriesOnDisk: number;
  entriesTotal: number;
  cdSize: number;
  cdOffset: number;
  extensible: Uint8Array;
}

export interface Zip64Locator {
  eocdDisk: number;
  zip64EocdOffset: number;
  totalDisks: number;
}

export function encodeEocd(e: Eocd): Uint8Array {
  if (e.comment.length > MAX_COMMENT) {
    throw new CozipError('INVALID_ARGUMENT', 'archive comment over 65,535 bytes');
  }
  const b = new Uint8Array(EOCD_SIZE + e.comment.length);
  putU32(b, 0, SIG_EOCD);
  putU16(b, 4, e.diskNumber);
  putU16(b, 6, e.cdDisk);
  putU16(b, 8, e.entriesOnDisk);
  putU16(b, 10, e.entriesTotal);
  putU32(b, 12, e.cdSize);
  putU32(b, 16, e.cdOffset);
  putU16(b, 20, e.comment.length);
  b.set(e.comment, EOCD_SIZE);
  return b;
}

/** Decodes the EOCD at `b[o]`; the comment is cut to the bytes present. */
export function decodeEocd(b: Uint8Array, o: number): Eocd {
  const commentLength = getU16(b, o + 20);
  return {
    diskNumber: getU16(b, o + 4),
    cdDisk: getU16(b, o + 6),
    entriesOnDisk: getU16(b, o + 8),
    entriesTotal: getU16(b, o + 10),
    cdSize: getU32(b, o + 12),
    cdOffset: getU32(b, o + 16),
    comment: b.slice(o + EOCD_SIZE, Math.min(b.length, o + EOCD_SIZE + commentLength)),
  };
}

/** Where the EOCD was found, and how the bytes after it disagree with its comment length. */
export interface FoundEocd {
  offset: number;
  eocd: Eocd;
  /** The declared comment runs past the end of the file (the comment is cut). */
  commentTruncated: boolean;
  /** Bytes after the EOCD and its comment (junk appended to the archive). */
  trailingBytes: number;
}

/**
 * Finds the EOCD in `tail`, the last bytes of an archive of `size` bytes.
 * The record nearest the end wins: an earlier one may belong to a ZIP stored
 * inside this one. A comment length that runs past the end of the file or
 * leaves bytes after it is reported, not fatal (readers tolerate both).
 */
export function findEocd(tail: Uint8Array, tailStart: number, size: number): FoundEocd {
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
    if (tail[i] !== 0x50 || getU32(tail, i) !== SIG_EOCD) continue;
    const offset = tailStart + i;
    const end = offset + EOCD_SIZE + getU16(tail, i + 20);
    return {
      offset,
      eocd: decodeEocd(tail, i),
      commentTruncated: end > size,
      trailingBytes: Math.max(0, size - end),
    };
  }
  throw new CozipError(
    'NOT_A_ZIP',
    'end of central directory record signature not found: not a ZIP file, or truncated',
    { details: { size } },
  );
}

export function encodeZip64Eocd(e: Zip64Eocd): Uint8Array {
  const b = new Uint8Array(ZIP64_EOCD_SIZE + e.extensible.length);
  putU32(b, 0, SIG_ZIP64_EOCD);
  putU64(b, 4, b.length - 12);
  putU16(b, 12, e.versionMadeBy);
  putU16(b, 14, e.versionNeeded);
  putU32(b, 16, e.diskNumber);
  putU32(b, 20, e.cdDisk);
  putU64(b, 24, e.entriesOnDisk);
  putU64(b, 32, e.entriesTotal);
  putU64(b, 40, e.cdSize);
  putU64(b, 48, e.cdOffset);
  b.set(e.extensible, ZIP64_EOCD_SIZE);
  return b;
}

/** Decodes the fixed 56 bytes of a ZIP64 EOCD record at `b[o]`. */
export function decodeZip64Eocd(b: Uint8Array, o: number, at = o): Zip64Eocd {
  if (b.length - o < ZIP64_EOCD_SIZE || getU32(b, o) !== SIG_ZIP64_EOCD) {
    throw new CozipError(
      'INVALID_ZIP64',
      `invalid zip64 end of central directory record signature at ${at}`,
      { details: { offset: at } },
    );
  }
  return {
    versionMadeBy: getU16(b, o + 12),
    versionNeeded: getU16(b, o + 14),
    diskNumber: getU32(b, o + 16),
    cdDisk: getU32(b, o + 20),
    entriesOnDisk: getU64(b, o + 24),
    entriesTotal: getU64(b, o + 32),
    cdSize: getU64(b, o + 40),
    cdOffset: getU64(b, o + 48),
    extensible: new Uint8Array(0),
  };
}

export function encodeZip64Locator(l: Zip64Locator): Uint8Array {
  const b = new Uint8Array(ZIP64_LOCATOR_SIZE);
  putU32(b, 0, SIG_ZIP64_LOCATOR);
  putU32(b, 4, l.eocdDisk);
  putU64(b, 8, l.zip64EocdOffset);
  putU32(b, 16, l.totalDisks);
  return b;
}

/** The locator at `b[o]`, or undefined when there is none there. */
export function decodeZip64Locator(b: Uint8Array, o: number): Zip64Locator | undefined {
  if (o < 0 || b.length - o < ZIP64_LOCATOR_SIZE || getU32(b, o) !== SIG_ZIP64_LOCATOR) {
    return undefined;
  }
  return {
    eocdDisk: getU32(b, o + 4),
    zip64EocdOffset: getU64(b, o + 8),
    totalDisks: getU32(b, o + 16),
  };
}
