// Local file header (APPNOTE 4.3.7): 30 fixed bytes, then name and extra.
//
//  0 u32 signature 0x04034b50    14 u32 crc-32
//  4 u16 version needed          18 u32 compressed size
//  6 u16 general purpose flags   22 u32 uncompressed size
//  8 u16 compression method      26 u16 name length
// 10 u16 DOS time                28 u16 extra length
// 12 u16 DOS date                30 name, then extra
import { CozipError } from '../errors.js';
import { getU16, getU32, putU16, putU32 } from './bytes.js';
import { LOCAL_HEADER_SIZE, SIG_LOCAL } from './constants.js';

export interface LocalHeader {
  versionNeeded: number;
  flags: number;
  method: number;
  dosTime: number;
  dosDate: number;
  crc32: number;
  /** Raw 32-bit field: 0xFFFFFFFF means the value is in the ZIP64 extra. */
  compressedSize: number;
  uncompressedSize: number;
  rawName: Uint8Array;
  extra: Uint8Array;
}

export function localHeaderLength(h: { rawName: Uint8Array; extra: Uint8Array }): number {
  return LOCAL_HEADER_SIZE + h.rawName.length + h.extra.length;
}

export function encodeLocalHeader(h: LocalHeader): Uint8Array {
  const b = new Uint8Array(localHeaderLength(h));
  writeLocalHeader(b, 0, h);
  return b;
}

/** Writes `h` into `b` at `o` (a writer's block, say); returns the bytes written. */
export function writeLocalHeader(b: Uint8Array, o: number, h: LocalHeader): number {
  writeLocalHeaderFixed(b, o, h, h.rawName.length, h.extra.length);
  b.set(h.rawName, o + 30);
  b.set(h.extra, o + 30 + h.rawName.length);
  return LOCAL_HEADER_SIZE + h.rawName.length + h.extra.length;
}

/** The fixed part's fields; name and extra lengths tell how many bytes follow. */
export interface LocalHeaderFixed extends Omit<LocalHeader, 'rawName' | 'extra'> {
  nameLength: number;
  extraLength: number;
}

/**
 * Writes the 30 fixed bytes only; the caller puts the name and extra after
 * them (a writer copying names out of one shared buffer, say).
 */
export function writeLocalHeaderFixed(
  b: Uint8Array,
  o: number,
  h: Omit<LocalHeaderFixed, 'nameLength' | 'extraLength'>,
  nameLength: number,
  extraLength: number,
): void {
  putU32(b, o, SIG_LOCAL);
  putU16(b, o + 4, h.versionNeeded);
  putU16(b, o + 6, h.flags);
  putU16(b, o + 8, h.method);
  putU16(b, o + 10, h.dosTime);
  putU16(b, o + 12, h.dosDate);
  putU32(b, o + 14, h.crc32);
  putU32(b, o + 18, h.compressedSize);
  putU32(b, o + 22, h.uncompressedSize);
  putU16(b, o + 26, nameLength);
  putU16(b, o + 28, extraLength);
}

export function decodeLocalHeaderFixed(b: Uint8Array, o: number, at = o): LocalHeaderFixed {
  if (b.length - o < LOCAL_HEADER_SIZE) {
    throw new CozipError('TRUNCATED', `local file header at ${at} is cut short`, {
      details: { offset: at },
    });
  }
  const sig = getU32(b, o);
  if (sig !== SIG_LOCAL) {
    throw new CozipError(
      'BAD_SIGNATURE',
      `invalid local file header signature 0x${sig.toString(16)} at ${at}`,
      { details: { offset: at, signature: sig } },
    );
  }
  return {
    versionNeeded: getU16(b, o + 4),
    flags: getU16(b, o + 6),
    method: getU16(b, o + 8),
    dosTime: getU16(b, o + 10),
    dosDate: getU16(b, o + 12),
    crc32: getU32(b, o + 14),
    compressedSize: getU32(b, o + 18),
    uncompressedSize: getU32(b, o + 22),
    nameLength: getU16(b, o + 26),
    extraLength: getU16(b, o + 28),
  };
}

/**
 * Decodes a whole local header from `b` at `o`; `b` must hold name and extra.
 * Name and extra are views into `b`: see ownLocalHeader before keeping one.
 */
export function decodeLocalHeader(b: Uint8Array, o: number, at = o): LocalHeader {
  const f = decodeLocalHeaderFixed(b, o, at);
  const end = o + LOCAL_HEADER_SIZE + f.nameLength + f.extraLength;
  if (end > b.length) {
    throw new CozipError('TRUNCATED', `local file header at ${at} is cut short`, {
      details: { offset: at },
    });
  }
  const nameStart = o + LOCAL_HEADER_SIZE;
  return {
    versionNeeded: f.versionNeeded,
    flags: f.flags,
    method: f.method,
    dosTime: f.dosTime,
    dosDate: f.dosDate,
    crc32: f.crc32,
    compressedSize: f.compressedSize,
    uncompressedSize: f.uncompressedSize,
    rawName: b.subarray(nameStart, nameStart + f.nameLength),
    extra: b.subarray(nameStart + f.nameLength, end),
  };
}

/**
 * The header with name and extra in a copy of their own: the buffer a
 * header was decoded from usually holds the member's data too, and a header
 * kept in a cache must not keep that alive.
 */
export function ownLocalHeader(h: LocalHeader): LocalHeader {
  const own = new Uint8Array(h.rawName.length + h.extra.length);
  own.set(h.rawName, 0);
  own.set(h.extra, h.rawName.length);
  return {
    ...h,
    rawName: own.subarray(0, h.rawName.length),
    extra: own.subarray(h.rawName.length),
  };
}

/**
 * Where, in `b`, the local header lies whose name and extra end exactly at
 * `b.length` (a reader that knows where a payload starts and fetched the
 * bytes before it); -1 when none does. `nameLength`, when known, narrows the
 * search to the header's extra length. The last such header wins: it is the
 * one whose end is the payload.
 */
export function findLocalHeaderBefore(b: Uint8Array, nameLength?: number): number {
  for (let p = b.length - LOCAL_HEADER_SIZE; p >= 0; p--) {
    if (getU32(b, p) !== SIG_LOCAL) continue;
    const n = getU16(b, p + 26);
    if (nameLength !== undefined && n !== nameLength) continue;
    if (p + LOCAL_HEADER_SIZE + n + getU16(b, p + 28) === b.length) return p;
  }
  return -1;
}
