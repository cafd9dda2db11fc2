// Node only: reached from core code solely through the `#file-source` import
// (whose browser variant is file-source-web.ts) and exported by the Node entry.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CozipError } from '../errors.js';
import { closedError, throwIfAborted } from './abort.js';
import { checkRange, type IoStats, type RangeSource, type ReadOptions } from './source.js';

/** Chunk size of `stream()`: large enough for few syscalls, small enough to bound memory. */
const STREAM_CHUNK = 1 << 20;

export interface FileSource extends RangeSource {
  readonly stats: IoStats;
  stream(start: number, end: number, options?: ReadOptions): AsyncIterable<Uint8Array>;
  close(): Promise<void>;
}

/**
 * Opens a local file for positional reads. Only the requested ranges are
 * read, so a huge archive costs no more memory than the members you touch.
 */
export async function openFileSource(path: string): Promise<FileSource> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw openError(err, path);
  }
  let size: number;
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      throw new CozipError('INVALID_ARGUMENT', `${path} is not a regular file`, {
        details: { path },
      });
    }
    size = info.size;
  } catch (err) {
    await handle.close();
    throw err instanceof CozipError ? err : openError(err, path);
  }

  const stats: IoStats = { requests: 0, bytesFetched: 0 };
  let closed = false;

  async function read(start: number, end: number, options?: ReadOptions): Promise<Uint8Array> {
    checkRange(source, start, end);
    if (closed) throw closedError(path);
    throwIfAborted(options?.signal);
    const out = new Uint8Array(end - start);
    await readFully(out, start);
    return out;
  }

  // handle.read may return fewer bytes than asked, so loop until `out` is full.
  async function readFully(out: Uint8Array, position: number): Promise<void> {
    let filled = 0;
    while (filled < out.length) {
      stats.requests++;
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(out, filled, out.length - filled, position + filled));
      } catch (err) {
        if (closed) throw closedError(path);
        throw new CozipError('SHORT_READ', `reading ${path} failed`, {
          cause: err,
          details: { path, position: position + filled },
        });
      }
      if (bytesRead === 0) {
        throw new CozipError('SHORT_READ', `${path} ended at ${position + filled}: truncated?`, {
          details: { path, position: position + filled, expected: position + out.length },
        });
      }
      filled += bytesRead;
      stats.bytesFetched += bytesRead;
    }
  }

  async function* stream(start: number, end: number, options?: ReadOptions) {
    checkRange(source, start, end);
    for (let pos = start; pos < end; ) {
      if (closed) throw closedError(path);
      throwIfAborted(options?.signal);
      // A fresh buffer per chunk: the consumer may keep the previous one.
      const chunk = new Uint8Array(Math.min(STREAM_CHUNK, end - pos));
      await readFully(chunk, pos);
      pos += chunk.length;
      yield chunk;
    }
  }

  const source: FileSource = {
    size,
    name: path,
    location: resolve(path),
    stats,
    read,
    stream,
    async close() {
      if (closed) return;
      closed = true;
      await handle.close();
    },
  };
  return source;
}

function openError(err: unknown, path: string): CozipError {
  const code = (err as { code?: unknown }).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new CozipError('NOT_FOUND', `${path} does not exist`, { cause: err, details: { path } });
  }
  return new CozipError('INVALID_ARGUMENT', `cannot open ${path}`, {
    cause: err,
    details: { path, code },
  });
}

/** A file whatever the path: `key` is its device and inode; `size` its size now. */
export interface FileIdentity {
  key: string;
  size: number;
}

/**
 * What makes a file the same file whatever the path, or undefined when
 * nothing is at `path`: a writer refuses to replace one of its own sources.
 */
export function fileIdentity(path: string): FileIdentity | undefined {
  try {
    const info = statSync(path);
    return { key: `${info.dev}:${info.ino}`, size: info.size };
  } catch {
    return undefined;
  }
}

/** The size of the regular file at `path` (NOT_FOUND, INVALID_ARGUMENT otherwise). */
export async function fileSize(path: string): Promise<number> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (err) {
    throw openError(err, path);
  }
  if (!info.isFile()) {
    throw new CozipError('INVALID_ARGUMENT', `${path} is not a regular file`, {
      details: { path },
    });
  }
  return info.size;
}

/**
 * The whole content of a small file expected to hold `size` bytes: open, one
 * read, close, synchronously. Three system calls on the calling thread cost
 * less than the same three through the thread pool (each a wake-up of a
 * worker and of the loop), and a batch writer reading 100,000 small files
 * spends most of its time there. SIZE_MISMATCH when the file has grown or
 * shrunk since its size was learnt.
 */
export function readFileBytes(path: string, size: number): Uint8Array {
  // One byte more than expected tells a file that grew from one that did not.
  const out = new Uint8Array(size + 1);
  readFileInto(path, size, out, 0);
  return out.subarray(0, size);
}

/**
 * readFileBytes into `target` at `at`, which has room for `size + 1` bytes
 * (the byte past the end is scratch): a writer reads small files straight
 * into its output block, with no array per file.
 */
export function readFileInto(path: string, size: number, target: Uint8Array, at: number): void {
  if (at + size + 1 > target.length) {
    throw new CozipError('INVALID_ARGUMENT', `readFileInto: no room for ${size + 1} bytes`);
  }
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw openError(err, path);
  }
  try {
    let filled = 0;
    for (;;) {
      const n = readSync(fd, target, at + filled, size + 1 - filled, filled);
      filled += n;
      // A short read of a regular file is its end: done once it is where expected.
      if (n === 0 || filled === size + 1 || filled === size) break;
    }
    if (filled !== size) {
      throw new CozipError(
        'SIZE_MISMATCH',
        `${path} changed: expected ${size} bytes, found ${filled > size ? 'more' : filled}`,
        { details: { path, expected: size } },
      );
    }
  } catch (err) {
    if (err instanceof CozipError) throw err;
    throw new CozipError('SHORT_READ', `reading ${path} failed`, { cause: err, details: { path } });
  } finally {
    closeSync(fd);
  }
}
