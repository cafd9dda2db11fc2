// cozip ls: a cozip's manifest rows, or any ZIP's entry list. The body is in
// ls-action.ts, loaded only when ls runs.
import type { Command } from 'commander';
import { parseColumns, parseCount } from '../options.js';

export interface LsOptions {
  where?: string;
  columns?: string[];
  limit?: number;
  json?: boolean;
  csv?: boolean;
  /** --no-location sets it false. */
  location?: boolean;
}

export const ENTRY_COLUMNS = ['name', 'size', 'compressed', 'method', 'mtime'];

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
    .option('--no-location', 'leave out the cozip:location column (--json and --csv)')
    .addHelpText(
      'after',
      `
A Flat cozip lists its manifest (name, offset, size and the user columns),
fetching only the columns and row groups asked for; --json and --csv add
cozip:location, the GDAL path that opens each member in place (as the
official readers do; --columns may list it too). Other ZIPs (and cozips of
the none and taco profiles) list their entries: ${ENTRY_COLUMNS.join(', ')}.
--where needs a manifest.

Examples:
  $ cozip ls dataset.zip --where "split = val and size > 1000" --columns name,size --limit 10
  $ cozip ls https://example.com/archive.zip --json`,
    )
    .action(async (src: string, opts: LsOptions) => {
      const { runLs } = await import('./ls-action.js');
      await runLs(src, opts);
    });
}
