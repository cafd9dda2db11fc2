// Data descriptor (APPNOTE 4.3.9): follows a member's data when flag bit 3 is
// set. Optional signature 0x08074b50, then crc-32 and the two sizes, which are
// 8 bytes each in ZIP64 archives and 4 bytes otherwise.
import { getU32, getU64, putU32, putU64 } from './bytes.js';
import { SIG_DATA_DESCRIPTOR } from './constants.js';

export interface DataDescriptor {
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
}

/** Always written with the signature, as every modern writer does. */
export function encodeDataDescriptor(d: DataDescriptor, zip64: boolean): Uint8Array {
  const b = new Uint8Array(zip64 ? 24 : 16);
  putU32(b, 0, SIG_DATA_DESCRIPTOR);
  putU32(b, 4, d.crc32);
  if (zip64) {
    putU64(b, 8, d.compressedSize);
    putU64(b, 16, d.uncompressedSize);
  } else {
    putU32(b, 8, d.compressedSize);
    putU32(b, 12, d.uncompressedSize);
  }
  return b;
}

/**
 * Decodes a descriptor at `b[o]`, or undefined when `b` ends first. The
 * signature is optional, so a descriptor whose CRC equals the signature value
 * is ambiguous; `expectCrc` (from the central directory) resolves it.
 */
export function decodeDataDescriptor(
  b: Uint8Array,
  o: number,
  zip64: boolean,
  expectCrc?: number,
): (DataDescriptor & { length: number; signed: boolean }) | undefined {
  const body = zip64 ? 20 : 12;
  const at = (p: number, signed: boolean) => ({
    crc32: getU32(b, p),
    compressedSize: zip64 ? getU64(b, p + 4) : getU32(b, p + 4),
    uncompressedSize: zip64 ? getU64(b, p + 12) : getU32(b, p + 8),
    length: (signed ? 4 : 0) + body,
    signed,
  });
  if (b.length - o >= 4 + body && getU32(b, o) === SIG_DATA_DESCRIPTOR) {
    const d = at(o + 4, true);
    if (expectCrc !== SIG_DATA_DESCRIPTOR || d.crc32 === expectCrc) return d;
  }
  if (b.length - o < body) return undefined;
  return at(o, false);
}
