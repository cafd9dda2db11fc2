// The TailKeeper remembers the last bytes written (the hashed tail) without
// re-reading the output, also through patches, and, told where the tail will
// start, keeps nothing before it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TailKeeper } from '../../src/cozip/tail-keeper.js';
import { bufferSink } from '../../src/zip/sink.js';
import { rng, seededBytes } from '../helpers/random.js';

const KEEP = 32768;

/** Writes `total` seeded bytes in random-sized chunks, patching now and then. */
async function run(total: number, from: number, seed: number) {
  const out = bufferSink();
  const keeper = new TailKeeper(out, KEEP, from);
  const data = seededBytes(seed, total);
  const random = rng(seed + 1);
  let at = 0;
  while (at < total) {
    // Mostly small writes (headers, tiny members), sometimes large ones.
    const n = Math.min(total - at, random() < 0.99 ? 1 + Math.floor(random() * 80) : 40_000);
    await keeper.write(data.subarray(at, at + n));
    at += n;
    if (random() < 0.2 && at > 200) {
      // A CRC patch, mostly into the last header written (across write
      // boundaries), sometimes anywhere before.
      const back = random() < 0.8 ? 1 + Math.floor(random() * 200) : Math.floor(random() * at);
      await keeper.writeAt(Math.max(0, at - back - 4), Uint8Array.of(1, 2, 3, 4));
    }
  }
  return { keeper, bytes: out.bytes() };
}

describe('TailKeeper', () => {
  for (const [total, seed] of [
    [200_000, 1],
    [KEEP + 10, 2],
    [1000, 3],
  ]) {
    it(`keeps the last ${KEEP} bytes of ${total}, patches included`, async () => {
      for (const from of [0, Math.max(0, total - KEEP)]) {
        const { keeper, bytes } = await run(total, from, seed);
        assert.equal(keeper.length, total);
        assert.deepEqual(keeper.tail(), bytes.subarray(Math.max(0, total - KEEP)), `from ${from}`);
      }
    });
  }

  it('refuses to give a tail that starts before what it was told to keep', async () => {
    const { keeper } = await run(100_000, 100_000 - KEEP + 1, 4);
    assert.throws(() => keeper.tail(), /before/);
  });
});
