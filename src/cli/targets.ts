// Where the writing commands may write. An existing file is replaced only
// when asked (--force, or --overwrite for extract and get), and never when it
// is one of the command's own inputs: `cozip sozip create a.tif b.tif` (the
// output name forgotten) once turned a.tif into a 340-byte ZIP. Checked
// before any input is read, so a refusal leaves everything as it was.
import { lstatSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { CozipError, isCozipError } from '../errors.js';
import { fileIdentity } from '../io/file-source.js';
import type { ZipEntry } from '../zip/entry.js';
import { OVERWRITE_HINT } from '../zip/extract-write.js';

/** A local path, not an http(s):// or s3:// URL. */
export function isLocalPath(input: string): boolean {
  return !/^(?:https?|s3):\/\//i.test(input);
}

export interface TargetCheck {
  /** Replace an existing file (the command's --force or --overwrite). */
  replace?: boolean;
  /** The flag that allows it, for the message. */
  flag?: string;
  /** The command's inputs (paths or URLs; URLs are never local files). */
  inputs?: readonly string[];
}

/**
 * Throws unless `out` may be written: it does not exist, or it is a file,
 * `replace` is on and it is none of `inputs` (same device and inode,
 * whatever the path: a hard link or a symlink is the same file).
 */
export function checkTarget(out: string, options: TargetCheck = {}): void {
  const existing = lstatSync(out, { throwIfNoEntry: false });
  if (!existing) return;
  if (existing.isDirectory()) {
    throw new CozipError('FILE_EXISTS', `${out} exists and is a directory`, {
      details: { path: out },
    });
  }
  const flag = options.flag ?? '--force';
  refuseInput(out, options.inputs ?? [], flag);
  if (!options.replace) {
    throw new CozipError('FILE_EXISTS', `${out} already exists (pass ${flag} to replace it)`, {
      details: { path: out },
    });
  }
}

/** INVALID_ARGUMENT when `out` is the same file as one of `inputs`; the flags do not change that. */
export function refuseInput(out: string, inputs: readonly string[], flag = '--force'): void {
  const target = fileIdentity(out);
  if (target === undefined) return; // nothing there: it cannot be an input
  for (const input of inputs) {
    if (!isLocalPath(input) || fileIdentity(input)?.key !== target.key) continue;
    const same = resolve(input) === resolve(out) ? '' : ` (${input})`;
    throw new CozipError(
      'INVALID_ARGUMENT',
      `refusing to write ${out}: it is an input of this command${same}, even with ${flag}`,
      { details: { path: out, input } },
    );
  }
}

/**
 * extract and get: the files `names` would become under `dir`, checked
 * before anything is written. Names that would leave `dir` are left to the
 * extractor, which refuses them (UNSAFE_PATH).
 */
export function checkExtractTargets(
  dir: string,
  names: Iterable<string>,
  options: TargetCheck,
): void {
  const root = resolve(dir);
  // A directory that is not there yet holds nothing to replace; nor does any
  // folder under it that is not there (one lstat per folder, not per file:
  // extracting 100,000 files into a new tree looks at nothing else).
  const folders = new Map<string, boolean>();
  const holdsFiles = (folder: string): boolean => {
    let known = folders.get(folder);
    if (known === undefined) {
      const parent = folder === root ? undefined : folder.slice(0, folder.lastIndexOf(sep));
      known =
        (parent === undefined || parent.length < root.length || holdsFiles(parent)) &&
        lstatSync(folder, { throwIfNoEntry: false }) !== undefined;
      folders.set(folder, known);
    }
    return known;
  };
  for (const name of names) {
    const dest = resolve(root, name);
    if (!dest.startsWith(root + sep)) continue;
    if (!holdsFiles(dest.slice(0, dest.lastIndexOf(sep)))) continue;
    const st = lstatSync(dest, { throwIfNoEntry: false });
    // Directories and symlinks are the extractor's to judge (it refuses both).
    if (!st?.isFile()) continue;
    const shown = join(dir, name);
    const flag = options.flag ?? '--overwrite';
    refuseInput(shown, options.inputs ?? [], flag);
    if (!options.replace) {
      throw new CozipError('FILE_EXISTS', `${shown} already exists (pass ${flag} to replace it)`, {
        details: { path: shown, name },
      });
    }
  }
}

/** The names of the members `select` keeps that become files (extract skips symlinks). */
export function memberNames(
  entries: readonly ZipEntry[],
  select: (e: ZipEntry) => boolean,
): string[] {
  return entries.filter((e) => !e.isDirectory && !e.isSymlink && select(e)).map((e) => e.name);
}

/**
 * The extractor's FILE_EXISTS (a file that appeared after the check above)
 * told with the command's flag rather than the library's option.
 */
export function withFlagHint(err: unknown, flag = '--overwrite'): unknown {
  if (!isCozipError(err, 'FILE_EXISTS') || !err.message.endsWith(`(${OVERWRITE_HINT})`)) return err;
  const message = `${err.message.slice(0, -OVERWRITE_HINT.length - 2)}(pass ${flag} to replace it)`;
  return new CozipError('FILE_EXISTS', message, { details: err.details, cause: err });
}
