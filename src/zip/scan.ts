// Reading many members front to back at the cost of a few large reads: the
// members are taken in the order of their offsets, and neighbours are read
// together in windows of several MiB that hold their local headers, their
// data and the bytes between them. Each window is handed to the caller as a
// batch of members whose headers are decoded and whose data, when small, are
// views into the window; the next window is already being read meanwhile.
// This is what makes checking, extracting and converting an archive of a
// million small files cost about what `unzip` pays: one read per window
// instead of a request, a stream and a promise chain per member.
import { CozipError } from '../errors.js';
import type { ReadOptions } from '../io/source.js';
import { LOCAL_HEADER_SIZE } from './constants.js';
import type { ZipEntry } from './entry.js';
import { dataRange, decodeHeld, decodeHeldInto, heldRoom, openEntryAt } from './entry-data.js';
import { decodeLocalHeader, type LocalHeader } from './local-header.js';
import type { ZipArchive } from './reader.js';

export interface ScannedMember {
  entry: ZipEntry;
  /** The local header; undefined when `error` says why it could not be read. */
  header: LocalHeader | undefined;
  error: CozipError | undefined;
  /** Absolute offset of the first byte of data (0 when the header failed). */
  payloadOffset: number;
  /**
   * The compressed data when the member is small enough to be held
   * (`holdLimit`); a view into the window, valid until the next batch is
   * asked for: copy what you keep. Undefined for large members: stream them
   * from `payloadOffset`.
   */
  data: Uint8Array | undefined;
  /**
   * The bytes that follow the data inside the window (a data descriptor, a
   * hidden record such as a SOZip index, the next member): possibly empty,
   * empty too for members not held.
   */
  after: Uint8Array;
}

export interface ScanOptions extends ReadOptions {
  /** Bytes read at once (default 8 MiB). */
  windowSize?: number;
  /** Members whose compressed size exceeds this are not held (default 4 MiB, at most windowSize). */
  holdLimit?: number;
  /** Bytes between members read through rather than skipped (default 64 KiB). */
  maxGap?: number;
}

const DEFAULT_WINDOW = 8 << 20;
const DEFAULT_HOLD = 4 << 20;
const DEFAULT_GAP = 64 << 10;
/** Local extras are usually the central ones; this absorbs small differences. */
const HEADER_SLACK = 64;

/** A planned read: the members whose headers (and held data) it covers. */
interface Window {
  start: number;
  end: number;
  /** Index range [first, last) into the ordered members. */
  first: number;
  last: number;
}

/**
 * The members of `entries` in offset order, one batch per window. Members
 * whose local header cannot be read come with `error` set; nothing is thrown
 * for them, so a checker can report each and go on. I/O errors are thrown.
 */
export async function* scanMembers(
  archive: ZipArchive,
  entries: readonly ZipEntry[],
  options: ScanOptions = {},
): AsyncGenerator<ScannedMember[], void, undefined> {
  const windowSize = Math.max(1 << 16, options.windowSize ?? DEFAULT_WINDOW);
  const holdLimit = Math.min(windowSize, options.holdLimit ?? DEFAULT_HOLD);
  const maxGap = options.maxGap ?? DEFAULT_GAP;
  // Data ends where the central directory begins: windows stop there too.
  const limit = Math.min(archive.source.size, archive.cdOffset);
  const ordered = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  const windows = planWindows(ordered, limit, windowSize, holdLimit, maxGap);
  const read = (w: Window, from: number) =>
    from < w.end
      ? archive.source.read(from, w.end, { signal: options.signal, cache: false })
      : Promise.resolve(new Uint8Array(0));

  // Each window is read from where the previous read ended when they
  // overlap, so no byte is fetched twice; the overlap is copied over.
  const readFrom = (k: number) =>
    k === 0
      ? windows[0].start
      : Math.min(windows[k].end, Math.max(windows[k].start, windows[k - 1].end));
  let pending = windows.length ? read(windows[0], readFrom(0)) : undefined;
  let previous: { end: number; bytes: Uint8Array } | undefined;
  try {
    for (let k = 0; k < windows.length; k++) {
      const w = windows[k];
      const fresh = await pending!;
      pending = k + 1 < windows.length ? read(windows[k + 1], readFrom(k + 1)) : undefined;
      const bytes = stitch(w, readFrom(k), fresh, previous);
      previous = { end: w.end, bytes };
      const batch: ScannedMember[] = [];
      for (let i = w.first; i < w.last; i++) {
        batch.push(await member(archive, ordered[i], w.start, bytes, holdLimit, options));
      }
      yield batch;
    }
  } finally {
    // The consumer stopped early: nobody will await the read ahead.
    pending?.catch(() => {});
  }
}

/** The window's bytes: the part of the previous window it overlaps, then what was read. */
function stitch(
  w: Window,
  readStart: number,
  fresh: Uint8Array,
  previous: { end: number; bytes: Uint8Array } | undefined,
): Uint8Array {
  if (readStart === w.start || !previous) return fresh;
  const previousStart = previous.end - previous.bytes.length;
  const overlap = previous.bytes.subarray(w.start - previousStart, readStart - previousStart);
  const out = new Uint8Array(w.end - w.start);
  out.set(overlap, 0);
  out.set(fresh, overlap.length);
  return out;
}

/** The estimated end of a member's header, and of its data. */
function extent(e: ZipEntry, limit: number): { headerEnd: number; dataEnd: number } {
  const headerEnd = e.localHeaderOffset + LOCAL_HEADER_SIZE + e.rawName.length + e.extra.length;
  return {
    headerEnd: Math.min(limit, headerEnd + HEADER_SLACK),
    dataEnd: Math.min(limit, headerEnd + HEADER_SLACK + e.compressedSize),
  };
}

/**
 * Groups the ordered members into windows: neighbours closer than `maxGap`
 * share one while it stays within `windowSize`. A member too large to hold
 * contributes its header only, and ends its window.
 */
function planWindows(
  ordered: readonly ZipEntry[],
  limit: number,
  windowSize: number,
  holdLimit: number,
  maxGap: number,
): Window[] {
  const windows: Window[] = [];
  let current: Window | undefined;
  for (let i = 0; i < ordered.length; i++) {
    const e = ordered[i];
    const start = Math.min(limit, e.localHeaderOffset);
    const { headerEnd, dataEnd } = extent(e, limit);
    const held = e.compressedSize <= holdLimit;
    const end = held ? dataEnd : headerEnd;
    const joins =
      current !== undefined &&
      start - current.end <= maxGap &&
      Math.max(current.end, end) - current.start <= windowSize;
    if (joins) {
      current!.end = Math.max(current!.end, end);
      current!.last = i + 1;
    } else {
      current = { start, end: Math.max(start, end), first: i, last: i + 1 };
      windows.push(current);
    }
    // The data of a large member lies between this window and the next.
    if (!held) current = undefined;
  }
  return windows;
}

/** Decodes one member from its window, reading on its own only when the estimate fell short. */
async function member(
  archive: ZipArchive,
  entry: ZipEntry,
  windowStart: number,
  bytes: Uint8Array,
  holdLimit: number,
  options: ReadOptions,
): Promise<ScannedMember> {
  const at = entry.localHeaderOffset;
  const out: ScannedMember = {
    entry,
    header: undefined,
    error: undefined,
    payloadOffset: 0,
    data: undefined,
    after: EMPTY,
  };
  try {
    if (at + LOCAL_HEADER_SIZE > archive.source.size) {
      throw new CozipError(
        'BAD_RECORD',
        `local header offset ${at} of ${entry.name} is past the end of the archive`,
        { details: { name: entry.name, offset: at } },
      );
    }
    let o = at - windowStart;
    let buf = bytes;
    const nameLength = o + 30 <= buf.length ? buf[o + 26] | (buf[o + 27] << 8) : 0;
    const extraLength = o + 30 <= buf.length ? buf[o + 28] | (buf[o + 29] << 8) : 0;
    const headerLength = LOCAL_HEADER_SIZE + nameLength + extraLength;
    const held = entry.compressedSize <= holdLimit;
    const need = headerLength + (held ? entry.compressedSize : 0);
    if (o + need > buf.length) {
      // Longer than estimated (a local extra much larger than the central
      // one): read this member alone.
      const end = Math.min(archive.source.size, at + Math.max(need, LOCAL_HEADER_SIZE));
      buf = await archive.source.read(at, end, { signal: options.signal, cache: false });
      o = 0;
    }
    out.header = decodeLocalHeader(buf, o, at);
    const length = LOCAL_HEADER_SIZE + out.header.rawName.length + out.header.extra.length;
    out.payloadOffset = at + length;
    if (held) {
      const from = o + length;
      const to = from + entry.compressedSize;
      if (to > buf.length) {
        throw new CozipError(
          'TRUNCATED',
          `data of ${entry.name} runs past the end of the archive`,
          { details: { name: entry.name } },
        );
      }
      out.data = buf.subarray(from, to);
      out.after = buf.subarray(to);
    }
  } catch (err) {
    if (!(err instanceof CozipError) || err.code === 'ABORTED') throw err;
    out.error = err;
  }
  return out;
}

const EMPTY = new Uint8Array(0);
/** Members up to this size are inflated into a reused buffer. */
const SCRATCH_LIMIT = 1 << 20;

/**
 * The contents of `entries` handed out one at a time in the order of their
 * offsets, as scanMembers reads them (a writer repacking an archive asks
 * for them in that order): small members decoded from their window, large
 * ones streamed; sizes and CRC-32 checked either way. A content is valid
 * until the next one is asked for.
 */
export class SequentialContents {
  /** The entries in the order `next` must be asked for them. */
  readonly order: ZipEntry[];
  private readonly batches: AsyncGenerator<ScannedMember[], void, undefined>;
  private batch: ScannedMember[] = [];
  private scratch = new Uint8Array(64 << 10);
  private at = 0;

  constructor(
    private readonly archive: ZipArchive,
    entries: readonly ZipEntry[],
    options: ScanOptions = {},
  ) {
    this.order = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
    this.batches = scanMembers(archive, this.order, options);
  }

  /** The content of `entry`, which must be the next one in `order`. */
  async *next(entry: ZipEntry): AsyncIterable<Uint8Array> {
    while (this.at >= this.batch.length) {
      const r = await this.batches.next();
      if (r.done) throw new Error(`${entry.name} asked for after the last member`);
      this.batch = r.value;
      this.at = 0;
    }
    const m = this.batch[this.at++];
    if (m.entry !== entry) {
      throw new Error(`${entry.name} asked for out of order (${m.entry.name} is next)`);
    }
    if (m.error) throw m.error;
    if (m.data) {
      dataRange(this.archive, entry, m.payloadOffset);
      // A content is valid until the next is asked for: small ones are
      // inflated into one reused buffer (no allocation per member).
      if (this.scratch.length < heldRoom(entry) && entry.uncompressedSize < SCRATCH_LIMIT) {
        this.scratch = new Uint8Array(Math.max(heldRoom(entry), 2 * this.scratch.length));
      }
      yield decodeHeldInto(entry, m.data, this.scratch) ?? (await decodeHeld(entry, m.data));
    } else {
      yield* openEntryAt(this.archive, entry, m.payloadOffset);
    }
  }

  /** Stops reading ahead (when the consumer gives up early). */
  async close(): Promise<void> {
    await this.batches.return();
  }
}
