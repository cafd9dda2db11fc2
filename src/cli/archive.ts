// Opening SRC (a path or an http(s) URL) as a cozip or, failing that, as a plain ZIP.
// Loaded by the actions only; the manifest (hyparquet) is not needed here.

import { INDEX_NAME, METADATA_NAME, PADDING_NAME } from '../cozip/constants.js';
import { type CozipArchive, openCozip } from '../cozip/reader.js';
import { isCozipError } from '../errors.js';
import { openSource } from '../io/open-source.js';
import type { ReadPlanner } from '../io/planner.js';
import { DEFAULT_TAIL_SIZE, openZip, type ZipArchive } from '../zip/reader.js';
import { networkOptions } from './network.js';

export type Opened =
  | { kind: 'cozip'; source: ReadPlanner; cozip: CozipArchive }
  | { kind: 'zip'; source: ReadPlanner; zip: ZipArchive };

/** What openCozip reads first: probing the same bytes makes a remote open one request. */
const HEAD = 4 * 1024;

/**
 * SRC opened with both ends fetched at once (remotely, one round trip): the
 * head holds a cozip's index, the tail its hashed last 32 KiB and any ZIP's
 * end records (and, for a small archive, its whole central directory).
 */
export function openSrc(src: string): Promise<ReadPlanner> {
  return openSource(src, {
    probe: { start: 0, end: HEAD },
    tailProbe: DEFAULT_TAIL_SIZE,
    ...networkOptions(),
  });
}

/**
 * The first entry is named `__cozip__`: the archive claims to be a cozip, so
 * an INVALID_LFH from openCozip means a damaged cozip, not a plain ZIP.
 */
export async function claimsCozip(source: ReadPlanner): Promise<boolean> {
  if (source.size < 39) return false;
  const head = await source.read(0, 39);
  const name = new TextDecoder().decode(head.subarray(30, 39));
  return head[0] === 0x50 && head[1] === 0x4b && name === INDEX_NAME;
}

/**
 * Opens SRC through one planned source. Plain ZIPs fail openCozip with
 * INVALID_LFH and are opened as ZIPs; any other cozip failure is reported.
 */
export async function openArchive(
  src: string,
  options: { verifyHash?: boolean } = {},
): Promise<Opened> {
  const source = await openSrc(src);
  try {
    try {
      return { kind: 'cozip', source, cozip: await openCozip(source, options) };
    } catch (err) {
      if (!isCozipError(err, 'INVALID_LFH') || (await claimsCozip(source))) throw err;
    }
    return { kind: 'zip', source, zip: await openZip(source) };
  } catch (err) {
    await source.close();
    throw err;
  }
}

/** The ZIP view of an opened archive (a cozip's central directory costs one more read). */
export async function zipView(opened: Opened): Promise<ZipArchive> {
  return opened.kind === 'zip' ? opened.zip : openZip(opened.source);
}

/** Entries a cozip carries for the format's own sake, not as data. */
export function isReservedEntry(name: string): boolean {
  return name === INDEX_NAME || name === METADATA_NAME || name === PADDING_NAME;
}

/** The cozip when it has a Flat manifest, else undefined. */
export function flatCozip(opened: Opened): CozipArchive | undefined {
  return opened.kind === 'cozip' && opened.cozip.profileName === 'flat' ? opened.cozip : undefined;
}

/** Runs `fn` on the opened archive and always closes it. */
export async function withArchive<T>(
  src: string,
  fn: (opened: Opened) => Promise<T>,
  options: { verifyHash?: boolean } = {},
): Promise<T> {
  const opened = await openArchive(src, options);
  try {
    return await fn(opened);
  } finally {
    await opened.source.close();
  }
}
