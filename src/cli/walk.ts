// The regular files under a directory, for `create` and `sozip create`
// (its own module: sozip create must not load the table readers).
import { lstatSync, readdirSync } from 'node:fs';
import { sep } from 'node:path';

export interface DirFile {
  name: string;
  path: string;
  size: number;
  mtime: Date;
}

/**
 * Regular files under `root`, recursively, sorted by name; symlinks and
 * special files are skipped, and so is `exclude` (the archive being written).
 * Synchronous calls: a stat through the thread pool costs several times the
 * system call itself, and a dataset directory has 100,000 of them.
 */
export function walkDir(root: string, exclude?: string): DirFile[] {
  const files: DirFile[] = [];
  // Paths by concatenation (path.join normalises every one: a quarter of the
  // walk at 100,000 files); `root` comes resolved from the callers.
  const visit = (dir: string, prefix: string) => {
    const base = dir.endsWith(sep) ? dir : dir + sep;
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      const path = base + d.name;
      const name = prefix + d.name;
      if (d.isDirectory()) visit(path, `${name}/`);
      else if (d.isFile() && path !== exclude) {
        // lstat: a file replaced by a symlink since readdir is still not followed.
        const st = lstatSync(path, { throwIfNoEntry: false });
        // The time from mtimeMs, rounded as Node's own st.mtime is (that getter costs more).
        if (st?.isFile()) {
          files.push({ name, path, size: st.size, mtime: new Date(Math.round(st.mtimeMs)) });
        }
      }
    }
  };
  visit(root, '');
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
