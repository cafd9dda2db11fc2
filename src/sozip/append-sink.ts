// Node only: a Sink that continues an existing file from a given offset
// (where an archive's central directory began) and can undo itself. Writes
// before `start` are refused, so the existing members and their hidden
// indexes are never touched. close() truncates the file to what was written
// and syncs it; abort() puts the saved original tail back and truncates to
// the original size, so a failed append leaves the file as it was.
import { type FileHandle, open, rename, unlink } from 'node:fs/promises';
import { CozipError } from '../errors.js';
import type { Sink } from '../zip/sink.js';
import { writeFailed } from '../zip/write-failed.js';

export interface AppendSinkOptions {
  /** The file's bytes from `start` to its end, written back by abort(). */
  original: Uint8Array;
  /**
   * Work on a copy: `path` is a temp copy of `target`; close() renames it
   * over `target` and abort() deletes it (the target never changes until then).
   */
  target?: string;
}

type State = 'open' | 'closed' | 'aborted' | 'failed';

export class AppendSink implements Sink {
  private pos: number;
  private state: State = 'open';
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly path: string,
    readonly start: number,
    private handle: FileHandle | undefined,
    private readonly options: AppendSinkOptions,
  ) {
    this.pos = start;
  }

  static async open(path: string, start: number, options: AppendSinkOptions): Promise<AppendSink> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r+');
    } catch (err) {
      throw new CozipError('NOT_FOUND', `cannot open ${path} for appending`, {
        cause: err,
        details: { path },
      });
    }
    return new AppendSink(path, start, handle, options);
  }

  /** Where the next byte goes (an absolute file offset). */
  get size(): number {
    return this.pos;
  }

  write(chunk: Uint8Array): Promise<void> {
    return this.enqueue(async () => {
      this.check('write');
      await this.guard(() => this.writeFully(chunk, this.pos));
      this.pos += chunk.length;
    });
  }

  writeAt(offset: number, bytes: Uint8Array): Promise<void> {
    return this.enqueue(async () => {
      this.check('writeAt');
      const end = offset + bytes.length;
      if (!Number.isSafeInteger(offset) || offset < this.start || end > this.pos) {
        throw new CozipError(
          'OUT_OF_RANGE',
          `writeAt [${offset}, ${end}) outside the appended part [${this.start}, ${this.pos})`,
        );
      }
      await this.guard(() => this.writeFully(bytes, offset));
    });
  }

  close(): Promise<void> {
    return this.enqueue(async () => {
      this.check('close');
      await this.guard(async () => {
        const handle = this.handle!;
        await handle.truncate(this.pos);
        await handle.sync();
        this.handle = undefined;
        await handle.close();
        if (this.options.target) await rename(this.path, this.options.target);
      });
      this.state = 'closed';
    });
  }

  abort(_reason?: unknown): Promise<void> {
    return this.enqueue(async () => {
      if (this.state !== 'open' && this.state !== 'failed') return;
      this.state = 'aborted';
      await this.restore();
    });
  }

  private enqueue<T>(op: () => Promise<T>): Promise<T> {
    const result = this.queue.then(op);
    this.queue = result.catch(() => {});
    return result;
  }

  private check(what: string): void {
    if (this.state === 'open') return;
    throw new CozipError('WRITER_STATE', `${what}: append sink for ${this.path} is ${this.state}`);
  }

  private async guard(op: () => Promise<void>): Promise<void> {
    try {
      await op();
    } catch (err) {
      this.state = 'failed';
      await this.restore();
      throw writeFailed(err, this.options.target ?? this.path);
    }
  }

  /** Puts the file back as it was (or drops the copy). */
  private async restore(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    if (this.options.target) {
      await handle?.close().catch(() => {});
      await unlink(this.path).catch(() => {});
      return;
    }
    const h = handle ?? (await open(this.path, 'r+'));
    try {
      await this.writeFully(this.options.original, this.start, h);
      await h.truncate(this.start + this.options.original.length);
      await h.sync();
    } finally {
      await h.close().catch(() => {});
    }
  }

  private async writeFully(bytes: Uint8Array, position: number, h = this.handle!): Promise<void> {
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await h.write(bytes, done, bytes.length - done, position + done);
      done += bytesWritten;
    }
  }
}
