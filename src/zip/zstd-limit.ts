// How much a zstd stream can decode to: every block takes at least 3 bytes
// of input (its header) and decodes to at most 128 KiB (Block_Maximum_Size,
// RFC 8878 3.1.1.2.3). A decoder that produces more than that for what it
// was given is running away on corrupt input: its output callback checks
// the bound and stops it between blocks. (Inside one block fzstd 0.1.1 can
// still spin on crafted sequences; no callback runs there.)
import { CozipError } from '../errors.js';

const BLOCK_MAX = 128 * 1024;

/** The most bytes `consumed` bytes of valid zstd can decode to. */
export function zstdOutputLimit(consumed: number): number {
  return (Math.floor(consumed / 3) + 1) * BLOCK_MAX;
}

export function zstdOverrun(consumed: number, produced: number): CozipError {
  return new CozipError(
    'CORRUPT_DATA',
    `zstd: ${consumed} bytes decoded to more than ${produced - 1} bytes, more than zstd can encode`,
    { details: { consumed, produced } },
  );
}
