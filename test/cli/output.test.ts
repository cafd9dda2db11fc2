// The CLI's output helpers: counts are grouped as toLocaleString('en-US')
// groups them, without loading ICU's locale data for it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { count } from '../../src/cli/output.js';

describe('cli output', () => {
  it('count() groups digits as toLocaleString("en-US")', () => {
    const values = [0, -0, 1, 12, 999, 1000, 65_535, 1_234_567, -1_234_567, 2 ** 53 - 1];
    for (const n of [...values, 2 ** 53, 1e21, 12.5, 1234.5678, Number.NaN, Infinity]) {
      assert.equal(count(n), n.toLocaleString('en-US'), String(n));
    }
  });
});
