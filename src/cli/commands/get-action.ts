// cozip get, the action: the ZIP view and the safe extractor.
import { CozipError } from '../../errors.js';
import { extractZip } from '../../zip/extract.js';
import { withArchive, zipView } from '../archive.js';
import { count, extractSummary, note, printJson, writeOut } from '../output.js';
import { checkExtractTargets, withFlagHint } from '../targets.js';
import type { GetOptions } from './get.js';

export async function runGet(src: string, names: string[], opts: GetOptions): Promise<void> {
  // The names are known: existing files are refused before the archive is opened.
  checkExtractTargets(opts.output, names, { replace: opts.overwrite, inputs: [src] });
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
    }).catch((err) => {
      throw withFlagHint(err);
    });
  });
  if (opts.json) await printJson(extractSummary(opts.output, result));
  else if (!opts.quiet) {
    for (const s of result.skipped) note(`cozip: skipped ${s.name}: ${s.reason}`);
    for (const w of result.warnings) note(`cozip: warning: ${w.message}`);
    await writeOut(
      `wrote ${count(result.files)} file(s), ${count(result.bytes)} bytes to ${opts.output}\n`,
    );
  }
}
