// cozip ls: a cozip's manifest rows, or any ZIP's entry list.
import type { Command } from 'commander';
import { cozipManifest, methodName, readManifest, type ZipArchive } from '../../node.js';
import { flatCozip, withArchive, zipView } from '../archive.js';
import { asUsage, UsageError } from '../errors.js';
import { parseColumns, parseCount } from '../options.js';
import { printJson, renderCsv, renderTable, writeOut } from '../output.js';
import { whereFilter } from '../where.js';

interface LsOptions {
  where?: string;
  columns?: string[];
  limit?: number;
  json?: boolean;
  csv?: boolean;
}

const ENTRY_COLUMNS = ['name', 'size', 'compressed', 'method', 'mtime'];

export function registerLs(program: Command): void {
  program
    .command('ls')
    .description("list a cozip's manifest rows, or the entries of any other ZIP")
    .argument('<src>', 'archive path or http(s) URL')
    .option('--where <expr>', 'filter manifest rows: col = v and col2 > 3 and col3 in (a, b)')
    .option('--columns <a,b>', 'columns to show, in this order', parseColumns)
    .option('--limit <n>', 'show at most n rows', parseCount)
    .option('--json', 'one JSON array of row objects')
    .option('--csv', 'CSV with a header row')
    .addHelpText(
      'after',
      `
A Flat cozip lists its manifest (name, offset, size and the user columns),
fetching only the columns and row groups asked for. Other ZIPs (and cozips
of the none and taco profiles) list their entries: ${ENTRY_COLUMNS.join(', ')}.
--where needs a manifest.

Examples:
  $ cozip ls dataset.zip --where "split = val and size > 1000" --columns name,size --limit 10
  $ cozip ls https://example.com/archive.zip --json`,
    )
    .action(async (src: string, opts: LsOptions) => {
      if (opts.json && opts.csv) throw new UsageError('choose one of --json and --csv');
      const filter = whereFilter(opts.where);
      const { columns, rows } = await withArchive(src, async (opened) => {
        const cozip = flatCozip(opened);
        if (cozip) {
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
    });
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
