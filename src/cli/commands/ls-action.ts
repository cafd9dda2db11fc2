// cozip ls, the action: the manifest reader (hyparquet) loads only for a
// Flat cozip; a plain ZIP's entry list needs the ZIP reader alone.
import { LOCATION_COLUMN } from '../../cozip/location.js';
import type { ZipEntry } from '../../zip/entry.js';
import { flatCozip, withArchive, zipView } from '../archive.js';
import { ENTRY_KEYS, type EntryKey, entryFields, isEntryKey } from '../entry-json.js';
import { asUsage, UsageError } from '../errors.js';
import { count, printJsonArray, renderCsv, renderTable, writeOut } from '../output.js';
import { whereFilter } from '../where.js';
import type { LsOptions } from './ls.js';

/** What a table of entries shows by default; --json and --csv give every key. */
const TABLE_KEYS: EntryKey[] = ['name', 'size', 'compressedSize', 'method', 'mtime'];
/** ls -l, like zipinfo -l: mode, sizes, method, CRC-32, offset, time, name; then totals. */
const LONG_KEYS: EntryKey[] = [
  'mode',
  'size',
  'compressedSize',
  'method',
  'crc32',
  'localHeaderOffset',
  'mtime',
  'name',
];

export async function runLs(src: string, opts: LsOptions): Promise<void> {
  if (opts.json && opts.csv) throw new UsageError('choose one of --json and --csv');
  const filter = await whereFilter(opts.where);
  const listing = await withArchive(src, async (opened) => {
    // --raw: a cozip's ZIP entries, not its manifest.
    const cozip = opts.raw ? undefined : flatCozip(opened);
    if (cozip) {
      const { cozipManifest, readManifest } = await import('../../cozip/manifest.js');
      // Without a filter the limit is a row range: later rows are never decoded.
      const rowEnd = filter === undefined ? opts.limit : undefined;
      const location = opts.location !== false;
      const rows = await readManifest(cozip, {
        columns: opts.columns,
        filter,
        rowEnd,
        location,
      }).catch(asUsage);
      // Opened once per archive: its column list costs no further read.
      const manifest = await cozipManifest(cozip);
      // Machine-readable listings carry the reader column, as the official readers' do.
      const withLocation = location && (opts.json === true || opts.csv === true);
      const columns = opts.columns ?? [
        ...manifest.columns.map((c) => c.name),
        ...(withLocation ? [LOCATION_COLUMN] : []),
      ];
      return { columns, rows: rows.slice(0, opts.limit), entries: undefined };
    }
    if (filter !== undefined) {
      throw new UsageError(
        `--where filters a cozip manifest; ${src} is ${opened.kind === 'zip' ? 'a plain ZIP' : `a ${opened.cozip.profileName ?? 'cozip'} cozip without one`}`,
      );
    }
    const zip = await zipView(opened);
    return {
      columns: entryColumns(opts),
      rows: undefined,
      entries: opts.limit === undefined ? zip.entries : zip.entries.slice(0, opts.limit),
    };
  });
  const { columns, entries } = listing;
  if (opts.json && entries) {
    // Entry rows hold strings, numbers, booleans and nulls only, in column order.
    await printJsonArray(entries, entryFields(columns as EntryKey[]), true);
    return;
  }
  const rows = listing.rows ?? entries!.map(entryFields(columns as EntryKey[]));
  if (opts.json) await printJsonArray(rows, (r) => pick(r, columns));
  else if (opts.csv) await writeOut(renderCsv(columns, rows));
  else if (opts.long && entries) await writeOut(longListing(columns, rows, entries));
  else await writeOut(renderTable(columns, rows));
}

function entryColumns(opts: LsOptions): EntryKey[] {
  if (opts.columns === undefined) {
    return opts.json || opts.csv ? [...ENTRY_KEYS] : opts.long ? LONG_KEYS : TABLE_KEYS;
  }
  for (const c of opts.columns) {
    if (!isEntryKey(c)) {
      throw new UsageError(`no column ${c}: ZIP entries have ${ENTRY_KEYS.join(', ')}`);
    }
  }
  return opts.columns as EntryKey[];
}

/** The table with CRC-32s in hex, then a totals line as zipinfo ends with. */
function longListing(
  columns: string[],
  rows: Array<Record<string, unknown>>,
  entries: readonly ZipEntry[],
): string {
  const shown = rows.map((r) =>
    typeof r.crc32 === 'number' ? { ...r, crc32: r.crc32.toString(16).padStart(8, '0') } : r,
  );
  let size = 0;
  let stored = 0;
  for (const e of entries) {
    size += e.uncompressedSize;
    stored += e.compressedSize;
  }
  const saved = size > 0 ? ((1 - stored / size) * 100).toFixed(1) : '0.0';
  const files = entries.filter((e) => !e.isDirectory).length;
  return `${renderTable(columns, shown)}${count(entries.length)} entries (${count(files)} files), ${count(size)} bytes, ${count(stored)} stored (${saved}% saved)\n`;
}

function pick(row: Record<string, unknown>, columns: string[]): Record<string, unknown> {
  return Object.fromEntries(columns.map((c) => [c, row[c]]));
}
