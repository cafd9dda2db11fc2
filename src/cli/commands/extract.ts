// cozip extract: every member (or the --where selection of a cozip) into a
// directory. The body is in extract-action.ts, loaded only when extract runs.
import type { Command } from 'commander';

export interface ExtractOptions {
  output: string;
  where?: string;
  overwrite?: boolean;
  quiet?: boolean;
  json?: boolean;
}

export function registerExtract(program: Command): void {
  program
    .command('extract')
    .description('extract members into a directory, safely')
    .argument('<src>', 'archive path or http(s) URL')
    .option('-o, --output <dir>', 'directory to extract into (created if missing)', '.')
    .option('--where <expr>', 'cozip: extract only the manifest rows that match')
    .option('--overwrite', 'replace existing files')
    .option('--json', 'print a JSON summary object on stdout')
    .addHelpText(
      'after',
      `
Names that would escape DIR are refused, existing symlinks are never
written through, symlink entries are skipped, ZIP bombs are refused, and
every file is written to a temp name (.NAME.cozip-…tmp) and renamed; temp
files a killed extraction left are deleted by the next one into the same
directories. A cozip's own entries (__cozip__, __metadata__, padding) are
not extracted.

Examples:
  $ cozip extract dataset.zip -o data/ --where "split = val"
  $ cozip extract https://example.com/archive.zip -o out/ --overwrite`,
    )
    .action(async (src: string, _opts, cmd: Command) => {
      const { runExtract } = await import('./extract-action.js');
      await runExtract(src, cmd.optsWithGlobals<ExtractOptions>());
    });
}
