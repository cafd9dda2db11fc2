// cozip ls, the action: the manifest reader (hyparquet) loads only for a
// Flat cozip; a plain ZIP's entry list needs the ZIP reader alone.
import { methodName } from '../../zip/codecs.js';
import type { ZipArchive } from '../../zip/reader.js';
import { flatCozip, withArchive, zipView } from '../archive.js';
import { asUsage, UsageError } from '../errors.js';
import { printJson, renderCsv, renderTable, writeOut } from '../output.js';
import { whereFilter } from '../where.js';
import { ENTRY_COLUMNS, type LsOptions } from './ls.js';

export async function runLs(src: string, opts: LsOptions): Promise<void> {
  if (opts.json && opts.csv) throw new UsageError('choose one of --json and --csv');
  const filter = await whereFilter(opts.where);
  const { columns, rows } = await withArchive(src, async (opened) => {
    const cozip = flatCozip(opened);
    if (cozip) {
      const { cozipManifest, readManifest } = await import('../../cozip/manifest.js');
      // Without a filter the limit is a row range: later rows are never decoded.
      const rowEnd = filter === undefined ? opts.limit : undefined;
      const rows = await readManifest(cozip, { columns: opts.columns, filter, rowEnd }).catch(
        asUsage,
      );
      // Opened once per archive: its column list costs no further read.
      const manifest = await cozipManifest(cozip);
      return { columns: opts.columns ?? manifest.columns.map((c) => c.name), rows };
    }
    if (filter !== undefined) {
      throw new UsageError(
        `--where filters a cozip manifest; ${src} is ${opened.kind === 'zip' ? 'a plain ZIP' : `a ${opened.cozip.profileName ?? 'cozip'} cozip without one`}`,
      );
    }
    return entryRows(await zipView(opened), opts.columns);
  });
  const shown = opts.limit === undefined ? rows : rows.slice(0, opts.limit);
  if (opts.json) await printJson(shown.map((r) => pick(r, columns)));
  else if (opts.csv) await writeOut(renderCsv(columns, shown));
  else await writeOut(renderTable(columns, shown));
}

function entryRows(zip: ZipArchive, wanted: string[] | undefined) {
  const columns = wanted ?? ENTRY_COLUMNS;
  for (const c of columns) {
    if (!ENTRY_COLUMNS.includes(c)) {
      throw new UsageError(`no column ${c}: ZIP entries have ${ENTRY_COLUMNS.join(', ')}`);
    }
  }
  const rows = zip.entries.map((e) => ({
    name: e.name,
    size: e.uncompressedSize,
    compressed: e.compressedSize,
    method: methodName(e.method),
    mtime: e.mtime,
  }));
  return { columns, rows };
}

function pick(row: Record<string, unknown>, columns: string[]): Record<string, unknown> {
  return Object.fromEntries(columns.map((c) => [c, row[c]]));
}
