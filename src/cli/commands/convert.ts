// cozip convert: any ZIP → a Flat cozip (convertToCozip). The body is in
// convert-action.ts, loaded only when convert runs.
import type { Command } from 'commander';
import { parseDate } from '../options.js';

export interface ConvertOptions {
  mtime?: Date;
  escapeNames?: boolean;
  force?: boolean;
  quiet?: boolean;
  json?: boolean;
}

export function registerConvert(program: Command): void {
  program
    .command('convert')
    .description('rewrite any ZIP as a Flat cozip')
    .argument('<in>', 'ZIP path or http(s) URL')
    .argument('<out>', 'the cozip to write (an existing one only with --force)')
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
Members are decompressed (CRC-checked) and stored; the manifest gets each
member's mtime (--mtime: that time) and original method (source_method).
Directories and empty files are dropped, since cozip forbids them. Member
names must be ASCII (cozip spec 0.1.0): a ZIP with other names is refused,
listing them, unless --escape-names is given.

Example:
  $ cozip convert photos.zip photos.cozip.zip`,
    )
    .action(async (input: string, out: string, _opts, cmd: Command) => {
      const { runConvert } = await import('./convert-action.js');
      await runConvert(input, out, cmd.optsWithGlobals<ConvertOptions>());
    });
}
