// cozip ls: a cozip's manifest rows, or any ZIP's entry list. The body is in
// ls-action.ts, loaded only when ls runs.
import type { Command } from 'commander';
import { ENTRY_KEYS } from '../entry-keys.js';
import { parseColumns, parseCount } from '../options.js';

export interface LsOptions {
  where?: string;
  columns?: string[];
  limit?: number;
  json?: boolean;
  csv?: boolean;
  /** --no-location sets it false. */
  location?: boolean;
  /** -l: the long entry listing with totals. */
  long?: boolean;
  /** --raw: a cozip's ZIP entries rather than its manifest rows. */
  raw?: boolean;
}

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
    .option('-l, --long', 'entries in full (mode, sizes, method, CRC-32, offset, time) and totals')
    .option('--raw', "list a cozip's ZIP entries, not its manifest")
    .addHelpText(
      'after',
      `
A Flat cozip lists its manifest (name, offset, size and the user columns),
fetching only the columns and row groups asked for; --json and --csv add
cozip:location, the GDAL path that opens each member in place (as the
official readers do; --columns may list it too). Other ZIPs (cozips of the
none and taco profiles, and any cozip with --raw) list their entries:
${ENTRY_KEYS.join(', ')} (a table shows name, size, compressedSize, method,
mtime; -l the rest too, and totals). --where needs a manifest.

Examples:
  $ cozip ls dataset.zip --where "split = val and size > 1000" --columns name,size --limit 10
  $ cozip ls https://example.com/archive.zip --json`,
    )
    .action(async (src: string, opts: LsOptions) => {
      const { runLs } = await import('./ls-action.js');
      await runLs(src, opts);
    });
}
