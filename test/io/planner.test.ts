import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bytesSource } from '../../src/io/bytes-source.js';
import { openHttpSource } from '../../src/io/http-source.js';
import { createReadPlanner, ReadPlanner } from '../../src/io/planner.js';
import type { RangeSource } from '../../src/io/source.js';
import { startRangeServer } from '../helpers/http-server.js';
import { randomInt, rng, seededBytes } from '../helpers/random.js';
import { chunksOf, rejectsWith } from './expect.js';

const KiB = 1024;
const DATA = seededBytes(5, 1024 * KiB);

/** A source whose reads wait until the test releases them, so "in flight" is a state. */
function gatedSource(data: Uint8Array) {
  const reads: [number, number][] = [];
  const gates: (() => void)[] = [];
  const source: RangeSource = {
    size: data.length,
    name: 'gated',
    async read(start, end) {
      reads.push([start, end]);
      await new Promise<void>((resolve) => gates.push(resolve));
      return data.slice(start, end);
    },
  };
  const release = () => {
    for (const open of gates.splice(0)) open();
  };
  return { source, reads, release };
}

/** Lets queued microtasks (the planner's flush) run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('ReadPlanner: merging', () => {
  it('merges concurrent nearby reads into one request', async () => {
    const source = bytesSource(DATA);
    const planner = new ReadPlanner(source);
    const random = rng(3);
    const ranges: [number, number][] = [];
    for (let i = 0; i < 20; i++) {
      const start = randomInt(random, 100 * KiB, 300 * KiB);
      ranges.push([start, start + randomInt(random, 1, 4 * KiB)]);
    }
    const results = await Promise.all(ranges.map(([s, e]) => planner.read(s, e)));
    assert.deepEqual(
      results,
      ranges.map(([s, e]) => DATA.subarray(s, e)),
    );
    assert.equal(planner.stats.reads, 20);
    assert.equal(planner.stats.requests, 1);
    assert.equal(source.stats.requests, 1);
    const lo = Math.min(...ranges.map((r) => r[0]));
    const hi = Math.max(...ranges.map((r) => r[1]));
    assert.equal(planner.stats.bytesFetched, hi - lo);
  });

  it('keeps far-apart reads in separate requests', async () => {
    const source = bytesSource(DATA);
    const planner = new ReadPlanner(source, { maxGap: 1000 });
    const [a, b, c] = await Promise.all([
      planner.read(0, 10),
      planner.read(500, 600), // 490 bytes after the first: merged
      planner.read(10_000, 10_010), // far: its own request
    ]);
    assert.deepEqual(a, DATA.subarray(0, 10));
    assert.deepEqual(b, DATA.subarray(500, 600));
    assert.deepEqual(c, DATA.subarray(10_000, 10_010));
    assert.equal(planner.stats.requests, 2);
    assert.equal(planner.stats.bytesFetched, 600 + 10);
  });

  it('never merges beyond maxRequest', async () => {
    const source = bytesSource(DATA);
    const planner = new ReadPlanner(source, { maxRequest: 10 * KiB, cacheBytes: 0 });
    const reads = [];
    for (let start = 0; start < 40 * KiB; start += 4 * KiB) {
      reads.push(planner.read(start, start + 4 * KiB));
    }
    const results = await Promise.all(reads);
    assert.deepEqual(Buffer.concat(results), Buffer.from(DATA.subarray(0, 40 * KiB)));
    // 8 KiB fit in 10 KiB, 12 KiB do not: pairs of reads.
    assert.equal(planner.stats.requests, 5);
  });

  it('joins a read to a request already in flight', async () => {
    const { source, reads, release } = gatedSource(DATA);
    const planner = new ReadPlanner(source);
    const first = planner.read(0, 1000);
    await settle(); // the request for [0, 1000) is now in flight
    const second = planner.read(100, 200);
    await settle();
    release();
    assert.deepEqual(await first, DATA.subarray(0, 1000));
    assert.deepEqual(await second, DATA.subarray(100, 200));
    assert.deepEqual(reads, [[0, 1000]]);
  });

  it('lets one merged reader abort without failing the others', async () => {
    const { source, release } = gatedSource(DATA);
    const planner = new ReadPlanner(source);
    const controller = new AbortController();
    const kept = planner.read(0, 10);
    const dropped = planner.read(20, 30, { signal: controller.signal });
    await settle();
    controller.abort();
    await rejectsWith(dropped, 'ABORTED');
    release();
    assert.deepEqual(await kept, DATA.subarray(0, 10));
    assert.equal(planner.stats.requests, 1);
  });

  it('passes a source failure to every reader of the request', async () => {
    const failing: RangeSource = {
      size: 100,
      name: 'failing',
      read: async () => {
        throw new Error('boom');
      },
    };
    const planner = new ReadPlanner(failing);
    const results = await Promise.allSettled([planner.read(0, 5), planner.read(6, 9)]);
    assert.deepEqual(
      results.map((r) => r.status === 'rejected' && (r.reason as Error).message),
      ['boom', 'boom'],
    );
    assert.equal(planner.stats.requests, 1);
  });

  it('rejects reads outside the source and costs nothing for empty ones', async () => {
    const planner = new ReadPlanner(bytesSource(DATA));
    await rejectsWith(planner.read(0, DATA.length + 1), 'OUT_OF_RANGE');
    await rejectsWith(planner.read(-5, 1), 'OUT_OF_RANGE');
    assert.deepEqual(await planner.read(7, 7), new Uint8Array(0));
    await rejectsWith(planner.read(0, 1, { signal: AbortSignal.abort() }), 'ABORTED');
    assert.equal(planner.stats.requests, 0);
    assert.throws(() => new ReadPlanner(bytesSource(DATA), { maxGap: -1 }), {
      code: 'INVALID_ARGUMENT',
    });
  });
});

describe('ReadPlanner: cache', () => {
  it('answers covered reads from the cache without a request', async () => {
    const planner = new ReadPlanner(bytesSource(DATA));
    await planner.read(1000, 5000);
    assert.deepEqual(await planner.read(2000, 3000), DATA.subarray(2000, 3000));
    assert.deepEqual(await planner.read(1000, 5000), DATA.subarray(1000, 5000));
    assert.equal(planner.stats.requests, 1);
    assert.equal(planner.stats.cacheHits, 2);
  });

  it('stitches a read from adjacent cached segments', async () => {
    const planner = new ReadPlanner(bytesSource(DATA));
    await planner.read(0, 100);
    await planner.read(100, 250);
    await planner.read(200, 400);
    assert.deepEqual(await planner.read(50, 350), DATA.subarray(50, 350));
    assert.equal(planner.stats.requests, 3);
    assert.equal(planner.stats.cacheHits, 1);
    // A gap means a request.
    await planner.read(350, 500);
    assert.equal(planner.stats.requests, 4);
  });

  it('stays within cacheBytes and evicts the least recently used', async () => {
    const planner = new ReadPlanner(bytesSource(DATA), { cacheBytes: 64 * KiB });
    const at = (i: number) => i * 20 * KiB;
    for (let i = 0; i < 40; i++) {
      await planner.read(at(i), at(i) + 4 * KiB);
      assert.ok(planner.cachedBytes <= 64 * KiB, `${planner.cachedBytes} bytes cached`);
      // Keep segment 0 in use: it must survive while older ones go.
      await planner.read(at(0), at(0) + 10);
    }
    assert.equal(planner.cachedBytes, 64 * KiB);
    const requests = planner.stats.requests;
    assert.deepEqual(await planner.read(at(0), at(0) + 4 * KiB), DATA.subarray(0, 4 * KiB));
    assert.deepEqual(
      await planner.read(at(39), at(39) + 4 * KiB),
      DATA.subarray(at(39), at(39) + 4 * KiB),
    );
    assert.equal(planner.stats.requests, requests, 'recent segments are cached');
    await planner.read(at(1), at(1) + 4 * KiB);
    assert.equal(planner.stats.requests, requests + 1, 'old segments were evicted');
  });

  it('lets reads bigger than a quarter of the cache bypass it', async () => {
    const planner = new ReadPlanner(bytesSource(DATA), { cacheBytes: 1024 * KiB });
    await planner.read(0, 300 * KiB);
    assert.equal(planner.cachedBytes, 0);
    await planner.read(0, 300 * KiB);
    assert.equal(planner.stats.requests, 2);
    await planner.read(0, 200 * KiB);
    assert.equal(planner.cachedBytes, 200 * KiB);
  });

  it('uses seeded bytes, including a source’s prefetched probe', async () => {
    const planner = createReadPlanner(bytesSource(DATA));
    planner.seed(5000, DATA.slice(5000, 6000));
    assert.deepEqual(await planner.read(5100, 5200), DATA.subarray(5100, 5200));
    assert.equal(planner.stats.requests, 0);
    assert.throws(() => planner.seed(DATA.length - 1, DATA.slice(0, 2)), { code: 'OUT_OF_RANGE' });

    const tail = DATA.length - 1000;
    const withProbe = {
      ...bytesSource(DATA),
      prefetched: [{ start: tail, bytes: DATA.slice(tail) }],
    };
    const seeded = new ReadPlanner(withProbe);
    assert.deepEqual(await seeded.read(DATA.length - 22, DATA.length), DATA.subarray(-22));
    assert.equal(seeded.stats.requests, 0);
    assert.equal(seeded.stats.cacheHits, 1);
  });
});

describe('ReadPlanner: streams and close', () => {
  it("streams through the source's stream, uncached", async () => {
    const source = bytesSource(DATA);
    const streaming: RangeSource = {
      ...source,
      async *stream(start, end) {
        for (let pos = start; pos < end; pos += 100 * KiB) {
          yield DATA.slice(pos, Math.min(end, pos + 100 * KiB));
        }
      },
    };
    const planner = new ReadPlanner(streaming);
    const chunks = await chunksOf(planner.stream(10, 500 * KiB));
    assert.deepEqual(Buffer.concat(chunks), Buffer.from(DATA.subarray(10, 500 * KiB)));
    assert.equal(planner.stats.requests, 1);
    assert.equal(planner.stats.bytesFetched, 500 * KiB - 10);
    assert.equal(planner.cachedBytes, 0);
  });

  it('falls back to chunked reads when the source cannot stream', async () => {
    const source = bytesSource(DATA);
    const planner = new ReadPlanner(source);
    const chunks = await chunksOf(planner.stream(0, DATA.length));
    assert.deepEqual(Buffer.concat(chunks), Buffer.from(DATA));
    assert.equal(planner.stats.requests, 1); // 1 MiB: one chunk
    assert.equal(source.stats.requests, 1);
  });

  it('serves a stream of cached bytes from the cache', async () => {
    const planner = new ReadPlanner(bytesSource(DATA));
    await planner.read(0, 1000);
    assert.deepEqual(await chunksOf(planner.stream(10, 20)), [DATA.subarray(10, 20)]);
    assert.equal(planner.stats.requests, 1);
  });

  it('closes the source and fails later reads', async () => {
    const source = bytesSource(DATA);
    const planner = new ReadPlanner(source);
    await planner.read(0, 10);
    await planner.close();
    await rejectsWith(planner.read(0, 10), 'ABORTED');
    await rejectsWith(source.read(0, 10), 'ABORTED');
    assert.equal(planner.cachedBytes, 0);
  });
});

describe('ReadPlanner over HTTP', () => {
  it('turns many concurrent reads into one range request and reuses the probe', async (t) => {
    const server = await startRangeServer({ objects: { a: DATA } });
    t.after(() => server.close());
    const source = await openHttpSource(server.url('a'), { probe: { suffix: 64 * KiB } });
    const planner = new ReadPlanner(source);

    // The tail (where a ZIP keeps its directory) came with the probe.
    const tail = await planner.read(DATA.length - 100, DATA.length);
    assert.deepEqual(tail, DATA.subarray(-100));
    assert.equal(server.requests.length, 1);

    const starts = [1000, 3000, 7000, 9000, 20_000, 40_000];
    const results = await Promise.all(starts.map((s) => planner.read(s, s + 500)));
    assert.deepEqual(
      results,
      starts.map((s) => DATA.subarray(s, s + 500)),
    );
    assert.deepEqual(
      server.requests.map((r) => r.range),
      ['bytes=-65536', 'bytes=1000-40499'],
    );
    assert.equal(source.stats.requests, 2);
    await planner.close();
  });
});

describe('ReadPlanner: cached ends', () => {
  it('fetches only the bytes between a cached head and a cached tail', async () => {
    const { source, reads, release } = gatedSource(DATA);
    const planner = new ReadPlanner(source);
    // A probe's bytes at both ends, then a scan of the whole range.
    planner.seed(0, DATA.subarray(0, 4 * KiB));
    planner.seed(900 * KiB, DATA.subarray(900 * KiB, 1024 * KiB));
    const whole = planner.read(0, 1024 * KiB, { cache: false });
    await settle();
    release();
    assert.deepEqual(await whole, DATA);
    assert.deepEqual(reads, [[4 * KiB, 900 * KiB]]);
    assert.equal(planner.stats.bytesFetched, 896 * KiB);
    // A read with only its head cached: the rest, once.
    const tail = planner.read(2 * KiB, 10 * KiB);
    await settle();
    release();
    assert.deepEqual(await tail, DATA.subarray(2 * KiB, 10 * KiB));
    assert.deepEqual(reads[1], [4 * KiB, 10 * KiB]);
  });
});
