// cozip convert: any ZIP → a Flat cozip (convertToCozip).
import type { Command } from 'commander';
import { convertToCozip } from '../../node.js';
import { parseDate } from '../options.js';
import { cozipWritten, writeOut } from '../output.js';
import { progressBar } from '../progress.js';

export function registerConvert(program: Command): void {
  program
    .command('convert')
    .description('rewrite any ZIP as a Flat cozip')
    .argument('<in>', 'ZIP path or http(s) URL')
    .argument('<out>', 'the cozip to write (replaced atomically)')
    .option('--mtime <iso>', 'modification time of every entry, for reproducible output', parseDate)
    .addHelpText(
      'after',
      `
Members are decompressed (CRC-checked) and stored; the manifest gets each
member's mtime and original method (source_method). Directories and empty
files are dropped, since cozip forbids them.

Example:
  $ cozip convert photos.zip photos.cozip.zip`,
    )
    .action(async (input: string, out: string, _opts, cmd: Command) => {
      const opts = cmd.optsWithGlobals<{ mtime?: Date; quiet?: boolean }>();
      const bar = progressBar('convert', opts.quiet);
      try {
        const result = await convertToCozip(input, out, {
          mtime: opts.mtime,
          onProgress: (p) => bar.update(p.bytes, p.totalBytes),
        });
        bar.stop();
        if (!opts.quiet) {
          await writeOut(cozipWritten(out, result));
        }
      } finally {
        bar.stop();
      }
    });
}
