// cozip info, the action: over HTTP it says what the inspection cost. The
// manifest reader (hyparquet) loads only for a Flat cozip, the SOZip
// detector only for a plain ZIP.
import { openCozip } from '../../cozip/reader.js';
import { isCozipError } from '../../errors.js';
import type { ReadPlanner } from '../../io/planner.js';
import type { IoStats } from '../../io/source.js';
import { withArchive, zipView } from '../archive.js';
import { EXIT_FAILURE } from '../errors.js';
import { count, printJson, writeOut } from '../output.js';
import type { InfoOptions } from './info.js';

interface ArchiveInfo {
  source: string;
  format: 'cozip' | 'zip';
  size: number;
  /** Entries in the central directory. */
  entries: number;
  zip64: boolean;
  cozip?: {
    version: number;
    profile: string;
    hashVerified: boolean;
    hashProblem?: string;
    priority: Array<{ name: string; payloadOffset: number; size: number }>;
  };
  manifest?: { rows: number; columns: Array<{ name: string; type: string; nullable: boolean }> };
  /**
   * Plain ZIPs: members with a valid SOZip index and their chunk sizes,
   * among the `checked` deflated members of at least `minSize` bytes.
   */
  sozip?: { members: number; chunkSizes: number[]; checked: number; minSize: number };
  http?: { requests: number; bytesFetched: number };
}

export async function runInfo(src: string, opts: InfoOptions): Promise<void> {
  // The hash is checked below, so that a mismatch is reported, not fatal.
  const info = await withArchive(
    src,
    async (opened) => {
      const zip = await zipView(opened);
      const info: ArchiveInfo = {
        source: src,
        format: opened.kind,
        size: opened.source.size,
        entries: zip.entries.length,
        zip64: zip.zip64 || zip.entries.some((e) => e.zip64),
      };
      if (opened.kind === 'cozip') {
        const { cozip } = opened;
        let hashProblem: string | undefined;
        // After openZip: the hashed tail is already cached, so this costs no request.
        await openCozip(opened.source, { verifyHash: true }).catch((err) => {
          if (!isCozipError(err, 'HASH_MISMATCH')) throw err;
          hashProblem = `${err.code}: ${err.message}`;
        });
        info.cozip = {
          version: cozip.version,
          profile: cozip.profileName ?? String(cozip.profile),
          hashVerified: hashProblem === undefined,
          ...(hashProblem ? { hashProblem } : {}),
          // The index's offsets are where each file's bytes start.
          priority: cozip.index.map(({ name, offset, size }) => ({
            name,
            payloadOffset: offset,
            size,
          })),
        };
        if (cozip.profileName === 'flat') {
          const { cozipManifest } = await import('../../cozip/manifest.js');
          const m = await cozipManifest(cozip);
          info.manifest = { rows: m.numRows, columns: m.columns };
        }
      }
      if (opened.kind === 'zip') {
        // cozip members are stored; only plain ZIPs can hold SOZip members.
        const minSize = opts.sozipMinSize;
        const { detectAll } = await import('../../sozip/detect.js');
        const found = await detectAll(zip, { select: (e) => e.uncompressedSize >= minSize });
        const indexes = [...found.values()].flatMap((d) => (d.index ? [d.index] : []));
        info.sozip = {
          members: indexes.length,
          chunkSizes: [...new Set(indexes.map((x) => x.chunkSize))].sort((a, b) => a - b),
          checked: found.size,
          minSize,
        };
      }
      const stats = httpStats(src, opened.source);
      if (stats) info.http = stats;
      return info;
    },
    { verifyHash: false },
  );
  if (opts.json) await printJson(info);
  else await writeOut(describe(info));
  // Described in full, but a failed hash is a failure (scripts test the status).
  if (info.cozip && !info.cozip.hashVerified) process.exitCode = EXIT_FAILURE;
}

function httpStats(src: string, source: ReadPlanner): ArchiveInfo['http'] {
  if (!/^https?:\/\//i.test(src)) return undefined;
  const stats = (source.source as { stats?: IoStats }).stats;
  return stats && { requests: stats.requests, bytesFetched: stats.bytesFetched };
}

function describe(info: ArchiveInfo): string {
  const lines: Array<[string, string]> = [['source', info.source]];
  const cz = info.cozip;
  lines.push(['format', cz ? `cozip ${cz.version}, profile ${cz.profile}` : 'ZIP (not a cozip)']);
  if (cz) lines.push(['hash', cz.hashVerified ? 'verified' : `FAILED (${cz.hashProblem})`]);
  lines.push(['size', `${count(info.size)} bytes`]);
  lines.push(['entries', `${count(info.entries)} in the central directory`]);
  lines.push(['zip64', info.zip64 ? 'yes' : 'no']);
  for (const p of cz?.priority ?? []) {
    lines.push(['priority', `${p.name} at ${count(p.payloadOffset)} (${count(p.size)} bytes)`]);
  }
  if (info.manifest) {
    lines.push(['manifest', `${count(info.manifest.rows)} rows`]);
    lines.push(['columns', info.manifest.columns.map((c) => `${c.name} (${c.type})`).join(', ')]);
  }
  if (info.sozip) {
    const { members, chunkSizes, checked, minSize } = info.sozip;
    const sizes = chunkSizes.map((n) => count(n)).join(', ');
    const scope = `${count(checked)} deflated members${minSize ? ` of ${count(minSize)} bytes or more` : ''}`;
    lines.push([
      'sozip',
      members ? `${count(members)} of ${scope} (chunk size ${sizes})` : `none among ${scope}`,
    ]);
  }
  if (info.http) {
    lines.push([
      'http',
      `${count(info.http.requests)} requests, ${count(info.http.bytesFetched)} bytes fetched`,
    ]);
  }
  return lines.map(([k, v]) => `${k.padEnd(9)} ${v}\n`).join('');
}
