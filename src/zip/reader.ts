// Reading a ZIP's directory from any RangeSource: one tail read finds the
// end records (and, for small archives, the whole central directory); the
// central directory is otherwise streamed in one ranged read and parsed as
// it arrives.
import { CozipError } from '../errors.js';
import {
  isRangeSource,
  type OpenSourceOptions,
  openSource,
  type SourceInput,
} from '../io/open-source.js';
import type { RangeSource, ReadOptions } from '../io/source.js';
import { readStream } from '../io/stream.js';
import { chunkEntries, readCentralChunk } from './central-entries.js';
import { type CentralHeader, decodeCentralHeader } from './central-header.js';
import {
  CENTRAL_HEADER_SIZE,
  EOCD_SIZE,
  U16_SENTINEL,
  U32_SENTINEL,
  ZIP64_EOCD_SIZE,
  ZIP64_LOCATOR_SIZE,
} from './constants.js';
import {
  decodeZip64Eocd,
  decodeZip64Locator,
  type Eocd,
  type FoundEocd,
  findEocd,
} from './end-records.js';
import type { ZipEntry } from './entry.js';
import { decodeName } from './names.js';

/** Enough to hold the EOCD with the longest comment, the ZIP64 records, and a small directory. */
export const DEFAULT_TAIL_SIZE =
  64 * 1024 + EOCD_SIZE + ZIP64_LOCATOR_SIZE + ZIP64_EOCD_SIZE + 4096;

export interface ZipArchive {
  source: RangeSource;
  entries: ZipEntry[];
  comment: string;
  rawComment: Uint8Array;
  /** The archive uses ZIP64 end records. */
  zip64: boolean;
  eocdOffset: number;
  /** Absolute offset and size of the central directory. */
  cdOffset: number;
  cdSize: number;
  /**
   * Bytes before the archive proper (a self-extractor stub, or offsets written
   * relative to a different start); added to every offset the archive stores.
   */
  prefixLength: number;
  /** The EOCD comment length runs past the end of the file. */
  commentTruncated: boolean;
  /** Bytes after the EOCD and its comment. */
  trailingBytes: number;
}

export interface OpenZipOptions extends ReadOptions {
  /** Bytes read from the end in the first request (default ~68 KiB). */
  tailSize?: number;
  /** Refuse archives declaring more entries than this (default 50 million). */
  maxEntries?: number;
}

export interface EndInfo extends FoundEocd {
  eocdOffset: number;
  eocd: Eocd;
  zip64: boolean;
  entries: number;
  cdSize: number;
  cdOffset: number;
  /** Where the central directory must end: the ZIP64 record or the EOCD. */
  cdEnd: number;
}

/**
 * Lists every entry of a ZIP archive. `input` is a path (Node), an http(s)
 * URL, a Blob, bytes or any RangeSource; a remote archive's first request
 * fetches the tail, which usually holds the whole central directory.
 */
export async function openZip(
  input: SourceInput,
  options: OpenZipOptions & OpenSourceOptions = {},
): Promise<ZipArchive> {
  const tailSize = options.tailSize ?? DEFAULT_TAIL_SIZE;
  if (isRangeSource(input)) return readArchive(input, tailSize, options);
  const source = await openSource(input, { probe: { suffix: tailSize }, ...options });
  try {
    return await readArchive(source, tailSize, options);
  } catch (err) {
    // Opened here, so closed here: a failed open leaves no file handle behind.
    await source.close();
    throw err;
  }
}

async function readArchive(
  source: RangeSource,
  tailSize: number,
  options: OpenZipOptions,
): Promise<ZipArchive> {
  const size = source.size;
  if (size < EOCD_SIZE) {
    throw new CozipError(
      'NOT_A_ZIP',
      `${source.name} is ${size} bytes: too small to be a ZIP file`,
    );
  }
  const tailLength = Math.min(size, Math.max(tailSize, EOCD_SIZE));
  const tailStart = size - tailLength;
  const tail = await source.read(tailStart, size, options);
  const end = await readEndRecords(source, tail, tailStart, options);

  const maxEntries = options.maxEntries ?? 50_000_000;
  if (end.entries > maxEntries) {
    throw new CozipError(
      'LIMIT_EXCEEDED',
      `archive declares ${end.entries} entries (limit ${maxEntries})`,
    );
  }
  let firstError: unknown;
  for (const { base, cdSize } of directoryLayouts(end)) {
    try {
      checkDirectorySize(end, cdSize);
      const cdOffset = end.cdOffset + base;
      const entries = await readCentralDirectory(
        source,
        tail,
        tailStart,
        cdOffset,
        cdSize,
        base,
        options,
      );
      checkEntryCount(entries.length, end);
      return {
        source,
        entries,
        comment: decodeName(end.eocd.comment, false, undefined).name,
        rawComment: end.eocd.comment,
        zip64: end.zip64,
        eocdOffset: end.eocdOffset,
        cdOffset,
        cdSize,
        prefixLength: base,
        commentTruncated: end.commentTruncated,
        trailingBytes: end.trailingBytes,
      };
    } catch (err) {
      firstError ??= err;
      if (!isLayoutError(err)) throw err;
    }
  }
  throw firstError;
}

/**
 * Where the central directory may be. Stored offsets are relative to the
 * archive start. When the directory does not end where the end records
 * begin, either bytes were prepended (shift every offset) or the declared
 * size is wrong (trust offset and count). Tried in order.
 */
export function directoryLayouts(end: EndInfo): { base: number; cdSize: number }[] {
  const shift = end.cdEnd - end.cdSize - end.cdOffset;
  const layouts = [{ base: 0, cdSize: end.cdSize }];
  if (shift > 0) {
    layouts.push({ base: shift, cdSize: end.cdSize });
    layouts.push({ base: 0, cdSize: end.cdEnd - end.cdOffset });
  } else if (shift < 0 && end.cdOffset <= end.cdEnd) {
    layouts[0] = { base: 0, cdSize: end.cdEnd - end.cdOffset };
  }
  return layouts;
}

/** A failure that means "this layout is wrong", so the next one is tried. */
export function isLayoutError(err: unknown): boolean {
  const code = err instanceof CozipError ? err.code : undefined;
  return code === 'BAD_SIGNATURE' || code === 'BAD_RECORD' || code === 'TRUNCATED';
}

export function checkDirectorySize(end: EndInfo, cdSize: number): void {
  if (end.entries * CENTRAL_HEADER_SIZE > cdSize) {
    throw new CozipError(
      'BAD_RECORD',
      `central directory of ${cdSize} bytes cannot hold the ${end.entries} entries declared`,
    );
  }
}

export function checkEntryCount(found: number, end: EndInfo): void {
  if (found === end.entries) return;
  // Writers without ZIP64 wrap the 16-bit count past 65,535 entries: accept
  // the directory as its size says when the low bits agree.
  if (!end.zip64 && found > U16_SENTINEL && found % 0x10000 === end.entries) return;
  throw new CozipError(
    'BAD_RECORD',
    `central directory holds ${found} entries but the end record declares ${end.entries}`,
    { details: { found, declared: end.entries } },
  );
}

async function readEndRecords(
  source: RangeSource,
  tail: Uint8Array,
  tailStart: number,
  options: ReadOptions,
): Promise<EndInfo> {
  const scan = scanEndRecords(tail, tailStart, source.size);
  if (!scan.zip64Spots.length) return endInfo(scan);
  let lastError: unknown;
  for (const at of scan.zip64Spots) {
    const bytes =
      at >= tailStart
        ? tail.subarray(at - tailStart, at - tailStart + ZIP64_EOCD_SIZE)
        : await source.read(at, at + ZIP64_EOCD_SIZE, options);
    try {
      return endInfo(scan, bytes, at);
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

/** The EOCD found in the tail, and where its ZIP64 end record may be. */
export interface EndScan extends FoundEocd {
  /** Offsets to try for the ZIP64 end record, in order; empty without a locator. */
  zip64Spots: number[];
}

/**
 * Finds the end records in `tail` (the last bytes of an archive of `size`
 * bytes, starting at `tailStart`), without reading anything else: the ZIP64
 * end record, when there is one, may lie before the tail.
 */
export function scanEndRecords(tail: Uint8Array, tailStart: number, size: number): EndScan {
  const found = findEocd(tail, tailStart, size);
  const { offset: eocdOffset, eocd } = found;
  const locator = decodeZip64Locator(tail, eocdOffset - ZIP64_LOCATOR_SIZE - tailStart);
  const needs64 =
    eocd.entriesTotal === U16_SENTINEL ||
    eocd.entriesOnDisk === U16_SENTINEL ||
    eocd.cdSize === U32_SENTINEL ||
    eocd.cdOffset === U32_SENTINEL;
  if (!locator) {
    if (needs64) {
      throw new CozipError(
        'INVALID_ZIP64',
        'end of central directory uses ZIP64 sentinels but no ZIP64 locator precedes it',
      );
    }
    if (eocd.diskNumber !== 0 || eocd.cdDisk !== 0 || eocd.entriesOnDisk !== eocd.entriesTotal) {
      throw multiDisk(eocd.diskNumber || eocd.cdDisk);
    }
    return { ...found, zip64Spots: [] };
  }
  if (locator.eocdDisk !== 0 || locator.totalDisks > 1) throw multiDisk(locator.eocdDisk);
  const locatorOffset = eocdOffset - ZIP64_LOCATOR_SIZE;
  // The record is normally right before the locator; its stored offset may be
  // shifted by a prefix, so try the stored offset, then the adjacent spot.
  const spots = [locator.zip64EocdOffset];
  const adjacent = locatorOffset - ZIP64_EOCD_SIZE;
  if (adjacent >= 0 && adjacent !== locator.zip64EocdOffset) spots.push(adjacent);
  const zip64Spots = spots.filter((at) => at >= 0 && at + ZIP64_EOCD_SIZE <= locatorOffset);
  if (!zip64Spots.length) {
    throw new CozipError(
      'INVALID_ZIP64',
      `ZIP64 end record offset ${locator.zip64EocdOffset} is out of bounds`,
    );
  }
  return { ...found, zip64Spots };
}

/**
 * The end records resolved: from the EOCD alone, or from the ZIP64 end record
 * `bytes` read at `at` (throws when no valid record is there).
 */
export function endInfo(scan: EndScan, bytes?: Uint8Array, at = 0): EndInfo {
  const { zip64Spots: _, ...found } = scan;
  const { offset: eocdOffset, eocd } = found;
  if (!bytes) {
    return {
      ...found,
      eocdOffset,
      eocd,
      zip64: false,
      entries: eocd.entriesTotal,
      cdSize: eocd.cdSize,
      cdOffset: eocd.cdOffset,
      cdEnd: eocdOffset,
    };
  }
  const r = decodeZip64Eocd(bytes, 0, at);
  if (r.diskNumber !== 0 || r.cdDisk !== 0 || r.entriesOnDisk !== r.entriesTotal) {
    throw multiDisk(r.diskNumber || r.cdDisk);
  }
  return {
    ...found,
    eocdOffset,
    eocd,
    zip64: true,
    entries: r.entriesTotal,
    cdSize: r.cdSize,
    cdOffset: r.cdOffset,
    cdEnd: at,
  };
}

function multiDisk(disk: number): CozipError {
  return new CozipError(
    'MULTI_DISK',
    `multi-disk zip files are not supported (found disk number ${disk})`,
    {
      details: { disk },
    },
  );
}

/**
 * Reads `size` bytes of central directory at `start` (from the tail when it
 * holds them) into entries backed by the directory's own bytes, chunk by
 * chunk as they arrive (see central-entries.ts).
 */
async function readCentralDirectory(
  source: RangeSource,
  tail: Uint8Array,
  tailStart: number,
  start: number,
  size: number,
  base: number,
  options: ReadOptions,
): Promise<ZipEntry[]> {
  const end = start + size;
  if (end > source.size) {
    throw new CozipError(
      'TRUNCATED',
      `central directory [${start}, ${end}) runs past the end of the file`,
    );
  }
  const entries: ZipEntry[] = [];
  let carry = new Uint8Array(0);
  let carryAt = start;
  const parse = (chunk: Uint8Array, final: boolean) => {
    const buf = carry.length ? join(carry, chunk) : chunk;
    const r = readCentralChunk(buf, carryAt, final, base, entries.length);
    chunkEntries(r.chunk, entries);
    carry = buf.slice(r.consumed);
    carryAt += r.consumed;
  };
  // The part of the directory the tail holds is not fetched again.
  const fetchEnd = Math.max(start, Math.min(end, tailStart));
  for await (const chunk of readStream(source, start, fetchEnd, options)) parse(chunk, false);
  parse(fetchEnd < end ? tail.subarray(fetchEnd - tailStart, end - tailStart) : NO_BYTES, true);
  return entries;
}

const NO_BYTES = new Uint8Array(0);

function join(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/**
 * Decodes whole headers from `input` (at offset `at` in the archive), handing
 * each to `visit` as it is decoded, so that a million headers are never alive
 * at once; returns the bytes consumed. With `final`, leftover bytes are an
 * error. The headers' names and extra fields are views into one private copy
 * of `input`: a copy per record would cost several hundred bytes each, and
 * views of `input` itself could pin a caller's (or a cache's) larger buffer.
 */
export function visitCentralHeaders(
  input: Uint8Array,
  at: number,
  final: boolean,
  visit: (header: CentralHeader) => void,
): number {
  const buf = input.slice();
  let o = 0;
  while (o < buf.length) {
    const r = decodeCentralHeader(buf, o, at + o);
    if (!r) break;
    visit(r.header);
    o += r.length;
  }
  if (final && o < buf.length) {
    throw new CozipError('TRUNCATED', `central directory record at ${at + o} is cut short`, {
      details: { offset: at + o },
    });
  }
  return o;
}
