// The hidden index file (spec, "Content of the index file"), little-endian:
//
//  0 u32 version (1)            16 u64 uncompress_size
//  4 u32 skip_bytes             24 u64 compress_size
//  8 u32 chunk_size             32 skip_bytes of unspecified content, then
// 12 u32 offset_size (8)           (uncompress_size - 1) / chunk_size u64
//                                  offsets of chunks 1, 2, ... relative to
//                                  the start of the compressed data
import { CozipError } from '../errors.js';
import { getU32, putU32, putU64 } from '../zip/bytes.js';
import { INDEX_HEADER_SIZE, INDEX_OFFSET_SIZE, INDEX_VERSION } from './constants.js';

export interface SozipIndexHeader {
  version: number;
  skipBytes: number;
  chunkSize: number;
  offsetSize: number;
  uncompressedSize: number;
  compressedSize: number;
}

export interface SozipIndexContent {
  chunkSize: number;
  uncompressedSize: number;
  compressedSize: number;
  /** Where chunks 1, 2, ... start in the compressed data (chunk 0 starts at 0). */
  offsets: ArrayLike<number>;
}

/** Entries the offset section must hold: one per chunk after the first. */
export function offsetCount(uncompressedSize: number, chunkSize: number): number {
  return uncompressedSize > 0 ? Math.floor((uncompressedSize - 1) / chunkSize) : 0;
}

/** Chunks a member of `uncompressedSize` bytes is cut into. */
export function chunkCount(uncompressedSize: number, chunkSize: number): number {
  return Math.ceil(uncompressedSize / chunkSize);
}

/** Size of the index file holding `count` offsets (skip_bytes 0, as writers write it). */
export function indexRecordSize(count: number, skipBytes = 0): number {
  return INDEX_HEADER_SIZE + skipBytes + count * INDEX_OFFSET_SIZE;
}

export function encodeSozipIndex(index: SozipIndexContent): Uint8Array {
  const { chunkSize, uncompressedSize, compressedSize, offsets } = index;
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > 0xffffffff) {
    throw new CozipError('INVALID_ARGUMENT', `chunk size must be 1..2^32-1, not ${chunkSize}`);
  }
  const count = offsetCount(uncompressedSize, chunkSize);
  if (offsets.length !== count) {
    throw new CozipError(
      'INVALID_ARGUMENT',
      `${uncompressedSize} bytes in chunks of ${chunkSize} need ${count} offsets, not ${offsets.length}`,
    );
  }
  const b = new Uint8Array(indexRecordSize(count));
  putU32(b, 0, INDEX_VERSION);
  putU32(b, 4, 0);
  putU32(b, 8, chunkSize);
  putU32(b, 12, INDEX_OFFSET_SIZE);
  putU64(b, 16, uncompressedSize);
  putU64(b, 24, compressedSize);
  for (let i = 0; i < count; i++) putU64(b, INDEX_HEADER_SIZE + 8 * i, offsets[i]);
  return b;
}

/** The 32-byte header at `b[o]`; `b` must hold it. */
export function decodeIndexHeader(b: Uint8Array, o = 0): SozipIndexHeader {
  return {
    version: getU32(b, o),
    skipBytes: getU32(b, o + 4),
    chunkSize: getU32(b, o + 8),
    offsetSize: getU32(b, o + 12),
    uncompressedSize: u64(b, o + 16),
    compressedSize: u64(b, o + 24),
  };
}

/**
 * Reads `count` u64 offsets at `b[o]` into `into[at...]`. A value beyond
 * 2^53 becomes Infinity, which the consistency checks then reject.
 */
export function decodeOffsets(
  b: Uint8Array,
  o: number,
  count: number,
  into: Float64Array,
  at = 0,
): void {
  for (let i = 0; i < count; i++) into[at + i] = u64(b, o + 8 * i);
}

function u64(b: Uint8Array, o: number): number {
  const hi = getU32(b, o + 4);
  return hi > 0x1fffff ? Number.POSITIVE_INFINITY : hi * 0x100000000 + getU32(b, o);
}

/**
 * Why the header cannot index a member of these sizes, or undefined when it
 * can: the checks a reader makes before trusting an index.
 */
export function headerProblem(
  h: SozipIndexHeader,
  member: { uncompressedSize: number; compressedSize: number },
): string | undefined {
  if (h.version !== INDEX_VERSION) return `unsupported index version ${h.version}`;
  if (h.offsetSize !== INDEX_OFFSET_SIZE) return `offset_size is ${h.offsetSize}, not 8`;
  if (h.chunkSize === 0) return 'chunk_size is 0';
  if (h.uncompressedSize !== member.uncompressedSize) {
    return `uncompress_size ${h.uncompressedSize} differs from the member's ${member.uncompressedSize}`;
  }
  if (h.compressedSize !== member.compressedSize) {
    return `compress_size ${h.compressedSize} differs from the member's ${member.compressedSize}`;
  }
  if (h.uncompressedSize <= h.chunkSize) {
    return `uncompress_size ${h.uncompressedSize} is not greater than chunk_size ${h.chunkSize}`;
  }
  return undefined;
}

/**
 * Why `offsets[from, to)` break the rules (strictly ascending, above the
 * first chunk's start 0, below compress_size), or undefined. `before` is the
 * offset preceding `from` when known (0 for the first).
 */
export function offsetsProblem(
  offsets: ArrayLike<number>,
  compressedSize: number,
  from = 0,
  to = offsets.length,
  before = from === 0 ? 0 : undefined,
): string | undefined {
  let prev = before;
  for (let i = from; i < to; i++) {
    const v = offsets[i];
    if (prev !== undefined && !(v > prev)) {
      return `offset ${i} (${v}) is not above the previous one (${prev})`;
    }
    if (!(v < compressedSize)) {
      return `offset ${i} (${v}) is not below compress_size ${compressedSize}`;
    }
    prev = v;
  }
  return undefined;
}
