// Gathering small writes into blocks before they reach a Sink. A writer of
// many small members emits a 30-byte header and a few KiB of data for each;
// passed one by one, every piece costs a promise chain through the sink and
// often a system call. Here they are copied into a block, and the sink sees
// one write per block.
import { CozipError } from '../errors.js';
import type { Sink } from './sink.js';

const DEFAULT_BLOCK = 1 << 20;

export class WriteBuffer {
  private block: Uint8Array;
  private used = 0;
  private flushed = 0;
  /** The block handed to the sink last, still being written while the next one fills. */
  private writing: Promise<void> = Promise.resolve();
  /** That block's memory, filled again once written when the sink is done with chunks. */
  private handed: Uint8Array | undefined;

  constructor(
    private readonly sink: Sink,
    readonly blockSize = DEFAULT_BLOCK,
  ) {
    this.block = new Uint8Array(blockSize);
  }

  /** Bytes written so far, buffered ones included. */
  get length(): number {
    return this.flushed + this.used;
  }

  /** Copies `bytes` into the block when they fit; false when it must be flushed first. */
  tryPush(bytes: Uint8Array): boolean {
    if (bytes.length > this.block.length - this.used) return false;
    this.block.set(bytes, this.used);
    this.used += bytes.length;
    return true;
  }

  /**
   * Lets `fill` write `n` bytes straight into the block (no array of their
   * own); false, with nothing written, when they do not fit.
   */
  tryFill(n: number, fill: (block: Uint8Array, at: number) => void): boolean {
    if (n > this.block.length - this.used) return false;
    fill(this.block, this.used);
    this.used += n;
    return true;
  }

  /** Bytes that still fit in the block. */
  get room(): number {
    return this.block.length - this.used;
  }

  /** The block being filled (for `reserve`). */
  get current(): Uint8Array {
    return this.block;
  }

  /**
   * Reserves `n` bytes of the block for the caller to write at the offset
   * returned (they count as written); -1, with nothing reserved, when they
   * do not fit (then `makeRoom`).
   */
  reserve(n: number): number {
    if (n > this.block.length - this.used) return -1;
    const at = this.used;
    this.used += n;
    return at;
  }

  /** Hands a full block to the sink so that `n` bytes (at most a block) can be reserved. */
  async makeRoom(n: number): Promise<void> {
    if (n > this.blockSize) throw new Error(`WriteBuffer: ${n} bytes exceed the block`);
    if (n > this.block.length - this.used) await this.hand();
  }

  /** Buffers `bytes`, flushing first when they do not fit; big ones go straight through. */
  async write(bytes: Uint8Array): Promise<void> {
    if (this.tryPush(bytes)) return;
    await this.hand();
    if (bytes.length < this.blockSize) {
      this.tryPush(bytes);
      return;
    }
    await this.writing;
    await this.sink.write(bytes);
    this.flushed += bytes.length;
  }

  /** Hands the buffered bytes to the sink and waits until it has them all. */
  async flush(): Promise<void> {
    await this.hand();
    await this.writing;
  }

  /**
   * Starts writing the block once the previous write is done, without
   * waiting for this one: the next block fills while the sink writes.
   */
  private async hand(): Promise<void> {
    await this.writing;
    if (this.used === 0) return;
    const full = this.block.subarray(0, this.used);
    // The next block: the one written last (the sink has finished with it),
    // or a fresh one when the sink may still hold it.
    const free = this.sink.doneWithChunks ? this.handed : undefined;
    this.handed = this.block;
    this.block = free ?? new Uint8Array(this.blockSize);
    this.flushed += this.used;
    this.used = 0;
    const writing = this.sink.write(full);
    // Awaited by the next hand() or flush(); until then, not unhandled.
    writing.catch(() => {});
    this.writing = writing;
  }

  /** Overwrites bytes already written: in the block, or through the sink's writeAt. */
  async writeAt(offset: number, bytes: Uint8Array): Promise<void> {
    const end = offset + bytes.length;
    if (offset < 0 || end > this.length) {
      throw new CozipError('OUT_OF_RANGE', `writeAt [${offset}, ${end}) past ${this.length}`);
    }
    const inSink = Math.max(0, Math.min(end, this.flushed) - offset);
    if (inSink > 0) {
      await this.writing;
      if (!this.sink.writeAt) {
        throw new CozipError('INVALID_ARGUMENT', 'the sink cannot overwrite bytes it was given');
      }
      await this.sink.writeAt(offset, bytes.subarray(0, inSink));
    }
    if (inSink < bytes.length) {
      this.block.set(bytes.subarray(inSink), offset + inSink - this.flushed);
    }
  }
}
