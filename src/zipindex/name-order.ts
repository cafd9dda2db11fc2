// Entries in name byte order (Go's string order), without a string per name:
// an MSD radix sort over the name bytes of the columns, small groups finished
// by insertion sort. Each pass looks at one byte of each name in its group,
// so the work is bounded by the name bytes, whatever the input.
import type { FileColumns } from './columns.js';

/** Groups this small are insertion sorted. */
const SMALL = 16;
/** Buckets: 0 for "the name ends here", then byte + 1. */
const BUCKETS = 257;

/**
 * The entry indexes sorted by name bytes; entries with the same name by
 * `tie` (which must order any two distinct entries).
 */
export function nameOrder(cols: FileColumns, tie: (a: number, b: number) => number): Uint32Array {
  const n = cols.length;
  const { names, nameStart } = cols;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const scratch = new Uint32Array(n);
  const count = new Uint32Array(BUCKETS);
  const next = new Uint32Array(BUCKETS);

  const bucket = (i: number, depth: number): number => {
    const p = nameStart[i] + depth;
    return p < nameStart[i + 1] ? names[p] + 1 : 0;
  };
  /** Entries a and b, equal in their first `depth` bytes. */
  const compare = (a: number, b: number, depth: number): number => {
    const ea = nameStart[a + 1];
    const eb = nameStart[b + 1];
    let pa = nameStart[a] + depth;
    let pb = nameStart[b] + depth;
    for (; pa < ea && pb < eb; pa++, pb++) {
      if (names[pa] !== names[pb]) return names[pa] - names[pb];
    }
    return ea - pa - (eb - pb) || tie(a, b);
  };
  const insertionSort = (lo: number, hi: number, depth: number): void => {
    for (let k = lo + 1; k < hi; k++) {
      const v = order[k];
      let j = k - 1;
      for (; j >= lo && compare(order[j], v, depth) > 0; j--) order[j + 1] = order[j];
      order[j + 1] = v;
    }
  };
  /** The same name throughout: only the tie decides. */
  const tieSort = (lo: number, hi: number): void => {
    const group = Array.from(order.subarray(lo, hi)).sort(tie);
    order.set(group, lo);
  };

  // Groups still to sort: [lo, hi) equal in their first `depth` bytes.
  const stack: number[] = [0, n, 0];
  while (stack.length) {
    const depth = stack.pop()!;
    const hi = stack.pop()!;
    const lo = stack.pop()!;
    if (hi - lo <= SMALL) {
      insertionSort(lo, hi, depth);
      continue;
    }
    count.fill(0);
    for (let k = lo; k < hi; k++) count[bucket(order[k], depth)]++;
    if (count[0] === hi - lo) {
      tieSort(lo, hi);
      continue;
    }
    let start = lo;
    let single = false;
    for (let b = 0; b < BUCKETS; b++) {
      next[b] = start;
      if (count[b] === hi - lo) single = true;
      start += count[b];
    }
    // One shared byte (a common prefix): no move, one byte deeper.
    if (single) {
      stack.push(lo, hi, depth + 1);
      continue;
    }
    for (let k = lo; k < hi; k++) {
      const i = order[k];
      scratch[next[bucket(i, depth)]++] = i;
    }
    order.set(scratch.subarray(lo, hi), lo);
    // next[b] is now the end of bucket b.
    if (count[0] > 1) tieSort(lo, lo + count[0]);
    for (let b = 1; b < BUCKETS; b++) {
      if (count[b] > 1) stack.push(next[b] - count[b], next[b], depth + 1);
    }
  }
  return order;
}
