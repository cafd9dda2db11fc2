// cozip info: what an archive is, read from its index, directory and
// manifest footer only; over HTTP it says what the inspection cost.
import type { Command } from 'commander';
import {
  cozipManifest,
  detectAll,
  type IoStats,
  isCozipError,
  openCozip,
  type ReadPlanner,
} from '../../node.js';
import { withArchive, zipView } from '../archive.js';
import { count, printJson, writeOut } from '../output.js';
import { parseByteCount } from './sozip-options.js';

/** GDAL's sozip utility writes SOZip members from 1 MB on. */
const DEFAULT_SOZIP_MIN_SIZE = 1024 * 1024;

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
    priority: Array<{ name: string; offset: number; size: number }>;
  };
  manifest?: { rows: number; columns: Array<{ name: string; type: string; nullable: boolean }> };
  /**
   * Plain ZIPs: members with a valid SOZip index and their chunk sizes,
   * among the `checked` deflated members of at least `minSize` bytes.
   */
  sozip?: { members: number; chunkSizes: number[]; checked: number; minSize: number };
  http?: { requests: number; bytesFetched: number };
}

export function registerInfo(program: Command): void {
  program
    .command('info')
    .description(
      'describe an archive: format, profile, hash, size, entries, manifest, SOZip members',
    )
    .argument('<src>', 'archive path or http(s) URL')
    .option('--json', 'one JSON object')
    .option(
      '--sozip-min-size <bytes>',
      'plain ZIPs: look for SOZip indexes in deflated members of at least this size (0: all)',
      parseByteCount,
      DEFAULT_SOZIP_MIN_SIZE,
    )
    .addHelpText(
      'after',
      `
Reads the index, the central directory and the manifest footer. In a plain
ZIP it also reads the local header of each deflated member of at least
--sozip-min-size bytes (default 1M, the size from which GDAL writes SOZip)
and the bytes right after it, where a SOZip index would be: a few requests,
not the whole archive. \`cozip sozip list\` checks every member. For a URL
it also reports the HTTP requests and bytes the inspection used.

Examples:
  $ cozip info dataset.zip
  $ cozip info https://example.com/dataset.zip --json
  $ cozip info small-files.zip --sozip-min-size 0`,
    )
    .action(async (src: string, opts: { json?: boolean; sozipMinSize: number }) => {
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
              priority: cozip.index.map(({ name, offset, size }) => ({ name, offset, size })),
            };
            if (cozip.profileName === 'flat') {
              const m = await cozipManifest(cozip);
              info.manifest = { rows: m.numRows, columns: m.columns };
            }
          }
          if (opened.kind === 'zip') {
            // cozip members are stored; only plain ZIPs can hold SOZip members.
            const minSize = opts.sozipMinSize;
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
    });
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
    lines.push(['priority', `${p.name} at ${count(p.offset)} (${count(p.size)} bytes)`]);
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
