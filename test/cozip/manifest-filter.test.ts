import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compare,
  evaluateConditions,
  matches,
  parseWhere,
  pruningFilter,
  resolveFilter,
} from '../../src/cozip/manifest-filter.js';
import type { ManifestColumnType } from '../../src/cozip/manifest-read.js';
import { isCozipError } from '../../src/errors.js';

const TYPES: Record<string, ManifestColumnType> = {
  name: 'string',
  offset: 'uint64',
  size: 'uint64',
  split: 'string',
  label: 'string',
  cloud: 'double',
  count: 'int32',
  ok: 'boolean',
  taken: 'timestamp',
  blob: 'binary',
  meta: 'json',
};

function throwsAt(expr: string, position: number) {
  assert.throws(
    () => parseWhere(expr),
    (err) => {
      assert.ok(isCozipError(err, 'INVALID_ARGUMENT'), String(err));
      assert.equal(err.details.position, position, err.message);
      assert.match(err.message, new RegExp(`position ${position}`));
      return true;
    },
    expr,
  );
}

describe('parseWhere', () => {
  it('parses comparisons, joined by and', () => {
    assert.deepEqual(parseWhere('split = train'), { split: 'train' });
    assert.deepEqual(parseWhere('size > 1000'), { size: { gt: 1000 } });
    assert.deepEqual(parseWhere('label != water and size <= 5e3'), {
      label: { ne: 'water' },
      size: { lte: 5000 },
    });
    assert.deepEqual(parseWhere('size>=10 AND size<20'), { size: { gte: 10, lt: 20 } });
    assert.deepEqual(parseWhere('a == 1 and b <> 2'), { a: 1, b: { ne: 2 } });
  });

  it('infers numbers, booleans and null; quotes keep strings', () => {
    assert.deepEqual(parseWhere('name = "a b.txt"'), { name: 'a b.txt' });
    assert.deepEqual(parseWhere("name = 'it\\'s'"), { name: "it's" });
    assert.deepEqual(parseWhere('year = "2024"'), { year: '2024' });
    assert.deepEqual(parseWhere('x = -1.5e-3'), { x: -0.0015 });
    assert.deepEqual(parseWhere('x = .5'), { x: 0.5 });
    assert.deepEqual(parseWhere('hash = 18446744073709551615'), { hash: 18446744073709551615n });
    assert.deepEqual(parseWhere('ok = true and gone = null'), { ok: true, gone: null });
    assert.deepEqual(parseWhere('day = 2024-01-31'), { day: '2024-01-31' });
    assert.deepEqual(parseWhere('path = tiles/a.tif'), { path: 'tiles/a.tif' });
  });

  it('parses in lists and odd column names', () => {
    assert.deepEqual(parseWhere('split in (train, "val set", 3)'), {
      split: { in: ['train', 'val set', 3] },
    });
    assert.deepEqual(parseWhere('split IN(a)'), { split: { in: ['a'] } });
    assert.deepEqual(parseWhere('`my col` = 1 and cozip:gdal_vsi != x'), {
      'my col': 1,
      'cozip:gdal_vsi': { ne: 'x' },
    });
  });

  it('reports where an expression goes wrong', () => {
    throwsAt('', 0);
    throwsAt('size', 4);
    throwsAt('size >', 6);
    throwsAt('size > 1 or size < 0', 9);
    throwsAt('size > 1 size < 0', 9);
    throwsAt('size ! 3', 5);
    throwsAt('name = "open', 7);
    throwsAt('split in (a, b', 14);
    throwsAt('split in a', 9);
    throwsAt('split in (a b)', 12);
    throwsAt('= 3', 0);
    throwsAt('size > 1 and size > 2', 18);
    throwsAt('size like 3', 5);
  });
});

describe('matches: exact semantics', () => {
  it('compares numbers and bigints by value', () => {
    assert.equal(matches(5n, 'eq', 5), true);
    assert.equal(matches(2n ** 60n, 'gt', 2 ** 59), true);
    assert.equal(matches(3, 'in', [1n, 3n]), true);
    assert.equal(matches(Number.NaN, 'eq', Number.NaN), false);
    assert.equal(matches(Number.NaN, 'ne', 1), true);
  });

  it('orders strings by code point, like Parquet statistics', () => {
    // UTF-16 puts U+FFFD after U+1D518 (a surrogate pair); code points do not.
    assert.ok('\uFFFD' > '𝔘');
    assert.equal(compare('\uFFFD', '𝔘'), -1);
    assert.equal(matches('b', 'gt', 'a'), true);
    assert.equal(matches('a', 'lte', 'a'), true);
  });

  it('handles nulls, Dates, booleans and bytes', () => {
    assert.equal(matches(null, 'eq', null), true);
    assert.equal(matches(undefined, 'eq', null), true);
    assert.equal(matches(null, 'ne', 'x'), true);
    assert.equal(matches(null, 'ne', null), false);
    assert.equal(matches('x', 'ne', null), true);
    assert.equal(matches(null, 'gt', 1), false);
    assert.equal(matches(null, 'lt', 1), false);
    assert.equal(matches(new Date(5), 'gt', new Date(4)), true);
    assert.equal(matches(true, 'gt', false), true);
    assert.equal(matches(new Uint8Array([1, 2]), 'eq', new Uint8Array([1, 2])), true);
    assert.equal(matches(new Uint8Array([1]), 'lt', new Uint8Array([1, 0])), true);
    assert.equal(matches('1', 'eq', 1), false); // resolveFilter coerces before this
  });

  it('evaluates column by column', () => {
    const conditions = resolveFilter({ size: { gt: 1 }, label: ['a', null] }, TYPES);
    const mask = evaluateConditions(
      conditions,
      { size: [1, 2, 3, 4], label: ['a', 'b', null, 'a'] },
      4,
    );
    assert.deepEqual([...mask], [0, 0, 1, 1]);
  });
});

describe('resolveFilter and pruningFilter', () => {
  it('coerces literals to the column type', () => {
    const conditions = resolveFilter(
      {
        size: { gt: '1000' },
        split: 2024,
        ok: 'false',
        taken: { gte: '2024-01-01T00:00:00Z' },
        blob: 'ab',
        count: { in: ['1', 2] },
      },
      TYPES,
    );
    assert.deepEqual(conditions, [
      { column: 'size', op: 'gt', value: 1000 },
      { column: 'split', op: 'eq', value: '2024' },
      { column: 'ok', op: 'eq', value: false },
      { column: 'taken', op: 'gte', value: new Date('2024-01-01T00:00:00Z') },
      { column: 'blob', op: 'eq', value: new Uint8Array([97, 98]) },
      { column: 'count', op: 'in', value: [1, 2] },
    ]);
  });

  it('refuses what it cannot apply', () => {
    const bad = [
      { nope: 1 },
      { meta: { eq: 1 } },
      { size: 'many' },
      { size: { gt: null } },
      { ok: 'yes' },
      { taken: 'yesterday' },
      { size: { in: 3 } },
      { size: { between: [1, 2] } },
    ];
    for (const filter of bad) {
      assert.throws(
        () => resolveFilter(filter as never, TYPES),
        (err) => isCozipError(err, 'INVALID_ARGUMENT'),
        JSON.stringify(filter),
      );
    }
  });

  it('pushes down only literals whose comparison with statistics is exact', () => {
    const conditions = resolveFilter(
      {
        size: { gt: 10, lte: 99n },
        split: { in: ['a', 'b'] },
        label: { ne: null },
        cloud: { lt: 0.5 },
        ok: true,
        taken: { gt: 0 },
        name: { in: ['a', null] },
      },
      TYPES,
    );
    assert.deepEqual(pruningFilter(conditions, TYPES), {
      size: { $gt: 10, $lte: 99n },
      split: { $in: ['a', 'b'] },
      cloud: { $lt: 0.5 },
    });
    assert.equal(pruningFilter([], TYPES), undefined);
  });
});
