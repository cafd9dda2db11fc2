// Node only: SOZip's chunked Deflate, one chunk at a time. Every chunk is
// compressed by a fresh raw-Deflate stream; a middle chunk is ended by
// Z_SYNC_FLUSH and followed by the 5-byte block Z_FULL_FLUSH would write, the
// last one by Z_FINISH. A fresh stream has an empty dictionary, exactly what
// a full flush leaves, so the result is byte for byte what one zlib stream
// calling deflate(Z_SYNC_FLUSH) + deflate(Z_FULL_FLUSH) per chunk produces
// (test/sozip/chunk-deflate.test.ts checks that, and Annex H).
import { constants, deflateRawSync } from 'node:zlib';
import { FULL_FLUSH_BLOCK } from './constants.js';

/** The compressed bytes of one chunk; `last` ends the Deflate stream. */
export function deflateChunk(chunk: Uint8Array, level: number, last: boolean): Uint8Array {
  if (last) return deflateRawSync(chunk, { level });
  const body = deflateRawSync(chunk, { level, finishFlush: constants.Z_SYNC_FLUSH });
  const out = new Uint8Array(body.length + FULL_FLUSH_BLOCK.length);
  out.set(body, 0);
  out.set(FULL_FLUSH_BLOCK, body.length);
  return out;
}

/** Consecutive chunks to compress together (a worker's unit of work). */
export interface CompressJob {
  id: number;
  /** Whole chunks, except that the job ending the member may end with a short one. */
  data: Uint8Array;
  chunkSize: number;
  level: number;
  /** The job holds the member's last chunk. */
  last: boolean;
}

export interface CompressedJob {
  id: number;
  /** The chunks' compressed bytes back to back, in a buffer of its own (transferable). */
  bytes: Uint8Array;
  /** Compressed length of each chunk, in order. */
  sizes: number[];
}

export function compressJob(job: CompressJob): CompressedJob {
  const { data, chunkSize, level, last } = job;
  const parts: Uint8Array[] = [];
  let total = 0;
  for (let at = 0; at < data.length; at += chunkSize) {
    const end = Math.min(data.length, at + chunkSize);
    const part = deflateChunk(data.subarray(at, end), level, last && end === data.length);
    parts.push(part);
    total += part.length;
  }
  // One fresh buffer: zlib's results may be views into pooled memory, which
  // must not be transferred to another thread.
  const bytes = new Uint8Array(total);
  const sizes: number[] = [];
  let o = 0;
  for (const part of parts) {
    bytes.set(part, o);
    o += part.length;
    sizes.push(part.length);
  }
  return { id: job.id, bytes, sizes };
}
