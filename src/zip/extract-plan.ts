// Deciding what a safe extraction will create, before touching the disk:
// names that stay inside the target, no symlinks unless asked, and limits
// that stop ZIP bombs (total size, compression ratio, overlapping members).
import { CozipError } from '../errors.js';
import { findOverlaps } from './check.js';
import type { ZipEntry } from './entry.js';
import { checkTreeShape, MAX_LINK_TARGET } from './extract-tree.js';
import { unsafeNameReason } from './names.js';

export interface ExtractLimits {
  /** Refuse when the declared uncompressed total exceeds this (default 16 GiB). */
  maxTotalBytes?: number;
  /** Refuse members whose uncompressed/compressed ratio exceeds this (default 1000). */
  maxRatio?: number;
  /** Refuse archives with more selected entries than this (default 1,000,000). */
  maxEntries?: number;
}

export interface ExtractPlanOptions extends ExtractLimits {
  /** Choose which entries to extract (default: all). */
  filter?: (entry: ZipEntry) => boolean;
  /** Create symlink entries as symlinks (default false: they are skipped). */
  allowSymlinks?: boolean;
  /** Treat `\` in names as a separator instead of refusing the name (default false). */
  backslashAsSeparator?: boolean;
  /**
   * Called for what is extracted anyway but worth knowing: two names that
   * differ only in case (DUPLICATE_NAME), which one file on a
   * case-insensitive filesystem.
   */
  onWarning?: (warning: CozipError) => void;
}

export interface PlannedItem {
  entry: ZipEntry;
  /** Relative path under the target, `/`-separated, never escaping it. */
  path: string;
  kind: 'file' | 'directory' | 'symlink';
}

export interface ExtractPlan {
  items: PlannedItem[];
  /** Entries left out: symlinks without allowSymlinks. */
  skipped: Array<{ entry: ZipEntry; reason: string }>;
  /** Extracted anyway: names that differ only in case (DUPLICATE_NAME). */
  warnings: CozipError[];
  /**
   * Paths that another path equals but for case: on a case-insensitive
   * filesystem they are one file, so their writes must look before renaming.
   */
  caseTwins: Set<string>;
  totalBytes: number;
}

const GiB = 1024 ** 3;

export function planExtraction(
  entries: ZipEntry[],
  cdOffset: number,
  options: ExtractPlanOptions = {},
): ExtractPlan {
  const maxTotal = options.maxTotalBytes ?? 16 * GiB;
  const maxRatio = options.maxRatio ?? 1000;
  const maxEntries = options.maxEntries ?? 1_000_000;
  const selected = options.filter ? entries.filter(options.filter) : entries;
  if (selected.length > maxEntries) {
    throw new CozipError(
      'LIMIT_EXCEEDED',
      `${selected.length} entries to extract (limit ${maxEntries})`,
    );
  }
  const overlaps = findOverlaps(selected, cdOffset).filter((p) => p.code === 'OVERLAP');
  if (overlaps.length) {
    throw new CozipError('OVERLAP', `${overlaps[0].message}: refusing to extract`, {
      details: { entry: overlaps[0].entry },
    });
  }
  const items: PlannedItem[] = [];
  const skipped: ExtractPlan['skipped'] = [];
  const paths = new Set<string>();
  // Lower-cased path -> a path with capitals that lower-cases to it.
  const capitals = new Map<string, string>();
  const warnings: CozipError[] = [];
  const caseTwins = new Set<string>();
  let totalBytes = 0;
  for (const entry of selected) {
    const name = options.backslashAsSeparator ? entry.name.replaceAll('\\', '/') : entry.name;
    const reason = unsafeNameReason(name);
    if (reason) {
      throw new CozipError(
        'UNSAFE_PATH',
        `refusing to extract ${JSON.stringify(entry.name)}: ${reason}`,
        {
          details: { name: entry.name, reason },
        },
      );
    }
    if (entry.isSymlink && !options.allowSymlinks) {
      skipped.push({ entry, reason: 'symlink (allowSymlinks is off)' });
      continue;
    }
    // Empty and `.` components dropped (most names have none: kept as they are).
    const path = /(?:^|\/)\.?(?:\/|$)/.test(name)
      ? name
          .split('/')
          .filter((p) => p !== '' && p !== '.')
          .join('/')
      : name;
    if (path === '') continue; // "./" or "/" alone: the target itself
    if (!entry.isDirectory && paths.has(path)) {
      throw new CozipError('DUPLICATE_NAME', `two entries extract to ${JSON.stringify(path)}`, {
        details: { path },
      });
    }
    if (!paths.has(path)) {
      const twin = caseTwin(path, paths, capitals);
      if (twin !== undefined) {
        caseTwins.add(twin).add(path);
        const warning = new CozipError(
          'DUPLICATE_NAME',
          `${JSON.stringify(twin)} and ${JSON.stringify(path)} differ only in case (one file on a case-insensitive filesystem)`,
          { details: { path, other: twin } },
        );
        warnings.push(warning);
        options.onWarning?.(warning);
      }
    }
    paths.add(path);
    if (entry.isSymlink && entry.uncompressedSize > MAX_LINK_TARGET) {
      throw new CozipError(
        'LIMIT_EXCEEDED',
        `symlink ${entry.name} has a target of ${entry.uncompressedSize} bytes (limit ${MAX_LINK_TARGET})`,
        { details: { name: entry.name, size: entry.uncompressedSize } },
      );
    }
    const ratio = entry.uncompressedSize / Math.max(1, entry.compressedSize);
    if (entry.uncompressedSize > 1024 * 1024 && ratio > maxRatio) {
      throw new CozipError(
        'LIMIT_EXCEEDED',
        `${entry.name} expands ${Math.round(ratio)}x (limit ${maxRatio}x): refusing a likely ZIP bomb`,
        { details: { name: entry.name, ratio } },
      );
    }
    totalBytes += entry.uncompressedSize;
    if (totalBytes > maxTotal) {
      throw new CozipError(
        'LIMIT_EXCEEDED',
        `extraction would write more than ${maxTotal} bytes (limit maxTotalBytes)`,
        { details: { limit: maxTotal } },
      );
    }
    items.push({
      entry,
      path,
      kind: entry.isSymlink ? 'symlink' : entry.isDirectory ? 'directory' : 'file',
    });
  }
  checkTreeShape(items);
  return { items, skipped, warnings, caseTwins, totalBytes };
}

/**
 * A path already planned that equals `path` but for case, if any; records
 * `path`. Two such paths need a capital in one of them, so only paths with
 * capitals are kept in `capitals`.
 */
function caseTwin(
  path: string,
  paths: ReadonlySet<string>,
  capitals: Map<string, string>,
): string | undefined {
  const lower = path.toLowerCase();
  if (lower === path) return capitals.get(lower);
  const twin = capitals.get(lower) ?? (paths.has(lower) ? lower : undefined);
  if (twin === undefined) capitals.set(lower, path);
  return twin;
}
