// Random access to a member's content. With a SOZip index a range costs one
// read of the compressed bytes of the chunks covering it (one request over
// HTTP) and the decoding of those chunks only, in parallel when there are
// many. Stored members are read directly; any other member (no index, or an
// index that failed) is decoded sequentially, continuing from where the last
// read stopped, so reading forward never starts over.
import { CozipError } from '../errors.js';
import { throwIfAborted } from '../io/abort.js';
import type { OpenSourceOptions, SourceInput } from '../io/open-source.js';
import { runPool } from '../io/pool.js';
import type { ReadOptions } from '../io/source.js';
import { readStream } from '../io/stream.js';
import { getDecompressor, methodName } from '../zip/codecs.js';
import { METHOD_STORE } from '../zip/constants.js';
import type { ZipEntry } from '../zip/entry.js';
import { verifyContent } from '../zip/entry-data.js';
import { type OpenZipOptions, openZip, type ZipArchive } from '../zip/reader.js';
import { copyBytes, inflateChunk } from './chunk-inflate.js';
import { type DetectOptions, detectSozip, isZipArchive, type SozipIndex } from './detect.js';

export interface SozipReadOptions extends DetectOptions {
  /** Chunks decoded at once for large ranges (default 4, zlib's thread pool size in Node). */
  decodeConcurrency?: number;
  /** Budget of the cache of decoded boundary chunks (default 4 MiB; 0 disables it). */
  chunkCacheBytes?: number;
  /** Called with every warning (an index ignored, a chunk that failed). */
  onWarning?: (warning: CozipError) => void;
}

export interface OpenSozipOptions extends SozipReadOptions, OpenZipOptions, OpenSourceOptions {}

/** A member opened for random access. */
export interface SozipMember {
  readonly archive: ZipArchive;
  readonly entry: ZipEntry;
  /** Uncompressed size. */
  readonly size: number;
  /** Absolute offset of the compressed data. */
  readonly dataOffset: number;
  /** The hidden index in use; undefined without one, or once it proved wrong. */
  index: SozipIndex | undefined;
  /** An index record was found (even if it was not usable). */
  readonly indexFound: boolean;
  readonly warnings: CozipError[];
}

interface Cursor {
  /** Uncompressed position of the next byte (the start of `carry` when there is one). */
  pos: number;
  it: AsyncIterator<Uint8Array>;
  carry: Uint8Array | undefined;
}

interface MemberState {
  options: SozipReadOptions;
  cache: Map<number, Uint8Array>;
  cached: number;
  cursor: Cursor | undefined;
  /** Sequential reads run one at a time (they share the cursor). */
  queue: Promise<unknown>;
  /** The archive was opened here and is closed with the member. */
  owned: boolean;
}

const states = new WeakMap<SozipMember, MemberState>();
/** Ranges this large are decoded with parallel (off-thread) inflates. */
const PARALLEL_MIN = 256 * 1024;
/** streamRange reads this much per step (whole chunks). */
const STREAM_STEP = 4 * 1024 * 1024;

/**
 * Opens a member for random access and detects its index. `archive` is an
 * open ZipArchive or anything openZip takes (then closeSozipMember closes it).
 */
export async function openSozipMember(
  archive: ZipArchive | SourceInput,
  member: string | ZipEntry,
  options: OpenSozipOptions = {},
): Promise<SozipMember> {
  const owned = !isZipArchive(archive);
  const zip = isZipArchive(archive) ? archive : await openZip(archive, options);
  try {
    const entry = typeof member === 'string' ? zip.entries.find((e) => e.name === member) : member;
    if (!entry) {
      throw new CozipError('NOT_FOUND', `no member named ${String(member)}`, {
        details: { name: member },
      });
    }
    if (entry.isDirectory) {
      throw new CozipError('INVALID_ARGUMENT', `${entry.name} is a directory`);
    }
    const found = await detectSozip(zip, entry, options);
    for (const w of found.warnings) options.onWarning?.(w);
    const opened: SozipMember = {
      archive: zip,
      entry,
      size: entry.uncompressedSize,
      dataOffset: found.dataOffset,
      index: found.index,
      indexFound: found.found,
      warnings: [...found.warnings],
    };
    states.set(opened, {
      options,
      cache: new Map(),
      cached: 0,
      cursor: undefined,
      queue: Promise.resolve(),
      owned,
    });
    return opened;
  } catch (err) {
    if (owned) await zip.source.close?.();
    throw err;
  }
}

/** Releases what the member holds: a sequential stream, and the archive if opened for it. */
export async function closeSozipMember(member: SozipMember): Promise<void> {
  const state = stateOf(member);
  const cursor = state.cursor;
  state.cursor = undefined;
  await cursor?.it.return?.().catch(() => {});
  state.cache.clear();
  state.cached = 0;
  if (state.owned) await member.archive.source.close?.();
}

/**
 * The bytes [offset, offset + length) of the member's content (fewer at the
 * end of the content, as pread). Uses the index when there is one.
 */
export async function readRange(
  member: SozipMember,
  offset: number,
  length: number,
  options: ReadOptions = {},
): Promise<Uint8Array> {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new CozipError('INVALID_ARGUMENT', `invalid range: offset ${offset}, length ${length}`);
  }
  if (offset > member.size) {
    throw new CozipError(
      'OUT_OF_RANGE',
      `offset ${offset} is past the end of ${member.entry.name} (${member.size} bytes)`,
      { details: { offset, size: member.size } },
    );
  }
  const end = Math.min(member.size, offset + length);
  throwIfAborted(options.signal);
  if (end === offset) return new Uint8Array(0);
  const { entry } = member;
  if (entry.encrypted) {
    throw new CozipError('ENCRYPTED', `${entry.name} is encrypted; encryption is not supported`);
  }
  if (entry.method === METHOD_STORE) {
    const bytes = await member.archive.source.read(
      member.dataOffset + offset,
      member.dataOffset + end,
      options,
    );
    return copyBytes(bytes);
  }
  if (member.index) {
    try {
      return await readIndexed(member, member.index, offset, end, options);
    } catch (err) {
      if (!(err instanceof CozipError)) throw err;
      if (err.code !== 'SOZIP_BAD_CHUNK' && err.code !== 'SOZIP_INVALID_INDEX') throw err;
      // The index lied: never use it again; the member still reads, in sequence.
      member.index = undefined;
      member.warnings.push(err);
      stateOf(member).options.onWarning?.(err);
    }
  }
  return readSequential(member, offset, end, options);
}

/** The content [start, end) as a stream, read ahead one step while the consumer works. */
export async function* streamRange(
  member: SozipMember,
  start = 0,
  end = member.size,
  options: ReadOptions = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  const stop = Math.min(end, member.size);
  if (start > stop) {
    throw new CozipError('OUT_OF_RANGE', `stream [${start}, ${end}) of ${member.size} bytes`);
  }
  const step = () => {
    const cs = member.index?.chunkSize ?? STREAM_STEP;
    return Math.max(cs, Math.floor(STREAM_STEP / cs) * cs);
  };
  let pos = start;
  const next = () => {
    // Steps end on chunk boundaries, so no chunk is decoded twice.
    const s = step();
    const to = Math.min(stop, (Math.floor(pos / s) + 1) * s);
    const pending = readRange(member, pos, to - pos, options);
    pos = to;
    return pending;
  };
  let pending = pos < stop ? next() : undefined;
  try {
    while (pending) {
      const bytes = await pending;
      pending = pos < stop ? next() : undefined;
      yield bytes;
    }
  } finally {
    pending?.catch(() => {});
  }
}

/** A file-like view: a position that reads advance, and seeks. */
export interface SeekableMember {
  readonly member: SozipMember;
  readonly size: number;
  position: number;
  /** Moves the position; returns the new one. */
  seek(offset: number, whence?: 'start' | 'current' | 'end'): number;
  /** Up to `length` bytes from the position (fewer at the end), advancing it. */
  read(length: number, options?: ReadOptions): Promise<Uint8Array>;
  /** Bytes at `offset`, leaving the position alone. */
  readAt(offset: number, length: number, options?: ReadOptions): Promise<Uint8Array>;
  /** The rest of the content from the position, advancing it as chunks are consumed. */
  stream(options?: ReadOptions): AsyncIterable<Uint8Array>;
}

export function openSeekable(member: SozipMember): SeekableMember {
  const view: SeekableMember = {
    member,
    size: member.size,
    position: 0,
    seek(offset, whence = 'start') {
      const base = whence === 'start' ? 0 : whence === 'current' ? view.position : member.size;
      const to = base + offset;
      if (!Number.isSafeInteger(to) || to < 0) {
        throw new CozipError('INVALID_ARGUMENT', `cannot seek to ${to}`);
      }
      view.position = to;
      return to;
    },
    async read(length, options) {
      if (view.position >= member.size) return new Uint8Array(0);
      const bytes = await readRange(member, view.position, length, options);
      view.position += bytes.length;
      return bytes;
    },
    readAt(offset, length, options) {
      return readRange(member, offset, length, options);
    },
    async *stream(options) {
      if (view.position >= member.size) return;
      for await (const bytes of streamRange(member, view.position, member.size, options)) {
        view.position += bytes.length;
        yield bytes;
      }
    },
  };
  return view;
}

// --- indexed reads ---

async function readIndexed(
  member: SozipMember,
  index: SozipIndex,
  offset: number,
  end: number,
  options: ReadOptions,
): Promise<Uint8Array> {
  const state = stateOf(member);
  const cs = index.chunkSize;
  const first = Math.floor(offset / cs);
  const last = Math.floor((end - 1) / cs);
  const { table } = index;
  await table.load(first, last, options);
  // Cached chunks at either end need no bytes: fetch the span between them.
  let lo = first;
  let hi = last;
  while (lo <= hi && state.cache.has(lo)) lo++;
  while (hi >= lo && state.cache.has(hi)) hi--;
  let raw: Uint8Array = new Uint8Array(0);
  let rawStart = 0;
  if (lo <= hi) {
    rawStart = table.start(lo);
    raw = await member.archive.source.read(
      member.dataOffset + rawStart,
      member.dataOffset + table.end(hi),
      options,
    );
  }
  const out = new Uint8Array(end - offset);
  const place = (k: number, bytes: Uint8Array) => {
    const from = Math.max(offset, k * cs);
    const to = Math.min(end, (k + 1) * cs);
    out.set(bytes.subarray(from - k * cs, to - k * cs), from - offset);
  };
  const todo: number[] = [];
  for (let k = first; k <= last; k++) {
    const hit = state.cache.get(k);
    if (hit) {
      touch(state, k, hit);
      place(k, hit);
    } else {
      todo.push(k);
    }
  }
  const decode = async (k: number, offThread: boolean) => {
    const bytes = await inflateChunk(
      raw.subarray(table.start(k) - rawStart, table.end(k) - rawStart),
      Math.min(cs, member.size - k * cs),
      k === index.chunks - 1,
      `chunk ${k} of ${member.entry.name}`,
      offThread,
    );
    place(k, bytes);
    // Keep the chunks a forward or backward neighbour read would need again.
    if (k === first || k === last) remember(state, k, bytes);
  };
  if (todo.length >= 2 && end - offset >= PARALLEL_MIN) {
    const concurrency = state.options.decodeConcurrency ?? 4;
    await runPool(todo, concurrency, (k) => decode(k, true));
  } else {
    for (const k of todo) await decode(k, false);
  }
  return out;
}

function remember(state: MemberState, k: number, bytes: Uint8Array): void {
  const budget = state.options.chunkCacheBytes ?? 4 * 1024 * 1024;
  if (bytes.length > budget) return;
  touch(state, k, bytes);
  for (const [key, value] of state.cache) {
    if (state.cached <= budget) break;
    state.cache.delete(key);
    state.cached -= value.length;
  }
}

/** Inserts or refreshes `k` as the most recently used chunk. */
function touch(state: MemberState, k: number, bytes: Uint8Array): void {
  const old = state.cache.get(k);
  if (old) {
    state.cache.delete(k);
    state.cached -= old.length;
  }
  state.cache.set(k, bytes);
  state.cached += bytes.length;
}

// --- sequential reads ---

function readSequential(
  member: SozipMember,
  offset: number,
  end: number,
  options: ReadOptions,
): Promise<Uint8Array> {
  const state = stateOf(member);
  const run = state.queue.then(() => sequential(member, state, offset, end, options));
  state.queue = run.catch(() => {});
  return run;
}

async function sequential(
  member: SozipMember,
  state: MemberState,
  offset: number,
  end: number,
  options: ReadOptions,
): Promise<Uint8Array> {
  let cursor = state.cursor;
  if (!cursor || cursor.pos > offset) {
    await cursor?.it.return?.().catch(() => {});
    cursor = state.cursor = openCursor(member);
  }
  const out = new Uint8Array(end - offset);
  let filled = 0;
  try {
    while (filled < out.length) {
      throwIfAborted(options.signal);
      let chunk = cursor.carry;
      cursor.carry = undefined;
      if (!chunk) {
        const r = await cursor.it.next();
        if (r.done) {
          throw new CozipError('SIZE_MISMATCH', `${member.entry.name} ended early`);
        }
        chunk = r.value;
      }
      const chunkStart = cursor.pos;
      const chunkEnd = chunkStart + chunk.length;
      if (chunkEnd <= offset) {
        cursor.pos = chunkEnd;
        continue;
      }
      const from = Math.max(offset, chunkStart) - chunkStart;
      const to = Math.min(end, chunkEnd) - chunkStart;
      out.set(chunk.subarray(from, to), filled);
      filled += to - from;
      if (to < chunk.length) cursor.carry = chunk.subarray(to);
      cursor.pos = chunkStart + to;
    }
  } catch (err) {
    // A failed stream cannot continue: the next read starts over.
    state.cursor = undefined;
    await cursor.it.return?.().catch(() => {});
    throw err;
  }
  return out;
}

function openCursor(member: SozipMember): Cursor {
  const { entry, archive } = member;
  const decompress = getDecompressor(entry.method);
  if (!decompress) {
    throw new CozipError(
      'UNSUPPORTED_METHOD',
      `${entry.name} uses unsupported compression method ${entry.method} (${methodName(entry.method)})`,
      { details: { name: entry.name, method: entry.method } },
    );
  }
  const start = member.dataOffset;
  const raw = readStream(archive.source, start, start + entry.compressedSize);
  // Reaching the end of the member checks its size and CRC-32 too.
  const content = verifyContent(entry, decompress(raw));
  return { pos: 0, it: content[Symbol.asyncIterator](), carry: undefined };
}

function stateOf(member: SozipMember): MemberState {
  const state = states.get(member);
  if (!state) throw new CozipError('INVALID_ARGUMENT', 'not a member opened by openSozipMember');
  return state;
}
