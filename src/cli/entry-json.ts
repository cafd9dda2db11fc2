// One vocabulary for a ZIP entry in every listing the CLI prints (`ls` of
// any ZIP, `sozip list`, `sozip validate`, `index ls` and `find`): the same
// key always means the same thing, whichever command printed it.
//
//   name               the entry's name
//   size               uncompressed bytes
//   compressedSize     bytes stored
//   method             "store", "deflate", "zstd", ... ("method-N" if unknown)
//   crc32              CRC-32 of the uncompressed bytes (a number)
//   localHeaderOffset  where the entry's local header starts
//   payloadOffset      where its stored bytes start (cozip index and manifest)
//   mtime              ISO 8601 UTC text, or null
//   mode               Unix permissions as `ls -l` shows them, or null
//   isDirectory        a directory entry
import { methodName } from '../zip/codecs.js';
import type { ZipEntry } from '../zip/entry.js';
import { ENTRY_KEYS, type EntryKey } from './entry-keys.js';
import { isoTime } from './output.js';

export { ENTRY_KEYS, type EntryKey };

/** The file-type letter of `ls -l` for the type bits of a Unix mode. */
function typeLetter(mode: number): string {
  // A switch, not an object with octal keys: Biome 2.6.8's useSimpleNumberKeys
  // fix rewrites 0o040000 as 9604 (read in base 7).
  switch (mode & 0o170000) {
    case 0o040000:
      return 'd';
    case 0o120000:
      return 'l';
    case 0o100000:
      return '-';
    case 0o020000:
      return 'c';
    case 0o060000:
      return 'b';
    case 0o010000:
      return 'p';
    case 0o140000:
      return 's';
    default:
      return '?';
  }
}

/** `-rw-r--r--` for a Unix mode (setuid, setgid and sticky shown as ls does). */
export function modeText(mode: number): string {
  const kind = typeLetter(mode);
  const bit = (mask: number, letter: string) => (mode & mask ? letter : '-');
  const exec = (x: number, special: number, on: string, off: string) =>
    mode & special ? (mode & x ? on : off) : mode & x ? 'x' : '-';
  return (
    kind +
    bit(0o400, 'r') +
    bit(0o200, 'w') +
    exec(0o100, 0o4000, 's', 'S') +
    bit(0o040, 'r') +
    bit(0o020, 'w') +
    exec(0o010, 0o2000, 's', 'S') +
    bit(0o004, 'r') +
    bit(0o002, 'w') +
    exec(0o001, 0o1000, 't', 'T')
  );
}

const GETTERS: Record<EntryKey, (e: ZipEntry) => unknown> = {
  name: (e) => e.name,
  size: (e) => e.uncompressedSize,
  compressedSize: (e) => e.compressedSize,
  method: (e) => methodName(e.method),
  crc32: (e) => e.crc32,
  localHeaderOffset: (e) => e.localHeaderOffset,
  mtime: (e) => isoTime(e.mtime),
  mode: (e) => (e.unixMode === undefined ? null : modeText(e.unixMode)),
  isDirectory: (e) => e.isDirectory,
};

export function isEntryKey(key: string): key is EntryKey {
  return Object.hasOwn(GETTERS, key);
}

/** A function giving an entry as an object of exactly `keys`, values as JSON shows them. */
export function entryFields(keys: readonly EntryKey[]): (e: ZipEntry) => Record<string, unknown> {
  const getters = keys.map((k) => GETTERS[k]);
  return (e) => {
    const row: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) row[keys[i]] = getters[i](e);
    return row;
  };
}

/** Every key of ENTRY_KEYS. */
export const entryJson = entryFields(ENTRY_KEYS);
