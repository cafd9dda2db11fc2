import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { bytesSource } from '../../src/io/bytes-source.js';
import { ReadPlanner } from '../../src/io/planner.js';
import { SegmentCache } from '../../src/io/segment-cache.js';
import { seededBytes } from '../helpers/random.js';

const DATA = seededBytes(11, 2 << 20);

/** The bytes the cache holds at `start`: always views of DATA here. */
const put = (cache: SegmentCache, start: number, end: number) =>
  cache.put(start, DATA.subarray(start, end));

describe('SegmentCache', () => {
  it('evicts exactly in least-recently-used order', () => {
    const cache = new SegmentCache(4 * 100);
    for (let i = 0; i < 4; i++) put(cache, i * 1000, i * 1000 + 100);
    assert.ok(cache.get(0, 50), 'a hit makes segment 0 the most recent');
    put(cache, 9000, 9100); // evicts the least recent: segment 1000
    assert.deepEqual(
      [...cache.ranges()],
      [
        [2000, 2100],
        [3000, 3100],
        [0, 100],
        [9000, 9100],
      ],
    );
    assert.equal(cache.get(1000, 1010), undefined);
    assert.equal(cache.bytes, 400);
  });

  it('replaces the segments a new one covers, and stitches neighbours', () => {
    const cache = new SegmentCache(1 << 20);
    put(cache, 100, 200);
    put(cache, 300, 400);
    put(cache, 50, 450);
    assert.equal(cache.count, 1);
    put(cache, 450, 500);
    assert.deepEqual(cache.get(60, 480), DATA.subarray(60, 480));
    assert.equal(cache.get(40, 60), undefined);
  });

  it('holds 100,000 small segments and finds every one (many index blocks)', () => {
    const n = 100_000;
    const cache = new SegmentCache(n * 4);
    // Shuffled insertion order exercises inserts into the middle of blocks.
    const order = Array.from({ length: n }, (_, i) => (i * 7919) % n);
    for (const i of order) put(cache, i * 5, i * 5 + 4);
    assert.equal(cache.count, n);
    // Overflowing the budget evicts the oldest quarter, in insertion order.
    for (let i = 0; i < n / 4; i++) put(cache, 1_000_000 + i * 4, 1_000_000 + i * 4 + 4);
    assert.equal(cache.count, n);
    const at = (k: number) => order[k] * 5;
    assert.equal(cache.get(at(n / 4 - 1), at(n / 4 - 1) + 4), undefined);
    assert.ok(cache.get(at(n / 4), at(n / 4) + 4));
    for (let k = n / 4; k < n; k += 997) {
      assert.deepEqual(cache.get(at(k) + 1, at(k) + 3), DATA.subarray(at(k) + 1, at(k) + 3));
      assert.equal(cache.get(at(k) + 3, at(k) + 6), undefined, 'a gap is a miss');
    }
  });

  it('agrees with a plain-array model on random puts and gets', () => {
    const op = fc.record({
      put: fc.boolean(),
      start: fc.nat(3000),
      length: fc.integer({ min: 1, max: 400 }),
    });
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 300 }),
        fc.integer({ min: 1, max: 3000 }),
        (ops, capacity) => {
          const cache = new SegmentCache(capacity);
          // The same rules on plain arrays: `sorted` by start (a new segment
          // after equal starts), `lru` least recent first, 8 predecessors looked at.
          type Seg = [number, number];
          let sorted: Seg[] = [];
          let lru: Seg[] = [];
          const covering = (pos: number): Seg | undefined => {
            const before = sorted
              .filter(([s]) => s <= pos)
              .slice(-8)
              .reverse();
            let best: Seg | undefined;
            for (const seg of before) if (seg[1] > pos && (!best || seg[1] > best[1])) best = seg;
            return best;
          };
          const touch = (seg: Seg) => {
            lru = [...lru.filter((m) => m !== seg), seg];
          };
          const drop = (seg: Seg) => {
            lru = lru.filter((m) => m !== seg);
            sorted = sorted.filter((m) => m !== seg);
          };
          for (const { put: isPut, start, length } of ops) {
            const end = start + length;
            if (!isPut) {
              const chain: Seg[] = [];
              for (let pos = start; pos < end; ) {
                const seg = covering(pos);
                if (!seg) break;
                chain.push(seg);
                pos = seg[1];
              }
              const covered = chain.length > 0 && chain[chain.length - 1][1] >= end;
              const got = cache.get(start, end);
              assert.equal(got !== undefined, covered, `get(${start}, ${end})`);
              if (got) assert.deepEqual(got, DATA.subarray(start, end));
              if (covered) for (const seg of chain) touch(seg);
              continue;
            }
            put(cache, start, end);
            if (length > capacity) continue;
            const around = covering(start);
            if (around && end <= around[1]) {
              touch(around);
              continue;
            }
            for (const seg of sorted.filter(([s, e]) => s >= start && s < end && e <= end))
              drop(seg);
            const seg: Seg = [start, end];
            const at = sorted.findIndex(([s]) => s > start);
            sorted.splice(at < 0 ? sorted.length : at, 0, seg);
            lru.push(seg);
            let held = lru.reduce((n, [s, e]) => n + e - s, 0);
            while (held > capacity) {
              const old = lru[0];
              drop(old);
              held -= old[1] - old[0];
            }
          }
          assert.deepEqual([...cache.ranges()], lru);
          assert.equal(
            cache.bytes,
            lru.reduce((n, [s, e]) => n + e - s, 0),
          );
          assert.ok(cache.bytes <= capacity);
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });

  it('a planner caches member data only when asked to (cache: false leaves the budget alone)', async () => {
    const planner = new ReadPlanner(bytesSource(DATA));
    await planner.read(0, 1000, { cache: false });
    assert.equal(planner.cachedBytes, 0);
    await planner.read(2000, 3000);
    assert.equal(planner.cachedBytes, 1000);
    // Merged with a cacheable read, the request is cached.
    await Promise.all([planner.read(5000, 5100, { cache: false }), planner.read(5200, 5300)]);
    assert.deepEqual(planner.cachedRanges(), [
      [2000, 3000],
      [5000, 5300],
    ]);
  });
});
