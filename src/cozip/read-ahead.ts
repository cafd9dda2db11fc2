// Reading the next few small inputs while the current one is written: a
// directory of 100,000 small files costs a file open, read and close each,
// and those are cheap only when several are in flight at once.

export class ReadAhead {
  private readonly pending = new Map<number, Promise<Uint8Array>>();
  private next = 0;
  private inFlight = 0;

  /**
   * `readerAt(i)`, where it gives a reader, is called at most `count` items
   * and `bytes` bytes ahead of the one being taken; `sizeAt(i)` is item i's size.
   */
  constructor(
    private readonly length: number,
    private readonly sizeAt: (i: number) => number,
    private readonly readerAt: (i: number) => (() => Promise<Uint8Array>) | undefined,
    private readonly count = 16,
    private readonly bytes = 16 << 20,
  ) {}

  /** The content of item `i`, which must be taken in order. */
  take(i: number): Promise<Uint8Array> {
    this.fill(i);
    const promise = this.pending.get(i)!;
    this.pending.delete(i);
    this.inFlight -= this.sizeAt(i);
    return promise;
  }

  private fill(from: number): void {
    if (this.next < from) this.next = from;
    while (
      this.next < this.length &&
      (this.next === from || (this.pending.size < this.count && this.inFlight < this.bytes))
    ) {
      const read = this.pending.has(this.next) ? undefined : this.readerAt(this.next);
      if (read) {
        const promise = read();
        // Taken later, or never when writing stops first: no unhandled rejection.
        promise.catch(() => {});
        this.pending.set(this.next, promise);
        this.inFlight += this.sizeAt(this.next);
      }
      this.next++;
    }
  }
}
