// The integrity hash input: the union of the index payload [51, 51 + n) and
// the last 32 KiB [size - 32768, size), in ascending order, overlapping bytes
// counted once. Archives are >= 32,819 bytes, so the tail never reaches 43..50.
import { HASHED_TAIL, INDEX_HEADER_SIZE } from './constants.js';
import { Fnv1a64 } from './fnv.js';

/** The byte ranges hashed, ascending and disjoint. */
export function hashedRanges(indexSize: number, archiveSize: number): Array<[number, number]> {
  const a: [number, number] = [INDEX_HEADER_SIZE, INDEX_HEADER_SIZE + indexSize];
  const b: [number, number] = [Math.max(0, archiveSize - HASHED_TAIL), archiveSize];
  if (b[0] <= a[1]) return [[Math.min(a[0], b[0]), Math.max(a[1], b[1])]];
  return [a, b];
}

/**
 * Computes the hash from the index payload and the archive's last bytes
 * (`tail` ends at the archive end and holds at least the last 32 KiB, or
 * the whole archive after the index when that is shorter).
 */
export function integrityHash(
  index: Uint8Array,
  tail: Uint8Array,
  archiveSize: number,
): Uint8Array {
  const tailStart = archiveSize - tail.length;
  const h = new Fnv1a64();
  for (const [start, end] of hashedRanges(index.length, archiveSize)) {
    // Bytes inside the index region come from `index`, the rest from `tail`.
    const indexEnd = INDEX_HEADER_SIZE + index.length;
    if (start < indexEnd)
      h.update(
        index.subarray(start - INDEX_HEADER_SIZE, Math.min(end, indexEnd) - INDEX_HEADER_SIZE),
      );
    const from = Math.max(start, indexEnd);
    if (from < end) h.update(tail.subarray(from - tailStart, end - tailStart));
  }
  return h.bytes();
}
