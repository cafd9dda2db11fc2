import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { type ManifestFilter, matches } from '../../src/cozip/manifest-filter.js';
import { openManifest } from '../../src/cozip/manifest-read.js';
import { encodeManifest } from '../../src/cozip/manifest-write.js';
import { bytesSource } from '../../src/io/bytes-source.js';
import { ReadPlanner } from '../../src/io/planner.js';
import { payloadRange } from '../../src/zip/entry-data.js';
import { openZip } from '../../src/zip/reader.js';
import { randomInt, rng } from '../helpers/random.js';
import { rejectsWith } from '../io/expect.js';

const FIXTURES = '/work/shared/fixtures/cozip';

/** The archive, where each member's payload is, and the planner it is read through. */
async function fixture(file: string) {
  const bytes = new Uint8Array(readFileSync(`${FIXTURES}/${file}`));
  const archive = await openZip(bytesSource(bytes));
  const payloads = new Map<string, { offset: number; size: number }>();
  for (const entry of archive.entries) {
    const { start, end } = await payloadRange(archive, entry);
    payloads.set(entry.name, { offset: start, size: end - start });
  }
  const metadata = payloads.get('__metadata__');
  assert.ok(metadata, 'fixture has __metadata__');
  const planner = new ReadPlanner(bytesSource(bytes, file));
  return { payloads, metadata, planner };
}

const open = (bytes: Uint8Array) => openManifest(bytesSource(bytes), 0, bytes.length);

describe('openManifest: reference-writer fixtures', () => {
  it('flat_simple.cozip: four rows whose offsets and sizes are the real payloads', async () => {
    const { payloads, metadata, planner } = await fixture('flat_simple.cozip');
    const manifest = await openManifest(planner, metadata.offset, metadata.size);
    assert.equal(manifest.numRows, 4);
    assert.deepEqual(
      manifest.columns.map((c) => `${c.name}:${c.type}`),
      ['name:string', 'offset:uint64', 'size:uint64', 'category:string'],
    );
    const rows = await manifest.rows();
    assert.deepEqual(
      rows.map((r) => r.name),
      ['lima.txt', 'paris.txt', 'tokyo.txt', 'denver.txt'],
    );
    for (const row of rows) {
      assert.deepEqual({ offset: row.offset, size: row.size }, payloads.get(row.name as string));
      assert.equal(row.category, 'text');
    }
    // A small manifest costs one request: footer and data come together.
    assert.equal(planner.stats.requests, 1);
    assert.equal(planner.stats.bytesFetched, metadata.size);
  });

  it('flat_geo.cozip: geometry decodes to GeoJSON points', async () => {
    const { payloads, metadata, planner } = await fixture('flat_geo.cozip');
    const manifest = await openManifest(planner, metadata.offset, metadata.size);
    assert.equal(manifest.columns.at(-1)?.type, 'geometry');
    const rows = await manifest.rows();
    assert.equal(rows.length, 4);
    for (const row of rows) {
      assert.deepEqual({ offset: row.offset, size: row.size }, payloads.get(row.name as string));
      const geometry = row.geometry as { type: string; coordinates: number[] };
      assert.equal(geometry.type, 'Point');
      assert.equal(geometry.coordinates.length, 2);
    }
    assert.deepEqual(rows[0].geometry, { type: 'Point', coordinates: [-77.04, -12.05] });
    const filtered = await manifest.rows({
      columns: ['name'],
      filter: { size: { gt: 10_000 }, name: { ne: 'tokyo.txt' } },
    });
    assert.deepEqual(filtered, [{ name: 'paris.txt' }, { name: 'denver.txt' }]);
  });
});

describe('openManifest: fetching only what a query needs', () => {
  const random = rng(7);
  let position = 51;
  const rows = Array.from({ length: 200_000 }, (_, i) => {
    const size = randomInt(random, 1000, 100_000);
    const row = {
      name: `tiles/${String(i).padStart(6, '0')}.tif`,
      offset: position,
      size,
      split: ['train', 'val', 'test'][randomInt(random, 0, 3)],
      cloud: random(),
      label: randomInt(random, 0, 1000),
    };
    position += size + 60;
    return row;
  });
  const bytes = encodeManifest(rows, { rowGroupSize: 10_000 });

  async function fetched(options: Parameters<Awaited<ReturnType<typeof open>>['columnsData']>[0]) {
    const planner = new ReadPlanner(bytesSource(bytes));
    const manifest = await openManifest(planner, 0, bytes.length);
    const data = await manifest.columnsData(options);
    return { data, bytes: planner.stats.bytesFetched };
  }

  it('one column, or a filter hitting one row group, fetches strictly fewer bytes', async () => {
    assert.ok(bytes.length > 512 * 1024, 'big enough to fetch the footer alone first');
    const all = await fetched({});
    assert.equal(all.data.name.length, 200_000);
    assert.deepEqual(
      all.data.size,
      rows.map((r) => r.size),
    );

    const one = await fetched({ columns: ['size'] });
    assert.deepEqual(Object.keys(one.data), ['size']);
    assert.deepEqual(one.data.size, all.data.size);

    const target = rows[123_456];
    const hit = await fetched({ filter: { name: target.name } });
    assert.deepEqual(
      hit.data,
      Object.fromEntries(Object.entries(target).map(([k, v]) => [k, [v]])),
    );

    const hitOne = await fetched({ columns: ['offset'], filter: { name: target.name } });
    assert.deepEqual(hitOne.data, { offset: [target.offset] });

    assert.ok(one.bytes < all.bytes, `one column ${one.bytes} < all ${all.bytes}`);
    assert.ok(hit.bytes < all.bytes, `filter ${hit.bytes} < all ${all.bytes}`);
    assert.ok(hitOne.bytes < hit.bytes, `filter+column ${hitOne.bytes} < filter ${hit.bytes}`);
    // Not merely fewer: a twentieth of the row groups, a fraction of the columns.
    assert.ok(hit.bytes < all.bytes / 10, `filter ${hit.bytes} vs ${all.bytes}`);
    assert.ok(one.bytes < all.bytes / 3, `one column ${one.bytes} vs ${all.bytes}`);
  });

  it('a range filter reads the row groups it overlaps', async () => {
    const from = rows[30_000].offset;
    const to = rows[40_000].offset;
    const { data, bytes: used } = await fetched({
      columns: ['name'],
      filter: { offset: { gte: from, lt: to } },
    });
    assert.deepEqual(
      data.name,
      rows.slice(30_000, 40_000).map((r) => r.name),
    );
    const all = await fetched({ columns: ['name', 'offset'] });
    assert.ok(used < all.bytes / 5, `${used} vs ${all.bytes}`);
  });
});

describe('openManifest: filters are exact', () => {
  // Small row groups with sorted and unsorted columns, so pruning happens often.
  const random = rng(11);
  const labels = ['water', 'forest', 'urban', 'ÿ', '𝔘'];
  const rows = Array.from({ length: 600 }, (_, i) => ({
    name: `n${String(i).padStart(4, '0')}`,
    offset: i * 100,
    size: randomInt(random, 1, 50),
    label: random() < 0.2 ? null : labels[randomInt(random, 0, labels.length)],
    score: random() < 0.1 ? null : Math.round(random() * 1000) / 10,
    count: random() < 0.1 ? null : randomInt(random, -5, 5),
    flag: random() < 0.5,
  }));
  const bytes = encodeManifest(rows, { rowGroupSize: 50 });
  const values: Record<string, unknown[]> = {
    label: [...labels, null, 'a'],
    score: [0, 12.5, 50, 99.9, 100],
    count: [-5, -1, 0, 3, 10],
    size: [1, 10, 25, 49, 60],
    name: ['n0000', 'n0300', 'n0599', 'n1', 'm'],
    offset: [0, 100, 30_000, 59_900, 70_000],
    flag: [true, false],
  };
  const ops = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in'] as const;

  it('matches a brute-force evaluation for random filters', async () => {
    const manifest = await open(bytes);
    const pick = <T>(list: readonly T[]) => list[randomInt(random, 0, list.length)];
    for (let round = 0; round < 150; round++) {
      const filter: ManifestFilter = {};
      const checks: [string, (typeof ops)[number], unknown][] = [];
      for (const column of Object.keys(values)) {
        if (random() < 0.6) continue;
        const op = pick(ops);
        const candidates = values[column].filter((v) => v !== null || op === 'eq' || op === 'ne');
        const value = op === 'in' ? [pick(candidates), pick(candidates)] : pick(candidates);
        filter[column] = { [op]: value };
        checks.push([column, op, value]);
      }
      const expected = rows.filter((row) =>
        checks.every(([column, op, value]) => matches(row[column as keyof typeof row], op, value)),
      );
      const got = await manifest.rows({ filter });
      assert.deepEqual(got, expected, JSON.stringify(filter));
    }
  });

  it('nulls: eq null finds them, ne finds them, comparisons never do', async () => {
    const manifest = await open(bytes);
    const count = async (filter: ManifestFilter) => (await manifest.rows({ filter })).length;
    const nulls = rows.filter((r) => r.label === null).length;
    const water = rows.filter((r) => r.label === 'water').length;
    assert.equal(await count({ label: null }), nulls);
    assert.equal(await count({ label: { ne: null } }), rows.length - nulls);
    assert.equal(await count({ label: { ne: 'water' } }), rows.length - water);
    assert.equal(await count({ label: { in: ['water', null] } }), water + nulls);
    const scored = rows.filter((r) => r.score !== null).length;
    assert.equal(await count({ score: { gte: 0 } }), scored);
  });

  it('coerces literals to the column type (CLI values arrive as strings)', async () => {
    const manifest = await open(bytes);
    const big = rows.filter((r) => r.size > 40).map((r) => r.name);
    const names = async (filter: ManifestFilter) =>
      (await manifest.rows({ columns: ['name'], filter })).map((r) => r.name);
    assert.deepEqual(await names({ size: { gt: '40' } }), big);
    assert.deepEqual(await names({ size: { gt: 40n } }), big);
    assert.deepEqual(
      await names({ flag: 'true' }),
      rows.filter((r) => r.flag).map((r) => r.name),
    );
    assert.deepEqual(await names({ name: { in: ['n0005', 'n0007'] } }), ['n0005', 'n0007']);
  });

  it('predicate, projection order and row ranges', async () => {
    const manifest = await open(bytes);
    const got = await manifest.rows({
      columns: ['size', 'name'],
      filter: { label: 'water' },
      predicate: (row) => (row.size as number) % 2 === 0 && row.label === 'water',
      rowStart: 100,
      rowEnd: 400,
    });
    const expected = rows
      .slice(100, 400)
      .filter((r) => r.label === 'water' && r.size % 2 === 0)
      .map((r) => ({ size: r.size, name: r.name }));
    assert.deepEqual(got, expected);
    assert.deepEqual(Object.keys(got[0]), ['size', 'name']);
    const data = await manifest.columnsData({ columns: ['offset'], rowStart: 595 });
    assert.deepEqual(data, { offset: [59_500, 59_600, 59_700, 59_800, 59_900] });
    assert.deepEqual(await manifest.rows({ rowStart: 600 }), []);
  });

  it('refuses unknown columns and filters it cannot apply', async () => {
    const manifest = await open(
      encodeManifest([{ name: 'a', offset: 1, size: 1, meta: { x: 1 } }]),
    );
    await rejectsWith(manifest.rows({ columns: ['nope'] }), 'INVALID_ARGUMENT');
    await rejectsWith(manifest.rows({ filter: { nope: 1 } }), 'INVALID_ARGUMENT');
    await rejectsWith(manifest.rows({ filter: { meta: 1 } }), 'INVALID_ARGUMENT');
    await rejectsWith(manifest.rows({ filter: { size: 'big' } }), 'INVALID_ARGUMENT');
    await rejectsWith(manifest.rows({ filter: { size: { gt: null } } }), 'INVALID_ARGUMENT');
    await rejectsWith(
      manifest.rows({ filter: { size: { like: 1 } } as ManifestFilter }),
      'INVALID_ARGUMENT',
    );
    await rejectsWith(manifest.rows({ rowStart: -1 }), 'INVALID_ARGUMENT');
  });
});

describe('openManifest: bad input', () => {
  it('offsets above 2^53 - 1 are TOO_LARGE (other columns still read)', async () => {
    const manifest = await open(encodeManifest([{ name: 'a', offset: 2n ** 53n, size: 1 }]));
    await rejectsWith(manifest.rows(), 'TOO_LARGE');
    assert.deepEqual(await manifest.rows({ columns: ['name'] }), [{ name: 'a' }]);
  });

  it('garbage, truncation and damage are CORRUPT_DATA', async () => {
    const good = encodeManifest(
      Array.from({ length: 2000 }, (_, i) => ({ name: `f${i}`, offset: i, size: 1, v: i * 3 })),
    );
    await rejectsWith(open(new Uint8Array(100).fill(7)), 'CORRUPT_DATA');
    await rejectsWith(open(good.subarray(0, good.length - 1)), 'CORRUPT_DATA');
    const footerless = good.slice();
    footerless.fill(0xff, good.length - 60, good.length - 8);
    await rejectsWith(open(footerless), 'CORRUPT_DATA');
    const damaged = good.slice();
    damaged.fill(0xff, 4, 400); // page headers and data of the first columns
    const manifest = await open(damaged);
    await rejectsWith(manifest.rows(), 'CORRUPT_DATA');
  });

  it('a Parquet without the Flat columns is CORRUPT_DATA', async () => {
    const other = new Uint8Array(
      parquetWriteBuffer({
        columnData: [
          { name: 'name', data: ['a'] },
          { name: 'offset', data: ['x'] },
        ],
      }),
    );
    await rejectsWith(open(other), 'CORRUPT_DATA');
  });

  it('a range outside the source is OUT_OF_RANGE', async () => {
    const bytes = encodeManifest([]);
    await rejectsWith(openManifest(bytesSource(bytes), 1, bytes.length), 'OUT_OF_RANGE');
    await rejectsWith(openManifest(bytesSource(bytes), -1, 10), 'OUT_OF_RANGE');
  });

  it('reads a manifest in the middle of a larger object', async () => {
    const manifest = encodeManifest([{ name: 'x', offset: 7, size: 9, tag: 'mid' }]);
    const archive = new Uint8Array(100_000 + manifest.length + 5000);
    archive.set(manifest, 100_000);
    const planner = new ReadPlanner(bytesSource(archive));
    const opened = await openManifest(planner, 100_000, manifest.length, { initialFetch: 64 });
    assert.deepEqual(await opened.rows(), [{ name: 'x', offset: 7, size: 9, tag: 'mid' }]);
    assert.ok(planner.stats.requests >= 2, 'a small initial fetch needs more requests');
  });
});
