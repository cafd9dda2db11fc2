import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { blobSource } from '../../src/io/blob-source.js';
import { bytesSource } from '../../src/io/bytes-source.js';
import { openFileSource } from '../../src/io/file-source.js';
import type { RangeSource } from '../../src/io/source.js';
import { randomInt, rng, seededBytes } from '../helpers/random.js';
import { chunksOf, rejectsWith } from './expect.js';

const DATA = seededBytes(42, 200_000);

/** Random ranges (including empty and end-of-object ones) must come back byte-exact. */
async function checkRandomReads(source: RangeSource, data: Uint8Array, seed: number) {
  const random = rng(seed);
  const ranges: [number, number][] = [
    [0, 0],
    [0, 1],
    [data.length - 1, data.length],
    [data.length, data.length],
    [0, data.length],
  ];
  for (let i = 0; i < 30; i++) {
    const start = randomInt(random, 0, data.length);
    ranges.push([start, randomInt(random, start, data.length + 1)]);
  }
  for (const [start, end] of ranges) {
    const bytes = await source.read(start, end);
    assert.equal(bytes.length, end - start);
    assert.deepEqual(bytes, data.subarray(start, end), `[${start}, ${end})`);
  }
}

async function checkOutOfRange(source: RangeSource) {
  const { size } = source;
  for (const [start, end] of [
    [-1, 1],
    [0, size + 1],
    [size + 1, size + 2],
    [10, 5],
    [0.5, 2],
    [0, Number.NaN],
  ]) {
    const err = await rejectsWith(source.read(start, end), 'OUT_OF_RANGE');
    assert.equal(err.details.size, size);
  }
}

describe('bytesSource', () => {
  it('reads byte-exact ranges and counts them', async () => {
    const source = bytesSource(DATA, 'mem');
    assert.equal(source.size, DATA.length);
    assert.equal(source.name, 'mem');
    await checkRandomReads(source, DATA, 1);
    assert.equal(source.stats.requests, 35);
  });

  it('rejects reads outside the bytes', async () => {
    await checkOutOfRange(bytesSource(DATA));
  });

  it('fails after close and on an aborted signal', async () => {
    const source = bytesSource(DATA);
    await rejectsWith(source.read(0, 1, { signal: AbortSignal.abort() }), 'ABORTED');
    await source.close();
    await rejectsWith(source.read(0, 1), 'ABORTED');
  });
});

describe('blobSource', () => {
  it('reads byte-exact ranges of a Blob', async () => {
    const source = blobSource(new Blob([DATA]));
    assert.equal(source.size, DATA.length);
    assert.equal(source.name, 'blob');
    await checkRandomReads(source, DATA, 2);
    await checkOutOfRange(source);
  });

  it('streams a range and takes a File name', async () => {
    const source = blobSource(new File([DATA], 'data.zip'));
    assert.equal(source.name, 'data.zip');
    const chunks = await chunksOf(source.stream(1000, 150_000));
    assert.deepEqual(Buffer.concat(chunks), Buffer.from(DATA.subarray(1000, 150_000)));
    assert.equal(source.stats.requests, 1);
    assert.equal(source.stats.bytesFetched, 149_000);
  });

  it('fails after close', async () => {
    const source = blobSource(new Blob([DATA]));
    await source.close();
    await rejectsWith(source.read(0, 1), 'ABORTED');
  });
});

describe('openFileSource', () => {
  let dir: string;
  let path: string;
  const big = seededBytes(7, 2_500_000);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cozip-io-'));
    path = join(dir, 'data.bin');
    await writeFile(path, big);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads byte-exact ranges with positional reads', async () => {
    const source = await openFileSource(path);
    try {
      assert.equal(source.size, big.length);
      assert.equal(source.name, path);
      await checkRandomReads(source, big, 3);
      await checkOutOfRange(source);
    } finally {
      await source.close();
    }
  });

  it('reads one byte of a large file without reading the rest', async () => {
    const source = await openFileSource(path);
    try {
      const byte = await source.read(1_234_567, 1_234_568);
      assert.deepEqual(byte, big.subarray(1_234_567, 1_234_568));
      assert.equal(source.stats.bytesFetched, 1);
      assert.equal(source.stats.requests, 1);
    } finally {
      await source.close();
    }
  });

  it('streams in chunks of at most 1 MiB', async () => {
    const source = await openFileSource(path);
    try {
      const chunks = await chunksOf(source.stream(10, big.length));
      assert.deepEqual(
        chunks.map((c) => c.length),
        [1 << 20, 1 << 20, big.length - 10 - 2 * (1 << 20)],
      );
      assert.deepEqual(Buffer.concat(chunks), Buffer.from(big.subarray(10)));
    } finally {
      await source.close();
    }
  });

  it('reports a missing file as NOT_FOUND and a directory as INVALID_ARGUMENT', async () => {
    await rejectsWith(openFileSource(join(dir, 'missing.bin')), 'NOT_FOUND');
    const sub = join(dir, 'sub');
    await mkdir(sub);
    await rejectsWith(openFileSource(sub), 'INVALID_ARGUMENT');
  });

  it('reports a file truncated after open as SHORT_READ', async () => {
    const shrinking = join(dir, 'shrinking.bin');
    await writeFile(shrinking, DATA);
    const source = await openFileSource(shrinking);
    try {
      await truncate(shrinking, 1000);
      await rejectsWith(source.read(500, 2000), 'SHORT_READ');
    } finally {
      await source.close();
    }
  });

  it('fails after close', async () => {
    const source = await openFileSource(path);
    await source.close();
    await source.close(); // idempotent
    await rejectsWith(source.read(0, 1), 'ABORTED');
  });
});
