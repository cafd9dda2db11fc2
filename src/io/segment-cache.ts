// The planner's cache of fetched bytes: segments [start, end) of the source,
// found by position and evicted least recently used first. Every operation
// costs O(log n + sqrt n) whatever the number of segments, so a cache of
// tens of thousands of small reads (local headers, small members) stays cheap.

export interface Segment {
  start: number;
  end: number;
  bytes: Uint8Array;
}

/** A cached segment, linked into the LRU list. */
interface Node extends Segment {
  older: Node | undefined;
  newer: Node | undefined;
}

/** Blocks of the sorted index hold at most this many segments before they split. */
const BLOCK = 512;

/**
 * Segments sorted by start, kept in blocks of at most BLOCK: inserting or
 * removing moves at most a block's worth of pointers, and finding the block
 * is a binary search over the blocks' first starts.
 */
class SortedSegments {
  private blocks: Node[][] = [];

  clear(): void {
    this.blocks = [];
  }

  /** Index of the last block whose first start is <= pos (0 when none is). */
  private blockFor(pos: number): number {
    let lo = 0;
    let hi = this.blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.blocks[mid][0].start <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  insert(segment: Node): void {
    if (this.blocks.length === 0) {
      this.blocks.push([segment]);
      return;
    }
    const b = this.blockFor(segment.start);
    const block = this.blocks[b];
    block.splice(upper(block, segment.start), 0, segment);
    if (block.length > 2 * BLOCK) this.blocks.splice(b + 1, 0, block.splice(BLOCK));
  }

  remove(segment: Node): boolean {
    if (this.blocks.length === 0) return false;
    // Equal starts may sit in neighbouring blocks: look left while they do.
    for (let b = this.blockFor(segment.start); b >= 0; b--) {
      const block = this.blocks[b];
      for (let i = upper(block, segment.start) - 1; i >= 0; i--) {
        if (block[i] === segment) {
          block.splice(i, 1);
          if (block.length === 0) this.blocks.splice(b, 1);
          return true;
        }
        if (block[i].start !== segment.start) return false;
      }
      if (block.length && block[0].start !== segment.start) return false;
    }
    return false;
  }

  /**
   * Among the `count` segments starting nearest at or before `pos`, the one
   * covering `pos` that reaches furthest.
   */
  covering(pos: number, count: number): Node | undefined {
    if (this.blocks.length === 0) return undefined;
    let b = this.blockFor(pos);
    let i = upper(this.blocks[b], pos) - 1;
    let best: Node | undefined;
    for (let k = 0; k < count; k++) {
      while (i < 0) {
        if (--b < 0) return best;
        i = this.blocks[b].length - 1;
      }
      const s = this.blocks[b][i--];
      if (s.end > pos && (!best || s.end > best.end)) best = s;
    }
    return best;
  }

  /** Segments whose start lies in [from, to), in order. */
  startingIn(from: number, to: number): Node[] {
    const list: Node[] = [];
    if (this.blocks.length === 0) return list;
    for (let b = this.blockFor(from); b < this.blocks.length; b++) {
      const block = this.blocks[b];
      if (block[0].start >= to) break;
      for (const s of block) if (s.start >= from && s.start < to) list.push(s);
    }
    // Collected first: the caller may remove what it is given.
    return list;
  }
}

/** Index of the first segment in `block` whose start is > pos. */
function upper(block: Node[], pos: number): number {
  let lo = 0;
  let hi = block.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (block[mid].start <= pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** How many predecessors `covering` looks at: overlaps are rare, a miss is only a refetch. */
const LOOK_BACK = 8;

/** A bounded cache of byte ranges of one source, least recently used evicted first. */
export class SegmentCache {
  readonly capacity: number;
  /** Ends of the LRU list: evictions take the oldest. */
  private oldest: Node | undefined;
  private newest: Node | undefined;
  private readonly sorted = new SortedSegments();
  private held = 0;
  private segments = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  /** Bytes held now (never more than `capacity`). */
  get bytes(): number {
    return this.held;
  }

  /** Segments held now. */
  get count(): number {
    return this.segments;
  }

  /** The segments from least to most recently used (for tests and debugging). */
  *ranges(): Generator<[number, number]> {
    for (let s = this.oldest; s; s = s.newer) yield [s.start, s.end];
  }

  clear(): void {
    this.oldest = undefined;
    this.newest = undefined;
    this.sorted.clear();
    this.held = 0;
    this.segments = 0;
  }

  /** The bytes [start, end) if cached segments cover all of them; marks them used. */
  get(start: number, end: number): Uint8Array | undefined {
    const first = this.sorted.covering(start, LOOK_BACK);
    if (!first) return undefined;
    if (end <= first.end) {
      this.touch(first);
      return first.bytes.subarray(start - first.start, end - first.start);
    }
    const parts = [first];
    for (let pos = first.end; pos < end; ) {
      const next = this.sorted.covering(pos, LOOK_BACK);
      if (!next) return undefined;
      parts.push(next);
      pos = next.end;
    }
    const out = new Uint8Array(end - start);
    let pos = start;
    for (const s of parts) {
      const to = Math.min(end, s.end);
      out.set(s.bytes.subarray(pos - s.start, to - s.start), pos - start);
      pos = to;
      this.touch(s);
    }
    return out;
  }

  /** The cached bytes from `start` on, as far as one segment reaches before `end`; marks it used. */
  from(start: number, end: number): Uint8Array | undefined {
    const s = this.sorted.covering(start, LOOK_BACK);
    if (!s) return undefined;
    this.touch(s);
    return s.bytes.subarray(start - s.start, Math.min(end, s.end) - s.start);
  }

  /** The cached bytes that end at `end`, as far back as one segment reaches after `start`. */
  until(start: number, end: number): Uint8Array | undefined {
    const s = end > start ? this.sorted.covering(end - 1, LOOK_BACK) : undefined;
    if (!s || s.end < end) return undefined;
    this.touch(s);
    return s.bytes.subarray(Math.max(start, s.start) - s.start, end - s.start);
  }

  /** Keeps `bytes`, found at `start`, evicting the least recently used to stay in budget. */
  put(start: number, bytes: Uint8Array): void {
    const end = start + bytes.length;
    if (bytes.length === 0 || bytes.length > this.capacity) return;
    const around = this.sorted.covering(start, LOOK_BACK);
    if (around && end <= around.end) {
      this.touch(around); // already cached
      return;
    }
    // Segments inside the new one are now redundant.
    for (const s of this.sorted.startingIn(start, end)) if (s.end <= end) this.remove(s);
    const node: Node = { start, end, bytes, older: undefined, newer: undefined };
    this.sorted.insert(node);
    this.link(node);
    this.held += bytes.length;
    this.segments++;
    while (this.held > this.capacity && this.oldest) this.remove(this.oldest);
  }

  /** Appends `node` to the LRU list as the most recently used. */
  private link(node: Node): void {
    node.older = this.newest;
    node.newer = undefined;
    if (this.newest) this.newest.newer = node;
    else this.oldest = node;
    this.newest = node;
  }

  private unlink(node: Node): void {
    if (node.older) node.older.newer = node.newer;
    else this.oldest = node.newer;
    if (node.newer) node.newer.older = node.older;
    else this.newest = node.older;
  }

  private touch(node: Node): void {
    if (node === this.newest) return;
    this.unlink(node);
    this.link(node);
  }

  private remove(node: Node): void {
    this.unlink(node);
    this.sorted.remove(node);
    this.held -= node.bytes.length;
    this.segments--;
  }
}
