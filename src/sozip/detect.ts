// Finding a member's hidden index: a local record named `.NAME.sozip.idx`
// (or GDAL's variant) right after the member's compressed data, or after its
// data descriptor. The read that fetches it is issued together with the
// member's local header read, so both cost one round trip. Nothing in an
// index is trusted until checked against the member; an inconsistent index
// is reported as a warning and ignored.
import { CozipError } from '../errors.js';
import { isRangeSource } from '../io/open-source.js';
import { runPool } from '../io/pool.js';
import type { ReadOptions } from '../io/source.js';
import { bytesEqual, getU32 } from '../zip/bytes.js';
import { crc32 } from '../zip/codecs.js';
import {
  EXTRA_UNICODE_PATH,
  EXTRA_ZIP64,
  FLAG_DATA_DESCRIPTOR,
  FLAG_ENCRYPTED,
  LOCAL_HEADER_SIZE,
  METHOD_DEFLATE,
  METHOD_STORE,
  SIG_LOCAL,
  U32_SENTINEL,
} from '../zip/constants.js';
import type { ZipEntry } from '../zip/entry.js';
import { prefetchLocalRecords, readLocalRecord } from '../zip/entry-data.js';
import { parseExtraFields, readUnicodePath, readZip64Extra } from '../zip/extra-fields.js';
import { decodeLocalHeader, decodeLocalHeaderFixed } from '../zip/local-header.js';
import type { ZipArchive } from '../zip/reader.js';
import { DEFAULT_CHUNK_SIZE, INDEX_HEADER_SIZE, INDEX_OFFSET_SIZE } from './constants.js';
import { type IndexNameStyle, indexNameCandidates, sozipIndexRawName } from './index-name.js';
import {
  chunkCount,
  decodeIndexHeader,
  decodeOffsets,
  headerProblem,
  offsetCount,
  offsetsProblem,
} from './index-record.js';
import { OffsetTable } from './offset-table.js';

export interface DetectOptions extends ReadOptions {
  /** Offset tables up to this size are read and checked whole when found (default 8 MiB). */
  eagerIndexBytes?: number;
}

/** A hidden index that passed every check: random access may use it. */
export interface SozipIndex {
  /** The name in its local header. */
  name: string;
  /** Which naming rule it follows ('unicode-path': found through that extra field). */
  nameStyle: IndexNameStyle | 'unicode-path';
  /** Absolute offset of its local header. */
  offset: number;
  /** Size of the index file (header, skipped bytes, offsets). */
  recordSize: number;
  chunkSize: number;
  chunks: number;
  uncompressedSize: number;
  compressedSize: number;
  skipBytes: number;
  /** The index sits after a data descriptor rather than right after the data. */
  afterDescriptor: boolean;
  table: OffsetTable;
}

export interface SozipDetection {
  entry: ZipEntry;
  /** Absolute offset of the member's compressed data. */
  dataOffset: number;
  /** A record with the index's name follows the member (usable or not). */
  found: boolean;
  /** The index, when it is consistent with the member. */
  index: SozipIndex | undefined;
  /** Why a found index is not used: SOZIP_INVALID_INDEX or SOZIP_INDEX_LISTED. */
  warnings: CozipError[];
}

const DEFAULT_EAGER = 8 * 1024 * 1024;
/** The speculative read guesses the data's end; this much either side absorbs a local extra that differs. */
const SLACK = 256;
/** Descriptor lengths an index may follow: none, signed and unsigned, 32- and 64-bit sizes. */
const DESCRIPTOR_LENGTHS = [0, 16, 24, 12, 20];

/** An open ZipArchive (rather than something openZip would open). */
export function isZipArchive(x: unknown): x is ZipArchive {
  return (
    typeof x === 'object' &&
    x !== null &&
    Array.isArray((x as ZipArchive).entries) &&
    isRangeSource((x as ZipArchive).source)
  );
}

/** Is `entry` a candidate at all (an index only ever follows Deflate data)? */
export function mayHaveIndex(entry: ZipEntry): boolean {
  return (
    entry.method === METHOD_DEFLATE &&
    !entry.encrypted &&
    !entry.isDirectory &&
    entry.uncompressedSize > 0
  );
}

const INDEX_SUFFIX = new TextEncoder().encode('.sozip.idx');

/**
 * Whether a hidden index may follow `entry`, judged from `after`, the bytes
 * right after its data as a scan of the archive holds them (undefined: not
 * known). An index is a local record whose raw name ends in `.sozip.idx`,
 * right after the data or after a data descriptor; when `after` is too short
 * to tell, the answer is yes, unless `after` is `complete`: every byte up to
 * the central directory, so that a record cut short there cannot exist.
 */
export function mayBeFollowedByIndex(
  entry: ZipEntry,
  after: Uint8Array | undefined,
  complete = false,
): boolean {
  if (!mayHaveIndex(entry)) return false;
  if (after === undefined) return true;
  for (const skip of DESCRIPTOR_LENGTHS) {
    if (after.length < skip + LOCAL_HEADER_SIZE) return !complete;
    if (getU32(after, skip) !== SIG_LOCAL) continue;
    const nameEnd = skip + LOCAL_HEADER_SIZE + (after[skip + 26] | (after[skip + 27] << 8));
    if (after.length < nameEnd) return !complete;
    const tail = after.subarray(nameEnd - INDEX_SUFFIX.length, nameEnd);
    if (
      nameEnd - INDEX_SUFFIX.length >= skip + LOCAL_HEADER_SIZE &&
      bytesEqual(tail, INDEX_SUFFIX)
    ) {
      return true;
    }
  }
  return false;
}

/** Looks for the hidden index of `entry` and checks it. */
export async function detectSozip(
  archive: ZipArchive,
  entry: ZipEntry,
  options: DetectOptions = {},
): Promise<SozipDetection> {
  const eager = options.eagerIndexBytes ?? DEFAULT_EAGER;
  const source = archive.source;
  // Issue the guessed read with the local header's, so that they travel together.
  const guessEnd =
    entry.localHeaderOffset +
    LOCAL_HEADER_SIZE +
    entry.rawName.length +
    entry.extra.length +
    entry.compressedSize;
  const probe = probeLength(entry, eager);
  const wStart = Math.min(source.size, Math.max(0, guessEnd - SLACK));
  const wEnd = Math.min(source.size, guessEnd + probe + SLACK);
  const candidate = mayHaveIndex(entry);
  const [record, window] = await Promise.all([
    readLocalRecord(archive, entry, options),
    candidate ? source.read(wStart, wEnd, options) : Promise.resolve(new Uint8Array(0)),
  ]);
  const dataOffset = record.payloadOffset;
  const result: SozipDetection = {
    entry,
    dataOffset,
    found: false,
    index: undefined,
    warnings: [],
  };
  if (!candidate) return result;

  const bytesAt = async (start: number, end: number): Promise<Uint8Array> => {
    const stop = Math.min(end, source.size);
    if (start >= wStart && stop <= wEnd) return window.subarray(start - wStart, stop - wStart);
    return start < stop ? source.read(start, stop, options) : new Uint8Array(0);
  };

  const dataEnd = dataOffset + entry.compressedSize;
  const order = entry.flags & FLAG_DATA_DESCRIPTOR ? [16, 24, 12, 20, 0] : DESCRIPTOR_LENGTHS;
  for (const skip of order) {
    const at = dataEnd + skip;
    const match = await matchIndexHeader(entry, at, bytesAt);
    if (!match) continue;
    result.found = true;
    try {
      result.index = await checkIndex(archive, entry, at, skip > 0, match, bytesAt, eager, options);
    } catch (err) {
      if (!(err instanceof CozipError)) throw err;
      if (err.code !== 'SOZIP_INVALID_INDEX' && err.code !== 'SOZIP_INDEX_LISTED') throw err;
      result.warnings.push(err);
    }
    break;
  }
  return result;
}

/** Bytes worth fetching after the data: descriptor, header with generous extras, index header and table. */
function probeLength(entry: ZipEntry, eager: number): number {
  const nameLength = entry.rawName.length + 11;
  const header = LOCAL_HEADER_SIZE + nameLength + entry.extra.length + 9 + nameLength + 64;
  const table = Math.min(
    eager,
    256 * 1024,
    INDEX_OFFSET_SIZE * offsetCount(entry.uncompressedSize, DEFAULT_CHUNK_SIZE),
  );
  return 24 + header + INDEX_HEADER_SIZE + table;
}

interface HeaderMatch {
  name: string;
  style: IndexNameStyle | 'unicode-path';
  headerLength: number;
  flags: number;
  method: number;
  crc32: number;
  /** Declared size of the index file, when the header gives one. */
  size: number | undefined;
}

type BytesAt = (start: number, end: number) => Promise<Uint8Array>;

/** A local header at `at` whose name is one of the index names of `entry`. */
async function matchIndexHeader(
  entry: ZipEntry,
  at: number,
  bytesAt: BytesAt,
): Promise<HeaderMatch | undefined> {
  const fixedBytes = await bytesAt(at, at + LOCAL_HEADER_SIZE);
  if (fixedBytes.length < LOCAL_HEADER_SIZE || getU32(fixedBytes, 0) !== SIG_LOCAL)
    return undefined;
  const fixed = decodeLocalHeaderFixed(fixedBytes, 0, at);
  const headerLength = LOCAL_HEADER_SIZE + fixed.nameLength + fixed.extraLength;
  const bytes = await bytesAt(at, at + headerLength);
  if (bytes.length < headerLength) return undefined;
  const h = decodeLocalHeader(bytes, 0, at);
  let style: HeaderMatch['style'] | undefined;
  if (bytesEqual(h.rawName, sozipIndexRawName(entry.rawName, 'spec'))) style = 'spec';
  else if (bytesEqual(h.rawName, sozipIndexRawName(entry.rawName, 'gdal'))) style = 'gdal';
  let fields: ReturnType<typeof parseExtraFields> = [];
  try {
    fields = parseExtraFields(h.extra);
  } catch {
    // A malformed extra only matters if the name has to come from it.
  }
  const names = indexNameCandidates(entry.name);
  let name = style ? names[style === 'spec' ? 0 : names.length - 1] : undefined;
  if (!style) {
    for (const f of fields) {
      if (f.id !== EXTRA_UNICODE_PATH) continue;
      const unicode = readUnicodePath(f.data, h.rawName);
      if (unicode !== undefined && names.includes(unicode)) {
        style = 'unicode-path';
        name = unicode;
      }
    }
  }
  if (!style || name === undefined) return undefined;
  let size: number | undefined;
  if (!(h.flags & FLAG_DATA_DESCRIPTOR) || h.compressedSize !== 0) {
    size = h.compressedSize;
    if (h.compressedSize === U32_SENTINEL || h.uncompressedSize === U32_SENTINEL) {
      const zip64 = fields.find((f) => f.id === EXTRA_ZIP64);
      try {
        const v = readZip64Extra(zip64?.data ?? new Uint8Array(0), {
          uncompressedSize: h.uncompressedSize === U32_SENTINEL,
          compressedSize: h.compressedSize === U32_SENTINEL,
          localHeaderOffset: false,
          diskStart: false,
        });
        size = v.compressedSize ?? h.compressedSize;
        if ((v.uncompressedSize ?? h.uncompressedSize) !== size) size = Number.NaN;
      } catch {
        size = Number.NaN;
      }
    } else if (h.uncompressedSize !== h.compressedSize) {
      size = Number.NaN;
    }
  }
  return {
    name,
    style,
    headerLength,
    flags: h.flags,
    method: h.method,
    crc32: h.crc32,
    size,
  };
}

/** Checks the index found at `at` against the member; throws the reason it cannot be used. */
async function checkIndex(
  archive: ZipArchive,
  entry: ZipEntry,
  at: number,
  afterDescriptor: boolean,
  match: HeaderMatch,
  bytesAt: BytesAt,
  eager: number,
  options: ReadOptions,
): Promise<SozipIndex> {
  const invalid = (reason: string) =>
    new CozipError(
      'SOZIP_INVALID_INDEX',
      `${entry.name}: hidden index ${match.name} ignored: ${reason}`,
      { details: { name: entry.name, index: match.name, offset: at, reason } },
    );
  if (listedInCentral(archive, at, match.name)) {
    throw new CozipError(
      'SOZIP_INDEX_LISTED',
      `${entry.name}: index ${match.name} has a central directory entry (it must be hidden)`,
      { details: { name: entry.name, index: match.name, offset: at } },
    );
  }
  if (match.method !== METHOD_STORE) throw invalid(`it is compressed (method ${match.method})`);
  if (match.flags & FLAG_ENCRYPTED) throw invalid('it is encrypted');
  if (Number.isNaN(match.size)) throw invalid('its local header sizes are inconsistent');
  const start = at + match.headerLength;
  const headerBytes = await bytesAt(start, start + INDEX_HEADER_SIZE);
  if (headerBytes.length < INDEX_HEADER_SIZE) throw invalid('it is cut short');
  const h = decodeIndexHeader(headerBytes);
  const problem = headerProblem(h, entry);
  if (problem) throw invalid(problem);
  const count = offsetCount(h.uncompressedSize, h.chunkSize);
  const recordSize = INDEX_HEADER_SIZE + h.skipBytes + count * INDEX_OFFSET_SIZE;
  if (match.size !== undefined && match.size !== recordSize) {
    throw invalid(
      `its ${match.size} bytes do not hold the ${count} offsets ${h.uncompressedSize} bytes in chunks of ${h.chunkSize} need (${recordSize} bytes)`,
    );
  }
  const end = start + recordSize;
  if (end > Math.min(archive.cdOffset, archive.source.size)) {
    throw invalid('it runs past the start of the central directory');
  }
  const tableOffset = start + INDEX_HEADER_SIZE + h.skipBytes;
  let table: OffsetTable;
  if (count * INDEX_OFFSET_SIZE <= eager) {
    const record = await bytesAt(start, end);
    if (record.length < recordSize) throw invalid('it is cut short');
    const offsets = new Float64Array(count);
    decodeOffsets(record, tableOffset - start, count, offsets);
    const bad = offsetsProblem(offsets, h.compressedSize);
    if (bad) throw invalid(bad);
    // The CRC is checkable only when the header carries one (no descriptor).
    if (match.size !== undefined && crc32(record) !== match.crc32) {
      throw invalid('its CRC-32 does not match its local header');
    }
    table = new OffsetTable(archive.source, tableOffset, count, h.compressedSize, offsets);
  } else {
    table = new OffsetTable(archive.source, tableOffset, count, h.compressedSize);
    await table.load(0, 1, options).catch((err) => {
      throw err instanceof CozipError ? invalid(err.message) : err;
    });
  }
  return {
    name: match.name,
    nameStyle: match.style,
    offset: at,
    recordSize,
    chunkSize: h.chunkSize,
    chunks: chunkCount(h.uncompressedSize, h.chunkSize),
    uncompressedSize: h.uncompressedSize,
    compressedSize: h.compressedSize,
    skipBytes: h.skipBytes,
    afterDescriptor,
    table,
  };
}

const centralIndex = new WeakMap<ZipArchive, { offsets: Set<number>; names: Set<string> }>();

/** Does a central record point at `offset` or carry `name`? */
function listedInCentral(archive: ZipArchive, offset: number, name: string): boolean {
  let known = centralIndex.get(archive);
  if (!known) {
    known = {
      offsets: new Set(archive.entries.map((e) => e.localHeaderOffset)),
      names: new Set(archive.entries.map((e) => e.name)),
    };
    centralIndex.set(archive, known);
  }
  return known.offsets.has(offset) || known.names.has(name);
}

/**
 * Detects the index of every member that may have one, `concurrency` at a
 * time; local headers are prefetched first, a few members per read.
 */
export async function detectAll(
  archive: ZipArchive,
  options: DetectOptions & {
    concurrency?: number;
    /** Which of the members that may have an index to look at (default: all). */
    select?: (entry: ZipEntry) => boolean;
  } = {},
): Promise<Map<ZipEntry, SozipDetection>> {
  const { select } = options;
  const candidates = archive.entries.filter((e) => mayHaveIndex(e) && (!select || select(e)));
  await prefetchLocalRecords(archive, candidates, options);
  const out = new Map<ZipEntry, SozipDetection>();
  await runPool(candidates, options.concurrency ?? 16, async (entry) => {
    out.set(entry, await detectSozip(archive, entry, options));
  });
  return out;
}
