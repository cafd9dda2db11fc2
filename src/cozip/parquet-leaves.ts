// The leaf columns a Parquet footer's schema describes, and the rule that
// every row group's column chunks are exactly those leaves, in order. The
// decoder (hyparquet 1.33) reads every chunk but assembles only the chunks
// whose path names a schema column: a chunk renamed by a flipped byte is
// read anyway, nobody waits for it, and its failure escapes as an unhandled
// rejection that ends the process. Such a footer is refused up front.
import type { FileMetaData } from 'hyparquet';
import { CozipError } from '../errors.js';

export interface Leaf {
  path: string[];
  def: number;
  rep: number;
}

/** Every leaf column, in schema order (flat and nested schemas alike). */
export function leafColumns(metadata: FileMetaData): Leaf[] {
  const out: Leaf[] = [];
  const schema = metadata.schema;
  let i = 1; // the root
  const walk = (path: string[], def: number, rep: number, children: number) => {
    for (let k = 0; k < children && i < schema.length; k++) {
      const e = schema[i++];
      const d = def + (e.repetition_type === 'REQUIRED' ? 0 : 1);
      const r = rep + (e.repetition_type === 'REPEATED' ? 1 : 0);
      const p = [...path, String(e.name)];
      if (e.num_children) walk(p, d, r, e.num_children);
      else out.push({ path: p, def: d, rep: r });
    }
  };
  walk([], 0, 0, schema[0]?.num_children ?? 0);
  return out;
}

/** CORRUPT_DATA unless each row group has one chunk per leaf, named as the leaf, in order. */
export function checkColumnChunks(metadata: FileMetaData, leaves: readonly Leaf[]): void {
  const names = new Set<string>();
  for (const leaf of leaves) {
    // Two top-level columns of one name: the decoder would assemble one.
    if (leaf.path.length === 1 && names.has(leaf.path[0])) {
      throw new CozipError('CORRUPT_DATA', `Parquet schema has two columns ${leaf.path[0]}`);
    }
    names.add(leaf.path[0]);
  }
  for (const [g, group] of metadata.row_groups.entries()) {
    if (group.columns.length !== leaves.length) {
      throw new CozipError(
        'CORRUPT_DATA',
        `Parquet row group ${g} has ${group.columns.length} column chunks for ${leaves.length} schema columns`,
      );
    }
    group.columns.forEach((column, c) => {
      const path = column.meta_data?.path_in_schema;
      const want = leaves[c].path;
      if (!path || path.length !== want.length || path.some((p, k) => p !== want[k])) {
        throw new CozipError(
          'CORRUPT_DATA',
          `Parquet row group ${g} column ${c} is ${JSON.stringify(path)}, the schema says ${JSON.stringify(want)}`,
        );
      }
    });
  }
}
