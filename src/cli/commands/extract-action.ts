// cozip extract, the action. Cozips go through the same extractor as plain
// ZIPs, on their ZIP view, so every safety rule and CRC check applies; the
// manifest reader (hyparquet) loads only for --where.
import type { ZipEntry } from '../../zip/entry.js';
import { extractZip } from '../../zip/extract.js';
import { flatCozip, isReservedEntry, withArchive, zipView } from '../archive.js';
import { asUsage, UsageError } from '../errors.js';
import { count, extractSummary, note, printJson, writeOut } from '../output.js';
import { progressBar } from '../progress.js';
import { checkExtractTargets, memberNames, withFlagHint } from '../targets.js';
import { whereFilter } from '../where.js';
import type { ExtractOptions } from './extract.js';

/** Members fetched at once: enough to hide HTTP latency, few enough to stay polite. */
const IN_FLIGHT = 6;

export async function runExtract(src: string, opts: ExtractOptions): Promise<void> {
  const filter = await whereFilter(opts.where);
  const bar = progressBar('extract', opts.quiet);
  try {
    const result = await withArchive(src, async (opened) => {
      let select: (e: ZipEntry) => boolean = () => true;
      if (opened.kind === 'cozip') {
        select = (e) => !isReservedEntry(e.name);
        if (filter !== undefined) {
          const cozip = flatCozip(opened);
          if (!cozip) throw new UsageError(`--where needs a Flat cozip; ${src} has no manifest`);
          const { readManifest } = await import('../../cozip/manifest.js');
          const rows = await readManifest(cozip, { columns: ['name'], filter }).catch(asUsage);
          const names = new Set(rows.map((r) => r.name as string));
          select = (e) => names.has(e.name);
        }
      } else if (filter !== undefined) {
        throw new UsageError(`--where filters a cozip manifest; ${src} is a plain ZIP`);
      }
      const zip = await zipView(opened);
      // Every existing file is found before the first one is written.
      checkExtractTargets(opts.output, memberNames(zip.entries, select), {
        replace: opts.overwrite,
        inputs: [src],
      });
      return extractZip(zip, opts.output, {
        filter: select,
        overwrite: opts.overwrite,
        concurrency: IN_FLIGHT,
        onProgress: (p) => bar.update(p.bytes, p.totalBytes),
      }).catch((err) => {
        throw withFlagHint(err);
      });
    });
    bar.stop();
    if (opts.json) await printJson(extractSummary(opts.output, result));
    else if (!opts.quiet) {
      for (const s of result.skipped) note(`cozip: skipped ${s.name}: ${s.reason}`);
      for (const w of result.warnings) note(`cozip: warning: ${w.message}`);
      await writeOut(
        `extracted ${count(result.files)} file(s), ${count(result.bytes)} bytes to ${opts.output}\n`,
      );
    }
  } finally {
    bar.stop();
  }
}
