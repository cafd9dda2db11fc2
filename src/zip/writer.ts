// A streaming ZIP writer, modelled on Go's archive/zip.Writer: members go out
// one after another as local header + data (+ data descriptor when the CRC is
// only known at the end), and finish() appends the central directory and the
// end records. It never seeks and never holds a member in memory unless it was
// given as bytes, so it writes to any Sink (file, buffer, upload, stdout) in
// any runtime.
import { CozipError } from '../errors.js';
import { concatBytes } from '../io/stream.js';
import { iterateStream } from '../io/web-stream.js';
import { encodeCentralHeader } from './central-header.js';
import { crc32, deflateRaw, deflateRawBytes } from './codecs.js';
import {
  EXTRA_ZIP64,
  FLAG_DATA_DESCRIPTOR,
  FLAG_UTF8,
  HOST_UNIX,
  MAX_COMMENT,
  METHOD_DEFLATE,
  METHOD_STORE,
  METHOD_ZSTD,
  S_IFDIR,
  S_IFREG,
  SIG_EOCD,
  U16_SENTINEL,
  U32_SENTINEL,
  VERSION_DEFLATE,
  VERSION_STORE,
  VERSION_ZIP64,
  VERSION_ZSTD,
} from './constants.js';
import { encodeDataDescriptor } from './data-descriptor.js';
import { toDosDateTime } from './dos-time.js';
import { encodeEocd, encodeZip64Eocd, encodeZip64Locator } from './end-records.js';
import {
  type ExtraField,
  encodeExtendedTimestamp,
  encodeExtraFields,
  encodeZip64Extra,
  needsZip64,
  needsZip64Count,
  type Zip64Values,
} from './extra-fields.js';
import { encodeLocalHeader } from './local-header.js';
import { encodeUtf8, isAscii, unsafeNameReason } from './names.js';
import type { Sink } from './sink.js';

/**
 * What a member's content may be. Bytes and strings (UTF-8) are compressed up
 * front; streams and Blobs are compressed while they are read.
 */
export type ZipInput =
  | Uint8Array
  | string
  | AsyncIterable<Uint8Array>
  | ReadableStream<Uint8Array>
  | Blob;

export interface WriterProgress {
  /** Entries completely written. */
  entries: number;
  /** Uncompressed bytes consumed so far. */
  bytesIn: number;
  /** Bytes written to the sink so far. */
  bytesOut: number;
}

export interface ZipWriterOptions {
  /** Archive comment (UTF-8, at most 65,535 bytes). */
  comment?: string;
  /**
   * Default modification time of entries (default: when the writer was
   * created); pass a fixed date for reproducible output.
   */
  mtime?: Date;
  /**
   * 'auto' (default) uses ZIP64 records only where a value does not fit;
   * 'always' gives every file ZIP64 sizes and writes the ZIP64 end records.
   */
  zip64?: 'auto' | 'always';
  /** Accept names unsafeNameReason rejects (absolute, `..`, backslashes, ...). */
  allowUnsafeNames?: boolean;
  /**
   * Give every entry an extended timestamp extra (default true). Without it
   * the headers hold only the DOS time (2-second resolution, no time zone).
   */
  extendedTimestamp?: boolean;
  /** Continue an existing archive instead of starting a new one (see ZipAppendBase). */
  append?: ZipAppendBase;
  onProgress?: (progress: WriterProgress) => void;
}

/**
 * Where an archive being appended to stands: the sink's first byte goes to
 * `offset` (where the old central directory began), and finish() writes the
 * old central records before the new ones.
 */
export interface ZipAppendBase {
  offset: number;
  /** The existing central directory records, verbatim. */
  central: Uint8Array;
  /** How many records `central` holds. */
  entries: number;
  /** Their names, so that duplicates are refused. */
  names: Iterable<string>;
}

export interface EntryOptions {
  /** 0 store, 8 deflate (default). */
  method?: 0 | 8;
  /** Deflate level 0..9 (default 6); ignored where the runtime has no levels. */
  level?: number;
  mtime?: Date;
  /** Unix permission bits (default 0o644 for files, 0o755 for directories). */
  mode?: number;
  comment?: string;
  /**
   * Known uncompressed size of a stream. Lets the writer decide ZIP64 up
   * front; a stream that then yields a different size fails with SIZE_MISMATCH.
   */
  size?: number;
  /** Extra fields for the local and central headers (not ZIP64, which the writer manages). */
  extraFields?: ExtraField[];
}

export interface DirectoryOptions {
  mtime?: Date;
  mode?: number;
  comment?: string;
}

/** Everything the local header needs for data that is already compressed. */
export interface RawEntryInfo {
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  mtime?: Date;
  mode?: number;
  comment?: string;
  extraFields?: ExtraField[];
}

/**
 * Data the caller compresses itself (SOZip's chunked Deflate, say), whose
 * CRC-32 and uncompressed size are only known once it has all been written.
 */
export interface CompressedEntryInfo {
  method: number;
  /**
   * Uncompressed size, when known up front. With a seekable sink the local
   * header is then patched with the real CRC and sizes after the data (no
   * data descriptor); otherwise a data descriptor follows the data.
   */
  size?: number;
  /** The largest compressed size the data can have, for the ZIP64 decision (default: a Deflate bound of `size`). */
  compressedBound?: number;
  mtime?: Date;
  mode?: number;
  comment?: string;
  extraFields?: ExtraField[];
  /** CRC-32 and size of the uncompressed content; called once the data has ended. */
  result: () => { crc32: number; uncompressedSize: number };
  /** Uncompressed bytes consumed so far, for progress reports. */
  consumed?: () => number;
}

export interface HiddenRecordOptions {
  mtime?: Date;
  /** Version needed to extract (default 2.0; 4.5 when ZIP64 is needed). */
  versionNeeded?: number;
  extraFields?: ExtraField[];
}

export interface WrittenEntry {
  name: string;
  /** Offset of the local header. */
  offset: number;
  /** Offset of the first byte of the member's data. */
  dataOffset: number;
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  isDirectory: boolean;
  /** Sizes are followed by a data descriptor (the input was a stream). */
  dataDescriptor: boolean;
  /** The local or the central record carries a ZIP64 extra. */
  zip64: boolean;
}

export interface FinishResult {
  entries: number;
  /** Total bytes written. */
  size: number;
  /** ZIP64 end records were written. */
  zip64: boolean;
}

type State = 'idle' | 'busy' | 'finished' | 'failed';

/** What the local and central records of one member share. */
interface Member {
  name: string;
  rawName: Uint8Array;
  rawComment: Uint8Array;
  flags: number;
  method: number;
  mtime: Date;
  externalAttributes: number;
  isDirectory: boolean;
  extraFields: ExtraField[];
}

/** What the data pass found out. */
interface Written {
  offset: number;
  dataOffset: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  /** The local header carried a ZIP64 extra. */
  localZip64: boolean;
  dataDescriptor: boolean;
  /** Put both sizes in the central ZIP64 extra, as the local header had them. */
  centralZip64Sizes?: boolean;
}

const DEFAULT_FILE_MODE = 0o644;
const DEFAULT_DIR_MODE = 0o755;
// MS-DOS attribute bits in the low byte of the external attributes.
const MSDOS_READONLY = 0x01;
const MSDOS_DIR = 0x10;
/** Small payloads go out in one write with their header. */
const COALESCE_LIMIT = 64 * 1024;
/** The central directory is written in blocks of about this size. */
const CD_BLOCK = 1 << 20;

export class ZipWriter {
  private readonly sink: Sink;
  private readonly rawComment: Uint8Array;
  private readonly mtime: Date;
  private readonly zip64Mode: 'auto' | 'always';
  private readonly allowUnsafeNames: boolean;
  private readonly extendedTimestamp: boolean;
  private readonly onProgress: ((p: WriterProgress) => void) | undefined;
  private state: State = 'idle';
  private failure: unknown;
  private pos = 0;
  /** Where this writer's first byte went (non-zero when appending). */
  private readonly start: number = 0;
  private bytesIn = 0;
  /** Input consumed by the member being written, when its writer counts it. */
  private consumed: (() => number) | undefined;
  private readonly names = new Set<string>();
  /** Encoded central directory records, in entry order. */
  private readonly central = new BlockBuffer(CD_BLOCK);
  private entries = 0;

  constructor(sink: Sink, options: ZipWriterOptions = {}) {
    this.sink = sink;
    this.rawComment = encodeUtf8(options.comment ?? '');
    if (this.rawComment.length > MAX_COMMENT) {
      throw new CozipError('INVALID_ARGUMENT', 'archive comment over 65,535 bytes');
    }
    // Readers find the EOCD by scanning backwards for its signature; one in
    // the comment would be found first.
    if (containsU32(this.rawComment, SIG_EOCD)) {
      throw new CozipError('INVALID_ARGUMENT', 'archive comment contains the EOCD signature');
    }
    this.mtime = checkDate(options.mtime ?? new Date(), 'mtime');
    const zip64 = options.zip64 ?? 'auto';
    if (zip64 !== 'auto' && zip64 !== 'always') {
      throw new CozipError('INVALID_ARGUMENT', `zip64 must be 'auto' or 'always', not ${zip64}`);
    }
    this.zip64Mode = zip64;
    this.allowUnsafeNames = options.allowUnsafeNames ?? false;
    this.extendedTimestamp = options.extendedTimestamp ?? true;
    this.onProgress = options.onProgress;
    const base = options.append;
    if (base) {
      checkSize(base.offset, 'append.offset');
      checkSize(base.entries, 'append.entries');
      this.pos = base.offset;
      this.start = base.offset;
      if (base.central.length > 0) this.central.push(base.central);
      this.entries = base.entries;
      for (const name of base.names) this.names.add(name);
    }
  }

  /** Bytes written to the sink so far: where the next record starts. */
  get offset(): number {
    return this.pos;
  }

  /** Adds a file. Resolves when its data is written; adds must not overlap. */
  add(name: string, data: ZipInput, options: EntryOptions = {}): Promise<WrittenEntry> {
    return this.run('add', async () => {
      const method = options.method ?? METHOD_DEFLATE;
      if (method !== METHOD_STORE && method !== METHOD_DEFLATE) {
        throw new CozipError('UNSUPPORTED_METHOD', `cannot compress with method ${method}`, {
          details: { name, method },
        });
      }
      const level = options.level ?? 6;
      if (!Number.isInteger(level) || level < 0 || level > 9) {
        throw new CozipError('INVALID_ARGUMENT', `deflate level must be 0..9, not ${level}`);
      }
      if (options.size !== undefined) checkSize(options.size, 'size');
      const m = this.member(name, false, method, options);
      if (typeof data === 'string' || data instanceof Uint8Array) {
        const bytes = typeof data === 'string' ? encodeUtf8(data) : data;
        if (options.size !== undefined && options.size !== bytes.length) {
          throw sizeMismatch(name, options.size, bytes.length);
        }
        const payload = method === METHOD_STORE ? bytes : await deflateRawBytes(bytes, level);
        const w = await this.writeKnown(m, payload, crc32(bytes), bytes.length);
        return this.complete(m, w);
      }
      const size = options.size ?? (isBlob(data) ? data.size : undefined);
      const w = await this.writeStream(m, toChunks(data), level, size);
      return this.complete(m, w);
    });
  }

  /** Adds a directory entry; a missing trailing `/` is added. */
  addDirectory(name: string, options: DirectoryOptions = {}): Promise<WrittenEntry> {
    return this.run('addDirectory', async () => {
      const dirName = typeof name === 'string' && !name.endsWith('/') ? `${name}/` : name;
      const m = this.member(dirName, true, METHOD_STORE, options);
      const w = await this.writeKnown(m, new Uint8Array(0), 0, 0);
      return this.complete(m, w);
    });
  }

  /**
   * Copies already compressed data verbatim (a member of another archive,
   * say). The sizes and CRC go in the local header, so no data descriptor is
   * needed. The compressed size is checked, and so is the CRC of stored data;
   * the CRC of compressed data is trusted (checking it would mean inflating).
   */
  addRaw(
    name: string,
    raw: Uint8Array | AsyncIterable<Uint8Array>,
    info: RawEntryInfo,
  ): Promise<WrittenEntry> {
    return this.run('addRaw', async () => {
      const { method, crc32: crc, compressedSize, uncompressedSize } = info;
      if (!Number.isInteger(method) || method < 0 || method > 0xffff) {
        throw new CozipError('INVALID_ARGUMENT', `invalid compression method ${method}`);
      }
      if (!Number.isInteger(crc) || crc < 0 || crc > 0xffffffff) {
        throw new CozipError('INVALID_ARGUMENT', `invalid CRC-32 ${crc}`);
      }
      checkSize(compressedSize, 'compressedSize');
      checkSize(uncompressedSize, 'uncompressedSize');
      if (method === METHOD_STORE && compressedSize !== uncompressedSize) {
        throw new CozipError('INVALID_ARGUMENT', 'stored data must have equal sizes', {
          details: { name, compressedSize, uncompressedSize },
        });
      }
      const m = this.member(name, false, method, info);
      if (raw instanceof Uint8Array) {
        if (raw.length !== compressedSize) throw sizeMismatch(name, compressedSize, raw.length);
        if (method === METHOD_STORE) checkCrc(name, crc, crc32(raw));
        const w = await this.writeKnown(m, raw, crc, uncompressedSize);
        return this.complete(m, w);
      }
      const w = await this.writeRawStream(m, raw, crc, compressedSize, uncompressedSize);
      return this.complete(m, w);
    });
  }

  /**
   * Adds a member whose data the caller compresses (see CompressedEntryInfo):
   * `compressed` is written as is, and the CRC and sizes come from
   * `info.result()` once it has ended.
   */
  addCompressed(
    name: string,
    compressed: AsyncIterable<Uint8Array>,
    info: CompressedEntryInfo,
  ): Promise<WrittenEntry> {
    return this.run('addCompressed', async () => {
      const { method, size } = info;
      if (!Number.isInteger(method) || method < 0 || method > 0xffff) {
        throw new CozipError('INVALID_ARGUMENT', `invalid compression method ${method}`);
      }
      if (size !== undefined) checkSize(size, 'size');
      if (info.compressedBound !== undefined) checkSize(info.compressedBound, 'compressedBound');
      const m = this.member(name, false, method, info);
      const w =
        size !== undefined && this.sink.writeAt !== undefined
          ? await this.writePatched(m, compressed, info, size)
          : await this.writeDescribed(m, compressed, info);
      return this.complete(m, w);
    });
  }

  /**
   * Writes a stored local record that no central record lists, so readers
   * that go by the central directory never see it (a SOZip index, say). Its
   * name is reserved: a later entry may not use it.
   */
  writeHidden(
    name: string,
    data: Uint8Array,
    options: HiddenRecordOptions = {},
  ): Promise<{ offset: number; dataOffset: number }> {
    return this.run('writeHidden', async () => {
      const m = this.member(name, false, METHOD_STORE, options);
      const zip64 = needsZip64(data.length);
      const extra: ExtraField[] = [];
      if (zip64) {
        extra.push(
          encodeZip64Extra({ uncompressedSize: data.length, compressedSize: data.length }),
        );
      }
      extra.push(...m.extraFields);
      const dos = toDosDateTime(m.mtime);
      const version = options.versionNeeded ?? VERSION_DEFLATE;
      const header = encodeLocalHeader({
        versionNeeded: zip64 ? Math.max(version, VERSION_ZIP64) : version,
        flags: m.flags,
        method: METHOD_STORE,
        dosTime: dos.time,
        dosDate: dos.date,
        crc32: crc32(data),
        compressedSize: zip64 ? U32_SENTINEL : data.length,
        uncompressedSize: zip64 ? U32_SENTINEL : data.length,
        rawName: m.rawName,
        extra: encodeExtraFields(extra),
      });
      const offset = this.pos;
      if (header.length + data.length <= COALESCE_LIMIT) {
        await this.emit(concatBytes([header, data]));
      } else {
        await this.emit(header);
        await this.emit(data);
      }
      this.progress();
      return { offset, dataOffset: offset + header.length };
    });
  }

  /** Writes the central directory and end records, then closes the sink. */
  finish(): Promise<FinishResult> {
    return this.run(
      'finish',
      async () => {
        const cdOffset = this.pos;
        for (const block of this.central.blocks()) await this.emit(block);
        const cdSize = this.pos - cdOffset;
        const count = this.entries;
        const zip64 =
          this.zip64Mode === 'always' ||
          needsZip64Count(count) ||
          needsZip64(cdSize) ||
          needsZip64(cdOffset);
        const end: Uint8Array[] = [];
        if (zip64) {
          end.push(
            encodeZip64Eocd({
              versionMadeBy: (HOST_UNIX << 8) | VERSION_ZIP64,
              versionNeeded: VERSION_ZIP64,
              diskNumber: 0,
              cdDisk: 0,
              entriesOnDisk: count,
              entriesTotal: count,
              cdSize,
              cdOffset,
              extensible: new Uint8Array(0),
            }),
            encodeZip64Locator({ eocdDisk: 0, zip64EocdOffset: this.pos, totalDisks: 1 }),
          );
        }
        // Only the fields that overflow say "see the ZIP64 record".
        const count16 = needsZip64Count(count) ? U16_SENTINEL : count;
        end.push(
          encodeEocd({
            diskNumber: 0,
            cdDisk: 0,
            entriesOnDisk: count16,
            entriesTotal: count16,
            cdSize: needsZip64(cdSize) ? U32_SENTINEL : cdSize,
            cdOffset: needsZip64(cdOffset) ? U32_SENTINEL : cdOffset,
            comment: this.rawComment,
          }),
        );
        await this.emit(concatBytes(end));
        // Reported before close: once the sink has the archive, nothing may fail.
        this.progress();
        await this.sink.close();
        return { entries: count, size: this.pos, zip64 };
      },
      'finished',
    );
  }

  /**
   * Abandons the archive: aborts the sink (a file sink deletes its temp
   * file) and fails every later call. A no-op once finished or failed.
   */
  async abort(reason?: unknown): Promise<void> {
    if (this.state === 'finished' || this.state === 'failed') return;
    await this.fail(reason ?? new CozipError('ABORTED', 'zip writer aborted'));
  }

  // --- state ---

  /**
   * Runs one public operation. Operations are strictly sequential, and any
   * error leaves the archive unusable: the sink is aborted so that a failed
   * archive never looks like a finished one.
   */
  private async run<T>(what: string, op: () => Promise<T>, after: State = 'idle'): Promise<T> {
    if (this.state !== 'idle') {
      const err = new CozipError('WRITER_STATE', `${what}: ${stateMessage(this.state)}`, {
        details: { state: this.state },
        cause: this.state === 'failed' ? this.failure : undefined,
      });
      if (this.state === 'busy') await this.fail(err);
      throw err;
    }
    this.state = 'busy';
    try {
      const result = await op();
      if (this.state !== 'busy') throw this.abortedError();
      this.state = after;
      return result;
    } catch (err) {
      await this.fail(err);
      throw err;
    }
  }

  private async fail(err: unknown): Promise<void> {
    if (this.state === 'failed' || this.state === 'finished') return;
    this.state = 'failed';
    this.failure = err;
    try {
      await this.sink.abort?.(err);
    } catch {
      // The original error is what the caller needs to see.
    }
  }

  private abortedError(): CozipError {
    return new CozipError('ABORTED', 'zip writer was aborted', { cause: this.failure });
  }

  private async emit(chunk: Uint8Array): Promise<void> {
    if (this.state !== 'busy') throw this.abortedError();
    if (chunk.length === 0) return;
    await this.sink.write(chunk);
    this.pos += chunk.length;
  }

  private progress(): void {
    this.onProgress?.({
      entries: this.entries,
      bytesIn: this.bytesIn + (this.consumed?.() ?? 0),
      bytesOut: this.pos - this.start,
    });
  }

  // --- members ---

  /** Validates the name and options shared by every kind of entry. */
  private member(
    name: string,
    isDirectory: boolean,
    method: number,
    options: { mtime?: Date; mode?: number; comment?: string; extraFields?: ExtraField[] },
  ): Member {
    if (typeof name !== 'string' || name.length === 0 || name === '/') {
      throw new CozipError('INVALID_NAME', 'entry name is empty', { details: { name } });
    }
    if (!this.allowUnsafeNames) {
      const reason = unsafeNameReason(name);
      if (reason) {
        const shown = JSON.stringify(name);
        throw new CozipError('INVALID_NAME', `unsafe entry name ${shown}: ${reason}`, {
          details: { name, reason },
        });
      }
    }
    if (!isDirectory && name.endsWith('/')) {
      throw new CozipError('INVALID_NAME', `${name} ends with /: use addDirectory`, {
        details: { name },
      });
    }
    const rawName = encodeUtf8(name);
    if (rawName.length > 0xffff) {
      throw new CozipError('INVALID_NAME', 'entry name over 65,535 bytes', { details: { name } });
    }
    if (this.names.has(name)) {
      throw new CozipError('DUPLICATE_NAME', `duplicate entry name ${name}`, { details: { name } });
    }
    const rawComment = encodeUtf8(options.comment ?? '');
    if (rawComment.length > MAX_COMMENT) {
      throw new CozipError('INVALID_ARGUMENT', `comment of ${name} over 65,535 bytes`);
    }
    const mtime = checkDate(options.mtime ?? this.mtime, 'mtime');
    const mode = options.mode ?? (isDirectory ? DEFAULT_DIR_MODE : DEFAULT_FILE_MODE);
    if (!Number.isInteger(mode) || mode < 0) {
      throw new CozipError('INVALID_ARGUMENT', `invalid mode ${mode}`);
    }
    const extraFields = options.extraFields ?? [];
    for (const f of extraFields) {
      if (f.id === EXTRA_ZIP64) {
        throw new CozipError('INVALID_ARGUMENT', 'the ZIP64 extra field is managed by the writer');
      }
    }
    // Only the permission bits are taken: the type comes from the entry kind.
    const perm = mode & 0o7777;
    const unixMode = (isDirectory ? S_IFDIR : S_IFREG) | perm;
    const dosBits = (isDirectory ? MSDOS_DIR : 0) | (perm & 0o200 ? 0 : MSDOS_READONLY);
    this.names.add(name);
    return {
      name,
      rawName,
      rawComment,
      flags: isAscii(rawName) && isAscii(rawComment) ? 0 : FLAG_UTF8,
      method,
      mtime,
      externalAttributes: unixMode * 0x10000 + dosBits,
      isDirectory,
      extraFields,
    };
  }

  /** ZIP64 sizes for every file in 'always' mode; directories have no data. */
  private forceZip64(m: Member): boolean {
    return this.zip64Mode === 'always' && !m.isDirectory;
  }

  private localHeader(
    m: Member,
    flags: number,
    crc: number,
    compressedSize: number,
    uncompressedSize: number,
    zip64: boolean,
  ): Uint8Array {
    const extra: ExtraField[] = [];
    // In a local header the ZIP64 extra must hold both sizes (APPNOTE 4.5.3).
    if (zip64) extra.push(encodeZip64Extra({ uncompressedSize, compressedSize }));
    extra.push(...m.extraFields);
    if (this.extendedTimestamp) extra.push(encodeExtendedTimestamp(m.mtime));
    const dos = toDosDateTime(m.mtime);
    return encodeLocalHeader({
      versionNeeded: versionNeeded(m, zip64),
      flags: m.flags | flags,
      method: m.method,
      dosTime: dos.time,
      dosDate: dos.date,
      crc32: crc,
      compressedSize: zip64 ? U32_SENTINEL : compressedSize,
      uncompressedSize: zip64 ? U32_SENTINEL : uncompressedSize,
      rawName: m.rawName,
      extra: encodeExtraFields(extra),
    });
  }

  /** A member whose CRC and sizes are known before its data is written. */
  private async writeKnown(
    m: Member,
    payload: Uint8Array,
    crc: number,
    uncompressedSize: number,
  ): Promise<Written> {
    const offset = this.pos;
    const zip64 = this.forceZip64(m) || needsZip64(uncompressedSize) || needsZip64(payload.length);
    const header = this.localHeader(m, 0, crc, payload.length, uncompressedSize, zip64);
    if (payload.length <= COALESCE_LIMIT) {
      await this.emit(concatBytes([header, payload]));
    } else {
      await this.emit(header);
      await this.emit(payload);
    }
    this.bytesIn += uncompressedSize;
    return {
      offset,
      dataOffset: offset + header.length,
      crc32: crc,
      compressedSize: payload.length,
      uncompressedSize,
      localZip64: zip64,
      dataDescriptor: false,
    };
  }

  /**
   * A member read from a stream: the CRC and sizes follow the data in a
   * descriptor (flag bit 3). A size hint at or over 4 GiB puts a ZIP64 extra
   * in the local header, which tells readers the descriptor has 8-byte sizes;
   * without a hint a member that turns out that large still gets an 8-byte
   * descriptor (as Go's writer does) and correct central records.
   */
  private async writeStream(
    m: Member,
    chunks: AsyncIterable<Uint8Array>,
    level: number,
    size: number | undefined,
  ): Promise<Written> {
    const offset = this.pos;
    const localZip64 = this.forceZip64(m) || (size !== undefined && needsZip64(size));
    const header = this.localHeader(m, FLAG_DATA_DESCRIPTOR, 0, 0, 0, localZip64);
    await this.emit(header);
    const dataOffset = this.pos;

    const input = { crc: 0, n: 0 };
    const counted = this.counted(m.name, chunks, input, size);
    const out = m.method === METHOD_DEFLATE ? deflateRaw(counted, level) : counted;
    for await (const chunk of out) {
      await this.emit(chunk);
      this.progress();
    }
    const { crc, n } = input;
    if (size !== undefined && n !== size) throw sizeMismatch(m.name, size, n);
    const compressedSize = this.pos - dataOffset;
    const zip64 = localZip64 || needsZip64(n) || needsZip64(compressedSize);
    await this.emit(
      encodeDataDescriptor({ crc32: crc, compressedSize, uncompressedSize: n }, zip64),
    );
    return {
      offset,
      dataOffset,
      crc32: crc,
      compressedSize,
      uncompressedSize: n,
      localZip64,
      dataDescriptor: true,
    };
  }

  /**
   * Passes a member's input through, keeping its CRC-32 and length in `into`
   * and failing as soon as it runs past the size hint.
   */
  private async *counted(
    name: string,
    chunks: AsyncIterable<Uint8Array>,
    into: { crc: number; n: number },
    size: number | undefined,
  ): AsyncIterable<Uint8Array> {
    for await (const chunk of chunks) {
      if (!(chunk instanceof Uint8Array)) {
        throw new CozipError('INVALID_ARGUMENT', `stream for ${name} yielded a non-byte chunk`);
      }
      if (chunk.length === 0) continue;
      into.n += chunk.length;
      if (size !== undefined && into.n > size) throw sizeMismatch(name, size, into.n, true);
      into.crc = crc32(chunk, into.crc);
      this.bytesIn += chunk.length;
      yield chunk;
    }
  }

  /** Precompressed data from a stream, with sizes and CRC known up front. */
  private async writeRawStream(
    m: Member,
    chunks: AsyncIterable<Uint8Array>,
    crc: number,
    compressedSize: number,
    uncompressedSize: number,
  ): Promise<Written> {
    const offset = this.pos;
    const zip64 = this.forceZip64(m) || needsZip64(uncompressedSize) || needsZip64(compressedSize);
    const header = this.localHeader(m, 0, crc, compressedSize, uncompressedSize, zip64);
    await this.emit(header);
    const dataOffset = this.pos;
    // Stored bytes are the content: their CRC can be checked on the way through.
    let storedCrc = 0;
    for await (const chunk of chunks) {
      if (!(chunk instanceof Uint8Array)) {
        throw new CozipError('INVALID_ARGUMENT', `stream for ${m.name} yielded a non-byte chunk`);
      }
      if (this.pos - dataOffset + chunk.length > compressedSize) {
        throw sizeMismatch(m.name, compressedSize, this.pos - dataOffset + chunk.length, true);
      }
      if (m.method === METHOD_STORE) storedCrc = crc32(chunk, storedCrc);
      await this.emit(chunk);
      this.progress();
    }
    if (this.pos - dataOffset !== compressedSize) {
      throw sizeMismatch(m.name, compressedSize, this.pos - dataOffset);
    }
    if (m.method === METHOD_STORE) checkCrc(m.name, crc, storedCrc);
    this.bytesIn += uncompressedSize;
    return {
      offset,
      dataOffset,
      crc32: crc,
      compressedSize,
      uncompressedSize,
      localZip64: zip64,
      dataDescriptor: false,
    };
  }

  /**
   * Caller-compressed data of known size on a seekable sink: the local header
   * goes out with zero CRC and sizes and is rewritten in place afterwards.
   * ZIP64 is decided up front from the size and the compressed bound.
   */
  private async writePatched(
    m: Member,
    chunks: AsyncIterable<Uint8Array>,
    info: CompressedEntryInfo,
    size: number,
  ): Promise<Written> {
    const offset = this.pos;
    const bound = info.compressedBound ?? deflateBound(size);
    const zip64 = this.forceZip64(m) || needsZip64(size) || needsZip64(bound);
    await this.emit(this.localHeader(m, 0, 0, 0, 0, zip64));
    const dataOffset = this.pos;
    await this.emitAll(m, chunks, info.consumed);
    const compressedSize = this.pos - dataOffset;
    const { crc32: crc, uncompressedSize } = info.result();
    if (uncompressedSize !== size) throw sizeMismatch(m.name, size, uncompressedSize);
    if (!zip64 && needsZip64(compressedSize)) {
      throw new CozipError(
        'TOO_LARGE',
        `${m.name}: ${compressedSize} compressed bytes exceed the bound ${bound} given`,
        { details: { name: m.name, compressedSize, bound } },
      );
    }
    const header = this.localHeader(m, 0, crc, compressedSize, uncompressedSize, zip64);
    await this.sink.writeAt!(offset, header);
    this.bytesIn += uncompressedSize;
    return {
      offset,
      dataOffset,
      crc32: crc,
      compressedSize,
      uncompressedSize,
      localZip64: zip64,
      dataDescriptor: false,
      centralZip64Sizes: zip64,
    };
  }

  /** Caller-compressed data followed by a data descriptor (flag bit 3). */
  private async writeDescribed(
    m: Member,
    chunks: AsyncIterable<Uint8Array>,
    info: CompressedEntryInfo,
  ): Promise<Written> {
    const offset = this.pos;
    const { size } = info;
    const localZip64 =
      this.forceZip64(m) ||
      (size !== undefined &&
        (needsZip64(size) || needsZip64(info.compressedBound ?? deflateBound(size))));
    await this.emit(this.localHeader(m, FLAG_DATA_DESCRIPTOR, 0, 0, 0, localZip64));
    const dataOffset = this.pos;
    await this.emitAll(m, chunks, info.consumed);
    const compressedSize = this.pos - dataOffset;
    const { crc32: crc, uncompressedSize: n } = info.result();
    if (size !== undefined && n !== size) throw sizeMismatch(m.name, size, n);
    const zip64 = localZip64 || needsZip64(n) || needsZip64(compressedSize);
    await this.emit(
      encodeDataDescriptor({ crc32: crc, compressedSize, uncompressedSize: n }, zip64),
    );
    this.bytesIn += n;
    return {
      offset,
      dataOffset,
      crc32: crc,
      compressedSize,
      uncompressedSize: n,
      localZip64,
      dataDescriptor: true,
    };
  }

  /** Writes caller-produced chunks, reporting progress with their input count. */
  private async emitAll(
    m: Member,
    chunks: AsyncIterable<Uint8Array>,
    consumed: (() => number) | undefined,
  ): Promise<void> {
    this.consumed = consumed;
    try {
      for await (const chunk of chunks) {
        if (!(chunk instanceof Uint8Array)) {
          throw new CozipError('INVALID_ARGUMENT', `stream for ${m.name} yielded a non-byte chunk`);
        }
        await this.emit(chunk);
        this.progress();
      }
    } finally {
      this.consumed = undefined;
    }
  }

  /** Encodes the member's central record and reports it. */
  private complete(m: Member, w: Written): WrittenEntry {
    const force = this.forceZip64(m);
    // Only the fields whose 32-bit value is the sentinel go in the extra.
    const z: Zip64Values = {};
    const sizes = force || w.centralZip64Sizes === true;
    if (sizes || needsZip64(w.uncompressedSize)) z.uncompressedSize = w.uncompressedSize;
    if (sizes || needsZip64(w.compressedSize)) z.compressedSize = w.compressedSize;
    if (needsZip64(w.offset)) z.localHeaderOffset = w.offset;
    const centralZip64 =
      z.uncompressedSize !== undefined ||
      z.compressedSize !== undefined ||
      z.localHeaderOffset !== undefined;
    const extra: ExtraField[] = [];
    if (centralZip64) extra.push(encodeZip64Extra(z));
    extra.push(...m.extraFields);
    if (this.extendedTimestamp) extra.push(encodeExtendedTimestamp(m.mtime));
    const zip64 = centralZip64 || w.localZip64;
    const version = versionNeeded(m, zip64);
    const dos = toDosDateTime(m.mtime);
    this.entries++;
    this.central.push(
      encodeCentralHeader({
        versionMadeBy: (HOST_UNIX << 8) | version,
        versionNeeded: version,
        flags: m.flags | (w.dataDescriptor ? FLAG_DATA_DESCRIPTOR : 0),
        method: m.method,
        dosTime: dos.time,
        dosDate: dos.date,
        crc32: w.crc32,
        compressedSize: z.compressedSize === undefined ? w.compressedSize : U32_SENTINEL,
        uncompressedSize: z.uncompressedSize === undefined ? w.uncompressedSize : U32_SENTINEL,
        diskStart: 0,
        internalAttributes: 0,
        externalAttributes: m.externalAttributes,
        localHeaderOffset: z.localHeaderOffset === undefined ? w.offset : U32_SENTINEL,
        rawName: m.rawName,
        extra: encodeExtraFields(extra),
        rawComment: m.rawComment,
      }),
    );
    this.progress();
    return {
      name: m.name,
      offset: w.offset,
      dataOffset: w.dataOffset,
      method: m.method,
      crc32: w.crc32,
      compressedSize: w.compressedSize,
      uncompressedSize: w.uncompressedSize,
      isDirectory: m.isDirectory,
      dataDescriptor: w.dataDescriptor,
      zip64,
    };
  }
}

/**
 * Bytes appended in blocks of about `blockSize`: a million small central
 * records cost a few dozen arrays rather than a million.
 */
class BlockBuffer {
  private readonly full: Uint8Array[] = [];
  private current: Uint8Array;
  private used = 0;

  constructor(private readonly blockSize: number) {
    this.current = new Uint8Array(0);
  }

  push(bytes: Uint8Array): void {
    if (this.used + bytes.length > this.current.length) {
      if (this.used > 0) this.full.push(this.current.subarray(0, this.used));
      this.current = new Uint8Array(Math.max(this.blockSize, bytes.length));
      this.used = 0;
    }
    this.current.set(bytes, this.used);
    this.used += bytes.length;
  }

  blocks(): Uint8Array[] {
    return this.used > 0 ? [...this.full, this.current.subarray(0, this.used)] : [...this.full];
  }
}

/** Version needed to extract: 1.0 store, 2.0 deflate and directories, 4.5 ZIP64. */
function versionNeeded(m: Member, zip64: boolean): number {
  let v: number;
  if (m.isDirectory || m.method === METHOD_DEFLATE) v = VERSION_DEFLATE;
  else if (m.method === METHOD_STORE) v = VERSION_STORE;
  else if (m.method === METHOD_ZSTD) v = VERSION_ZSTD;
  else v = VERSION_DEFLATE;
  return zip64 ? Math.max(v, VERSION_ZIP64) : v;
}

function stateMessage(state: State): string {
  switch (state) {
    case 'busy':
      return 'another operation is in progress (adds must be awaited one at a time)';
    case 'finished':
      return 'the archive is already finished';
    case 'failed':
      return 'the writer failed or was aborted';
    default:
      return 'invalid state';
  }
}

function sizeMismatch(name: string, expected: number, actual: number, atLeast = false): CozipError {
  return new CozipError(
    'SIZE_MISMATCH',
    `${name}: expected ${expected} bytes, got ${atLeast ? 'at least ' : ''}${actual}`,
    { details: { name, expected, actual } },
  );
}

function checkCrc(name: string, expected: number, actual: number): void {
  if (expected !== actual) {
    throw new CozipError('CRC_MISMATCH', `${name}: stored data does not match the CRC-32 given`, {
      details: { name, expected, actual },
    });
  }
}

function checkSize(v: number, what: string): void {
  if (!Number.isSafeInteger(v) || v < 0) {
    throw new CozipError('INVALID_ARGUMENT', `${what} must be a non-negative integer, not ${v}`);
  }
}

function checkDate(d: Date, what: string): Date {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) {
    throw new CozipError('INVALID_ARGUMENT', `${what} must be a valid Date`);
  }
  return d;
}

function containsU32(b: Uint8Array, v: number): boolean {
  const b0 = v & 0xff;
  const b1 = (v >>> 8) & 0xff;
  const b2 = (v >>> 16) & 0xff;
  const b3 = v >>> 24;
  for (let i = 0; i + 3 < b.length; i++) {
    if (b[i] === b0 && b[i + 1] === b1 && b[i + 2] === b2 && b[i + 3] === b3) return true;
  }
  return false;
}

/** zlib's deflateBound for raw Deflate, rounded up: the most `n` bytes can grow to. */
function deflateBound(n: number): number {
  return n + Math.ceil(n / 4096) + Math.ceil(n / 16384) + Math.ceil(n / 33554432) + 16;
}

export function isBlob(data: unknown): data is Blob {
  return typeof Blob !== 'undefined' && data instanceof Blob;
}

/** Any non-bytes ZipInput as an async iterable of chunks. */
export function toChunks(data: Exclude<ZipInput, Uint8Array | string>): AsyncIterable<Uint8Array> {
  if (isBlob(data)) return iterateStream(data.stream() as ReadableStream<Uint8Array>);
  if (typeof ReadableStream !== 'undefined' && data instanceof ReadableStream) {
    return iterateStream(data);
  }
  if (data && typeof (data as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function') {
    return data as AsyncIterable<Uint8Array>;
  }
  throw new CozipError(
    'INVALID_ARGUMENT',
    'entry data must be a Uint8Array, a string, an async iterable, a ReadableStream or a Blob',
  );
}
