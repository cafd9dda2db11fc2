// cozip convert, the action: the cozip writer (hyparquet-writer) loads here.
import { convertToCozip } from '../../cozip/convert.js';
import { cozipWritten, writeOut } from '../output.js';
import { progressBar } from '../progress.js';
import type { ConvertOptions } from './convert.js';

export async function runConvert(input: string, out: string, opts: ConvertOptions): Promise<void> {
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
}
