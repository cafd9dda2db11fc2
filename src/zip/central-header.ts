// Central directory file header (APPNOTE 4.3.12): 46 fixed bytes, then
// name, extra and comment.
//
//  0 u32 signature 0x02014b50    24 u32 uncompressed size
//  4 u16 version made by         28 u16 name length
//  6 u16 version needed          30 u16 extra length
//  8 u16 flags                   32 u16 comment length
// 10 u16 method                  34 u16 disk number start
// 12 u16 DOS time                36 u16 internal attributes
// 14 u16 DOS date                38 u32 external attributes
// 16 u32 crc-32                  42 u32 local header offset
// 20 u32 compressed size         46 name, extra, comment
import { CozipError } from '../errors.js';
import { getU16, getU32, putU16, putU32 } from './bytes.js';
import { CENTRAL_HEADER_SIZE, SIG_CENTRAL } from './constants.js';

export interface CentralHeader {
  versionMadeBy: number;
  versionNeeded: number;
  flags: number;
  method: number;
  dosTime: number;
  dosDate: number;
  crc32: number;
  /** Raw 32/16-bit fields: sentinels mean "see the ZIP64 extra". */
  compressedSize: number;
  uncompressedSize: number;
  diskStart: number;
  internalAttributes: number;
  externalAttributes: number;
  localHeaderOffset: number;
  rawName: Uint8Array;
  extra: Uint8Array;
  rawComment: Uint8Array;
}

export function centralHeaderLength(h: {
  rawName: Uint8Array;
  extra: Uint8Array;
  rawComment: Uint8Array;
}): number {
  return CENTRAL_HEADER_SIZE + h.rawName.length + h.extra.length + h.rawComment.length;
}

export function encodeCentralHeader(h: CentralHeader): Uint8Array {
  const b = new Uint8Array(centralHeaderLength(h));
  writeCentralHeader(b, 0, h);
  return b;
}

/** Writes `h` into `b` at `o`; returns the bytes written. */
export function writeCentralHeader(b: Uint8Array, o: number, h: CentralHeader): number {
  writeCentralHeaderFixed(b, o, h, h.rawName.length, h.extra.length, h.rawComment.length);
  let p = o + CENTRAL_HEADER_SIZE;
  b.set(h.rawName, p);
  p += h.rawName.length;
  b.set(h.extra, p);
  p += h.extra.length;
  b.set(h.rawComment, p);
  p += h.rawComment.length;
  return p - o;
}

/**
 * Writes the 46 fixed bytes only; the caller puts name, extra and comment
 * after them (a writer copying names out of one shared buffer, say).
 */
export function writeCentralHeaderFixed(
  b: Uint8Array,
  o: number,
  h: Omit<CentralHeader, 'rawName' | 'extra' | 'rawComment'>,
  nameLength: number,
  extraLength: number,
  commentLength: number,
): void {
  putU32(b, o, SIG_CENTRAL);
  putU16(b, o + 4, h.versionMadeBy);
  putU16(b, o + 6, h.versionNeeded);
  putU16(b, o + 8, h.flags);
  putU16(b, o + 10, h.method);
  putU16(b, o + 12, h.dosTime);
  putU16(b, o + 14, h.dosDate);
  putU32(b, o + 16, h.crc32);
  putU32(b, o + 20, h.compressedSize);
  putU32(b, o + 24, h.uncompressedSize);
  putU16(b, o + 28, nameLength);
  putU16(b, o + 30, extraLength);
  putU16(b, o + 32, commentLength);
  putU16(b, o + 34, h.diskStart);
  putU16(b, o + 36, h.internalAttributes);
  putU32(b, o + 38, h.externalAttributes);
  putU32(b, o + 42, h.localHeaderOffset);
}

/** The fixed part's fields as numbers (see the byte table above). */
export interface CentralFixed {
  versionMadeBy: number;
  flags: number;
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  nameLength: number;
  extraLength: number;
  commentLength: number;
  diskStart: number;
  externalAttributes: number;
  localHeaderOffset: number;
}

/** An empty CentralFixed to pass to readCentralFixed again and again. */
export function newCentralFixed(): CentralFixed {
  return {
    versionMadeBy: 0,
    flags: 0,
    method: 0,
    crc32: 0,
    compressedSize: 0,
    uncompressedSize: 0,
    nameLength: 0,
    extraLength: 0,
    commentLength: 0,
    diskStart: 0,
    externalAttributes: 0,
    localHeaderOffset: 0,
  };
}

/**
 * Reads the fixed fields of the record at b[o] (46 bytes must be there; the
 * caller checks the signature) into `into`: a directory scan of a million
 * records reuses one object instead of decoding a header each.
 */
export function readCentralFixed(b: Uint8Array, o: number, into: CentralFixed): CentralFixed {
  into.versionMadeBy = getU16(b, o + 4);
  into.flags = getU16(b, o + 8);
  into.method = getU16(b, o + 10);
  into.crc32 = getU32(b, o + 16);
  into.compressedSize = getU32(b, o + 20);
  into.uncompressedSize = getU32(b, o + 24);
  into.nameLength = getU16(b, o + 28);
  into.extraLength = getU16(b, o + 30);
  into.commentLength = getU16(b, o + 32);
  into.diskStart = getU16(b, o + 34);
  into.externalAttributes = getU32(b, o + 38);
  into.localHeaderOffset = getU32(b, o + 42);
  return into;
}

const EMPTY = new Uint8Array(0);

/**
 * Decodes the header at `b[o]`; `at` is its offset in the archive, for
 * messages. Returns undefined when `b` ends before the whole header (the
 * caller reads more); throws on a wrong signature. The name, extra field and
 * comment are views into `b`.
 */
export function decodeCentralHeader(
  b: Uint8Array,
  o: number,
  at = o,
): { header: CentralHeader; length: number } | undefined {
  if (b.length - o < 4) return undefined;
  const sig = getU32(b, o);
  if (sig !== SIG_CENTRAL) {
    throw new CozipError(
      'BAD_SIGNATURE',
      `invalid central directory file header signature 0x${sig.toString(16)} at ${at}`,
      { details: { offset: at, signature: sig } },
    );
  }
  if (b.length - o < CENTRAL_HEADER_SIZE) return undefined;
  const nameLength = getU16(b, o + 28);
  const extraLength = getU16(b, o + 30);
  const commentLength = getU16(b, o + 32);
  const length = CENTRAL_HEADER_SIZE + nameLength + extraLength + commentLength;
  if (b.length - o < length) return undefined;
  const n = o + CENTRAL_HEADER_SIZE;
  const e = n + nameLength;
  const c = e + extraLength;
  return {
    length,
    header: {
      versionMadeBy: getU16(b, o + 4),
      versionNeeded: getU16(b, o + 6),
      flags: getU16(b, o + 8),
      method: getU16(b, o + 10),
      dosTime: getU16(b, o + 12),
      dosDate: getU16(b, o + 14),
      crc32: getU32(b, o + 16),
      compressedSize: getU32(b, o + 20),
      uncompressedSize: getU32(b, o + 24),
      diskStart: getU16(b, o + 34),
      internalAttributes: getU16(b, o + 36),
      externalAttributes: getU32(b, o + 38),
      localHeaderOffset: getU32(b, o + 42),
      rawName: b.subarray(n, e),
      extra: extraLength ? b.subarray(e, c) : EMPTY,
      rawComment: commentLength ? b.subarray(c, c + commentLength) : EMPTY,
    },
  };
}
