// A full integrity check of any ZIP, like `unzip -t` plus structural and
// name-safety rules: every problem is reported with a stable code instead of
// stopping at the first.
import { CozipError, type ErrorCode } from '../errors.js';
import type { ReadOptions } from '../io/source.js';
import { bytesEqual } from './bytes.js';
import { localRecordProblems } from './check-sizes.js';
import { FLAG_ENCRYPTED, FLAG_UTF8, LOCAL_HEADER_SIZE } from './constants.js';
import type { ZipEntry } from './entry.js';
import { checkHeld, dataRange, openEntryAt } from './entry-data.js';
import { unsafeNameReason } from './names.js';
import type { ZipArchive } from './reader.js';
import { type ScannedMember, scanMembers } from './scan.js';

export interface ZipProblem {
  code: ErrorCode | 'TRAILING_DATA' | 'PREFIX_DATA';
  message: string;
  /** The entry concerned, when there is one. */
  entry?: string;
  /** The second entry concerned (OVERLAP: the member overlapped). */
  other?: string;
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

export interface CheckZipOptions extends ReadOptions {
  /** Decode every member and verify sizes and CRC-32 (default true). */
  content?: boolean;
  onProgress?: (p: { entries: number; bytes: number }) => void;
  /**
   * Called with every member as the scan reads it: its local header and,
   * for small members, its data and the bytes after it (views: valid during
   * the call). Lets a caller look for hidden records (SOZip indexes) in the
   * same pass instead of reading the archive twice.
   */
  inspect?: (member: ScannedMember) => void;
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
  const overlaps = findOverlaps(archive.entries, archive.cdOffset);
  problems.push(...overlaps);
  const overlapping = overlappingNames(overlaps);

  // Members are read front to back in large windows (see scan.ts): the cost
  // is a few reads per window, not a request and a stream per member.
  let bytesChecked = 0;
  let done = 0;
  for await (const batch of scanMembers(archive, archive.entries, options)) {
    for (const m of batch) {
      const e = m.entry;
      try {
        if (m.error) throw m.error;
        compareHeaders(e, m, problems, warnings);
        for (const p of localRecordProblems(e, m.header!, m.after)) {
          problems.push({ ...p, entry: e.name });
        }
        options.inspect?.(m);
        // Overlapping members are reported already; decoding them is how a
        // 100 KB archive makes a checker inflate gigabytes.
        const decode =
          options.content !== false &&
          !(e.isDirectory && e.uncompressedSize === 0) &&
          !overlapping.has(e.name);
        if (decode && m.data) {
          dataRange(archive, e, m.payloadOffset);
          bytesChecked += await checkHeld(e, m.data);
        } else if (decode) {
          for await (const chunk of openEntryAt(archive, e, m.payloadOffset, options)) {
            bytesChecked += chunk.length;
          }
        }
      } catch (err) {
        fail(err, e.name);
      }
      done++;
      options.onProgress?.({ entries: done, bytes: bytesChecked });
    }
  }
  return {
    ok: problems.length === 0,
    entries: archive.entries.length,
    bytesChecked,
    problems,
    warnings,
  };
}

/** The local header must agree with the central one on name and method (flags: a warning). */
function compareHeaders(
  e: ZipEntry,
  m: ScannedMember,
  problems: ZipProblem[],
  warnings: ZipProblem[],
): void {
  const header = m.header!;
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
}

function toProblem(err: unknown, entry?: string): ZipProblem {
  if (err instanceof CozipError) return { code: err.code, message: err.message, entry };
  throw err;
}

/**
 * The names in findOverlaps' OVERLAP pairs: members never to decode, since
 * decoding them is how a 100 KB archive makes a checker inflate gigabytes.
 * The members left are pairwise disjoint (an overlap with any member implies
 * one with the next in offset order), so each byte is decoded at most once.
 */
export function overlappingNames(problems: readonly ZipProblem[]): Set<string> {
  const names = new Set<string>();
  for (const p of problems) if (p.code === 'OVERLAP') names.add(p.entry!).add(p.other!);
  return names;
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
        other: spans[i + 1].e.name,
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
