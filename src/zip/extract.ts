// Safe extraction to a directory (Node only). The plan decides what is
// allowed; here every file is written to a temp name and renamed into place,
// existing symlinks under the target are never followed, and the bytes
// written are checked against the declared sizes as they stream.
import { constants as fsc } from 'node:fs';
import { lstat, mkdir, open, readlink, rename, rm, symlink, utimes } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { CozipError } from '../errors.js';
import { runPool } from '../io/pool.js';
import { readAll } from '../io/stream.js';
import { openEntry } from './entry-data.js';
import { type ExtractPlanOptions, type PlannedItem, planExtraction } from './extract-plan.js';
import type { ZipArchive } from './reader.js';

export interface ExtractOptions extends ExtractPlanOptions {
  /** Replace existing files (default false: an existing file is an error). */
  overwrite?: boolean;
  /** Apply Unix permission bits (without setuid/setgid/sticky) from the archive (default true). */
  preserveMode?: boolean;
  /** Members fetched and written concurrently (default 4; helps over HTTP). */
  concurrency?: number;
  onProgress?: (p: {
    entries: number;
    bytes: number;
    totalEntries: number;
    totalBytes: number;
  }) => void;
}

export interface ExtractResult {
  files: number;
  directories: number;
  symlinks: number;
  bytes: number;
  skipped: Array<{ name: string; reason: string }>;
}

export async function extractZip(
  archive: ZipArchive,
  target: string,
  options: ExtractOptions = {},
): Promise<ExtractResult> {
  const plan = planExtraction(archive.entries, archive.cdOffset, options);
  const root = resolve(target);
  await mkdir(root, { recursive: true });
  const result: ExtractResult = {
    files: 0,
    directories: 0,
    symlinks: 0,
    bytes: 0,
    skipped: plan.skipped.map((s) => ({ name: s.entry.name, reason: s.reason })),
  };
  let done = 0;
  const progress = () =>
    options.onProgress?.({
      entries: done,
      bytes: result.bytes,
      totalEntries: plan.items.length,
      totalBytes: plan.totalBytes,
    });

  // Directories first, so files can be written in parallel afterwards.
  for (const item of plan.items.filter((i) => i.kind === 'directory')) {
    await makeDirs(root, item.path);
    result.directories++;
    done++;
  }
  const queue = plan.items.filter((i) => i.kind !== 'directory');
  // runPool stops starting members after the first failure and reports it
  // only once every member in flight has finished or cleaned up.
  await runPool(queue, options.concurrency ?? 4, async (item) => {
    if (item.kind === 'symlink') {
      await writeSymlink(archive, root, item, options);
      result.symlinks++;
    } else {
      // Bytes are counted per chunk (not `+= await`, which would lose
      // updates made by other workers meanwhile).
      await writeFile(archive, root, item, options, (n) => {
        result.bytes += n;
        progress();
      });
      result.files++;
    }
    done++;
    progress();
  });
  return result;
}

/** Creates `rel` under `root` one component at a time, refusing symlinked components. */
async function makeDirs(root: string, rel: string): Promise<string> {
  let dir = root;
  for (const part of rel.split('/')) {
    dir = join(dir, part);
    const st = await lstat(dir).catch(() => undefined);
    if (!st) {
      await mkdir(dir).catch((err) => {
        if (err.code !== 'EEXIST') throw err;
      });
      continue;
    }
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
  return dir;
}

function destination(root: string, rel: string): string {
  const dest = join(root, ...rel.split('/'));
  // Belt and braces: the plan already refused names that could escape.
  if (!dest.startsWith(root + sep)) {
    throw new CozipError('UNSAFE_PATH', `${rel} resolves outside the target`, {
      details: { path: rel },
    });
  }
  return dest;
}

async function writeFile(
  archive: ZipArchive,
  root: string,
  item: PlannedItem,
  options: ExtractOptions,
  onChunk: (bytes: number) => void,
): Promise<void> {
  const dest = destination(root, item.path);
  const parent = dirname(item.path);
  if (parent !== '.') await makeDirs(root, parent);
  const existing = await lstat(dest).catch(() => undefined);
  if (existing) {
    if (existing.isSymbolicLink() || existing.isDirectory()) {
      throw new CozipError(
        'UNSAFE_PATH',
        `${dest} exists and is a ${existing.isDirectory() ? 'directory' : 'symlink'}`,
        {
          details: { path: dest },
        },
      );
    }
    if (!options.overwrite) {
      throw new CozipError('FILE_EXISTS', `${dest} already exists (use overwrite to replace it)`, {
        details: { path: dest },
      });
    }
  }
  const temp = `${dest}.cozip-${Math.random().toString(36).slice(2, 10)}.tmp`;
  const handle = await open(
    temp,
    fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | (fsc.O_NOFOLLOW ?? 0),
    0o600,
  );
  try {
    for await (const chunk of openEntry(archive, item.entry)) {
      let o = 0;
      while (o < chunk.length) {
        const { bytesWritten } = await handle.write(chunk, o, chunk.length - o);
        o += bytesWritten;
      }
      onChunk(chunk.length);
    }
    const mode = item.entry.unixMode;
    if (options.preserveMode !== false && mode !== undefined && mode & 0o777) {
      await handle.chmod(mode & 0o777);
    } else {
      await handle.chmod(0o644);
    }
    await handle.close();
  } catch (err) {
    await handle.close().catch(() => {});
    await rm(temp, { force: true });
    throw err;
  }
  await utimes(temp, item.entry.mtime, item.entry.mtime).catch(() => {});
  await rename(temp, dest);
}

async function writeSymlink(
  archive: ZipArchive,
  root: string,
  item: PlannedItem,
  options: ExtractOptions,
) {
  const dest = destination(root, item.path);
  const parent = dirname(item.path);
  if (parent !== '.') await makeDirs(root, parent);
  const targetBytes = await readAll(openEntry(archive, item.entry));
  const linkTarget = new TextDecoder().decode(targetBytes);
  // A link may point anywhere; it must not point outside the extraction root.
  const resolved = resolve(dirname(dest), linkTarget);
  if (resolved !== root && !resolved.startsWith(root + sep)) {
    throw new CozipError(
      'UNSAFE_PATH',
      `symlink ${item.path} points outside the target (${linkTarget})`,
      {
        details: { name: item.entry.name, target: linkTarget },
      },
    );
  }
  const existing = await lstat(dest).catch(() => undefined);
  if (existing) {
    if (!options.overwrite) {
      throw new CozipError('FILE_EXISTS', `${dest} already exists (use overwrite to replace it)`, {
        details: { path: dest },
      });
    }
    if (existing.isSymbolicLink() && (await readlink(dest)) === linkTarget) return;
    await rm(dest, { force: true });
  }
  await symlink(linkTarget, dest);
}
