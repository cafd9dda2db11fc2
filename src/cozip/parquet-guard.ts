// A fence around the Parquet decoder (hyparquet 1.33): its RLE/bit-packed
// hybrid reader trusts each run's count, so a page whose run claims two
// billion values makes it write two billion array slots (minutes of CPU, then
// the heap is gone). Before the decoder sees a page, the pages in each byte
// range it fetches are walked here: header, then the runs of every
// repetition, definition and dictionary-index section, and a run longer than
// the values the page declares (or a page declaring more values than its row
// group has rows) is CORRUPT_DATA. Layouts from the Parquet format spec.
import { type AsyncBuffer, type FileMetaData, parquetMetadata, readOffsetIndex } from 'hyparquet';
import { CozipError } from '../errors.js';
import { checkColumnChunks, leafColumns } from './parquet-leaves.js';

type Decompress = (input: Uint8Array, outputLength: number) => Uint8Array;

/** One column chunk as the guard needs it. */
interface Chunk {
  start: number;
  end: number;
  codec: string;
  maxDefinition: number;
  maxRepetition: number;
  rows: number;
  /** Where the chunk's offset index is, and, once read, its page starts. */
  offsetIndex?: { offset: number; length: number };
  pageStarts?: Set<number>;
}

const PAGE_DATA = 0;
const PAGE_DATA_V2 = 3;
const ENC_PLAIN_DICTIONARY = 2;
const ENC_RLE = 3;
const ENC_RLE_DICTIONARY = 8;
const ENC_DELTA_BINARY_PACKED = 5;
const ENC_DELTA_LENGTH_BYTE_ARRAY = 6;
const ENC_DELTA_BYTE_ARRAY = 7;

function corrupt(message: string): CozipError {
  return new CozipError('CORRUPT_DATA', `manifest page: ${message}`);
}

// --- Thrift compact protocol, as far as page headers need it ---

interface Cursor {
  b: Uint8Array;
  p: number;
}

function byte(c: Cursor): number {
  if (c.p >= c.b.length) throw corrupt('header runs past the page range');
  return c.b[c.p++];
}

function varint(c: Cursor): number {
  let v = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    const b = byte(c);
    v += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return v;
  }
  throw corrupt('varint longer than 5 bytes');
}

/** Skips a varint of up to 10 bytes (a 64-bit value). */
function skipLongVarint(c: Cursor): void {
  for (let k = 0; k < 10; k++) if (byte(c) < 0x80) return;
  throw corrupt('varint longer than 10 bytes');
}

const zigzag = (n: number) => (n % 2 === 0 ? n / 2 : -(n + 1) / 2);

/** A struct's integer and struct fields by id; other fields are skipped. */
type Struct = Map<number, number | Struct>;

function struct(c: Cursor, depth = 0): Struct {
  if (depth > 8) throw corrupt('header nests too deep');
  const out: Struct = new Map();
  let id = 0;
  for (;;) {
    const h = byte(c);
    if (h === 0) return out;
    const type = h & 0x0f;
    id = h >> 4 ? id + (h >> 4) : zigzag(varint(c));
    if (id <= 0) throw corrupt(`field id ${id}`);
    out.set(id, value(c, type, depth));
  }
}

function value(c: Cursor, type: number, depth: number): number | Struct {
  switch (type) {
    case 1: // true
      return 1;
    case 2: // false
      return 0;
    case 3: // byte
      return byte(c);
    case 4: // i16
    case 5: // i32
    case 6: // i64
      return zigzag(varint(c));
    case 7: // double
      c.p += 8;
      return 0;
    case 8: {
      // binary
      const n = varint(c);
      if (n > c.b.length - c.p) throw corrupt('binary field runs past the page range');
      c.p += n;
      return 0;
    }
    case 9: // list
    case 10: {
      // set
      const h = byte(c);
      const n = h >> 4 === 15 ? varint(c) : h >> 4;
      if (n > c.b.length - c.p) throw corrupt('list longer than the page range');
      for (let i = 0; i < n; i++) value(c, h & 0x0f, depth + 1);
      return 0;
    }
    case 12:
      return struct(c, depth + 1);
    default:
      throw corrupt(`unknown thrift type ${type}`);
  }
}

const int = (s: Struct | undefined, id: number): number => {
  const v = s?.get(id);
  return typeof v === 'number' ? v : 0;
};
const sub = (s: Struct, id: number): Struct | undefined => {
  const v = s.get(id);
  return v instanceof Map ? v : undefined;
};

/** The format's required fields must be there: a decoder fills gaps with guesses. */
function required(s: Struct | undefined, ids: number[], what: string): Struct {
  for (const id of ids) {
    if (typeof s?.get(id) !== 'number') throw corrupt(`${what} lacks required field ${id}`);
  }
  return s!;
}

// --- RLE / bit-packed hybrid runs ---

/**
 * Walks the runs in b[start, end) for at most `values` values of `width`
 * bits: each run's header must be a sane varint and an RLE run no longer than
 * what is left (bit-packed groups round up to 8, as the format allows).
 */
function walkRuns(b: Uint8Array, start: number, end: number, width: number, values: number): void {
  const c: Cursor = { b: b.subarray(0, end), p: start };
  let seen = 0;
  while (seen < values && c.p < end) {
    const header = varint(c);
    if (header >= 2 ** 31) throw corrupt(`run header ${header} is out of range`);
    if (header & 1) {
      const groups = header >>> 1;
      c.p += groups * width;
      seen += groups * 8;
    } else {
      const count = header >>> 1;
      if (count > values - seen) {
        throw corrupt(`a run of ${count} values where ${values - seen} remain`);
      }
      c.p += (width + 7) >> 3;
      seen += count;
    }
    if (c.p > end) throw corrupt('a run runs past its section');
  }
}

const bitWidth = (max: number) => 32 - Math.clz32(max);

/** Levels of a v1 page: a 4-byte length, then runs; returns where they end. */
function levelsV1(b: Uint8Array, at: number, max: number, values: number): number {
  if (max === 0) return at;
  if (at + 4 > b.length) throw corrupt('levels run past the page');
  const n = (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16)) + b[at + 3] * 0x1000000;
  if (n > b.length - at - 4) throw corrupt('levels run past the page');
  walkRuns(b, at + 4, at + 4 + n, bitWidth(max), values);
  return at + 4 + n;
}

/**
 * A DELTA_BINARY_PACKED section at `at`: the header's block and miniblock
 * sizes must be the format's multiples (else the decoder divides by zero or
 * allocates a bit-width array of billions), its count no more than the page
 * holds, and every miniblock inside the bytes. Returns where it ends.
 */
function walkDelta(b: Uint8Array, at: number, count: number): number {
  const c: Cursor = { b, p: at };
  const blockSize = varint(c);
  const miniblocks = varint(c);
  const total = varint(c);
  skipLongVarint(c); // the first value, zigzag, up to 64 bits
  if (
    blockSize === 0 ||
    blockSize % 128 !== 0 ||
    miniblocks === 0 ||
    blockSize % miniblocks !== 0
  ) {
    throw corrupt(`delta blocks of ${blockSize} values in ${miniblocks} miniblocks`);
  }
  const perMiniblock = blockSize / miniblocks;
  if (perMiniblock % 32 !== 0) throw corrupt(`delta miniblocks of ${perMiniblock} values`);
  if (total > count) throw corrupt(`delta section of ${total} values in a page of ${count}`);
  let seen = Math.min(total, 1);
  while (seen < total) {
    skipLongVarint(c); // the block's minimum delta
    const widths = c.p;
    c.p += miniblocks;
    if (c.p > b.length) throw corrupt('delta bit widths run past the page');
    for (let m = 0; m < miniblocks && seen < total; m++) {
      const width = b[widths + m];
      if (width > 64) throw corrupt(`delta bit width ${width}`);
      c.p += (perMiniblock * width) / 8;
      seen += perMiniblock;
    }
    if (c.p > b.length) throw corrupt('a delta miniblock runs past the page');
  }
  return c.p;
}

/** Dictionary indexes (a bit-width byte, then runs), RLE booleans (a length, then runs), deltas. */
function values(b: Uint8Array, at: number, encoding: number, count: number): void {
  if (
    encoding === ENC_DELTA_BINARY_PACKED ||
    encoding === ENC_DELTA_LENGTH_BYTE_ARRAY ||
    encoding === ENC_DELTA_BYTE_ARRAY
  ) {
    // The byte-array encodings start with delta-packed lengths (prefix
    // lengths, then suffix lengths, for DELTA_BYTE_ARRAY).
    const end = walkDelta(b, at, count);
    if (encoding === ENC_DELTA_BYTE_ARRAY) walkDelta(b, end, count);
    return;
  }
  if (encoding === ENC_PLAIN_DICTIONARY || encoding === ENC_RLE_DICTIONARY) {
    if (at >= b.length) return;
    const width = b[at];
    if (width > 32) throw corrupt(`dictionary index width ${width}`);
    if (width > 0) walkRuns(b, at + 1, b.length, width, count);
  } else if (encoding === ENC_RLE) {
    if (at + 4 > b.length) return;
    walkRuns(b, at + 4, b.length, 1, count);
  }
}

/** Checks every whole page in `b` (the bytes of a fetched range starting at a page). */
function checkPages(b: Uint8Array, chunk: Chunk, decompress: Decompress | undefined): void {
  let p = 0;
  while (p < b.length) {
    const c: Cursor = { b, p };
    const header = required(struct(c), [1, 2, 3], 'page header');
    const type = int(header, 1);
    const uncompressed = int(header, 2);
    const compressed = int(header, 3);
    if (compressed < 0 || uncompressed < 0) throw corrupt('negative page size');
    const body = c.p;
    if (body + compressed > b.length) return; // the range ends inside this page
    const raw = b.subarray(body, body + compressed);
    if (type === PAGE_DATA || type === PAGE_DATA_V2) {
      const h =
        type === PAGE_DATA
          ? required(sub(header, 5), [1, 2, 3, 4], 'data page header')
          : required(sub(header, 8), [1, 2, 3, 4, 5, 6], 'data page v2 header');
      const count = int(h, 1);
      if (count < 0 || (chunk.maxRepetition === 0 && count > chunk.rows)) {
        throw corrupt(`${count} values in a page of a row group of ${chunk.rows} rows`);
      }
      if (type === PAGE_DATA) {
        const page = inflate(raw, uncompressed, chunk.codec, decompress);
        if (page) {
          let at = levelsV1(page, 0, chunk.maxRepetition, count);
          at = levelsV1(page, at, chunk.maxDefinition, count);
          values(page, at, int(h, 2), count);
        }
      } else {
        const repLength = int(h, 6);
        const defLength = int(h, 5);
        if (repLength < 0 || defLength < 0 || repLength + defLength > raw.length) {
          throw corrupt('level lengths exceed the page');
        }
        if (chunk.maxRepetition) walkRuns(raw, 0, repLength, bitWidth(chunk.maxRepetition), count);
        if (chunk.maxDefinition) {
          walkRuns(raw, repLength, repLength + defLength, bitWidth(chunk.maxDefinition), count);
        }
        const rest = raw.subarray(repLength + defLength);
        const isCompressed = h.get(7) !== 0;
        const page = isCompressed
          ? inflate(rest, uncompressed - repLength - defLength, chunk.codec, decompress)
          : rest;
        if (page) values(page, 0, int(h, 4), count);
      }
    }
    p = body + compressed;
  }
}

/** The page body decompressed, or undefined for a codec the guard does not know. */
function inflate(
  raw: Uint8Array,
  length: number,
  codec: string,
  decompress: Decompress | undefined,
): Uint8Array | undefined {
  if (codec === 'UNCOMPRESSED') return raw;
  if (length > 64 * raw.length + 1024 * 1024) throw corrupt(`a page inflating to ${length} bytes`);
  try {
    return decompress?.(raw, length);
  } catch {
    // The decoder will say so itself, with its own words.
    return undefined;
  }
}

export interface PageGuard {
  /**
   * Checks the pages in `bytes`, the range [start, end) of the file just
   * fetched for the decoder; `readIndex` fetches an offset index when a range
   * starts at a page the guard has not seen yet.
   */
  check(
    start: number,
    bytes: Uint8Array,
    readIndex: (offset: number, length: number) => Promise<Uint8Array>,
  ): Promise<void>;
}

export function pageGuard(
  metadata: FileMetaData,
  decompress: Record<string, Decompress>,
  readOffsetIndex: (bytes: Uint8Array) => Array<{ offset: bigint | number }>,
): PageGuard {
  const levels = leafColumns(metadata);
  checkColumnChunks(metadata, levels);
  const chunks: Chunk[] = [];
  for (const group of metadata.row_groups) {
    group.columns.forEach((column, c) => {
      const m = column.meta_data;
      if (!m) return;
      const start = Number(m.dictionary_page_offset ?? m.data_page_offset);
      chunks.push({
        start,
        end: start + Number(m.total_compressed_size),
        codec: m.codec,
        maxDefinition: levels[c]?.def ?? 0,
        maxRepetition: levels[c]?.rep ?? 0,
        rows: Number(group.num_rows),
        offsetIndex:
          column.offset_index_offset !== undefined && column.offset_index_length !== undefined
            ? { offset: Number(column.offset_index_offset), length: column.offset_index_length }
            : undefined,
      });
    });
  }
  /** Whether a range starting at `start` inside `chunk` starts at a page. */
  const atPage = async (
    chunk: Chunk,
    start: number,
    readIndex: (offset: number, length: number) => Promise<Uint8Array>,
  ) => {
    if (start === chunk.start) return true;
    // A page in the middle: it must be one the offset index lists.
    if (!chunk.pageStarts && chunk.offsetIndex) {
      const { offset, length } = chunk.offsetIndex;
      const index = readOffsetIndex(await readIndex(offset, length));
      chunk.pageStarts = new Set(index.map((l) => Number(l.offset)));
    }
    return chunk.pageStarts?.has(start) === true;
  };
  return {
    async check(start, bytes, readIndex) {
      const end = start + bytes.length;
      for (const chunk of chunks) {
        if (chunk.end <= start || chunk.start >= end) continue;
        // Where the decoder will start reading pages of this chunk in this range.
        const from = Math.max(start, chunk.start);
        if (from === start && !(await atPage(chunk, start, readIndex))) continue;
        checkPages(
          bytes.subarray(from - start, Math.min(end, chunk.end) - start),
          chunk,
          decompress[chunk.codec],
        );
      }
    },
  };
}

/** Offset index page starts, decoded by hyparquet from the index's bytes. */
export function offsetIndexPages(bytes: Uint8Array): Array<{ offset: bigint | number }> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return readOffsetIndex({ view, offset: 0 }).page_locations;
}

/**
 * A whole Parquet file in memory as hyparquet's AsyncBuffer with the guard in
 * front (CORRUPT_DATA for an unreadable footer), and its metadata.
 */
export function guardedFile(
  bytes: Uint8Array,
  decompress: Record<string, Decompress>,
  name: string,
): { file: AsyncBuffer; metadata: FileMetaData } {
  const whole = bytes.buffer.slice(
    bytes.byteOffset,
    bytes.byteOffset + bytes.byteLength,
  ) as ArrayBuffer;
  let metadata: FileMetaData;
  let guard: PageGuard;
  try {
    metadata = parquetMetadata(whole);
    guard = pageGuard(metadata, decompress, offsetIndexPages);
  } catch (err) {
    if (err instanceof CozipError) throw err;
    throw new CozipError('CORRUPT_DATA', `${name} is not a readable Parquet file: ${String(err)}`, {
      cause: err,
    });
  }
  const view = new Uint8Array(whole);
  const file: AsyncBuffer = {
    byteLength: whole.byteLength,
    slice(start: number, end = whole.byteLength) {
      const read = async () => {
        if (
          !Number.isSafeInteger(start) ||
          !Number.isSafeInteger(end) ||
          start > end ||
          end > whole.byteLength
        ) {
          throw new CozipError('CORRUPT_DATA', `${name}: range ${start}-${end}`);
        }
        await guard.check(start, view.subarray(start, end), async (o, n) =>
          view.subarray(o, o + n),
        );
        return whole.slice(start, end);
      };
      const result = read();
      // The decoder prefetches ranges it may never await: a failure there
      // must not become an unhandled rejection (awaiting it still throws).
      result.catch(() => {});
      return result;
    },
  };
  return { file, metadata };
}
