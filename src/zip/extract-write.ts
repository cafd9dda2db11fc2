// Writing extracted members to disk (Node only). Every file goes to a temp
// name beside its destination and is renamed into place, so a destination
// holds either nothing or the complete member; existing symlinks are never
// written through. Small members, whose content is already in memory, are
// written with synchronous calls (open, write, fchmod, futimes, close,
// rename): per file that is a few microseconds instead of a round trip to
// libuv's thread pool for each call.
import {
  closeSync,
  fchmodSync,
  constants as fsc,
  futimesSync,
  lstatSync,
  mkdirSync,
  openSync,
  readlinkSync,
  renameSync,
  rmSync,
  type Stats,
  writeSync,
} from 'node:fs';
import { open, readlink, rename, rm, symlink, utimes } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { CozipError } from '../errors.js';
import type { ZipEntry } from './entry.js';
import { sweepOnce, tempPath } from './temp-files.js';
import { writeFailed } from './write-failed.js';

/** Directories this extraction created or checked: real directories, no symlinks. */
export class TargetTree {
  readonly root: string;
  private readonly known = new Set<string>();
  /** Directories this extraction made (mkdir succeeded): empty but for what it writes. */
  private readonly created = new Set<string>();
  /** Paths equal to another but for case: they may meet on disk, so they always look first. */
  private readonly caseTwins: ReadonlySet<string>;

  constructor(root: string, caseTwins: ReadonlySet<string> = new Set()) {
    this.root = resolve(root);
    this.caseTwins = caseTwins;
  }

  /** Creates the root itself; one that was there may hold temp files of a killed run. */
  init(): void {
    try {
      if (mkdirSync(this.root, { recursive: true }) === undefined) sweepOnce(this.root);
    } catch (err) {
      throw writeFailed(err, this.root);
    }
  }

  /** The target of the symlink already at `rel`, if there is one (anything else: undefined). */
  linkAt(rel: string): string | undefined {
    const path = join(this.root, ...rel.split('/'));
    try {
      return lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink()
        ? readlinkSync(path)
        : undefined;
    } catch {
      // ENOTDIR, ENAMETOOLONG: nothing is there to follow.
      return undefined;
    }
  }

  /** The absolute path of `rel` (`/`-separated, already checked by the plan). */
  destination(rel: string): string {
    // The plan's paths have no empty, `.` or `..` component: joined as they are.
    const dest =
      /(?:^|\/)\.{0,2}(?:\/|$)/.test(rel) || this.root.endsWith(sep)
        ? join(this.root, ...rel.split('/'))
        : `${this.root}${sep}${sep === '/' ? rel : rel.replaceAll('/', sep)}`;
    // Belt and braces: the plan already refused names that could escape.
    if (!dest.startsWith(this.root + sep)) {
      throw new CozipError('UNSAFE_PATH', `${rel} resolves outside the target`, {
        details: { path: rel },
      });
    }
    return dest;
  }

  /** Creates `rel` under the root one component at a time, refusing symlinked components. */
  makeDirs(rel: string): void {
    if (rel === '.' || rel === '') return;
    if (this.known.has(rel)) return;
    const cut = rel.lastIndexOf('/');
    if (cut > 0) this.makeDirs(rel.slice(0, cut));
    const dir = join(this.root, ...rel.split('/'));
    try {
      const st = lstatSync(dir, { throwIfNoEntry: false });
      if (!st) {
        try {
          mkdirSync(dir);
          this.created.add(rel);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
          // Someone made it meanwhile: check what it is.
          this.checkDir(dir, lstatSync(dir));
        }
      } else {
        this.checkDir(dir, st);
        // A directory that was there may hold temp files of a killed run.
        sweepOnce(dir);
      }
    } catch (err) {
      throw writeFailed(err, dir);
    }
    this.known.add(rel);
  }

  /**
   * Whether only this extraction can have put anything at `rel`: its
   * directory was made by this extraction and `rel` is not one of the
   * directories it made. (The plan refuses two entries with one path.)
   * Then there is nothing to look at before renaming a file into place.
   */
  fresh(rel: string): boolean {
    const cut = rel.lastIndexOf('/');
    return (
      cut > 0 &&
      this.created.has(rel.slice(0, cut)) &&
      !this.created.has(rel) &&
      !this.caseTwins.has(rel)
    );
  }

  private checkDir(dir: string, st: Stats): void {
    if (st.isSymbolicLink()) {
      throw new CozipError('UNSAFE_PATH', `refusing to write through symlink ${dir}`, {
        details: { path: dir },
      });
    }
    if (!st.isDirectory()) {
      throw new CozipError('UNSAFE_PATH', `${dir} exists and is not a directory`, {
        details: { path: dir },
      });
    }
  }
}

export interface FileWriteOptions {
  overwrite?: boolean;
  preserveMode?: boolean;
}

/** May `dest` be written? Throws unless it is absent, or a file and overwrite is on. */
function checkExisting(dest: string, options: FileWriteOptions): void {
  let existing: Stats | undefined;
  try {
    existing = lstatSync(dest, { throwIfNoEntry: false });
  } catch (err) {
    throw writeFailed(err, dest);
  }
  if (!existing) return;
  if (existing.isSymbolicLink() || existing.isDirectory()) {
    throw new CozipError(
      'UNSAFE_PATH',
      `${dest} exists and is a ${existing.isDirectory() ? 'directory' : 'symlink'}`,
      { details: { path: dest } },
    );
  }
  if (!options.overwrite) {
    throw new CozipError('FILE_EXISTS', `${dest} already exists (${OVERWRITE_HINT})`, {
      details: { path: dest },
    });
  }
}

function fileMode(entry: ZipEntry, options: FileWriteOptions): number {
  const mode = entry.unixMode;
  return options.preserveMode !== false && mode !== undefined && mode & 0o777
    ? mode & 0o777
    : 0o644;
}

/** How the FILE_EXISTS message tells the fix (the CLI puts its own flag in its place). */
export const OVERWRITE_HINT = 'the overwrite option replaces it';

const CREATE_FLAGS = fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | (fsc.O_NOFOLLOW ?? 0);

/** Writes `content` as `rel` in one go: temp file, mode, time, rename. */
export function writeSmallFile(
  tree: TargetTree,
  rel: string,
  entry: ZipEntry,
  content: Uint8Array,
  options: FileWriteOptions,
): void {
  const dest = tree.destination(rel);
  tree.makeDirs(dirname(rel));
  if (!tree.fresh(rel)) checkExisting(dest, options);
  const temp = tempPath(dest);
  let fd: number;
  try {
    fd = openSync(temp, CREATE_FLAGS, 0o600);
  } catch (err) {
    throw writeFailed(err, dest);
  }
  try {
    try {
      for (let o = 0; o < content.length; ) o += writeSync(fd, content, o, content.length - o);
      fchmodSync(fd, fileMode(entry, options));
      try {
        futimesSync(fd, entry.mtime, entry.mtime);
      } catch {
        // A filesystem without times is no reason to fail.
      }
    } finally {
      closeSync(fd);
    }
    renameSync(temp, dest);
  } catch (err) {
    rmSync(temp, { force: true });
    throw writeFailed(err, dest);
  }
}

/** Streams a large member to `rel`: temp file, mode, time, rename. */
export async function writeStreamedFile(
  tree: TargetTree,
  rel: string,
  entry: ZipEntry,
  content: AsyncIterable<Uint8Array>,
  options: FileWriteOptions,
  onChunk: (bytes: number) => void,
): Promise<void> {
  const dest = tree.destination(rel);
  tree.makeDirs(dirname(rel));
  if (!tree.fresh(rel)) checkExisting(dest, options);
  const temp = tempPath(dest);
  // Only the file system's refusals become WRITE_FAILED; the member's own
  // errors (CRC, a source that fails) pass as they are.
  const written = <T>(op: Promise<T>) =>
    op.catch((err) => {
      throw writeFailed(err, dest);
    });
  const handle = await written(open(temp, CREATE_FLAGS, 0o600));
  try {
    try {
      for await (const chunk of content) {
        let o = 0;
        while (o < chunk.length) {
          const { bytesWritten } = await written(handle.write(chunk, o, chunk.length - o));
          o += bytesWritten;
        }
        onChunk(chunk.length);
      }
      await written(handle.chmod(fileMode(entry, options)));
    } finally {
      await written(handle.close());
    }
    await utimes(temp, entry.mtime, entry.mtime).catch(() => {});
    await written(rename(temp, dest));
  } catch (err) {
    await rm(temp, { force: true });
    throw writeFailed(err, dest);
  }
}

/**
 * Creates the symlink `rel` -> `linkTarget`. Its target was checked before
 * extraction began (extract-tree.ts), against the archive's other links and
 * what is on disk.
 */
export async function writeSymlink(
  tree: TargetTree,
  rel: string,
  linkTarget: string,
  options: FileWriteOptions,
): Promise<void> {
  const dest = tree.destination(rel);
  tree.makeDirs(dirname(rel));
  try {
    const existing = lstatSync(dest, { throwIfNoEntry: false });
    if (existing) {
      if (existing.isDirectory()) {
        throw new CozipError('UNSAFE_PATH', `${dest} exists and is a directory`, {
          details: { path: dest },
        });
      }
      if (!options.overwrite) {
        throw new CozipError('FILE_EXISTS', `${dest} already exists (${OVERWRITE_HINT})`, {
          details: { path: dest },
        });
      }
      if (existing.isSymbolicLink() && (await readlink(dest)) === linkTarget) return;
      await rm(dest, { force: true });
    }
    await symlink(linkTarget, dest);
  } catch (err) {
    throw writeFailed(err, dest);
  }
}
