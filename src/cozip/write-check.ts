// Reading back what the writer wrote, before the integrity hash seals it:
// every local header byte for byte as planned, and the end records. A disk
// or file system that lost or reordered a write is caught here, and the
// temp file is removed instead of becoming the archive (as the reference
// writer does). Headers are read in windows: a run of small members costs
// one read of up to 1 MiB, not one each; big members one small read each.
import { CozipError } from '../errors.js';
import { bytesEqual, copyBytes } from '../zip/bytes.js';
import { LOCAL_HEADER_SIZE } from '../zip/constants.js';
import type { EntryTable } from './inputs.js';
import { type Fields, LOCAL_ZIP64_EXTRA, localHeaderLength, writeLocal } from './member-records.js';
import type { Layout } from './plan.js';

/** At most this much is read at once… */
const MAX_WINDOW = 1 << 20;
/** …and a window stops at a gap wider than this (a big member's data). */
const MAX_GAP = 64 * 1024;

export type ReadAt = (offset: number, length: number) => Promise<Uint8Array>;

/** Reads [offset, offset + n) through one cached window of `size` bytes of archive. */
export class WindowReader {
  private start = 0;
  private bytes: Uint8Array = new Uint8Array(0);

  constructor(
    private readonly readAt: ReadAt,
    private readonly size: number,
  ) {}

  /** The bytes when the window holds them (no promise: most headers of small members). */
  cached(offset: number, n: number): Uint8Array | undefined {
    if (offset < this.start || offset + n > this.start + this.bytes.length) return undefined;
    return this.bytes.subarray(offset - this.start, offset - this.start + n);
  }

  /** [offset, offset + n), reading [offset, offset + max(n, span)) when not cached. */
  async get(offset: number, n: number, span = n): Promise<Uint8Array> {
    const hit = this.cached(offset, n);
    if (hit) return hit;
    const end = Math.min(this.size, offset + Math.max(n, span));
    this.bytes = await this.readAt(offset, end - offset);
    this.start = offset;
    return this.bytes.subarray(0, n);
  }
}

/** WRITE_FAILED unless `written` equals `expected`: what was read back is not what was planned. */
export function sameAsWritten(
  written: Uint8Array,
  expected: Uint8Array,
  what: string,
  at: number,
): void {
  if (!bytesEqual(written, expected)) {
    throw new CozipError(
      'WRITE_FAILED',
      `the archive read back differs from what was written: ${what} at byte ${at}`,
      { details: { what, offset: at } },
    );
  }
}

/**
 * Reads the written archive back (before the hash is patched in): the index
 * header, every local header byte for byte as planned, and the end records.
 */
export async function checkWritten(
  reader: WindowReader,
  table: EntryTable,
  layout: Layout,
  fields: Fields,
  crcs: Uint32Array,
  indexHeader: Uint8Array,
  end: Uint8Array,
): Promise<void> {
  const { data, extras } = layout;
  sameAsWritten(await reader.get(0, indexHeader.length), indexHeader, 'the __cozip__ header', 0);
  const expected = new Uint8Array(LOCAL_HEADER_SIZE + 0xffff + LOCAL_ZIP64_EXTRA);
  const dataCount = data.headerOffsets.length;
  const count = dataCount + extras.length;
  const { nameBytes, nameStarts, sizes } = table;
  const rowOf = (k: number) => (data.order ? data.order[k] : k);
  const headerAt = (k: number) =>
    k < dataCount ? data.headerOffsets[k] : extras[k - dataCount].headerOffset;
  const headerLength = (k: number) => {
    if (k >= dataCount) {
      const e = extras[k - dataCount];
      return localHeaderLength(e.size, e.rawName.length);
    }
    const i = rowOf(k);
    return localHeaderLength(sizes[i], nameStarts[i + 1] - nameStarts[i]);
  };
  /** How much to read from header k on: through the dense run of headers after it. */
  const span = (k: number) => {
    const start = headerAt(k);
    let end = start + headerLength(k);
    for (let j = k + 1; j < count; j++) {
      const at = headerAt(j);
      const next = at + headerLength(j);
      if (at - end > MAX_GAP || next - start > MAX_WINDOW) break;
      end = next;
    }
    return end - start;
  };
  for (let k = 0; k < count; k++) {
    const at = headerAt(k);
    const n = headerLength(k);
    if (k < dataCount) {
      const i = rowOf(k);
      writeLocal(expected, 0, fields, sizes[i], crcs[k], nameStarts[i + 1] - nameStarts[i]);
      copyBytes(nameBytes, nameStarts[i], nameStarts[i + 1], expected, LOCAL_HEADER_SIZE);
    } else {
      const e = extras[k - dataCount];
      writeLocal(expected, 0, fields, e.size, crcs[k], e.rawName.length);
      expected.set(e.rawName, LOCAL_HEADER_SIZE);
    }
    const written = reader.cached(at, n) ?? (await reader.get(at, n, span(k)));
    sameAsWritten(written, expected.subarray(0, n), 'a local header', at);
  }
  const endAt = layout.archiveSize - end.length;
  sameAsWritten(await reader.get(endAt, end.length), end, 'the end records', endAt);
}
