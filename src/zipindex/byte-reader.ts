// Pull-based reading of exact byte counts from a stream of chunks: what
// opening a member needs from "a reader positioned at the local header".
import { CozipError } from '../errors.js';

function eof(what: string, got: number, want: number): CozipError {
  return new CozipError('TRUNCATED', `unexpected EOF reading ${what}: ${got} of ${want} bytes`, {
    details: { got, want },
  });
}

export class ByteReader {
  private readonly it: AsyncIterator<Uint8Array>;
  private chunk: Uint8Array = new Uint8Array(0);
  private pos = 0;

  constructor(input: AsyncIterable<Uint8Array>) {
    this.it = input[Symbol.asyncIterator]();
  }

  /** False at the end of the input. */
  private async fill(): Promise<boolean> {
    while (this.pos >= this.chunk.length) {
      const r = await this.it.next();
      if (r.done) return false;
      this.chunk = r.value;
      this.pos = 0;
    }
    return true;
  }

  /** Exactly `n` bytes, or TRUNCATED. */
  async read(n: number, what: string): Promise<Uint8Array> {
    if (this.chunk.length - this.pos >= n) {
      const out = this.chunk.subarray(this.pos, this.pos + n);
      this.pos += n;
      return out;
    }
    const out = new Uint8Array(n);
    let o = 0;
    while (o < n) {
      if (!(await this.fill())) throw eof(what, o, n);
      const take = Math.min(n - o, this.chunk.length - this.pos);
      out.set(this.chunk.subarray(this.pos, this.pos + take), o);
      this.pos += take;
      o += take;
    }
    return out;
  }

  /** Between 1 and `max` bytes, or TRUNCATED at the end of the input. */
  private async some(max: number, what: string, got: number, want: number): Promise<Uint8Array> {
    if (!(await this.fill())) throw eof(what, got, want);
    const m = Math.min(max, this.chunk.length - this.pos);
    const out = this.chunk.subarray(this.pos, this.pos + m);
    this.pos += m;
    return out;
  }

  /**
   * The next `n` bytes as a stream for a consumer (a decompressor) that may
   * stop early or leave a read in flight; `drain()` then skips what is left,
   * after any such read, so the bytes that follow are read in order.
   */
  limit(n: number, what: string): { stream: AsyncIterable<Uint8Array>; drain(): Promise<void> } {
    let left = n;
    let queue: Promise<unknown> = Promise.resolve();
    // Every pull goes through one queue: the reader is never used concurrently.
    const pull = (): Promise<IteratorResult<Uint8Array>> => {
      const p = queue.then(async (): Promise<IteratorResult<Uint8Array>> => {
        if (left === 0) return { done: true, value: undefined };
        const chunk = await this.some(left, what, n - left, n);
        left -= chunk.length;
        return { done: false, value: chunk };
      });
      queue = p.catch(() => {});
      return p;
    };
    const stream: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => ({
        next: pull,
        // A consumer that stops does not end the reader: drain() still can.
        return: async () => ({ done: true, value: undefined }),
      }),
    };
    const drain = async () => {
      while (!(await pull()).done) {}
    };
    return { stream, drain };
  }

  /** Stops the input (e.g. an HTTP body) early. */
  async close(): Promise<void> {
    await this.it.return?.();
  }
}
