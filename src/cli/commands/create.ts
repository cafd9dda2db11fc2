// cozip create: a directory or a table of files → a cozip (writeCozip). The
// body is in create-action.ts, loaded only when create runs.
import { type Command, Option } from 'commander';
import { parseDate, parseDelimiter } from '../options.js';

export interface CreateOptions {
  from?: string;
  profile: 'flat' | 'none' | 'taco';
  priority?: string[];
  nameCol: string;
  pathCol: string;
  delimiter?: string;
  types?: string[];
  meta?: string[];
  mtime?: Date;
  escapeNames?: boolean;
  force?: boolean;
  quiet?: boolean;
  json?: boolean;
}

export function registerCreate(program: Command): void {
  program
    .command('create')
    .description('pack a directory, or the files a table lists, into a cozip')
    .argument('<out>', 'the cozip to write (an existing one only with --force)')
    .argument('[dir]', 'pack every regular file under this directory (symlinks skipped)')
    .option('--from <table>', 'pack the files a table lists: .csv, .json, .jsonl or .parquet')
    .addOption(
      new Option('--profile <profile>', 'cozip profile')
        .choices(['flat', 'none', 'taco'])
        .default('flat'),
    )
    .option('--priority <names...>', 'profile none: entries to list in the index')
    .option('--name-col <col>', 'table column holding the name in the archive', 'name')
    .option(
      '--path-col <col>',
      'table column holding the file to read (relative to the table)',
      'path',
    )
    .option(
      '--delimiter <char>',
      'CSV field separator: one character, or "tab" (default: tab for .tsv, else ",")',
      parseDelimiter,
    )
    .option(
      '--types <col=type,...>',
      'column types, overriding what the table says: string, int, float, bool, date, timestamp',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--meta <col=value...>', 'add a column with this value on every row')
    .option(
      '--mtime <iso>',
      'modification time of every entry, in the ZIP headers and the manifest (reproducible output)',
      parseDate,
    )
    .option(
      '--escape-names',
      'store non-ASCII names as %XX (cozip names are ASCII), the original in a source_name column',
    )
    .option('--force', 'replace OUT if it exists (never one of the inputs)')
    .option('--json', 'print a JSON summary object on stdout')
    .addHelpText(
      'after',
      `
From a directory, each file's name is its relative path, and the manifest
gets "extension" and "mtime" columns (--mtime: that time). From a table,
"path" and "name" are required and every other column goes into the
manifest, typed: CSV columns by what every value reads as (bool, int, float,
date, timestamp, else string), JSON and Parquet as stored; --types
col=type,... says otherwise. Put DIR before variadic options (--priority,
--meta), or end them with --.

Names must be ASCII (cozip spec 0.1.0); --escape-names packs other names
with each non-ASCII UTF-8 byte written as %XX ("été.tif" -> "%C3%A9t%C3%A9.tif")
and the original kept in the manifest's source_name column.

Examples:
  $ cozip create photos.zip photos/ --meta source=camera
  $ cozip create dataset.zip --from manifest.csv --name-col file --mtime 2024-01-01T00:00:00Z
  $ cozip create scenes.zip --from scenes.tsv --types tile=string,acquired=date`,
    )
    .action(async (out: string, dir: string | undefined, _opts, cmd: Command) => {
      const { runCreate } = await import('./create-action.js');
      await runCreate(out, dir, cmd);
    });
}
