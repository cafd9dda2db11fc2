// cozip ls, the action: the manifest reader (hyparquet) loads only for a
// Flat cozip; a plain ZIP's entry list needs the ZIP reader alone.
import { LOCATION_COLUMN } from '../../cozip/location.js';
import { methodName } from '../../zip/codecs.js';
import type { ZipEntry } from '../../zip/entry.js';
import { flatCozip, withArchive, zipView } from '../archive.js';
import { asUsage, UsageError } from '../errors.js';
import { isoTime, printJsonArray, renderCsv, renderTable, writeOut } from '../output.js';
import { whereFilter } from '../where.js';
import { ENTRY_COLUMNS, type LsOptions } from './ls.js';

export async function runLs(src: string, opts: LsOptions): Promise<void> {
  if (opts.json && opts.csv) throw new UsageError('choose one of --json and --csv');
  const filter = await whereFilter(opts.where);
  const listing = await withArchive(src, async (opened) => {
    const cozip = flatCozip(opened);
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
      columns: entryColumns(opts.columns),
      rows: undefined,
      entries: opts.limit === undefined ? zip.entries : zip.entries.slice(0, opts.limit),
    };
  });
  const { columns, entries } = listing;
  if (opts.json && entries) {
    // Entry rows hold strings, numbers and nulls only, in column order.
    await printJsonArray(entries, entryRow(columns), true);
    return;
  }
  const rows = listing.rows ?? entries!.map(entryRow(columns));
  if (opts.json) await printJsonArray(rows, (r) => pick(r, columns));
  else if (opts.csv) await writeOut(renderCsv(columns, rows));
  else await writeOut(renderTable(columns, rows));
}

function entryColumns(wanted: string[] | undefined): string[] {
  const columns = wanted ?? ENTRY_COLUMNS;
  for (const c of columns) {
    if (!ENTRY_COLUMNS.includes(c)) {
      throw new UsageError(`no column ${c}: ZIP entries have ${ENTRY_COLUMNS.join(', ')}`);
    }
  }
  return columns;
}

/** One entry as a row of exactly `columns`, each value as JSON shows it (mtime: ISO text or null). */
function entryRow(columns: string[]): (e: ZipEntry) => Record<string, unknown> {
  const value: Record<string, (e: ZipEntry) => unknown> = {
    name: (e) => e.name,
    size: (e) => e.uncompressedSize,
    compressed: (e) => e.compressedSize,
    method: (e) => methodName(e.method),
    mtime: (e) => isoTime(e.mtime),
  };
  const getters = columns.map((c) => value[c]);
  return (e) => {
    const row: Record<string, unknown> = {};
    for (let i = 0; i < columns.length; i++) row[columns[i]] = getters[i](e);
    return row;
  };
}

function pick(row: Record<string, unknown>, columns: string[]): Record<string, unknown> {
  return Object.fromEntries(columns.map((c) => [c, row[c]]));
}
