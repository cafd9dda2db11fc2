// Decoding one SOZip chunk on its own (spec Annex F). A chunk that is not
// the last ends with the empty stored block of its full flush; marking that
// block final (00 -> 01) makes the chunk a complete raw-Deflate stream. Its
// dictionary was reset by the full flush, so it decodes without the chunks
// before it. The patch goes into a copy: source bytes may be shared
// views (the planner's cache, a caller's Buffer).
import { CozipError } from '../errors.js';
import { inflateRawBytes, inflateRawBytesOffThread } from '../zip/codecs.js';
import { CHUNK_TRAILER, FULL_FLUSH_BLOCK } from './constants.js';

export function endsWith(bytes: Uint8Array, tail: Uint8Array): boolean {
  if (bytes.length < tail.length) return false;
  const o = bytes.length - tail.length;
  for (let i = 0; i < tail.length; i++) if (bytes[o + i] !== tail[i]) return false;
  return true;
}

/** A middle chunk ends with the 9 bytes a sync flush + full flush leave (what validators require). */
export function hasChunkTrailer(bytes: Uint8Array): boolean {
  return endsWith(bytes, CHUNK_TRAILER);
}

/**
 * Decodes one chunk, which must give exactly `expected` bytes. Throws
 * SOZIP_BAD_CHUNK (with `where` in the message) otherwise. `offThread` uses
 * the runtime's parallel inflate.
 */
export async function inflateChunk(
  bytes: Uint8Array,
  expected: number,
  last: boolean,
  where: string,
  offThread = false,
): Promise<Uint8Array> {
  let input = bytes;
  if (!last) {
    if (!endsWith(bytes, FULL_FLUSH_BLOCK)) {
      throw badChunk(`${where} does not end with the full-flush block 00 00 00 FF FF`);
    }
    input = copyBytes(bytes);
    input[input.length - FULL_FLUSH_BLOCK.length] = 0x01;
  }
  let out: Uint8Array;
  try {
    out = await (offThread ? inflateRawBytesOffThread : inflateRawBytes)(input, expected);
  } catch (err) {
    throw badChunk(`${where} does not decode on its own: ${(err as Error).message}`, err);
  }
  if (out.length !== expected) {
    throw badChunk(`${where} decodes to ${out.length} bytes, not ${expected}`);
  }
  return out;
}

/**
 * A copy in memory of its own. Not `slice()`: on a Node Buffer (bytes a
 * caller handed to bytesSource, say) that returns a view of the same memory.
 */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}

function badChunk(message: string, cause?: unknown): CozipError {
  return new CozipError('SOZIP_BAD_CHUNK', message, { cause });
}
