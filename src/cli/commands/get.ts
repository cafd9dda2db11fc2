// cozip get: named members into a directory, through the safe extractor. The
// body is in get-action.ts, loaded only when get runs.
import type { Command } from 'commander';

export interface GetOptions {
  output: string;
  overwrite?: boolean;
  quiet?: boolean;
  json?: boolean;
}

export function registerGet(program: Command): void {
  program
    .command('get')
    .description('write the named members under a directory (paths kept)')
    .argument('<src>', 'archive path or http(s) URL')
    .argument('<names...>', 'member names, as ls shows them')
    .requiredOption('-o, --output <dir>', 'directory to write into (created if missing)')
    .option('--overwrite', 'replace existing files')
    .option('--json', 'print a JSON summary object on stdout')
    .addHelpText(
      'after',
      `
Members keep their relative path under DIR. Every name is checked before
anything is written; writing follows the extract safety rules (no path
escapes, no writing through symlinks, temp file then rename).

Example:
  $ cozip get dataset.zip train/0.tif train/1.tif -o out/`,
    )
    .action(async (src: string, names: string[], _opts, cmd: Command) => {
      const { runGet } = await import('./get-action.js');
      await runGet(src, names, cmd.optsWithGlobals<GetOptions>());
    });
}
