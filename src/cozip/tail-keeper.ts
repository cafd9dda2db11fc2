// A Sink wrapper that remembers the last `keep` bytes written (the hashed
// tail) and the total length, so the writer hashes without re-reading the
// output. Patches through writeAt update the remembered bytes too.
import { CozipError } from '../errors.js';
import type { Sink } from '../zip/sink.js';

export class TailKeeper implements Sink {
  /** Bytes written so far. */
  length = 0;
  // Copies of the trailing part of each recent write: [absolute start, bytes].
  private parts: Array<[number, Uint8Array]> = [];
  private kept = 0;

  /**
   * `from`: bytes before this offset are never kept. A writer that knows the
   * final length passes length - keep, and small writes before the tail cost
   * no copy.
   */
  constructor(
    private readonly sink: Sink,
    private readonly keep: number,
    private readonly from = 0,
  ) {
    if (!sink.writeAt) {
      throw new CozipError(
        'INVALID_ARGUMENT',
        'the cozip writer needs a seekable sink (a file or a buffer)',
      );
    }
  }

  /** The kept tail is copied: only the sink decides. */
  get doneWithChunks(): boolean {
    return this.sink.doneWithChunks === true;
  }

  async write(chunk: Uint8Array): Promise<void> {
    await this.sink.write(chunk);
    const start = this.length;
    this.length += chunk.length;
    const keepFrom = Math.max(start, this.from, this.length - this.keep);
    if (keepFrom >= this.length) return;
    const part = chunk.slice(keepFrom - start);
    this.parts.push([keepFrom, part]);
    this.kept += part.length;
    while (this.parts.length > 1 && this.kept - this.parts[0][1].length >= this.keep) {
      this.kept -= this.parts[0][1].length;
      this.parts.shift();
    }
  }

  async writeAt(offset: number, bytes: Uint8Array): Promise<void> {
    await this.sink.writeAt!(offset, bytes);
    // Parts are in write order; walk back only as far as the patch reaches.
    for (let i = this.parts.length - 1; i >= 0; i--) {
      const [start, part] = this.parts[i];
      if (start + part.length <= offset) break;
      const from = Math.max(offset, start);
      const to = Math.min(offset + bytes.length, start + part.length);
      if (from < to) part.set(bytes.subarray(from - offset, to - offset), from - start);
    }
  }

  /** Reads back from the sink, when it can (see Sink.readAt). */
  get readAt(): ((offset: number, length: number) => Promise<Uint8Array>) | undefined {
    const read = this.sink.readAt;
    return read && ((offset, length) => read.call(this.sink, offset, length));
  }

  /** The last min(keep, length) bytes written. */
  tail(): Uint8Array {
    const n = Math.min(this.keep, this.length);
    const out = new Uint8Array(n);
    const start = this.length - n;
    if (start < this.from) {
      throw new Error(`cozip writer: the tail starts at ${start}, before ${this.from}`);
    }
    for (const [at, part] of this.parts) {
      const from = Math.max(at, start);
      if (from < at + part.length) out.set(part.subarray(from - at), from - start);
    }
    return out;
  }

  close(): Promise<void> {
    return this.sink.close();
  }

  async abort(reason?: unknown): Promise<void> {
    await this.sink.abort?.(reason);
  }
}
