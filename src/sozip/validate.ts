// Checking a SOZip archive, as GDAL's `sozip --validate` does: for every
// member, whether it is SOZip-optimized and whether its index is valid; with
// `deep`, that every chunk decodes on its own to exactly chunk_size bytes
// (the last one: the rest) and that together they have the member's CRC-32.
import type { CozipError, ErrorCode } from '../errors.js';
import { isRangeSource, type OpenSourceOptions, type SourceInput } from '../io/open-source.js';
import { runPool } from '../io/pool.js';
import type { ReadOptions } from '../io/source.js';
import { findOverlaps, overlappingNames } from '../zip/check.js';
import { crc32, methodName } from '../zip/codecs.js';
import type { ZipEntry } from '../zip/entry.js';
import { type OpenZipOptions, openZip, type ZipArchive } from '../zip/reader.js';
import { hasChunkTrailer, inflateChunk } from './chunk-inflate.js';
import { CHUNK_TRAILER } from './constants.js';
import { type DetectOptions, detectAll, isZipArchive, type SozipIndex } from './detect.js';
import { indexNameCandidates } from './index-name.js';

export interface ValidateSozipOptions extends DetectOptions, OpenZipOptions, OpenSourceOptions {
  /** Decode every chunk of every SOZip member on its own and check the CRC-32 (default false). */
  deep?: boolean;
  /** Members examined at once (default 16). */
  concurrency?: number;
  /** Chunks decoded at once in deep mode (default 4). */
  decodeConcurrency?: number;
  /** Problems reported per member at most (default 10). */
  maxProblems?: number;
  /** Which members to look at for an index (default: every one that may have one). */
  select?: (entry: ZipEntry) => boolean;
}

export interface SozipProblem {
  code: ErrorCode;
  message: string;
  entry?: string;
  chunk?: number;
}

export interface SozipMemberReport {
  name: string;
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  /** SOZip-optimized: a hidden index consistent with the member. */
  sozip: boolean;
  /** An index record follows the member (valid or not). */
  indexFound: boolean;
  indexName?: string;
  chunkSize?: number;
  chunks?: number;
  /** Deep mode: chunks that decoded on their own to the right size. */
  verifiedChunks?: number;
  problems: SozipProblem[];
}

export interface SozipValidation {
  ok: boolean;
  /** Every member of the central directory, in order (directories included). */
  members: SozipMemberReport[];
  /** Members with a valid index. */
  sozipMembers: number;
  /** Every problem, member ones included. */
  problems: SozipProblem[];
  deep: boolean;
}

/** A window of compressed bytes fetched at once in deep mode. */
const DEEP_WINDOW = 8 * 1024 * 1024;

export async function validateSozip(
  input: ZipArchive | SourceInput,
  options: ValidateSozipOptions = {},
): Promise<SozipValidation> {
  const given = isZipArchive(input);
  const zip = given ? input : await openZip(input, options);
  try {
    return await validateArchive(zip, options);
  } finally {
    if (!given && !isRangeSource(input)) await zip.source.close?.();
  }
}

async function validateArchive(
  zip: ZipArchive,
  options: ValidateSozipOptions,
): Promise<SozipValidation> {
  const found = await detectAll(zip, options);
  const max = options.maxProblems ?? 10;
  const reports: SozipMemberReport[] = [];
  const problems: SozipProblem[] = [];
  // A hidden index must not be listed: a central record named like one is an
  // error. Index names end in .sozip.idx, so only such records are looked at.
  const indexLike = new Set(
    zip.entries.filter((e) => e.name.endsWith('.sozip.idx')).map((e) => e.name),
  );
  const listed = new Set<string>();
  if (indexLike.size > 0) {
    for (const e of zip.entries) {
      for (const indexName of e.isDirectory ? [] : indexNameCandidates(e.name)) {
        if (indexLike.has(indexName)) listed.add(indexName);
      }
    }
  }
  for (const e of zip.entries) {
    const d = found.get(e);
    const report: SozipMemberReport = {
      name: e.name,
      method: e.method,
      compressedSize: e.compressedSize,
      uncompressedSize: e.uncompressedSize,
      sozip: d?.index !== undefined,
      indexFound: d?.found ?? false,
      indexName: d?.index?.name,
      chunkSize: d?.index?.chunkSize,
      chunks: d?.index?.chunks,
      problems: [],
    };
    for (const w of d?.warnings ?? []) report.problems.push(problemOf(w, e.name));
    if (listed.has(e.name)) {
      report.problems.push({
        code: 'SOZIP_INDEX_LISTED',
        message: `${e.name} is a hidden SOZip index but has a central directory entry`,
        entry: e.name,
      });
    }
    reports.push(report);
  }
  if (options.deep) {
    // Members whose data overlap another's are not decoded: many central
    // records on one member's data would have it decoded once per record.
    const overlapping = overlappingNames(findOverlaps(zip.entries, zip.cdOffset));
    const deep = zip.entries.map((e, i) => ({ e, r: reports[i] })).filter(({ r }) => r.sozip);
    for (const { e, r } of deep) {
      if (!overlapping.has(e.name)) continue;
      r.problems.push({
        code: 'OVERLAP',
        message: `${e.name} overlaps another member: its chunks are not decoded`,
        entry: e.name,
      });
    }
    await runPool(deep, 1, async ({ e: entry, r }) => {
      if (overlapping.has(entry.name)) return;
      const d = found.get(entry)!;
      await verifyChunks(zip, entry, d.dataOffset, d.index!, r, max, options);
    });
  }
  for (const r of reports) problems.push(...r.problems.slice(0, max));
  return {
    ok: problems.length === 0,
    members: reports,
    sozipMembers: reports.filter((r) => r.sozip).length,
    problems,
    deep: options.deep ?? false,
  };
}

/** Decodes every chunk on its own, in windows of compressed bytes, checking the CRC-32 at the end. */
async function verifyChunks(
  zip: ZipArchive,
  entry: ZipEntry,
  dataOffset: number,
  index: SozipIndex,
  report: SozipMemberReport,
  max: number,
  options: ValidateSozipOptions & ReadOptions,
): Promise<void> {
  const { table, chunkSize, chunks } = index;
  const add = (code: ErrorCode, message: string, chunk?: number) => {
    if (report.problems.length < max)
      report.problems.push({ code, message, entry: entry.name, chunk });
  };
  await table.load(0, chunks - 1, options).catch((err: CozipError) => {
    add(err.code ?? 'SOZIP_INVALID_INDEX', err.message);
  });
  if (report.problems.length > 0) return;
  let crc = 0;
  let verified = 0;
  let failed = false;
  for (let k = 0; k < chunks; ) {
    // As many chunks as fit the window (at least one).
    let stop = k + 1;
    while (stop < chunks && table.end(stop) - table.start(k) <= DEEP_WINDOW) stop++;
    const rawStart = table.start(k);
    const raw = await zip.source.read(
      dataOffset + rawStart,
      dataOffset + table.end(stop - 1),
      options,
    );
    const ids = Array.from({ length: stop - k }, (_, i) => k + i);
    const outputs: Array<Uint8Array | undefined> = [];
    await runPool(ids, options.decodeConcurrency ?? 4, async (c, i) => {
      const bytes = raw.subarray(table.start(c) - rawStart, table.end(c) - rawStart);
      const last = c === chunks - 1;
      if (!last && !hasChunkTrailer(bytes)) {
        add(
          'SOZIP_BAD_CHUNK',
          `chunk ${c} of ${entry.name} does not end with the sync + full flush bytes ${hex(CHUNK_TRAILER)}`,
          c,
        );
        failed = true;
        return;
      }
      const expected = Math.min(chunkSize, entry.uncompressedSize - c * chunkSize);
      try {
        outputs[i] = await inflateChunk(bytes, expected, last, `chunk ${c} of ${entry.name}`, true);
        verified++;
      } catch (err) {
        add('SOZIP_BAD_CHUNK', (err as Error).message, c);
        failed = true;
      }
    });
    if (!failed) for (const out of outputs) crc = crc32(out!, crc);
    k = stop;
  }
  report.verifiedChunks = verified;
  if (!failed && crc !== entry.crc32) {
    add(
      'CRC_MISMATCH',
      `the chunks of ${entry.name} decode to CRC-32 ${hex32(crc)}, not ${hex32(entry.crc32)}`,
    );
  }
}

function problemOf(err: CozipError, entry: string): SozipProblem {
  return { code: err.code, message: err.message, entry };
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0').toUpperCase()).join(' ');
}

function hex32(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

/** A human-readable report, one line per member, like `sozip --validate`. */
export function formatSozipValidation(v: SozipValidation): string {
  const lines: string[] = [];
  for (const m of v.members) {
    let status: string;
    if (m.sozip) {
      status = `SOZip-optimized, chunk size ${m.chunkSize}, ${m.chunks} chunks`;
      if (v.deep) status += `, ${m.verifiedChunks ?? 0} verified`;
    } else if (m.indexFound) {
      status = 'has a SOZip index that is not valid';
    } else {
      status = `not SOZip-optimized (${methodName(m.method)})`;
    }
    lines.push(`${m.name}: ${status}`);
    for (const p of m.problems) lines.push(`  ${p.code}: ${p.message}`);
  }
  lines.push(
    v.ok
      ? `${v.sozipMembers} SOZip-optimized member(s); no problems found${v.deep ? ' (deep)' : ''}.`
      : `${v.problems.length} problem(s) found.`,
  );
  return lines.join('\n');
}
