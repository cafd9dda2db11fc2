// cozip info: what an archive is, read from its index, directory and
// manifest footer only. The body is in info-action.ts, loaded only when info
// runs.
import type { Command } from 'commander';
import { parseByteCount } from './sozip-options.js';

/** GDAL's sozip utility writes SOZip members from 1 MB on. */
const DEFAULT_SOZIP_MIN_SIZE = 1024 * 1024;

export interface InfoOptions {
  json?: boolean;
  sozipMinSize: number;
}

export function registerInfo(program: Command): void {
  program
    .command('info')
    .description(
      'describe an archive: format, profile, hash, size, entries, manifest, SOZip members',
    )
    .argument('<src>', 'archive path or http(s) URL')
    .option('--json', 'one JSON object')
    .option(
      '--sozip-min-size <bytes>',
      'plain ZIPs: look for SOZip indexes in deflated members of at least this size (0: all)',
      parseByteCount,
      DEFAULT_SOZIP_MIN_SIZE,
    )
    .addHelpText(
      'after',
      `
Reads the index, the central directory and the manifest footer. In a plain
ZIP it also reads the local header of each deflated member of at least
--sozip-min-size bytes (default 1M, the size from which GDAL writes SOZip)
and the bytes right after it, where a SOZip index would be: a few requests,
not the whole archive. \`cozip sozip list\` checks every member. For a URL
it also reports the HTTP requests and bytes the inspection used.

Examples:
  $ cozip info dataset.zip
  $ cozip info https://example.com/dataset.zip --json
  $ cozip info small-files.zip --sozip-min-size 0`,
    )
    .action(async (src: string, opts: InfoOptions) => {
      const { runInfo } = await import('./info-action.js');
      await runInfo(src, opts);
    });
}
