import { CozipError } from '../errors.js';

// Little-endian field access on Uint8Array. ZIP is little-endian throughout.

export function getU16(b: Uint8Array, o: number): number {
  return b[o] | (b[o + 1] << 8);
}

export function getU32(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16)) + b[o + 3] * 0x1000000;
}

/** u64 as a JS number; values above 2^53 - 1 cannot be offsets or sizes we can address. */
export function getU64(b: Uint8Array, o: number): number {
  const lo = getU32(b, o);
  const hi = getU32(b, o + 4);
  if (hi > 0x1fffff) {
    throw new CozipError('TOO_LARGE', `64-bit value at byte ${o} exceeds 2^53 - 1`, {
      details: { hi, lo },
    });
  }
  return hi * 0x100000000 + lo;
}

export function getU64Big(b: Uint8Array, o: number): bigint {
  return BigInt(getU32(b, o)) | (BigInt(getU32(b, o + 4)) << 32n);
}

export function putU16(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
}

export function putU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
  b[o + 2] = (v >>> 16) & 0xff;
  b[o + 3] = (v >>> 24) & 0xff;
}

export function putU64(b: Uint8Array, o: number, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) {
    throw new CozipError('INVALID_ARGUMENT', `cannot write ${v} as an unsigned 64-bit value`);
  }
  putU32(b, o, v % 0x100000000);
  putU32(b, o + 4, Math.floor(v / 0x100000000));
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Copies src[start, end) into dst at `at`. Short runs (entry names) are
 * copied byte by byte: no view object per call.
 */
export function copyBytes(
  src: Uint8Array,
  start: number,
  end: number,
  dst: Uint8Array,
  at: number,
): void {
  if (end - start > 64) {
    dst.set(src.subarray(start, end), at);
    return;
  }
  for (let i = start; i < end; i++) dst[at++] = src[i];
}
