// A member's bytes: resolve its local header to find where the data starts,
// then stream, decompress and verify (size and CRC-32) what it holds.
import { CozipError } from '../errors.js';
import type { ReadOptions } from '../io/source.js';
import { readAll, readStream } from '../io/stream.js';
import {
  crc32,
  getDecompressor,
  inflateRawBytes,
  inflateRawCrc,
  inflateRawInto,
  methodName,
} from './codecs.js';
import { LOCAL_HEADER_SIZE, METHOD_DEFLATE, METHOD_STORE } from './constants.js';
import type { ZipEntry } from './entry.js';
import {
  decodeLocalHeader,
  decodeLocalHeaderFixed,
  type LocalHeader,
  ownLocalHeader,
} from './local-header.js';
import type { ZipArchive } from './reader.js';

export interface LocalRecord {
  header: LocalHeader;
  /** Absolute offset of the first byte of the member's data. */
  payloadOffset: number;
}

const localRecords = new WeakMap<ZipEntry, LocalRecord>();

/**
 * Reads the local header of `entry` (one small read: the central lengths
 * predict its size; a longer local extra costs one more).
 */
export async function readLocalRecord(
  archive: ZipArchive,
  entry: ZipEntry,
  options: ReadOptions = {},
): Promise<LocalRecord> {
  let record = localRecords.get(entry);
  if (!record) {
    const fetched = (await fetchLocal(archive, entry, 0, options)).record;
    record = { header: ownLocalHeader(fetched.header), payloadOffset: fetched.payloadOffset };
    localRecords.set(entry, record);
  }
  return record;
}

/**
 * Reads the local header and, speculatively in the same request, the next
 * `dataBytes` bytes; `bytes` starts at the local header. Member reads do not
 * keep the record: a re-read fetches header and data together again, and a
 * million records kept for entries read once would be the archive's memory.
 */
async function fetchLocal(
  archive: ZipArchive,
  entry: ZipEntry,
  dataBytes: number,
  options: ReadOptions,
): Promise<{ record: LocalRecord; bytes: Uint8Array }> {
  const at = entry.localHeaderOffset;
  const limit = archive.source.size;
  if (at + LOCAL_HEADER_SIZE > limit) {
    throw new CozipError(
      'BAD_RECORD',
      `local header offset ${at} of ${entry.name} is past the end of the archive`,
      { details: { name: entry.name, offset: at } },
    );
  }
  // Local extras usually equal the central ones; 64 spare bytes absorb small differences.
  const guess = LOCAL_HEADER_SIZE + entry.rawName.length + entry.extra.length + 64 + dataBytes;
  // With the data, this is a member read: nothing a cache should keep.
  const read = dataBytes > 0 ? { ...options, cache: false } : options;
  let bytes = await archive.source.read(at, Math.min(limit, at + guess), read);
  const fixed = decodeLocalHeaderFixed(bytes, 0, at);
  const length = LOCAL_HEADER_SIZE + fixed.nameLength + fixed.extraLength;
  if (length > bytes.length) {
    if (at + length > limit) {
      throw new CozipError(
        'TRUNCATED',
        `local header of ${entry.name} runs past the end of the archive`,
      );
    }
    bytes = await archive.source.read(at, at + length, options);
  }
  const record = { header: decodeLocalHeader(bytes, 0, at), payloadOffset: at + length };
  return { record, bytes };
}

/**
 * Reads the local headers of many entries with few requests, filling the
 * cache readLocalRecord uses: entries sorted by offset whose headers lie
 * within `window` bytes of each other share one read. Headers that do not
 * decode here are left for readLocalRecord, which reports them.
 */
export async function prefetchLocalRecords(
  archive: ZipArchive,
  entries: ZipEntry[],
  options: ReadOptions & { window?: number } = {},
): Promise<void> {
  const window = options.window ?? 1 << 20;
  const size = archive.source.size;
  const todo = entries
    .filter((e) => !localRecords.has(e))
    .sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  const guessEnd = (e: ZipEntry) =>
    Math.min(
      size,
      e.localHeaderOffset + LOCAL_HEADER_SIZE + e.rawName.length + e.extra.length + 64,
    );
  for (let i = 0; i < todo.length; ) {
    const start = todo[i].localHeaderOffset;
    if (start + LOCAL_HEADER_SIZE > size) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < todo.length && guessEnd(todo[j]) - start <= window) j++;
    const end = Math.max(...todo.slice(i, j).map(guessEnd));
    const bytes = await archive.source.read(start, end, options);
    for (const e of todo.slice(i, j)) {
      try {
        const o = e.localHeaderOffset - start;
        const header = ownLocalHeader(decodeLocalHeader(bytes, o, e.localHeaderOffset));
        const length = LOCAL_HEADER_SIZE + header.rawName.length + header.extra.length;
        localRecords.set(e, { header, payloadOffset: e.localHeaderOffset + length });
      } catch {
        // readLocalRecord will fetch it alone and report the problem.
      }
    }
    i = j;
  }
}

export async function payloadOffset(
  archive: ZipArchive,
  entry: ZipEntry,
  options: ReadOptions = {},
) {
  return (await readLocalRecord(archive, entry, options)).payloadOffset;
}

/** Checks that `entry` can be opened at all, before any data is read. */
function checkOpenable(entry: ZipEntry): void {
  if (entry.encrypted) {
    throw new CozipError('ENCRYPTED', `${entry.name} is encrypted; encryption is not supported`, {
      details: { name: entry.name },
    });
  }
  if (!getDecompressor(entry.method)) {
    throw new CozipError(
      'UNSUPPORTED_METHOD',
      `${entry.name} uses unsupported compression method ${entry.method} (${methodName(entry.method)})`,
      { details: { name: entry.name, method: entry.method } },
    );
  }
  if (entry.method === METHOD_STORE && entry.compressedSize !== entry.uncompressedSize) {
    throw new CozipError(
      'SIZE_MISMATCH',
      `stored member ${entry.name} has compressed size ${entry.compressedSize} but uncompressed size ${entry.uncompressedSize}`,
      { details: { name: entry.name } },
    );
  }
}

/** [start, end) of the member's compressed data, checked against the archive bounds. */
export async function payloadRange(
  archive: ZipArchive,
  entry: ZipEntry,
  options: ReadOptions = {},
): Promise<{ start: number; end: number }> {
  return dataRange(archive, entry, await payloadOffset(archive, entry, options));
}

/**
 * [start, end) of the member's compressed data when it starts at `start`;
 * BAD_RECORD when that runs past the archive or into its central directory.
 */
export function dataRange(
  archive: ZipArchive,
  entry: ZipEntry,
  start: number,
): { start: number; end: number } {
  const end = start + entry.compressedSize;
  // Data belongs before the central directory.
  const limit = Math.min(archive.source.size, archive.cdOffset);
  if (end > limit) {
    throw new CozipError(
      'BAD_RECORD',
      `data of ${entry.name} overflows the archive: [${start}, ${end}) past ${limit}`,
      { details: { name: entry.name, start, end, limit } },
    );
  }
  return { start, end };
}

/**
 * The member's compressed bytes. When the local header is not known yet, it
 * is fetched together with the data: one request for the whole member.
 */
async function readPayload(
  archive: ZipArchive,
  entry: ZipEntry,
  options: ReadOptions,
): Promise<Uint8Array> {
  const known = localRecords.get(entry);
  if (known) {
    const { start, end } = dataRange(archive, entry, known.payloadOffset);
    return archive.source.read(start, end, { ...options, cache: false });
  }
  const { record, bytes } = await fetchLocal(archive, entry, entry.compressedSize, options);
  const { start, end } = dataRange(archive, entry, record.payloadOffset);
  const from = start - entry.localHeaderOffset;
  if (from + entry.compressedSize <= bytes.length)
    return bytes.subarray(from, from + entry.compressedSize);
  return archive.source.read(start, end, { ...options, cache: false });
}

/** Members up to this size are fetched whole, header included, in one request. */
const SMALL_MEMBER = 4 * 1024 * 1024;

/** The member's stored (compressed) bytes, as they are in the archive. */
export async function* openEntryRaw(
  archive: ZipArchive,
  entry: ZipEntry,
  options: ReadOptions = {},
): AsyncIterable<Uint8Array> {
  if (entry.compressedSize <= SMALL_MEMBER) {
    yield await readPayload(archive, entry, options);
    return;
  }
  const { start, end } = await payloadRange(archive, entry, options);
  yield* readStream(archive.source, start, end, options);
}

/** The member's content as a stream, decompressed; size and CRC-32 are checked at the end. */
export async function* openEntry(
  archive: ZipArchive,
  entry: ZipEntry,
  options: ReadOptions = {},
): AsyncIterable<Uint8Array> {
  checkOpenable(entry);
  const decompress = getDecompressor(entry.method)!;
  yield* verifyContent(entry, decompress(openEntryRaw(archive, entry, options)));
}

/**
 * openEntry for a member whose data offset is already known (a scan read its
 * local header): the data alone, streamed, decompressed and verified.
 */
export async function* openEntryAt(
  archive: ZipArchive,
  entry: ZipEntry,
  payloadOffset: number,
  options: ReadOptions = {},
): AsyncIterable<Uint8Array> {
  checkOpenable(entry);
  const { start, end } = dataRange(archive, entry, payloadOffset);
  const decompress = getDecompressor(entry.method)!;
  yield* verifyContent(entry, decompress(readStream(archive.source, start, end, options)));
}

/** Passes chunks through while checking the total size and CRC-32 against the entry. */
export function verifyContent(
  entry: ZipEntry,
  chunks: AsyncIterable<Uint8Array>,
): AsyncIterable<Uint8Array> {
  return checkedContent(entry.name, entry.uncompressedSize, chunks, () => entry.crc32);
}

/**
 * Passes chunks through while counting and hashing them: the count must end
 * at exactly `size`, and the CRC-32 must be what `expectedCrc` gives once
 * the data has ended (it may read a data descriptor; undefined: unknown, not
 * checked).
 */
export async function* checkedContent(
  name: string,
  size: number,
  chunks: AsyncIterable<Uint8Array>,
  expectedCrc: () => number | undefined | Promise<number | undefined>,
): AsyncIterable<Uint8Array> {
  let crc = 0;
  let n = 0;
  for await (const chunk of chunks) {
    n += chunk.length;
    if (n > size) throw tooMany(name, size, n);
    crc = crc32(chunk, crc);
    yield chunk;
  }
  checkSize(name, size, n);
  checkCrc(name, await expectedCrc(), crc);
}

function tooMany(name: string, size: number, n: number): CozipError {
  return new CozipError(
    'SIZE_MISMATCH',
    `too many bytes in ${name}: expected ${size}, got at least ${n}`,
    { details: { name, expected: size } },
  );
}

function checkSize(name: string, size: number, n: number): void {
  if (n !== size) {
    throw new CozipError(
      'SIZE_MISMATCH',
      `not enough bytes in ${name}: expected ${size}, got only ${n}`,
      { details: { name, expected: size, actual: n } },
    );
  }
}

function checkCrc(name: string, expected: number | undefined, crc: number): void {
  if (expected !== undefined && crc !== expected) {
    throw new CozipError(
      'CRC_MISMATCH',
      `CRC-32 of ${name} is ${hex(crc)}, expected ${hex(expected)}`,
      { details: { name, expected, actual: crc } },
    );
  }
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

/** Members up to this size are read with one request and inflated in one call. */
const ONE_SHOT_LIMIT = 64 * 1024 * 1024;
/** Above this, a single Uint8Array is not sensible: use openEntry. */
const BYTES_LIMIT = 2 ** 31 - 1;

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

/** Store and deflate members this small decode in one call, without a stream. */
function decodesInOneCall(entry: ZipEntry): boolean {
  return (
    (entry.method === METHOD_STORE || entry.method === METHOD_DEFLATE) &&
    entry.compressedSize <= ONE_SHOT_LIMIT &&
    entry.uncompressedSize <= ONE_SHOT_LIMIT
  );
}

/**
 * The content of `entry` decoded from all of its compressed data `raw`,
 * with size and CRC-32 checked. Stored content comes back as `raw` itself:
 * copy it to keep it when `raw` is a view of something larger.
 */
export async function decodeHeld(entry: ZipEntry, raw: Uint8Array): Promise<Uint8Array> {
  checkOpenable(entry);
  if (!decodesInOneCall(entry)) {
    // Collected as it arrives rather than preallocated from the declared size:
    // a lying directory must not make us allocate gigabytes up front.
    return readAll(verifyContent(entry, getDecompressor(entry.method)!(once(raw))));
  }
  const out =
    entry.method === METHOD_STORE ? raw : await inflateRawBytes(raw, entry.uncompressedSize);
  if (out.length > entry.uncompressedSize) {
    throw tooMany(entry.name, entry.uncompressedSize, out.length);
  }
  checkSize(entry.name, entry.uncompressedSize, out.length);
  checkCrc(entry.name, entry.crc32, crc32(out));
  return out;
}

/** Room decodeHeldInto needs in `out` for `entry`. */
export function heldRoom(entry: ZipEntry): number {
  return entry.uncompressedSize + 64;
}

/**
 * The content of a small deflated member inflated into `out`, a buffer the
 * caller reuses (at least heldRoom bytes), size and CRC-32 checked: a view
 * valid until `out` is written again. Undefined when it cannot be done so
 * (another method, a runtime without it, any problem): decodeHeld then
 * gives the content or the error.
 */
export function decodeHeldInto(
  entry: ZipEntry,
  raw: Uint8Array,
  out: Uint8Array,
): Uint8Array | undefined {
  if (entry.method !== METHOD_DEFLATE || entry.encrypted || out.length < heldRoom(entry)) {
    return undefined;
  }
  const n = inflateRawInto(raw, entry.uncompressedSize, out);
  if (n !== entry.uncompressedSize) return undefined;
  const content = out.subarray(0, n);
  return crc32(content) === entry.crc32 ? content : undefined;
}

/**
 * Checks the content of `entry` from all of its compressed data `raw`, like
 * decodeHeld but keeping nothing; returns the bytes checked.
 */
export async function checkHeld(entry: ZipEntry, raw: Uint8Array): Promise<number> {
  checkOpenable(entry);
  if (decodesInOneCall(entry) && entry.method === METHOD_DEFLATE) {
    // Inflated into a buffer that is reused: only length and CRC are kept.
    const { length, crc } = await inflateRawCrc(raw, entry.uncompressedSize);
    if (length > entry.uncompressedSize) throw tooMany(entry.name, entry.uncompressedSize, length);
    checkSize(entry.name, entry.uncompressedSize, length);
    checkCrc(entry.name, entry.crc32, crc);
    return length;
  }
  if (decodesInOneCall(entry)) return (await decodeHeld(entry, raw)).length;
  let n = 0;
  for await (const chunk of verifyContent(entry, getDecompressor(entry.method)!(once(raw)))) {
    n += chunk.length;
  }
  return n;
}

/** readEntry's default limit: beyond it, stream the member with openEntry. */
export const READ_ENTRY_LIMIT = 256 * 1024 * 1024;

export interface ReadEntryOptions extends ReadOptions {
  /**
   * Members declaring more uncompressed bytes than this are refused with
   * LIMIT_EXCEEDED before anything is read or allocated (default 256 MiB;
   * at most 2^31 - 1). Larger members: stream them with openEntry.
   */
  maxBytes?: number;
}

/**
 * The member's whole content, decompressed and verified, in one buffer of
 * the declared size: peak memory is the member once, not its chunks and a
 * copy of them.
 */
export async function readEntry(
  archive: ZipArchive,
  entry: ZipEntry,
  options: ReadEntryOptions = {},
): Promise<Uint8Array> {
  const { maxBytes = READ_ENTRY_LIMIT, ...read } = options;
  checkOpenable(entry);
  if (entry.uncompressedSize > BYTES_LIMIT) {
    throw new CozipError(
      'TOO_LARGE',
      `${entry.name} is ${entry.uncompressedSize} bytes: too large for one buffer, stream it with openEntry`,
      { details: { name: entry.name, size: entry.uncompressedSize, limit: BYTES_LIMIT } },
    );
  }
  if (entry.uncompressedSize > maxBytes) {
    throw new CozipError(
      'LIMIT_EXCEEDED',
      `${entry.name} is ${entry.uncompressedSize} bytes, over readEntry's limit of ${maxBytes} (raise maxBytes, or stream it with openEntry)`,
      { details: { name: entry.name, size: entry.uncompressedSize, limit: maxBytes } },
    );
  }
  if (decodesInOneCall(entry)) {
    const out = await decodeHeld(entry, await readPayload(archive, entry, read));
    // Sources may hand out views of cached bytes: the caller gets its own copy.
    return entry.method === METHOD_STORE ? new Uint8Array(out) : out;
  }
  // The declared size is bounded above; a directory that lies about it costs
  // address space, not memory (pages never written are never touched).
  const out = new Uint8Array(entry.uncompressedSize);
  let at = 0;
  for await (const chunk of openEntry(archive, entry, read)) {
    // openEntry fails on more bytes than declared; this guards the copy anyway.
    if (at + chunk.length > out.length) throw tooMany(entry.name, out.length, at + chunk.length);
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
