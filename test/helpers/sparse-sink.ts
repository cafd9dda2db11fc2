// A seekable Sink for multi-GiB archives that keeps only the first and the
// last bytes written (where headers, the index and the central directory
// are) and counts the rest, so a 4 GiB archive costs a few MiB of memory.
// `source()` then serves reads of the kept regions as a RangeSource.
import { CozipError } from '../../src/errors.js';
import type { RangeSource } from '../../src/io/source.js';
import type { Sink } from '../../src/zip/sink.js';

export class SparseSink implements Sink {
  size = 0;
  private readonly head: Uint8Array;
  private readonly ring: Uint8Array;
  closed = false;

  constructor(headBytes = 1 << 20, tailBytes = 1 << 20) {
    this.head = new Uint8Array(headBytes);
    this.ring = new Uint8Array(tailBytes);
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.size < this.head.length) {
      this.head.set(chunk.subarray(0, this.head.length - this.size), this.size);
    }
    // Only the last ring.length bytes of a big chunk can survive in the ring.
    const skip = Math.max(0, chunk.length - this.ring.length);
    for (let i = skip; i < chunk.length; ) {
      const pos = (this.size + i) % this.ring.length;
      const n = Math.min(chunk.length - i, this.ring.length - pos);
      this.ring.set(chunk.subarray(i, i + n), pos);
      i += n;
    }
    this.size += chunk.length;
  }

  async writeAt(offset: number, bytes: Uint8Array): Promise<void> {
    for (let i = 0; i < bytes.length; i++) {
      const at = offset + i;
      let kept = false;
      if (at < this.head.length) {
        this.head[at] = bytes[i];
        kept = true;
      }
      if (at >= this.size - this.ring.length) {
        this.ring[at % this.ring.length] = bytes[i];
        kept = true;
      }
      if (!kept) throw new Error(`SparseSink: patch at ${at} falls in the discarded middle`);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Reads of the kept head and tail; anything else is an error (the test reads too much). */
  source(name = 'sparse'): RangeSource {
    const { head, ring, size } = this;
    return {
      size,
      name,
      async read(start: number, end: number): Promise<Uint8Array> {
        const out = new Uint8Array(end - start);
        for (let at = start; at < end; at++) {
          if (at < head.length && at < size) out[at - start] = head[at];
          else if (at >= size - ring.length) out[at - start] = ring[at % ring.length];
          else throw new CozipError('OUT_OF_RANGE', `SparseSink: byte ${at} was not kept`);
        }
        return out;
      },
    };
  }
}
