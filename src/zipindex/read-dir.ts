// Indexing: the central directory parsed from the END of a ZIP held in
// memory. When the bytes given are not enough, NeedMoreDataError says how
// many trailing bytes are: over HTTP that is one more request. The records
// go into columns (dir-records.ts); readDir hands them out as Files.
import { CozipError } from '../errors.js';
import {
  isRangeSource,
  type OpenSourceOptions,
  openSource,
  type SourceInput,
} from '../io/open-source.js';
import type { ReadOptions } from '../io/source.js';
import {
  EOCD_SIZE,
  MAX_COMMENT,
  U16_SENTINEL,
  U32_SENTINEL,
  ZIP64_EOCD_SIZE,
  ZIP64_LOCATOR_SIZE,
} from '../zip/constants.js';
import { findEocd } from '../zip/end-records.js';
import {
  checkDirectorySize,
  checkEntryCount,
  DEFAULT_TAIL_SIZE,
  directoryLayouts,
  type EndInfo,
  endInfo,
  isLayoutError,
  scanEndRecords,
} from '../zip/reader.js';
import { type FileColumns, filesFromColumns } from './columns.js';
import { defaultFileFilter, type FileFilter } from './dir-entry.js';
import { collectRecords, type Keep } from './dir-records.js';
import { isNeedMoreData, NeedMoreDataError } from './errors.js';
import type { File } from './file.js';

export interface ReadDirOptions {
  /** Which entries to index (default: regular files with a known method). */
  filter?: FileFilter;
  /** Custom key/value strings given to every file kept (the filter's own come first). */
  custom?: ReadonlyMap<string, string>;
  /** Filled in with what the central directory held (a report, like `index build`'s). */
  info?: DirectoryInfo;
}

/** What readDir learnt of the directory besides the files it kept. */
export interface DirectoryInfo {
  /** Records in the central directory. */
  entries?: number;
  /** Its size in bytes. */
  directorySize?: number;
}

/** The EOCD with the longest comment is this far from the end. */
const MAX_END = EOCD_SIZE + MAX_COMMENT;
/** The smallest central directory record; Go rejects more entries than size / 30. */
const MIN_ENTRY_BYTES = 30;

/**
 * Indexes a ZIP of `zipSize` bytes from `tail`, its last `tail.length` bytes.
 * Throws NeedMoreDataError (code NEED_MORE_DATA, `fromEnd`) when the end
 * records or the central directory start before `tail`.
 */
export function readDir(tail: Uint8Array, zipSize: number, options: ReadDirOptions = {}): File[] {
  return filesFromColumns(readDirColumns(tail, zipSize, options));
}

/** readDir's files as columns: what serializeColumns takes, compact at millions of entries. */
export function readDirColumns(
  tail: Uint8Array,
  zipSize: number,
  options: ReadDirOptions = {},
): FileColumns {
  if (!Number.isSafeInteger(zipSize) || tail.length > zipSize) {
    throw new CozipError(
      'INVALID_ARGUMENT',
      `zipindex: ${tail.length} tail bytes for a zip of ${zipSize} bytes`,
    );
  }
  if (zipSize < EOCD_SIZE) {
    throw new CozipError('NOT_A_ZIP', `zip of ${zipSize} bytes: too small to be a ZIP file`);
  }
  const tailStart = zipSize - tail.length;
  const end = readEnd(tail, tailStart, zipSize);
  if (end.entries > zipSize / MIN_ENTRY_BYTES) {
    throw new CozipError(
      'BAD_RECORD',
      `archive of ${zipSize} bytes cannot hold the ${end.entries} entries it declares`,
    );
  }
  const keep: Keep = {
    // Go's default filter needs no resolved entry: the walk reads it in place.
    filter: options.filter === defaultFileFilter ? undefined : options.filter,
    custom: options.custom?.size ? options.custom : undefined,
  };
  const { files, records, cdSize } = readLayouts(tail, tailStart, zipSize, end, keep);
  if (options.info) {
    options.info.entries = records;
    options.info.directorySize = cdSize;
  }
  return files;
}

/**
 * The files of the first directory layout that reads whole, trying the
 * layouts openZip tries, in its order.
 */
function readLayouts(
  tail: Uint8Array,
  tailStart: number,
  zipSize: number,
  end: EndInfo,
  keep: Keep,
): { files: FileColumns; records: number; cdSize: number } {
  let firstError: unknown;
  for (const { base, cdSize } of directoryLayouts(end)) {
    try {
      checkDirectorySize(end, cdSize);
      const cdOffset = end.cdOffset + base;
      if (cdOffset + cdSize > zipSize) {
        throw new CozipError(
          'TRUNCATED',
          `central directory [${cdOffset}, ${cdOffset + cdSize}) runs past the end of the file`,
        );
      }
      if (cdOffset < tailStart) {
        throw new NeedMoreDataError(
          zipSize - cdOffset,
          'the central directory starts before the buffer',
        );
      }
      const at = cdOffset - tailStart;
      const dir = tail.subarray(at, at + cdSize);
      const { files, records } = collectRecords(dir, cdOffset, base, keep, end.entries);
      checkEntryCount(records, end);
      return { files, records, cdSize };
    } catch (err) {
      // A layout that failed part way: its files are not the archive's.
      firstError ??= err;
      if (!isLayoutError(err)) throw err;
    }
  }
  throw firstError;
}

/** The end records, or NeedMoreDataError when they reach before the tail. */
function readEnd(tail: Uint8Array, tailStart: number, size: number): EndInfo {
  let found: ReturnType<typeof findEocd>;
  try {
    found = findEocd(tail, tailStart, size);
  } catch (err) {
    const enough = Math.min(size, MAX_END);
    if (tail.length < enough) {
      throw new NeedMoreDataError(enough, 'no end of central directory record in the buffer');
    }
    throw err;
  }
  // The ZIP64 locator, if any, sits right before the EOCD: it must be in the
  // buffer to know. Ask for the directory too when the EOCD tells where it is.
  const locatorAt = found.offset - ZIP64_LOCATOR_SIZE;
  if (locatorAt >= 0 && locatorAt < tailStart) {
    const { eocd } = found;
    let from = locatorAt;
    const plain =
      eocd.cdOffset !== U32_SENTINEL &&
      eocd.cdSize !== U32_SENTINEL &&
      eocd.entriesTotal !== U16_SENTINEL;
    if (plain && eocd.cdOffset < from) from = eocd.cdOffset;
    // Saturated fields: the ZIP64 end record normally sits right before the locator.
    if (!plain) from = Math.max(0, from - ZIP64_EOCD_SIZE);
    throw new NeedMoreDataError(size - from, 'the end records start before the buffer');
  }
  const scan = scanEndRecords(tail, tailStart, size);
  if (!scan.zip64Spots.length) return endInfo(scan);
  let lastError: unknown;
  for (const at of scan.zip64Spots) {
    if (at < tailStart) {
      throw new NeedMoreDataError(size - at, 'the zip64 end record starts before the buffer');
    }
    try {
      return endInfo(scan, tail.subarray(at - tailStart, at - tailStart + ZIP64_EOCD_SIZE), at);
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

export interface FromSourceOptions extends ReadDirOptions, ReadOptions, OpenSourceOptions {
  /** Bytes read from the end first (default ~72 KiB, as openZip). */
  tailSize?: number;
  /** Give up when the directory needs more than this many trailing bytes (default 100 MiB). */
  maxDirectorySize?: number;
}

/** Go's ReadFile limit on the directory. */
export const MAX_DIRECTORY_SIZE = 100 << 20;

/**
 * Indexes a ZIP from any source (path, URL, Blob, bytes or RangeSource): one
 * read of the tail, and one more of exactly what readDir asks for when the
 * directory is larger.
 */
export function fromSource(input: SourceInput, options: FromSourceOptions = {}): Promise<File[]> {
  return withDirectory(input, options, readDir);
}

/** fromSource's files as columns (see readDirColumns). */
export function columnsFromSource(
  input: SourceInput,
  options: FromSourceOptions = {},
): Promise<FileColumns> {
  return withDirectory(input, options, readDirColumns);
}

async function withDirectory<T>(
  input: SourceInput,
  options: FromSourceOptions,
  read: (tail: Uint8Array, size: number, options: ReadDirOptions) => T,
): Promise<T> {
  const tailSize = options.tailSize ?? DEFAULT_TAIL_SIZE;
  const maxDir = options.maxDirectorySize ?? MAX_DIRECTORY_SIZE;
  const opened = !isRangeSource(input);
  const source = opened
    ? await openSource(input, { probe: { suffix: tailSize }, ...options })
    : input;
  try {
    const size = source.size;
    let tail = await source.read(size - Math.min(size, tailSize), size, options);
    for (;;) {
      try {
        return read(tail, size, options);
      } catch (err) {
        if (!isNeedMoreData(err) || err.fromEnd <= tail.length || err.fromEnd > size) throw err;
        if (err.fromEnd > maxDir) {
          throw new CozipError(
            'LIMIT_EXCEEDED',
            `zipindex: directory appears to exceed limit: needs ${err.fromEnd} bytes (limit ${maxDir})`,
            { details: { fromEnd: err.fromEnd, limit: maxDir } },
          );
        }
        // One read of the whole range rather than the rest joined to the
        // tail: never two copies of a large directory at once.
        tail = new Uint8Array(0);
        tail = await source.read(size - err.fromEnd, size, options);
      }
    }
  } finally {
    if (opened) await source.close?.();
  }
}

/** Indexes a ZIP file on disk (Node), reading only its end. */
export function readFile(path: string, options: FromSourceOptions = {}): Promise<File[]> {
  return fromSource(path, options);
}
