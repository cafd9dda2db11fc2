// A full integrity check of any ZIP, like `unzip -t` plus structural and
// name-safety rules: every problem is reported with a stable code instead of
// stopping at the first.
import { CozipError, type ErrorCode } from '../errors.js';
import { runPool } from '../io/pool.js';
import { bytesEqual } from './bytes.js';
import { FLAG_ENCRYPTED, FLAG_UTF8, LOCAL_HEADER_SIZE } from './constants.js';
import type { ZipEntry } from './entry.js';
import { openEntry, prefetchLocalRecords, readLocalRecord } from './entry-data.js';
import { unsafeNameReason } from './names.js';
import type { ZipArchive } from './reader.js';

export interface ZipProblem {
  code: ErrorCode | 'TRAILING_DATA' | 'PREFIX_DATA';
  message: string;
  /** The entry concerned, when there is one. */
  entry?: string;
}

export interface ZipCheckReport {
  ok: boolean;
  entries: number;
  /** Uncompressed bytes decoded and CRC-checked. */
  bytesChecked: number;
  /** Failures: the archive is not sound. */
  problems: ZipProblem[];
  /** Oddities that standard tools accept. */
  warnings: ZipProblem[];
}

export interface CheckZipOptions {
  /** Decode every member and verify sizes and CRC-32 (default true). */
  content?: boolean;
  /** Members checked concurrently (default 4: useful over HTTP). */
  concurrency?: number;
  onProgress?: (p: { entries: number; bytes: number }) => void;
}

export async function checkZip(
  archive: ZipArchive,
  options: CheckZipOptions = {},
): Promise<ZipCheckReport> {
  const problems: ZipProblem[] = [];
  const warnings: ZipProblem[] = [];
  const fail = (err: unknown, entry?: string) => problems.push(toProblem(err, entry));

  if (archive.commentTruncated) {
    problems.push({
      code: 'TRUNCATED',
      message: 'the archive comment runs past the end of the file',
    });
  }
  if (archive.trailingBytes > 0) {
    problems.push({
      code: 'TRAILING_DATA',
      message: `${archive.trailingBytes} bytes follow the end of central directory record`,
    });
  }
  if (archive.prefixLength > 0) {
    warnings.push({
      code: 'PREFIX_DATA',
      message: `${archive.prefixLength} bytes precede the archive; stored offsets are shifted by them`,
    });
  }

  const seen = new Set<string>();
  for (const e of archive.entries) {
    const reason = unsafeNameReason(e.name);
    if (reason)
      problems.push({
        code: 'UNSAFE_PATH',
        message: `unsafe name ${JSON.stringify(e.name)}: ${reason}`,
        entry: e.name,
      });
    if (seen.has(e.name))
      problems.push({
        code: 'DUPLICATE_NAME',
        message: `duplicate name ${JSON.stringify(e.name)}`,
        entry: e.name,
      });
    seen.add(e.name);
  }
  for (const p of findOverlaps(archive.entries, archive.cdOffset)) problems.push(p);

  let bytesChecked = 0;
  let done = 0;
  if (options.content === false) await prefetchLocalRecords(archive, archive.entries);
  await runPool(archive.entries, options.concurrency ?? 4, async (e) => {
    try {
      const { header } = await readLocalRecord(archive, e);
      if (!bytesEqual(header.rawName, e.rawName)) {
        problems.push({
          code: 'BAD_RECORD',
          message: 'local header name differs from the central directory',
          entry: e.name,
        });
      }
      if (header.method !== e.method) {
        problems.push({
          code: 'BAD_RECORD',
          message: `local header method ${header.method} differs from central ${e.method}`,
          entry: e.name,
        });
      }
      if ((header.flags ^ e.flags) & (FLAG_ENCRYPTED | FLAG_UTF8)) {
        warnings.push({
          code: 'BAD_RECORD',
          message: 'local and central flags disagree',
          entry: e.name,
        });
      }
      if (options.content !== false && !(e.isDirectory && e.uncompressedSize === 0)) {
        for await (const chunk of openEntry(archive, e)) bytesChecked += chunk.length;
      }
    } catch (err) {
      fail(err, e.name);
    }
    done++;
    options.onProgress?.({ entries: done, bytes: bytesChecked });
  });
  return {
    ok: problems.length === 0,
    entries: archive.entries.length,
    bytesChecked,
    problems,
    warnings,
  };
}

function toProblem(err: unknown, entry?: string): ZipProblem {
  if (err instanceof CozipError) return { code: err.code, message: err.message, entry };
  throw err;
}

/**
 * Members whose data ranges overlap (the "overlapping files" ZIP bomb, or a
 * corrupt directory). Uses the smallest possible extent of each member
 * (local header without extra, plus compressed size), so every reported
 * overlap is real; data running into the central directory is reported too.
 */
export function findOverlaps(entries: ZipEntry[], cdOffset: number): ZipProblem[] {
  const spans = entries
    .map((e) => ({
      e,
      start: e.localHeaderOffset,
      end: e.localHeaderOffset + LOCAL_HEADER_SIZE + e.rawName.length + e.compressedSize,
    }))
    .sort((a, b) => a.start - b.start);
  const out: ZipProblem[] = [];
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i];
    if (i + 1 < spans.length && s.end > spans[i + 1].start) {
      out.push({
        code: 'OVERLAP',
        message: `data of ${JSON.stringify(s.e.name)} overlaps ${JSON.stringify(spans[i + 1].e.name)}`,
        entry: s.e.name,
      });
    }
    if (s.end > cdOffset) {
      out.push({
        code: 'BAD_RECORD',
        message: `data of ${JSON.stringify(s.e.name)} overflows into the central directory at ${cdOffset}`,
        entry: s.e.name,
      });
    }
  }
  return out;
}
