// Node only: any ZIP to a SOZip archive. Deflate members larger than the
// chunk size are decompressed (CRC-checked) and recompressed as SOZip;
// members that already carry a valid index with the same chunk size are
// copied with their index; everything else is copied verbatim (compressed
// bytes, CRC, sizes, time, permissions and comment).
import { CozipError } from '../errors.js';
import { isRangeSource, type OpenSourceOptions, type SourceInput } from '../io/open-source.js';
import { EXTRA_UNICODE_PATH, METHOD_DEFLATE } from '../zip/constants.js';
import type { ZipEntry } from '../zip/entry.js';
import { openEntry, openEntryRaw } from '../zip/entry-data.js';
import { openZip } from '../zip/reader.js';
import type { Sink } from '../zip/sink.js';
import type { FinishResult } from '../zip/writer.js';
import { DEFAULT_CHUNK_SIZE } from './constants.js';
import { detectAll } from './detect.js';
import { createSozipWriter, type SozipWriterOptions } from './writer.js';

export interface ConvertSozipOptions extends SozipWriterOptions, OpenSourceOptions {
  /** Copy members whose valid index has the wanted chunk size instead of recompressing them (default true). */
  reuseIndexes?: boolean;
}

export interface ConvertSozipResult extends FinishResult {
  /** Members recompressed as SOZip. */
  converted: number;
  /** SOZip members copied with their index. */
  reused: number;
  /** Members copied verbatim. */
  copied: number;
}

/** Rewrites `input` (any ZIP: path, URL, bytes, source) as a SOZip archive at `out` (a path, written atomically, or a Sink). */
export async function convertToSozip(
  input: SourceInput,
  out: string | Sink,
  options: ConvertSozipOptions = {},
): Promise<ConvertSozipResult> {
  const zip = await openZip(input, options);
  try {
    const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    // Members up to this size are copied as they are (the writer checks the option).
    const minSize = options.minSize ?? 0;
    const reuse = options.reuseIndexes ?? true;
    const found = reuse ? await detectAll(zip) : new Map();
    for (const e of zip.entries) {
      if (e.encrypted) {
        throw new CozipError('ENCRYPTED', `${e.name} is encrypted; cannot convert it`, {
          details: { name: e.name },
        });
      }
      if (e.isSymlink) {
        throw new CozipError('INVALID_INPUT', `${e.name} is a symlink; cannot copy it`, {
          details: { name: e.name },
        });
      }
    }
    const writer = await createSozipWriter(out, options);
    const counts = { converted: 0, reused: 0, copied: 0 };
    try {
      for (const e of zip.entries) {
        const common = {
          mtime: e.mtime,
          mode: e.unixMode === undefined ? undefined : e.unixMode & 0o7777,
          comment: e.comment || undefined,
        };
        if (e.isDirectory) {
          await writer.addDirectory(e.name, common);
          continue;
        }
        const raw = {
          ...common,
          method: e.method,
          crc32: e.crc32,
          compressedSize: e.compressedSize,
          uncompressedSize: e.uncompressedSize,
        };
        if (e.method !== METHOD_DEFLATE || e.uncompressedSize <= Math.max(chunkSize, minSize)) {
          await writer.addRaw(e.name, openEntryRaw(zip, e), raw);
          counts.copied++;
          continue;
        }
        const unicodePath = hasUnicodePath(e);
        const index = found.get(e)?.index;
        if (index && index.chunkSize === chunkSize) {
          const offsets = await index.table.all();
          await writer.addRawSozip(
            e.name,
            openEntryRaw(zip, e),
            { ...raw, unicodePath },
            {
              chunkSize,
              uncompressedSize: e.uncompressedSize,
              compressedSize: e.compressedSize,
              offsets,
            },
          );
          counts.reused++;
          continue;
        }
        await writer.add(e.name, openEntry(zip, e), {
          ...common,
          size: e.uncompressedSize,
          unicodePath,
        });
        counts.converted++;
      }
      return { ...(await writer.finish()), ...counts };
    } catch (err) {
      await writer.abort(err);
      throw err;
    }
  } finally {
    if (!isRangeSource(input)) await zip.source.close?.();
  }
}

function hasUnicodePath(e: ZipEntry): boolean {
  return e.extraFields.some((f) => f.id === EXTRA_UNICODE_PATH);
}
