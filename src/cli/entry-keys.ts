// The keys of an entry in the CLI's JSON (see entry-json.ts), on their own so
// that a command's help can list them without loading the ZIP code.

/** The keys `ls --json` gives a plain ZIP's entries, in this order. */
export const ENTRY_KEYS = [
  'name',
  'size',
  'compressedSize',
  'method',
  'crc32',
  'localHeaderOffset',
  'mtime',
  'mode',
  'isDirectory',
] as const;
export type EntryKey = (typeof ENTRY_KEYS)[number];
