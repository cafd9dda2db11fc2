// The CLI's output helpers: counts are grouped as toLocaleString('en-US')
// groups them, without loading ICU's locale data for it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { count, isoTime, printJsonArray, toJson } from '../../src/cli/output.js';
import { randomInt, rng } from '../helpers/random.js';

describe('cli output', () => {
  it('count() groups digits as toLocaleString("en-US")', () => {
    const values = [0, -0, 1, 12, 999, 1000, 65_535, 1_234_567, -1_234_567, 2 ** 53 - 1];
    for (const n of [...values, 2 ** 53, 1e21, 12.5, 1234.5678, Number.NaN, Infinity]) {
      assert.equal(count(n), n.toLocaleString('en-US'), String(n));
    }
  });

  it('isoTime() is toISOString() (null for an invalid date)', () => {
    const random = rng(11);
    const times = [0, -1, 1, 86_399_999, 86_400_000, -62_135_596_800_000, 253_402_300_799_999];
    for (let i = 0; i < 20_000; i++) times.push(randomInt(random, -8.64e15, 8.64e15));
    for (let i = 0; i < 20_000; i++) times.push(randomInt(random, -1e12, 5e12));
    for (const t of times) assert.equal(isoTime(new Date(t)), new Date(t).toISOString(), String(t));
    assert.equal(isoTime(new Date(Number.NaN)), null);
  });

  it('printJsonArray() writes the text printJson gives, a part at a time', async (t) => {
    const written: string[] = [];
    t.mock.method(process.stdout, 'write', (chunk: string) => {
      written.push(chunk);
      return true;
    });
    for (const n of [0, 1, 1999, 2000, 2001, 4500]) {
      const items = Array.from({ length: n }, (_, i) => ({ i, big: BigInt(i), at: new Date(i) }));
      written.length = 0;
      await printJsonArray(items, (x) => x);
      const plain = written.join('');
      written.length = 0;
      await printJsonArray(items, (x) => ({ i: x.i }), true);
      const fast = written.join('');
      assert.equal(plain, `${toJson(items)}\n`, `${n} items`);
      assert.equal(
        fast,
        `${JSON.stringify(
          items.map((x) => ({ i: x.i })),
          null,
          2,
        )}\n`,
      );
    }
  });
});
