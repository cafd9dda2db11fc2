// Several indexes layered over each other: newer layers override older ones
// by path, delete layers remove what earlier layers had (and directories
// they leave empty). Useful to overlay archives or apply updates without
// rebuilding one index.
import { CozipError } from '../errors.js';
import { type File, sortFilesByName } from './file.js';
import { compareNames, type Named, nameFromBytes, nameKey } from './names.js';

/** A file of the merged view, with the reference of the layer it comes from. */
export interface FileWithRef<T> {
  file: File;
  ref: T;
}

export interface Layer<T> {
  /** Sorted by name (a copy of what was added). */
  files: File[];
  ref: T;
  isDelete: boolean;
}

function probe(name: string | Uint8Array): Named {
  return typeof name === 'string' ? { name } : nameFromBytes(name);
}

/** The last file named like `p` in name-sorted `files` (the one the merged view keeps). */
function search(files: File[], p: Named): File | undefined {
  let lo = 0;
  let hi = files.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareNames(files[mid], p) <= 0) lo = mid + 1;
    else hi = mid;
  }
  const f = files[lo - 1];
  return f && compareNames(f, p) === 0 ? f : undefined;
}

/** Parent directory names of a key: "a/b/c" -> "a/b/", "a/". */
function parents(key: string): string[] {
  const out: string[] = [];
  for (let i = key.length - 2; i >= 0; i--) if (key[i] === '/') out.push(key.slice(0, i + 1));
  return out;
}

export class LayeredIndex<T> {
  private layers: Layer<T>[] = [];
  /** The merged view by name key, rebuilt after any change. */
  private cache: Map<string, FileWithRef<T>> | undefined;

  private add(files: File[], ref: T, isDelete: boolean): void {
    if (this.layers.some((l) => Object.is(l.ref, ref))) {
      throw new CozipError(
        'DUPLICATE_LAYER',
        `layer with reference ${String(ref)} already exists`,
        {
          details: { ref },
        },
      );
    }
    this.layers.push({ files: sortFilesByName(files.slice()), ref, isDelete });
    this.cache = undefined;
  }

  /** Adds a layer on top; its files override same-named ones below. */
  addLayer(files: File[], ref: T): void {
    this.add(files, ref, false);
  }

  /** Adds a layer that removes the named files from the layers below it. */
  addDeleteLayer(files: File[], ref: T): void {
    this.add(files, ref, true);
  }

  removeLayer(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.layers.length) {
      throw new CozipError(
        'INVALID_ARGUMENT',
        `layer index ${index} out of bounds [0, ${this.layers.length})`,
      );
    }
    this.layers.splice(index, 1);
    this.cache = undefined;
  }

  /** Removes every layer with this reference; returns how many. */
  removeLayerByRef(ref: T): number {
    const before = this.layers.length;
    this.layers = this.layers.filter((l) => !Object.is(l.ref, ref));
    this.cache = undefined;
    return before - this.layers.length;
  }

  clear(): void {
    this.layers = [];
    this.cache = undefined;
  }

  get layerCount(): number {
    return this.layers.length;
  }

  getLayerRef(index: number): T | undefined {
    return this.layers[index]?.ref;
  }

  /** The layers, bottom first (read-only view). */
  getLayers(): readonly Readonly<Layer<T>>[] {
    return this.layers;
  }

  private merged(): Map<string, FileWithRef<T>> {
    if (this.cache) return this.cache;
    const map = new Map<string, FileWithRef<T>>();
    /** How many entries each directory name holds (at any depth). */
    const held = new Map<string, number>();
    const count = (key: string, delta: number) => {
      for (const dir of parents(key)) held.set(dir, (held.get(dir) ?? 0) + delta);
    };
    for (const layer of this.layers) {
      if (!layer.isDelete) {
        for (const file of layer.files) {
          const key = nameKey(file);
          if (!map.has(key)) count(key, 1);
          map.set(key, { file, ref: layer.ref });
        }
        continue;
      }
      const emptied = new Set<string>();
      for (const file of layer.files) {
        const key = nameKey(file);
        if (!map.delete(key)) continue;
        count(key, -1);
        for (const dir of parents(key)) emptied.add(dir);
      }
      // Deepest first, so removing a directory can empty its parent.
      for (const dir of [...emptied].sort((a, b) => b.length - a.length)) {
        if (!held.get(dir) && map.delete(dir)) count(dir, -1);
      }
    }
    this.cache = map;
    return map;
  }

  /** The file visible under `name` and its layer's reference. */
  find(name: string | Uint8Array): FileWithRef<T> | undefined {
    const p = probe(name);
    const key = nameKey(p);
    if (this.cache || key.endsWith('/')) return this.merged().get(key);
    // A file (not a directory) is decided by the last layer naming it.
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const layer = this.layers[i];
      const file = search(layer.files, p);
      if (file) return layer.isDelete ? undefined : { file, ref: layer.ref };
    }
    return undefined;
  }

  /** The file named `name` in the layer `ref` alone. */
  findInLayer(name: string | Uint8Array, ref: T): File | undefined {
    const layer = this.layers.find((l) => Object.is(l.ref, ref));
    return layer ? search(layer.files, probe(name)) : undefined;
  }

  hasFile(name: string | Uint8Array): boolean {
    return this.find(name) !== undefined;
  }

  /** The merged view, sorted by name. */
  files(): FileWithRef<T>[] {
    return [...this.merged().values()].sort((a, b) => compareNames(a.file, b.file));
  }

  [Symbol.iterator](): Iterator<FileWithRef<T>> {
    return this.files()[Symbol.iterator]();
  }

  get fileCount(): number {
    return this.merged().size;
  }

  get isEmpty(): boolean {
    return this.fileCount === 0;
  }

  /** The merged view as one index (layer references are lost). */
  toSingleIndex(): File[] {
    return this.files().map((f) => f.file);
  }

  /** @internal for deserialization: layers as they were, sorted already. */
  static fromLayers<T>(layers: Layer<T>[]): LayeredIndex<T> {
    const index = new LayeredIndex<T>();
    index.layers = layers.map((l) => ({ ...l, files: sortFilesByName(l.files) }));
    return index;
  }
}
