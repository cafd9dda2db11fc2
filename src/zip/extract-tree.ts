// The shape of the tree an extraction creates, decided before anything is
// written. A name check alone cannot see what symlinks do: `d/l -> ..`
// passes it, and then `d/l/l2 -> ..` (textually `d`) really names the parent
// of the target. So no entry may sit inside a symlink the archive makes (or
// be both a file and a directory), and every link target is followed
// through the links it meets, the archive's and those already on disk, to
// where it really leads, which must stay inside the target.
import { CozipError } from '../errors.js';

/** What the tree check needs of a planned item. */
export interface TreeItem {
  path: string;
  kind: 'file' | 'directory' | 'symlink';
  entry: { name: string };
}

/** The target of the symlink at `rel` (a `/`-separated path under the root), if one is there. */
export type LinkLookup = (rel: string) => string | undefined;

/** Links followed while resolving one target before it counts as a loop (Linux's limit). */
const MAX_FOLLOWS = 40;

/** Link targets longer than this are refused unread (PATH_MAX on Linux). */
export const MAX_LINK_TARGET = 4096;

/**
 * Refuses a file or symlink whose path is also a directory of the tree (a
 * directory entry, or the parent of another entry): the file would meet a
 * directory, and a symlink would have entries written through it.
 */
export function checkTreeShape(items: readonly TreeItem[]): void {
  const dirs = new Set<string>();
  for (const item of items) {
    if (item.kind === 'directory') dirs.add(item.path);
    // Walk up until a parent already seen: each directory is visited once.
    for (let cut = item.path.lastIndexOf('/'); cut > 0; ) {
      const parent = item.path.slice(0, cut);
      if (dirs.has(parent)) break;
      dirs.add(parent);
      cut = parent.lastIndexOf('/');
    }
  }
  for (const item of items) {
    if (item.kind === 'directory' || !dirs.has(item.path)) continue;
    const what =
      item.kind === 'symlink'
        ? `symlink ${JSON.stringify(item.entry.name)} would have entries written through it`
        : `${JSON.stringify(item.entry.name)} is both a file and a directory`;
    throw new CozipError('UNSAFE_PATH', `refusing to extract: ${what}`, {
      details: { name: item.entry.name, path: item.path },
    });
  }
}

/**
 * Where the symlink at `linkRel` with `target` really leads, as a path under
 * the root ('' for the root itself), or undefined when it leaves the root or
 * its target is absolute. Every component that is a link (by `linkAt`) is
 * followed, the last one too; `..` is taken after that, as the OS does.
 */
export function resolveLink(
  linkRel: string,
  target: string,
  linkAt: LinkLookup,
): string | undefined {
  const cut = linkRel.lastIndexOf('/');
  const dir = cut < 0 ? [] : linkRel.slice(0, cut).split('/');
  const follows = { n: 0 };
  const resolved = walk(dir, target, linkAt, follows, linkRel);
  return resolved?.join('/');
}

function walk(
  from: string[],
  target: string,
  linkAt: LinkLookup,
  follows: { n: number },
  linkRel: string,
): string[] | undefined {
  if (isAbsoluteTarget(target)) return undefined;
  let cur = from.slice();
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (cur.length === 0) return undefined;
      cur.pop();
      continue;
    }
    cur.push(part);
    const next = linkAt(cur.join('/'));
    if (next === undefined) continue;
    if (++follows.n > MAX_FOLLOWS) {
      throw new CozipError('UNSAFE_PATH', `symlink ${linkRel} leads through a loop of links`, {
        details: { path: linkRel },
      });
    }
    cur.pop();
    const landed = walk(cur, next, linkAt, follows, linkRel);
    if (!landed) return undefined;
    cur = landed;
  }
  return cur;
}

/** `/x`, `\x` and `C:x`: targets that do not depend on where the link is. */
function isAbsoluteTarget(target: string): boolean {
  return /^(?:[/\\]|[A-Za-z]:)/.test(target);
}

/**
 * Refuses (UNSAFE_PATH) any planned link whose target is absolute or really
 * leads outside the root. `targets` maps each link's path to its target;
 * `onDisk` reports symlinks already under the root (the archive's own take
 * precedence: they replace what is there).
 */
export function checkLinkTargets(targets: ReadonlyMap<string, string>, onDisk: LinkLookup): void {
  const linkAt: LinkLookup = (rel) => targets.get(rel) ?? onDisk(rel);
  for (const [rel, target] of targets) {
    const reason = /^$|\0/.test(target)
      ? 'its target is empty or holds a NUL'
      : isAbsoluteTarget(target)
        ? 'its target is absolute'
        : resolveLink(rel, target, linkAt) === undefined
          ? 'it points outside the target'
          : undefined;
    if (reason) {
      throw new CozipError('UNSAFE_PATH', `refusing symlink ${rel} -> ${target}: ${reason}`, {
        details: { path: rel, target },
      });
    }
  }
}
