// Node only: the names of cozip's temp files, and the cleanup of ones left
// behind by a killed process. Every temp file cozip writes (file sink,
// extraction, sozip append copies) sits beside its final name as
//
//   .<name>.cozip-<host>-<pid>-<token>.tmp
//
// <host>: 8 hex digits, FNV-1a of os.hostname(); <pid>: the writer's process
// id in decimal; <token>: 12 to 20 hex digits, random per process plus a
// counter. A run that writes into a directory first deletes the stale ones
// there: only regular files matching this pattern exactly, made on this host
// (pids mean nothing on another machine sharing the directory), whose pid is
// not a live process (kill(pid, 0) fails with ESRCH). A live writer's temp
// file, this process's own, and everything else are never touched.
import { randomBytes } from 'node:crypto';
import { lstatSync, readdirSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve, sep } from 'node:path';

const TEMP_PATTERN = /^\.(.+)\.cozip-([0-9a-f]{8})-([1-9][0-9]{0,9})-([0-9a-f]{12,20})\.tmp$/s;

/** Longest file name most file systems take (bytes). */
const NAME_MAX = 255;

const HOST = hostTag(hostname());
const PROCESS_TOKEN = randomBytes(4).toString('hex');
let counter = 0;
/** Directories this process has swept already. */
const swept = new Set<string>();

function hostTag(name: string): string {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(name, 'utf8')) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** This process's part of every temp name (`-<host>-<pid>-` and the token's random half). */
const PROCESS_TAG = `.cozip-${HOST}-${process.pid}-${PROCESS_TOKEN}`;

/** A fresh temp path beside `target`, in the scheme above. */
export function tempPath(target: string): string {
  const suffix = `${PROCESS_TAG}${(counter++).toString(16).padStart(4, '0')}.tmp`;
  // Split by hand: extraction asks once per file, and dirname/basename/join
  // cost several times this for a path that is already clean.
  const cut = Math.max(target.lastIndexOf('/'), target.lastIndexOf(sep));
  const name = target.slice(cut + 1);
  if (name === '' || name === '.' || name === '..') {
    return join(
      dirname(target),
      `.${shortened(basename(target), NAME_MAX - 1 - suffix.length)}${suffix}`,
    );
  }
  return `${target.slice(0, cut + 1)}.${shortened(name, NAME_MAX - 1 - suffix.length)}${suffix}`;
}

/** `name` cut to at most `room` UTF-8 bytes (the name part only tells people whose temp it is). */
function shortened(name: string, room: number): string {
  if (name.length * 3 <= room || Buffer.byteLength(name) <= room) return name;
  let out = '';
  let used = 0;
  for (const ch of name) {
    used += Buffer.byteLength(ch);
    if (used > room) break;
    out += ch;
  }
  return out || '_';
}

/** The pid of a temp file name in our scheme made on this host, or undefined. */
export function tempOwner(name: string): number | undefined {
  const m = TEMP_PATTERN.exec(name);
  if (!m || m[2] !== HOST) return undefined;
  return Number(m[3]);
}

/** Whether `pid` is certainly gone: kill(pid, 0) says ESRCH. Anything else counts as alive. */
function isDead(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Deletes the stale temp files of dead cozip processes in `dir` (not below
 * it); returns how many. Best effort: a directory that cannot be read, or a
 * file that vanished meanwhile, is no reason to fail the write.
 */
export function removeStaleTemps(dir: string): number {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const pid = tempOwner(name);
    if (pid === undefined || !isDead(pid)) continue;
    const path = join(dir, name);
    try {
      if (!lstatSync(path).isFile()) continue;
      unlinkSync(path);
      removed++;
    } catch {
      // Gone already, or not ours to delete after all.
    }
  }
  return removed;
}

/**
 * removeStaleTemps, once per directory and process: a program writing
 * thousands of files into one directory reads it once, not once per file.
 * (Temps of processes that die later wait for the next process.)
 */
export function sweepOnce(dir: string): void {
  const key = resolve(dir);
  if (swept.has(key)) return;
  swept.add(key);
  removeStaleTemps(key);
}
