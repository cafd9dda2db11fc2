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

  constructor(
    private readonly sink: Sink,
    private readonly keep: number,
  ) {
    if (!sink.writeAt) {
      throw new CozipError(
        'INVALID_ARGUMENT',
        'the cozip writer needs a seekable sink (a file or a buffer)',
      );
    }
  }

  async write(chunk: Uint8Array): Promise<void> {
    await this.sink.write(chunk);
    const take = Math.min(chunk.length, this.keep);
    this.parts.push([
      this.length + chunk.length - take,
      new Uint8Array(chunk.subarray(chunk.length - take)),
    ]);
    this.kept += take;
    this.length += chunk.length;
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

  /** The last min(keep, length) bytes written. */
  tail(): Uint8Array {
    const n = Math.min(this.keep, this.length);
    const out = new Uint8Array(n);
    const start = this.length - n;
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
