// Safe extraction to a directory (Node only). The plan decides what is
// allowed; the members are then read front to back in large windows (see
// scan.ts) and written by extract-write.ts, each file to a temp name renamed
// into place, never through an existing symlink, its bytes checked against
// the declared size and CRC-32 before it appears.
import type { CozipError } from '../errors.js';
import { runPool } from '../io/pool.js';
import { readAll } from '../io/stream.js';
import type { ZipEntry } from './entry.js';
import { dataRange, decodeHeld, decodeHeldInto, heldRoom, openEntryAt } from './entry-data.js';
import { type ExtractPlanOptions, type PlannedItem, planExtraction } from './extract-plan.js';
import { checkLinkTargets } from './extract-tree.js';
import { TargetTree, writeSmallFile, writeStreamedFile, writeSymlink } from './extract-write.js';
import type { ZipArchive } from './reader.js';
import { scanMembers } from './scan.js';

/** Members up to this size are inflated into the extraction's reused buffer. */
const SCRATCH_LIMIT = 1 << 20;

export interface ExtractOptions extends ExtractPlanOptions {
  /** Replace existing files (default false: an existing file is an error). */
  overwrite?: boolean;
  /** Apply Unix permission bits (without setuid/setgid/sticky) from the archive (default true). */
  preserveMode?: boolean;
  /** Members fetched and written concurrently (default 4; helps over HTTP). */
  concurrency?: number;
  onProgress?: (p: {
    entries: number;
    bytes: number;
    totalEntries: number;
    totalBytes: number;
  }) => void;
}

export interface ExtractResult {
  files: number;
  directories: number;
  symlinks: number;
  bytes: number;
  skipped: Array<{ name: string; reason: string }>;
  /** Extracted anyway but worth knowing (also passed to onWarning): names equal but for case. */
  warnings: CozipError[];
}

export async function extractZip(
  archive: ZipArchive,
  target: string,
  options: ExtractOptions = {},
): Promise<ExtractResult> {
  const plan = planExtraction(archive.entries, archive.cdOffset, options);
  const tree = new TargetTree(target, plan.caseTwins);
  // Link targets are read and followed before anything is written.
  const links = await readLinkTargets(archive, plan.items);
  checkLinkTargets(links, (rel) => tree.linkAt(rel));
  tree.init();
  const result: ExtractResult = {
    files: 0,
    directories: 0,
    symlinks: 0,
    bytes: 0,
    skipped: plan.skipped.map((s) => ({ name: s.entry.name, reason: s.reason })),
    warnings: plan.warnings,
  };
  let done = 0;
  const progress = () =>
    options.onProgress?.({
      entries: done,
      bytes: result.bytes,
      totalEntries: plan.items.length,
      totalBytes: plan.totalBytes,
    });

  // Directories first, so files can be written in any order afterwards.
  const members = new Map<ZipEntry, PlannedItem>();
  for (const item of plan.items) {
    if (item.kind === 'symlink') continue;
    if (item.kind !== 'directory') {
      members.set(item.entry, item);
      continue;
    }
    tree.makeDirs(item.path);
    result.directories++;
    done++;
  }
  let scratch = new Uint8Array(64 << 10);
  for await (const batch of scanMembers(archive, [...members.keys()])) {
    // Small files are written as the batch is walked; large ones after it,
    // a few at a time.
    const later: Array<() => Promise<void>> = [];
    for (const m of batch) {
      if (m.error) throw m.error;
      const { entry } = m;
      const item = members.get(entry)!;
      if (m.data) dataRange(archive, entry, m.payloadOffset);
      if (item.kind === 'file' && m.data) {
        // Inflated into this extraction's own buffer and written at once;
        // decodeHeld for what that cannot do (and for every error).
        if (scratch.length < heldRoom(entry) && entry.uncompressedSize < SCRATCH_LIMIT) {
          scratch = new Uint8Array(Math.max(heldRoom(entry), 2 * scratch.length));
        }
        const content = decodeHeldInto(entry, m.data, scratch) ?? (await decodeHeld(entry, m.data));
        writeSmallFile(tree, item.path, entry, content, options);
        result.files++;
        result.bytes += content.length;
        done++;
        progress();
        continue;
      }
      const payloadOffset = m.payloadOffset;
      later.push(async () => {
        // Bytes are counted per chunk (not `+= await`, which would lose
        // updates made by other workers meanwhile).
        const content = openEntryAt(archive, entry, payloadOffset);
        await writeStreamedFile(tree, item.path, entry, content, options, (n) => {
          result.bytes += n;
          progress();
        });
        result.files++;
        done++;
        progress();
      });
    }
    // runPool stops starting members after the first failure and reports it
    // only once every member in flight has finished or cleaned up.
    await runPool(later, options.concurrency ?? 4, (write) => write());
  }
  // Links last: nothing is written through them (the plan saw to that).
  for (const [path, linkTarget] of links) {
    await writeSymlink(tree, path, linkTarget, options);
    result.symlinks++;
    done++;
    progress();
  }
  return result;
}

/** The target of every planned symlink, by path (read whole: the plan capped their size). */
async function readLinkTargets(
  archive: ZipArchive,
  items: readonly PlannedItem[],
): Promise<Map<string, string>> {
  const byEntry = new Map<ZipEntry, string>();
  for (const item of items) if (item.kind === 'symlink') byEntry.set(item.entry, item.path);
  const targets = new Map<string, string>();
  if (byEntry.size === 0) return targets;
  const decoder = new TextDecoder();
  for await (const batch of scanMembers(archive, [...byEntry.keys()])) {
    for (const m of batch) {
      if (m.error) throw m.error;
      const bytes = m.data
        ? await decodeHeld(m.entry, m.data)
        : await readAll(openEntryAt(archive, m.entry, m.payloadOffset));
      targets.set(byEntry.get(m.entry)!, decoder.decode(bytes));
    }
  }
  return targets;
}
