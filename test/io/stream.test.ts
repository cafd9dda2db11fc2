import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { blobSource } from '../../src/io/blob-source.js';
import { bytesSource } from '../../src/io/bytes-source.js';
import type { RangeSource } from '../../src/io/source.js';
import { concatBytes, readAll, readStream } from '../../src/io/stream.js';
import { seededBytes } from '../helpers/random.js';
import { chunksOf, rejectsWith } from './expect.js';

const DATA = seededBytes(9, 10_000);

/** A read-only source (no stream) that logs each read and how many are in flight. */
function loggingSource(data: Uint8Array) {
  const reads: [number, number][] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const source: RangeSource = {
    size: data.length,
    name: 'logging',
    async read(start, end) {
      reads.push([start, end]);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      return data.slice(start, end);
    },
  };
  return { source, reads, maxInFlight: () => maxInFlight };
}

describe('readStream', () => {
  it('falls back to sequential chunked reads with one read ahead', async () => {
    const { source, reads, maxInFlight } = loggingSource(DATA);
    const chunks = await chunksOf(readStream(source, 100, 4100, { chunkSize: 1500 }));
    assert.deepEqual(
      chunks.map((c) => c.length),
      [1500, 1500, 1000],
    );
    assert.deepEqual(concatBytes(chunks), DATA.subarray(100, 4100));
    assert.deepEqual(reads, [
      [100, 1600],
      [1600, 3100],
      [3100, 4100],
    ]);
    assert.ok(maxInFlight() <= 2);
  });

  it('stops reading when the consumer stops', async () => {
    const { source, reads } = loggingSource(DATA);
    for await (const chunk of readStream(source, 0, DATA.length, { chunkSize: 1000 })) {
      assert.equal(chunk.length, 1000);
      break;
    }
    // The chunk consumed plus the one read ahead; nothing more.
    assert.equal(reads.length, 2);
  });

  it("uses the source's own stream when it has one", async () => {
    const source = blobSource(new Blob([DATA]));
    const bytes = await readAll(readStream(source, 5, 9000, { chunkSize: 10 }));
    assert.deepEqual(bytes, DATA.subarray(5, 9000));
    assert.equal(source.stats.requests, 1);
  });

  it('yields nothing for an empty range and rejects bad arguments', async () => {
    const source = bytesSource(DATA);
    assert.deepEqual(await chunksOf(readStream(source, 7, 7)), []);
    await rejectsWith(chunksOf(readStream(source, 0, DATA.length + 1)), 'OUT_OF_RANGE');
    await rejectsWith(chunksOf(readStream(source, 0, 10, { chunkSize: 0 })), 'INVALID_ARGUMENT');
    await rejectsWith(
      chunksOf(readStream(source, 0, 10, { signal: AbortSignal.abort() })),
      'ABORTED',
    );
  });
});

describe('concatBytes and readAll', () => {
  it('joins chunks', async () => {
    assert.deepEqual(concatBytes([]), new Uint8Array(0));
    const one = DATA.subarray(0, 3);
    assert.equal(concatBytes([one]), one);
    assert.deepEqual(
      concatBytes([DATA.subarray(0, 3), DATA.subarray(3, 3), DATA.subarray(3, 10)]),
      DATA.subarray(0, 10),
    );
    assert.deepEqual(
      await readAll([DATA.subarray(0, 5), DATA.subarray(5, 8)]),
      DATA.subarray(0, 8),
    );
  });
});
