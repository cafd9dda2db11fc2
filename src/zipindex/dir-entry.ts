// What a filter sees of each central directory entry, and the default filter.
import { getDecompressor } from '../zip/codecs.js';
import type { ZipEntry } from '../zip/entry.js';
import type { File } from './file.js';

/** The generic reader's entry plus the file mode Go's `ZipDirEntry.Mode()` gives. */
export interface DirEntry extends ZipEntry {
  /**
   * Unix-style mode (type and permission bits): from the external attributes
   * for Unix and macOS creators, from the DOS attributes for FAT, NTFS and
   * VFAT creators, 0 for others; a name ending in `/` is a directory.
   */
  mode: number;
  /** Not a directory, symlink, device, pipe or socket. */
  isRegular: boolean;
}

/**
 * Decides whether an entry is indexed: return the File (possibly changed, e.g.
 * with `custom` metadata) to keep it, or undefined/null to skip it.
 */
export type FileFilter = (file: File, entry: DirEntry) => File | undefined | null;

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
/** File types that are not regular files (directory, symlink, devices, pipe, socket). */
const SPECIAL = new Set([0o040000, 0o120000, 0o060000, 0o020000, 0o010000, 0o140000]);

// Creator OS ids as Go's archive/zip reads them.
const CREATOR_FAT = 0;
const CREATOR_UNIX = 3;
const CREATOR_NTFS = 11;
const CREATOR_VFAT = 14;
const CREATOR_MACOS = 19;

/** The mode Go's `Mode()` gives; `dirName`: the name ends in `/`. */
export function recordMode(versionMadeBy: number, externalAttributes: number, dirName: boolean) {
  let mode = 0;
  switch (versionMadeBy >>> 8) {
    case CREATOR_UNIX:
    case CREATOR_MACOS:
      mode = externalAttributes >>> 16;
      break;
    case CREATOR_FAT:
    case CREATOR_NTFS:
    case CREATOR_VFAT:
      mode = externalAttributes & 0x10 ? S_IFDIR | 0o777 : S_IFREG | 0o666;
      if (externalAttributes & 0x01) mode &= ~0o222;
      break;
  }
  return dirName ? (mode & ~S_IFMT) | S_IFDIR : mode;
}

/** Not a directory, symlink, device, pipe or socket. */
export function isRegularMode(mode: number): boolean {
  return !SPECIAL.has(mode & S_IFMT);
}

export function entryMode(versionMadeBy: number, externalAttributes: number, rawName: Uint8Array) {
  const dirName = rawName.length > 0 && rawName[rawName.length - 1] === 0x2f;
  const mode = recordMode(versionMadeBy, externalAttributes, dirName);
  return { mode, isRegular: isRegularMode(mode) };
}

/** Adds the mode to a freshly resolved entry (in place: no copy per entry). */
export function dirEntry(entry: ZipEntry): DirEntry {
  const { mode, isRegular } = entryMode(
    entry.versionMadeBy,
    entry.externalAttributes,
    entry.rawName,
  );
  const out = entry as DirEntry;
  out.mode = mode;
  out.isRegular = isRegular;
  return out;
}

/** Keeps regular files whose method has a registered decompressor (store, deflate, zstd...). */
export const defaultFileFilter: FileFilter = (file, entry) =>
  entry.isRegular && getDecompressor(entry.method) ? file : undefined;
