// Any ZIP to a Flat cozip: every file member is decompressed (CRC-checked)
// and stored; the manifest gets the member's mtime and original method.
import { CozipError } from '../errors.js';
import { isRangeSource, type OpenSourceOptions, type SourceInput } from '../io/open-source.js';
import { methodName } from '../zip/codecs.js';
import { openEntry } from '../zip/entry-data.js';
import { openZip } from '../zip/reader.js';
import type { Sink } from '../zip/sink.js';
import type { CozipRow } from './inputs.js';
import { type CozipWriteResult, type WriteCozipOptions, writeCozip } from './writer.js';

export interface ConvertOptions
  extends Omit<WriteCozipOptions, 'profile' | 'metadata'>,
    OpenSourceOptions {
  /** Extra manifest columns per member, from the ZIP entry. */
  columns?: (entry: { name: string; mtime: Date; method: number }) => Record<string, unknown>;
}

/**
 * Rewrites `input` (any ZIP) as a Flat cozip at `out`. Directories and empty
 * files are dropped (cozip forbids them); names must satisfy the cozip rules.
 */
export async function convertToCozip(
  input: SourceInput,
  out: string | Sink,
  options: ConvertOptions = {},
): Promise<CozipWriteResult> {
  const zip = await openZip(input, options);
  try {
    const rows: CozipRow[] = [];
    for (const e of zip.entries) {
      if (e.isDirectory || e.uncompressedSize === 0) continue;
      if (e.isSymlink)
        throw new CozipError(
          'INVALID_INPUT',
          `${e.name} is a symlink; cozip stores regular files only`,
        );
      rows.push({
        name: e.name,
        path: { size: e.uncompressedSize, stream: () => openEntry(zip, e) },
        mtime: e.mtime,
        source_method: methodName(e.method),
        ...options.columns?.({ name: e.name, mtime: e.mtime, method: e.method }),
      });
    }
    return await writeCozip(out, rows, { ...options, profile: 'flat' });
  } finally {
    if (!isRangeSource(input)) await zip.source.close?.();
  }
}
