// Node only: a Sink that writes a local file. By default it writes a temp
// file next to the target and renames it over the target when closed, so the
// target is either the old file or the complete new one, never a half-written
// archive; abort (or any failure) deletes the temp file.
import { type FileHandle, link, lstat, open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CozipError } from '../errors.js';
import type { Sink } from './sink.js';
import { sweepOnce, tempPath } from './temp-files.js';
import { writeFailed } from './write-failed.js';

export interface FileSinkOptions {
  /** Write a temp file and rename it over `path` on close (default true). */
  atomic?: boolean;
  /** Small writes are gathered into blocks of this size (default 1 MiB). */
  blockSize?: number;
  /**
   * Replace a file already at `path` (default true). false: FILE_EXISTS when
   * one is there at creation, and at close, where the temp file is then
   * hard-linked into place (which fails if anything appeared meanwhile)
   * instead of renamed over it.
   */
  overwrite?: boolean;
}

export interface FileSink extends Sink {
  /** The target path. */
  readonly path: string;
  /** Where bytes go until close: the temp file, or `path` when not atomic. */
  readonly writingPath: string;
  /** Bytes written so far. */
  readonly size: number;
  writeAt(offset: number, bytes: Uint8Array): Promise<void>;
  readAt(offset: number, length: number): Promise<Uint8Array>;
  abort(reason?: unknown): Promise<void>;
}

const DEFAULT_BLOCK = 1 << 20;
/**
 * Every this many bytes written, a data sync starts in the background: the
 * disk takes the archive while the writer works, and the sync on close,
 * which must wait for it all, has little left to do.
 */
const SYNC_EVERY = 64 << 20;
/** Chunks this big are written as they are, not copied into the block first. */
const DIRECT_WRITE = 64 << 10;

/** link() errors of file systems without hard links. */
const NO_LINKS = new Set<unknown>(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

type State = 'open' | 'closed' | 'aborted' | 'failed';

/** Creates the file (or temp file) now, so a bad path fails here, not at the first write. */
export async function createFileSink(
  path: string,
  options: FileSinkOptions = {},
): Promise<FileSink> {
  const atomic = options.atomic ?? true;
  const blockSize = options.blockSize ?? DEFAULT_BLOCK;
  if (!Number.isSafeInteger(blockSize) || blockSize < 1) {
    throw new CozipError('INVALID_ARGUMENT', `blockSize must be a positive integer: ${blockSize}`);
  }
  // Temp files of killed writers in this directory go first (see temp-files.ts).
  const overwrite = options.overwrite ?? true;
  if (!overwrite && atomic && (await lstat(path).catch(() => undefined))) throw fileExists(path);
  if (atomic) sweepOnce(dirname(path));
  const writingPath = atomic ? tempPath(path) : path;
  let handle: FileHandle;
  try {
    // 'wx': a temp name that already exists is someone else's file. Opened
    // for reading too: writers read back what they wrote before sealing it.
    handle = await open(writingPath, atomic || !overwrite ? 'wx+' : 'w+');
  } catch (err) {
    if (!overwrite && (err as { code?: unknown }).code === 'EEXIST') throw fileExists(path);
    throw openError(err, path);
  }
  return new FileSinkImpl(path, writingPath, atomic, overwrite, handle, blockSize);
}

class FileSinkImpl implements FileSink {
  private state: State = 'open';
  private handle: FileHandle | undefined;
  private readonly block: Uint8Array;
  private buffered = 0;
  /** Bytes already handed to the file; the block holds the ones after them. */
  private flushed = 0;
  /** Operations run one at a time, so abort waits for a write in flight. */
  private queue: Promise<unknown> = Promise.resolve();
  /** The background data sync in flight, and where the last one started. */
  private syncing: Promise<void> | undefined;
  private syncError: unknown;
  private syncedTo = 0;

  constructor(
    readonly path: string,
    readonly writingPath: string,
    private readonly atomic: boolean,
    private readonly overwrite: boolean,
    handle: FileHandle,
    blockSize: number,
  ) {
    this.handle = handle;
    this.block = new Uint8Array(blockSize);
  }

  get size(): number {
    return this.flushed + this.buffered;
  }

  /** A chunk is in the file or in the block when write resolves. */
  readonly doneWithChunks = true;

  write(chunk: Uint8Array): Promise<void> {
    return this.enqueue(async () => {
      this.checkOpen('write');
      await this.guard(() => this.append(chunk));
    });
  }

  writeAt(offset: number, bytes: Uint8Array): Promise<void> {
    return this.enqueue(async () => {
      this.checkOpen('writeAt');
      const end = offset + bytes.length;
      if (!Number.isSafeInteger(offset) || offset < 0 || end > this.size) {
        throw new CozipError('OUT_OF_RANGE', `writeAt [${offset}, ${end}) past ${this.size}`, {
          details: { offset, length: bytes.length, size: this.size },
        });
      }
      await this.guard(async () => {
        // The part already in the file is patched there, the rest in the block.
        const inFile = Math.max(0, Math.min(end, this.flushed) - offset);
        if (inFile > 0) await this.writeFully(bytes.subarray(0, inFile), offset);
        if (inFile < bytes.length) {
          this.block.set(bytes.subarray(inFile), offset + inFile - this.flushed);
        }
      });
    });
  }

  readAt(offset: number, length: number): Promise<Uint8Array> {
    return this.enqueue(async () => {
      this.checkOpen('readAt');
      const end = offset + length;
      if (!Number.isSafeInteger(offset) || offset < 0 || length < 0 || end > this.size) {
        throw new CozipError('OUT_OF_RANGE', `readAt [${offset}, ${end}) past ${this.size}`, {
          details: { offset, length, size: this.size },
        });
      }
      const out = new Uint8Array(length);
      await this.guard(async () => {
        // What is in the file comes from the file, the rest from the block.
        const inFile = Math.max(0, Math.min(end, this.flushed) - offset);
        let done = 0;
        while (done < inFile) {
          const { bytesRead } = await this.handle!.read(out, done, inFile - done, offset + done);
          if (bytesRead === 0)
            throw new CozipError('SHORT_READ', `${this.writingPath} ended early`);
          done += bytesRead;
        }
        if (inFile < length) {
          const from = offset + inFile - this.flushed;
          out.set(this.block.subarray(from, from + length - inFile), inFile);
        }
      });
      return out;
    });
  }

  close(): Promise<void> {
    return this.enqueue(async () => {
      this.checkOpen('close');
      await this.guard(async () => {
        await this.flush();
        const handle = this.handle!;
        await this.settleSync();
        // Data reaches the disk before the rename makes it visible.
        await handle.sync();
        this.handle = undefined;
        await handle.close();
        if (this.atomic && this.overwrite) await rename(this.writingPath, this.path);
        else if (this.atomic) await this.linkIntoPlace();
      });
      this.state = 'closed';
      if (this.atomic) await syncDirectory(dirname(this.path));
    });
  }

  abort(_reason?: unknown): Promise<void> {
    return this.enqueue(async () => {
      if (this.state !== 'open') return;
      this.state = 'aborted';
      await this.cleanup();
    });
  }

  /** link() never replaces what is at `path`: a file that appeared meanwhile stays. */
  private async linkIntoPlace(): Promise<void> {
    try {
      await link(this.writingPath, this.path);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === 'EEXIST') throw fileExists(this.path);
      // No hard links here (FAT, some network shares): look, then rename.
      if (!NO_LINKS.has(code)) throw err;
      if (await lstat(this.path).catch(() => undefined)) throw fileExists(this.path);
      await rename(this.writingPath, this.path);
      return;
    }
    // The archive is in place; a temp name left behind is swept by the next run.
    await unlink(this.writingPath).catch(() => {});
  }

  private enqueue<T>(op: () => Promise<T>): Promise<T> {
    const result = this.queue.then(op);
    this.queue = result.catch(() => {});
    return result;
  }

  private checkOpen(what: string): void {
    if (this.state === 'open') return;
    throw new CozipError('WRITER_STATE', `${what}: file sink for ${this.path} is ${this.state}`, {
      details: { path: this.path, state: this.state },
    });
  }

  /** Any failure deletes what was written: the sink is then unusable anyway. */
  private async guard(op: () => Promise<void>): Promise<void> {
    try {
      await op();
    } catch (err) {
      this.state = 'failed';
      await this.cleanup();
      throw writeFailed(err, this.path);
    }
  }

  /** Waits for the background sync (a handle is never closed under it); rethrows its failure. */
  private async settleSync(): Promise<void> {
    await this.syncing;
    if (this.syncError !== undefined) {
      throw new CozipError('WRITE_FAILED', `syncing ${this.writingPath} failed`, {
        cause: this.syncError,
        details: { path: this.path },
      });
    }
  }

  private startSync(): void {
    if (this.syncing || this.flushed - this.syncedTo < SYNC_EVERY) return;
    this.syncedTo = this.flushed;
    this.syncing = this.handle!.datasync().then(
      () => {
        this.syncing = undefined;
      },
      (err) => {
        this.syncing = undefined;
        this.syncError ??= err;
      },
    );
  }

  private async cleanup(): Promise<void> {
    await this.syncing;
    const handle = this.handle;
    this.handle = undefined;
    if (handle) await handle.close().catch(() => {});
    await unlink(this.writingPath).catch(() => {});
  }

  private async append(chunk: Uint8Array): Promise<void> {
    const room = this.block.length - this.buffered;
    // Big writes (a writer's own blocks) skip the copy: what waits in the
    // block goes first, then the chunk straight from the caller's memory.
    if (chunk.length >= Math.min(DIRECT_WRITE, this.block.length)) {
      await this.flush();
      await this.writeFully(chunk, this.flushed);
      this.flushed += chunk.length;
      this.startSync();
      return;
    }
    if (chunk.length < room) {
      this.block.set(chunk, this.buffered);
      this.buffered += chunk.length;
      return;
    }
    this.block.set(chunk.subarray(0, room), this.buffered);
    this.buffered += room;
    await this.flush();
    if (chunk.length > room) await this.append(chunk.subarray(room));
  }

  private async flush(): Promise<void> {
    if (this.buffered === 0) return;
    await this.writeFully(this.block.subarray(0, this.buffered), this.flushed);
    this.flushed += this.buffered;
    this.buffered = 0;
    this.startSync();
  }

  // A positional write may be short; loop until every byte is in the file.
  private async writeFully(bytes: Uint8Array, position: number): Promise<void> {
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await this.handle!.write(
        bytes,
        done,
        bytes.length - done,
        position + done,
      );
      done += bytesWritten;
    }
  }
}

/** Makes the rename durable where directories can be opened (not on Windows). */
async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Best effort: the archive is complete either way.
  }
}

function fileExists(path: string): CozipError {
  return new CozipError('FILE_EXISTS', `${path} already exists`, { details: { path } });
}

function openError(err: unknown, path: string): CozipError {
  const code = (err as { code?: unknown }).code;
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EIO') {
    return writeFailed(err, path) as CozipError;
  }
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new CozipError('NOT_FOUND', `directory of ${path} does not exist`, {
      cause: err,
      details: { path, code },
    });
  }
  return new CozipError('INVALID_ARGUMENT', `cannot create ${path}`, {
    cause: err,
    details: { path, code },
  });
}
