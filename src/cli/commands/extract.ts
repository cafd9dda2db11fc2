// cozip extract: every member (or the --where selection of a cozip) into a
// directory. Cozips go through the same extractor as plain ZIPs, on their ZIP
// view, so every safety rule and CRC check applies.
import type { Command } from 'commander';
import { extractZip, readManifest, type ZipEntry } from '../../node.js';
import { flatCozip, isReservedEntry, withArchive, zipView } from '../archive.js';
import { asUsage, UsageError } from '../errors.js';
import { count, note, writeOut } from '../output.js';
import { progressBar } from '../progress.js';
import { whereFilter } from '../where.js';

interface ExtractOptions {
  output: string;
  where?: string;
  overwrite?: boolean;
  quiet?: boolean;
}

/** Members fetched at once: enough to hide HTTP latency, few enough to stay polite. */
const IN_FLIGHT = 6;

export function registerExtract(program: Command): void {
  program
    .command('extract')
    .description('extract members into a directory, safely')
    .argument('<src>', 'archive path or http(s) URL')
    .option('-o, --output <dir>', 'directory to extract into (created if missing)', '.')
    .option('--where <expr>', 'cozip: extract only the manifest rows that match')
    .option('--overwrite', 'replace existing files')
    .addHelpText(
      'after',
      `
Names that would escape DIR are refused, existing symlinks are never
written through, symlink entries are skipped, ZIP bombs are refused, and
every file is written to a temp name and renamed. A cozip's own entries
(__cozip__, __metadata__, padding) are not extracted.

Examples:
  $ cozip extract dataset.zip -o data/ --where "split = val"
  $ cozip extract https://example.com/archive.zip -o out/ --overwrite`,
    )
    .action(async (src: string, _opts, cmd: Command) => {
      const opts = cmd.optsWithGlobals<ExtractOptions>();
      const filter = whereFilter(opts.where);
      const bar = progressBar('extract', opts.quiet);
      try {
        const result = await withArchive(src, async (opened) => {
          let select: (e: ZipEntry) => boolean = () => true;
          if (opened.kind === 'cozip') {
            select = (e) => !isReservedEntry(e.name);
            if (filter !== undefined) {
              const cozip = flatCozip(opened);
              if (!cozip)
                throw new UsageError(`--where needs a Flat cozip; ${src} has no manifest`);
              const rows = await readManifest(cozip, { columns: ['name'], filter }).catch(asUsage);
              const names = new Set(rows.map((r) => r.name as string));
              select = (e) => names.has(e.name);
            }
          } else if (filter !== undefined) {
            throw new UsageError(`--where filters a cozip manifest; ${src} is a plain ZIP`);
          }
          const zip = await zipView(opened);
          return extractZip(zip, opts.output, {
            filter: select,
            overwrite: opts.overwrite,
            concurrency: IN_FLIGHT,
            onProgress: (p) => bar.update(p.bytes, p.totalBytes),
          });
        });
        bar.stop();
        if (!opts.quiet) {
          for (const s of result.skipped) note(`cozip: skipped ${s.name}: ${s.reason}`);
          await writeOut(
            `extracted ${count(result.files)} file(s), ${count(result.bytes)} bytes to ${opts.output}\n`,
          );
        }
      } finally {
        bar.stop();
      }
    });
}
