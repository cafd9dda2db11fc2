// cozip convert, the action: the cozip writer (hyparquet-writer) loads here.
import { convertToCozip } from '../../cozip/convert.js';
import { CozipError } from '../../errors.js';
import { networkOptions } from '../network.js';
import { cozipSummary, cozipWritten, printJson, writeOut } from '../output.js';
import { withProgress } from '../progress.js';
import { checkTarget } from '../targets.js';
import type { ConvertOptions } from './convert.js';

export async function runConvert(input: string, out: string, opts: ConvertOptions): Promise<void> {
  checkTarget(out, { replace: opts.force, inputs: [input] });
  const result = await withProgress('convert', opts.quiet, (onProgress) =>
    // Name order: a remote lookup by name reads one page of the manifest.
    convertToCozip(input, out, {
      mtime: opts.mtime,
      escapeNames: opts.escapeNames,
      overwrite: opts.force === true,
      // --mtime fixes the manifest's mtime column too, not only the ZIP headers.
      columns: opts.mtime ? () => ({ mtime: opts.mtime }) : undefined,
      manifest: { sortByName: true },
      onProgress,
      ...networkOptions(),
    }).catch((err) => {
      throw inArchive(err, input);
    }),
  );
  if (opts.json) await printJson(cozipSummary(out, result, result.skipped));
  else if (!opts.quiet) await writeOut(cozipWritten(out, result));
}

/** A member's error told with the archive it is in (the library names the member). */
function inArchive(err: unknown, input: string): unknown {
  if (!(err instanceof CozipError) || typeof err.details.member !== 'string') return err;
  return new CozipError(err.code, `${input}: ${err.message}`, { details: err.details, cause: err });
}
