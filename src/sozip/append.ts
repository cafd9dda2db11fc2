// Node only: appending members to an existing archive in place. The new
// members go where the central directory began; the old central records are
// kept verbatim and the new ones follow, then new end records. Members and
// hidden indexes already in the archive are never rewritten. A failure puts
// the original bytes back (see AppendSink); `copy: true` works on a copy
// renamed over the original at the end instead.
import { copyFile, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CozipError } from '../errors.js';
import { openZip } from '../zip/reader.js';
import { sweepOnce, tempPath } from '../zip/temp-files.js';
import { writeFailed } from '../zip/write-failed.js';
import { AppendSink } from './append-sink.js';
import { copyBytes } from './chunk-inflate.js';
import { SozipWriter, type SozipWriterOptions } from './writer.js';

export interface AppendSozipOptions extends Omit<SozipWriterOptions, 'append'> {
  /** Append to a copy and rename it over the file when finished (default false: in place). */
  copy?: boolean;
}

/**
 * Opens `path` for appending: add members to the returned writer, then
 * finish() it. The archive comment is kept unless `comment` is given.
 */
export async function appendSozip(
  path: string,
  options: AppendSozipOptions = {},
): Promise<SozipWriter> {
  const zip = await openZip(path);
  let original: Uint8Array;
  let central: Uint8Array;
  try {
    if (zip.prefixLength !== 0) {
      throw new CozipError(
        'INVALID_ARGUMENT',
        `${path} has ${zip.prefixLength} bytes before the archive; cannot append in place`,
      );
    }
    // Everything from the central directory on is rewritten; keep it to undo.
    original = copyBytes(await zip.source.read(zip.cdOffset, zip.source.size));
    central = original.subarray(0, zip.cdSize);
  } finally {
    await zip.source.close?.();
  }
  let target: string | undefined;
  let workPath = path;
  if (options.copy) {
    target = path;
    sweepOnce(dirname(path));
    workPath = tempPath(path);
    await copyFile(path, workPath).catch(async (err) => {
      await unlink(workPath).catch(() => {});
      throw writeFailed(err, path);
    });
  }
  let sink: AppendSink;
  try {
    sink = await AppendSink.open(workPath, zip.cdOffset, { original, target });
  } catch (err) {
    if (target) await unlink(workPath).catch(() => {});
    throw err;
  }
  try {
    return new SozipWriter(sink, {
      comment: zip.comment,
      ...options,
      append: {
        offset: zip.cdOffset,
        central,
        entries: zip.entries.length,
        names: zip.entries.map((e) => e.name),
      },
    });
  } catch (err) {
    await sink.abort(err);
    throw err;
  }
}
