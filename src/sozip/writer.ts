// Node only: a ZIP writer whose Deflate members larger than the chunk size
// become SOZip members: chunked Deflate (compressed in parallel by worker
// threads) followed by the hidden index as a stored local record with no
// central entry. Everything else is ZipWriter's: records, ZIP64, sinks.
import { open, stat } from 'node:fs/promises';
import { CozipError } from '../errors.js';
import { EXTRA_UNICODE_PATH, METHOD_DEFLATE } from '../zip/constants.js';
import { type ExtraField, encodeUnicodePath } from '../zip/extra-fields.js';
import { createFileSink } from '../zip/file-sink.js';
import { encodeUtf8 } from '../zip/names.js';
import type { Sink } from '../zip/sink.js';
import {
  type DirectoryOptions,
  type EntryOptions,
  type FinishResult,
  isBlob,
  type RawEntryInfo,
  toChunks,
  type WrittenEntry,
  type ZipInput,
  ZipWriter,
  type ZipWriterOptions,
} from '../zip/writer.js';
import { chunkedDeflate, newChunkedState } from './chunked-deflate.js';
import { type CompressPool, defaultThreads, sharedPool } from './compress-pool.js';
import { DEFAULT_CHUNK_SIZE, MIN_RECOMMENDED_CHUNK_SIZE } from './constants.js';
import { sozipIndexName } from './index-name.js';
import { chunkCount, encodeSozipIndex, type SozipIndexContent } from './index-record.js';

export interface SozipOptions {
  /** Uncompressed bytes per chunk (default 32 KiB); members larger than it become SOZip. */
  chunkSize?: number;
  /** Deflate level 0..9 (default 6). */
  level?: number;
  /**
   * Deflate members of at most this many bytes are ordinary Deflate (default:
   * the chunk size, below which SOZip gains nothing; GDAL's sozip uses 1 MiB).
   */
  minSize?: number;
  /** Compression threads (default: one per core); 1 compresses on the calling thread. */
  threads?: number;
  /** Jobs of about 1 MiB in flight at most (default twice the threads): bounds memory. */
  window?: number;
  /** Legal but unwise settings (a chunk size below 4096); default: process.emitWarning. */
  onWarning?: (warning: CozipError) => void;
  /** A path `out`: replace a file already there (default true; false: FILE_EXISTS). */
  overwrite?: boolean;
}

export interface SozipWriterOptions extends ZipWriterOptions, SozipOptions {}

export interface SozipEntryOptions extends EntryOptions {
  chunkSize?: number;
  /**
   * Also put the name in an Info-ZIP Unicode Path extra (some old readers
   * want it); the hidden index then carries one too, as the spec requires.
   */
  unicodePath?: boolean;
}

export interface SozipWrittenEntry extends WrittenEntry {
  /** Written as a SOZip member, with a hidden index. */
  sozip: boolean;
  chunkSize?: number;
  chunks?: number;
  /** Offset and size (local header included) of the hidden index record. */
  index?: { name: string; offset: number; size: number };
}

/** Streams up to this size whose content fits one chunk are gathered and written whole. */
const GATHER_LIMIT = 64 * 1024 * 1024;
/** Members smaller than this are compressed on the calling thread (workers cost a start-up). */
const POOL_MIN_BYTES = 2 * 1024 * 1024;
const FILE_READ = 1 << 20;

export class SozipWriter {
  /** The underlying writer (records, central directory, sink). */
  readonly zip: ZipWriter;
  readonly chunkSize: number;
  readonly level: number;
  /** 0 unless given: members up to the chunk size are plain anyway. */
  readonly minSize: number;
  readonly threads: number;
  private readonly window: number | undefined;
  private readonly onWarning: (warning: CozipError) => void;
  private readonly warned = new Set<number>();
  private busy = false;

  constructor(sink: Sink, options: SozipWriterOptions = {}) {
    this.chunkSize = checkChunkSize(options.chunkSize ?? DEFAULT_CHUNK_SIZE);
    this.level = checkLevel(options.level ?? 6);
    this.minSize = checkMinSize(options.minSize ?? 0);
    const threads = options.threads ?? defaultThreads();
    if (!Number.isInteger(threads) || threads < 1) {
      throw new CozipError(
        'INVALID_ARGUMENT',
        `threads must be a positive integer, not ${threads}`,
      );
    }
    this.threads = threads;
    if (options.window !== undefined && (!Number.isInteger(options.window) || options.window < 1)) {
      throw new CozipError('INVALID_ARGUMENT', `window must be a positive integer`);
    }
    this.window = options.window;
    this.onWarning =
      options.onWarning ??
      ((w) => process.emitWarning(w.message, { code: 'COZIP_SOZIP_CHUNK_SIZE' }));
    this.zip = new ZipWriter(sink, options);
  }

  /** Bytes written so far: where the next record starts. */
  get offset(): number {
    return this.zip.offset;
  }

  /**
   * Adds a file. Deflate content larger than the chunk size becomes a SOZip
   * member; smaller content, and `method: 0`, an ordinary member.
   */
  add(name: string, data: ZipInput, options: SozipEntryOptions = {}): Promise<SozipWrittenEntry> {
    return this.exclusive(async () => {
      const chunkSize = this.chunkSizeFor(options);
      // Up to this size a member stays ordinary Deflate.
      const plainUpTo = Math.max(chunkSize, this.minSize);
      const level = checkLevel(options.level ?? this.level);
      const entry = this.entryOptions(name, options, level);
      if ((options.method ?? METHOD_DEFLATE) !== METHOD_DEFLATE) {
        return plain(await this.zip.add(name, data, entry));
      }
      if (typeof data === 'string' || data instanceof Uint8Array) {
        const bytes = typeof data === 'string' ? encodeUtf8(data) : data;
        if (bytes.length <= plainUpTo) return plain(await this.zip.add(name, bytes, entry));
        return this.addSozip(name, once(bytes), bytes.length, chunkSize, level, options, true);
      }
      const size = options.size ?? (isBlob(data) ? data.size : undefined);
      let chunks = toChunks(data);
      if (size === undefined || (size <= plainUpTo && size <= GATHER_LIMIT)) {
        // Read up to one byte past the threshold: content within it is an ordinary member.
        const head = await gather(chunks, Math.min(plainUpTo, GATHER_LIMIT) + 1);
        if (head.ended) {
          return plain(await this.zip.add(name, head.bytes, entry));
        }
        chunks = prepend(head.bytes, head.rest);
      } else if (size <= plainUpTo) {
        return plain(await this.zip.add(name, chunks, entry));
      }
      return this.addSozip(name, chunks, size, chunkSize, level, options, false);
    });
  }

  /** Adds a local file (Node): its size, mtime and permissions are taken from the file. */
  async addFile(
    name: string,
    path: string,
    options: SozipEntryOptions = {},
  ): Promise<SozipWrittenEntry> {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(path);
    } catch (err) {
      throw new CozipError('NOT_FOUND', `cannot read ${path}`, { cause: err, details: { path } });
    }
    return this.add(name, readFileChunks(path), {
      mtime: info.mtime,
      mode: Number(info.mode) & 0o7777,
      ...options,
      size: Number(info.size),
    });
  }

  addDirectory(name: string, options: DirectoryOptions = {}): Promise<SozipWrittenEntry> {
    return this.exclusive(async () => plain(await this.zip.addDirectory(name, options)));
  }

  /** Copies already compressed data (see ZipWriter.addRaw); no index is written. */
  addRaw(
    name: string,
    raw: Uint8Array | AsyncIterable<Uint8Array>,
    info: RawEntryInfo,
  ): Promise<SozipWrittenEntry> {
    return this.exclusive(async () => plain(await this.zip.addRaw(name, raw, info)));
  }

  /**
   * Copies a SOZip member verbatim: its chunked Deflate data, then a hidden
   * index with `index`'s chunk size and offsets (they are relative to the
   * data, so they hold wherever the member lands).
   */
  addRawSozip(
    name: string,
    raw: Uint8Array | AsyncIterable<Uint8Array>,
    info: RawEntryInfo & { unicodePath?: boolean },
    index: SozipIndexContent,
  ): Promise<SozipWrittenEntry> {
    return this.exclusive(async () => {
      if (info.method !== METHOD_DEFLATE) {
        throw new CozipError('INVALID_ARGUMENT', `${name}: SOZip members are Deflate (method 8)`);
      }
      if (
        index.uncompressedSize !== info.uncompressedSize ||
        index.compressedSize !== info.compressedSize
      ) {
        throw new CozipError('INVALID_ARGUMENT', `${name}: the index does not match the sizes`);
      }
      const record = encodeSozipIndex(index);
      const extraFields = memberExtra(name, info);
      const w = await this.zip.addRaw(name, raw, { ...info, extraFields });
      return this.writeIndex(name, w, index.chunkSize, record, {
        mtime: info.mtime,
        unicodePath: hasUnicodePath(extraFields),
      });
    });
  }

  /** Writes the central directory and end records, then closes the sink. */
  finish(): Promise<FinishResult> {
    return this.zip.finish();
  }

  /** Abandons the archive (a file sink deletes its temp file). */
  abort(reason?: unknown): Promise<void> {
    return this.zip.abort(reason);
  }

  // --- internals ---

  private async addSozip(
    name: string,
    chunks: AsyncIterable<Uint8Array>,
    size: number | undefined,
    chunkSize: number,
    level: number,
    options: SozipEntryOptions,
    inMemory: boolean,
  ): Promise<SozipWrittenEntry> {
    const state = newChunkedState();
    const deflated = chunkedDeflate(
      chunks,
      { chunkSize, level, pool: this.poolFor(size), window: this.window },
      state,
    );
    const entry = this.entryOptions(name, options, level);
    let w: WrittenEntry;
    if (inMemory) {
      // The input is in memory anyway: compress it all first, so that the
      // local header gets the real CRC and sizes on any sink.
      const parts: Uint8Array[] = [];
      for await (const part of deflated) parts.push(part);
      w = await this.zip.addRaw(name, iterate(parts), {
        ...entry,
        method: METHOD_DEFLATE,
        crc32: state.crc,
        compressedSize: state.compressed,
        uncompressedSize: state.uncompressed,
      });
    } else {
      w = await this.zip.addCompressed(name, deflated, {
        ...entry,
        method: METHOD_DEFLATE,
        size,
        compressedBound: size === undefined ? undefined : sozipBound(size, chunkSize),
        result: () => ({ crc32: state.crc, uncompressedSize: state.uncompressed }),
        consumed: () => state.uncompressed,
      });
    }
    const record = encodeSozipIndex({
      chunkSize,
      uncompressedSize: w.uncompressedSize,
      compressedSize: w.compressedSize,
      offsets: state.offsets,
    });
    return this.writeIndex(name, w, chunkSize, record, {
      mtime: options.mtime,
      unicodePath: hasUnicodePath(entry.extraFields ?? []),
    });
  }

  /** The hidden index, right after the member's data (and descriptor, if any). */
  private async writeIndex(
    name: string,
    w: WrittenEntry,
    chunkSize: number,
    record: Uint8Array,
    options: { mtime?: Date; unicodePath?: boolean },
  ): Promise<SozipWrittenEntry> {
    const indexName = sozipIndexName(name);
    const hidden = await this.zip.writeHidden(indexName, record, {
      mtime: options.mtime,
      extraFields: unicodeExtra(indexName, options.unicodePath),
    });
    return {
      ...w,
      sozip: true,
      chunkSize,
      chunks: chunkCount(w.uncompressedSize, chunkSize),
      index: {
        name: indexName,
        offset: hidden.offset,
        size: hidden.dataOffset - hidden.offset + record.length,
      },
    };
  }

  private entryOptions(name: string, options: SozipEntryOptions, level: number): EntryOptions {
    return {
      method: options.method,
      level,
      mtime: options.mtime,
      mode: options.mode,
      comment: options.comment,
      size: options.size,
      extraFields: memberExtra(name, options),
    };
  }

  private chunkSizeFor(options: SozipEntryOptions): number {
    const chunkSize = checkChunkSize(options.chunkSize ?? this.chunkSize);
    if (chunkSize < MIN_RECOMMENDED_CHUNK_SIZE && !this.warned.has(chunkSize)) {
      this.warned.add(chunkSize);
      this.onWarning(
        new CozipError(
          'INVALID_ARGUMENT',
          `SOZip chunk size ${chunkSize} is below ${MIN_RECOMMENDED_CHUNK_SIZE}: compression suffers and some readers may refuse it`,
          { details: { chunkSize } },
        ),
      );
    }
    return chunkSize;
  }

  private poolFor(size: number | undefined): CompressPool | undefined {
    if (this.threads <= 1 || (size !== undefined && size < POOL_MIN_BYTES)) return undefined;
    return sharedPool(this.threads);
  }

  /** One operation at a time, as ZipWriter; any failure abandons the archive. */
  private async exclusive<T>(op: () => Promise<T>): Promise<T> {
    if (this.busy) {
      const err = new CozipError(
        'WRITER_STATE',
        'another operation is in progress (adds must be awaited one at a time)',
      );
      await this.abort(err);
      throw err;
    }
    this.busy = true;
    try {
      return await op();
    } catch (err) {
      await this.abort(err);
      throw err;
    } finally {
      this.busy = false;
    }
  }
}

/** Creates a SozipWriter writing `out`: a path (temp file renamed on finish) or a Sink. */
export async function createSozipWriter(
  out: string | Sink,
  options: SozipWriterOptions = {},
): Promise<SozipWriter> {
  const sink =
    typeof out === 'string' ? await createFileSink(out, { overwrite: options.overwrite }) : out;
  try {
    return new SozipWriter(sink, options);
  } catch (err) {
    await sink.abort?.(err);
    throw err;
  }
}

/**
 * An upper bound of a SOZip member's compressed size: Deflate's own bound
 * plus, per chunk, a fresh stream's block headers and the two flush blocks.
 */
export function sozipBound(size: number, chunkSize: number): number {
  return (
    size + Math.ceil(size / 4096) + Math.ceil(size / 16384) + chunkCount(size, chunkSize) * 32 + 64
  );
}

function checkChunkSize(chunkSize: number): number {
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > 0xffffffff) {
    throw new CozipError(
      'INVALID_ARGUMENT',
      `SOZip chunk size must be an integer in 1..4294967295, not ${chunkSize}`,
      { details: { chunkSize } },
    );
  }
  return chunkSize;
}

function checkMinSize(minSize: number): number {
  if (!Number.isSafeInteger(minSize) || minSize < 0) {
    throw new CozipError(
      'INVALID_ARGUMENT',
      `minSize must be a non-negative integer, not ${minSize}`,
      {
        details: { minSize },
      },
    );
  }
  return minSize;
}

function checkLevel(level: number): number {
  if (!Number.isInteger(level) || level < 0 || level > 9) {
    throw new CozipError('INVALID_ARGUMENT', `deflate level must be 0..9, not ${level}`);
  }
  return level;
}

/**
 * The member's extra fields: the caller's, plus a Unicode Path extra when
 * asked for and not already there. Its index follows suit (hasUnicodePath).
 */
function memberExtra(
  name: string,
  options: { extraFields?: ExtraField[]; unicodePath?: boolean },
): ExtraField[] {
  const given = options.extraFields ?? [];
  return hasUnicodePath(given) ? given : [...given, ...unicodeExtra(name, options.unicodePath)];
}

function hasUnicodePath(fields: ExtraField[]): boolean {
  return fields.some((f) => f.id === EXTRA_UNICODE_PATH);
}

function unicodeExtra(name: string, wanted: boolean | undefined): ExtraField[] {
  return wanted ? [encodeUnicodePath(name, encodeUtf8(name))] : [];
}

function plain(w: WrittenEntry): SozipWrittenEntry {
  return { ...w, sozip: false };
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

async function* iterate(parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  yield* parts;
}

/**
 * Reads `chunks` until `limit` bytes are in or the input ends; `rest`
 * continues the same iterator.
 */
async function gather(
  chunks: AsyncIterable<Uint8Array>,
  limit: number,
): Promise<{ bytes: Uint8Array; ended: boolean; rest: AsyncIterator<Uint8Array> }> {
  const it = chunks[Symbol.asyncIterator]();
  const parts: Uint8Array[] = [];
  let n = 0;
  let ended = false;
  while (n < limit) {
    const r = await it.next();
    if (r.done) {
      ended = true;
      break;
    }
    if (!(r.value instanceof Uint8Array)) {
      throw new CozipError('INVALID_ARGUMENT', 'entry stream yielded a non-byte chunk');
    }
    parts.push(r.value);
    n += r.value.length;
  }
  const bytes = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    bytes.set(p, o);
    o += p.length;
  }
  return { bytes, ended, rest: it };
}

async function* prepend(
  head: Uint8Array,
  rest: AsyncIterator<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  if (head.length > 0) yield head;
  for (;;) {
    const r = await rest.next();
    if (r.done) return;
    yield r.value;
  }
}

/** A file's bytes in fresh 1 MiB buffers; the file is opened on the first read. */
async function* readFileChunks(path: string): AsyncGenerator<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    for (;;) {
      const buf = new Uint8Array(FILE_READ);
      const { bytesRead } = await handle.read(buf, 0, FILE_READ, null);
      if (bytesRead === 0) return;
      yield bytesRead === FILE_READ ? buf : buf.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}
