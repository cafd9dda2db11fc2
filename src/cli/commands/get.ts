// cozip get: named members into a directory, through the safe extractor.
import type { Command } from 'commander';
import { CozipError, extractZip } from '../../node.js';
import { withArchive, zipView } from '../archive.js';
import { count, note, writeOut } from '../output.js';

interface GetOptions {
  output: string;
  overwrite?: boolean;
  quiet?: boolean;
}

export function registerGet(program: Command): void {
  program
    .command('get')
    .description('write the named members under a directory (paths kept)')
    .argument('<src>', 'archive path or http(s) URL')
    .argument('<names...>', 'member names, as ls shows them')
    .requiredOption('-o, --output <dir>', 'directory to write into (created if missing)')
    .option('--overwrite', 'replace existing files')
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
      const opts = cmd.optsWithGlobals<GetOptions>();
      const result = await withArchive(src, async (opened) => {
        const zip = await zipView(opened);
        const present = new Set(zip.entries.map((e) => e.name));
        const missing = names.filter((n) => !present.has(n));
        if (missing.length > 0) {
          throw new CozipError('NOT_FOUND', `not in ${src}: ${missing.join(', ')}`, {
            details: { missing },
          });
        }
        const wanted = new Set(names);
        return extractZip(zip, opts.output, {
          filter: (e) => wanted.has(e.name),
          overwrite: opts.overwrite,
        });
      });
      if (!opts.quiet) {
        for (const s of result.skipped) note(`cozip: skipped ${s.name}: ${s.reason}`);
        await writeOut(
          `wrote ${count(result.files)} file(s), ${count(result.bytes)} bytes to ${opts.output}\n`,
        );
      }
    });
}
