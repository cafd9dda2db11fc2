// A hidden index's offsets. Small tables (the usual case: 8 MiB of offsets
// covers a 32 GiB member at 32 KiB chunks) are read and checked whole when
// the index is found; larger ones are fetched in pages as ranges need them,
// each page checked as it arrives.
import { CozipError } from '../errors.js';
import type { RangeSource, ReadOptions } from '../io/source.js';
import { INDEX_OFFSET_SIZE } from './constants.js';
import { decodeOffsets, offsetsProblem } from './index-record.js';

/** Offsets per page of a paged table (64 KiB of index). */
export const PAGE_ENTRIES = 8192;

export class OffsetTable {
  /** Loaded offsets by page; a whole table is page 0 of size `count`. */
  private readonly pages = new Map<number, Float64Array>();
  private readonly pageEntries: number;

  constructor(
    private readonly source: RangeSource,
    /** Absolute offset of the first offset in the archive. */
    readonly tableOffset: number,
    readonly count: number,
    readonly compressedSize: number,
    whole?: Float64Array,
  ) {
    if (whole) {
      this.pageEntries = Math.max(1, count);
      this.pages.set(0, whole);
    } else {
      this.pageEntries = PAGE_ENTRIES;
    }
  }

  /** Every offset is in memory (and was checked). */
  get complete(): boolean {
    return this.pageEntries >= this.count || this.pages.size * this.pageEntries >= this.count;
  }

  /** Where chunk `k` starts in the compressed data; its offsets must be loaded. */
  start(k: number): number {
    return k === 0 ? 0 : this.get(k - 1);
  }

  /** Where chunk `k` ends (the next chunk's start, or the end of the data). */
  end(k: number): number {
    return k < this.count ? this.get(k) : this.compressedSize;
  }

  get(i: number): number {
    const page = this.pages.get(Math.floor(i / this.pageEntries));
    if (!page) throw new Error(`offset ${i} is not loaded`);
    return page[i % this.pageEntries];
  }

  /** Every offset as one array (loads what is missing). */
  async all(options: ReadOptions = {}): Promise<Float64Array> {
    await this.load(0, this.count, options);
    if (this.pageEntries >= this.count) return this.pages.get(0) ?? new Float64Array(0);
    const out = new Float64Array(this.count);
    for (const [p, page] of this.pages) out.set(page, p * this.pageEntries);
    return out;
  }

  /**
   * Makes sure chunks first..last can be located (offsets first-1 .. last).
   * Missing pages are fetched with one read; a page that breaks the rules
   * throws SOZIP_INVALID_INDEX.
   */
  async load(firstChunk: number, lastChunk: number, options: ReadOptions = {}): Promise<void> {
    const from = Math.max(0, firstChunk - 1);
    const to = Math.min(this.count - 1, lastChunk);
    if (to < from) return;
    const p0 = Math.floor(from / this.pageEntries);
    const p1 = Math.floor(to / this.pageEntries);
    let lo = p0;
    let hi = p1;
    while (lo <= hi && this.pages.has(lo)) lo++;
    while (hi >= lo && this.pages.has(hi)) hi--;
    if (lo > hi) return;
    const first = lo * this.pageEntries;
    const stop = Math.min(this.count, (hi + 1) * this.pageEntries);
    const bytes = await this.source.read(
      this.tableOffset + first * INDEX_OFFSET_SIZE,
      this.tableOffset + stop * INDEX_OFFSET_SIZE,
      options,
    );
    const values = new Float64Array(stop - first);
    decodeOffsets(bytes, 0, stop - first, values);
    const before = first === 0 ? 0 : this.known(first - 1);
    const problem =
      offsetsProblem(values, this.compressedSize, 0, values.length, before) ??
      (stop < this.count &&
      this.known(stop) !== undefined &&
      !(this.known(stop)! > values[values.length - 1])
        ? `offset ${stop - 1} is not below the next one`
        : undefined);
    if (problem) {
      throw new CozipError('SOZIP_INVALID_INDEX', `index offsets are inconsistent: ${problem}`, {
        details: { reason: problem },
      });
    }
    for (let p = lo; p <= hi; p++) {
      const at = p * this.pageEntries - first;
      this.pages.set(p, values.subarray(at, Math.min(values.length, at + this.pageEntries)));
    }
  }

  private known(i: number): number | undefined {
    const page = this.pages.get(Math.floor(i / this.pageEntries));
    return page?.[i % this.pageEntries];
  }
}
