import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parquetMetadata } from 'hyparquet';
import { openManifest } from '../../src/cozip/manifest-read.js';
import { encodeManifest } from '../../src/cozip/manifest-write.js';
import { isCozipError } from '../../src/errors.js';
import { bytesSource } from '../../src/io/bytes-source.js';
import { randomInt, rng, seededBytes } from '../helpers/random.js';

const buffer = (bytes: Uint8Array) =>
  bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;

async function decode(bytes: Uint8Array, options = {}) {
  const manifest = await openManifest(bytesSource(bytes), 0, bytes.length, options);
  return { manifest, rows: await manifest.rows() };
}

function throwsInput(run: () => unknown, details?: Record<string, unknown>) {
  assert.throws(run, (err) => {
    assert.ok(isCozipError(err, 'INVALID_INPUT'), String(err));
    for (const [key, value] of Object.entries(details ?? {})) {
      assert.equal(err.details[key], value, `${key} in ${err.message}`);
    }
    return true;
  });
}

describe('encodeManifest: schema', () => {
  it('writes name, then offset and size as unsigned 64-bit integers', () => {
    const bytes = encodeManifest([{ split: 'a', size: 2, name: 'x', offset: 1 }]);
    const { schema } = parquetMetadata(buffer(bytes));
    assert.deepEqual(
      schema.slice(1).map((e) => e.name),
      ['name', 'offset', 'size', 'split'],
    );
    const [, name, offset, size] = schema;
    assert.equal(name.type, 'BYTE_ARRAY');
    assert.equal(name.converted_type, 'UTF8');
    assert.equal(name.repetition_type, 'REQUIRED');
    for (const element of [offset, size]) {
      assert.equal(element.type, 'INT64');
      assert.equal(element.converted_type, 'UINT_64');
      assert.deepEqual(element.logical_type, { type: 'INTEGER', bitWidth: 64, isSigned: false });
      assert.equal(element.repetition_type, 'REQUIRED');
    }
  });

  it('encodes the INTEGER bit width as a thrift i8, as the format declares', () => {
    const bytes = encodeManifest([{ name: 'x', offset: 1, size: 2 }]);
    const hex = Buffer.from(bytes).toString('hex');
    // LogicalType.INTEGER { bitWidth: i8 64, isSigned: false }
    assert.ok(hex.includes('ac134012'), 'i8 bitWidth');
    assert.ok(!hex.includes('ac158001'), 'no i32 bitWidth');
  });

  it('infers user column types', async () => {
    const rows = [
      {
        name: 'a',
        offset: 1,
        size: 2,
        s: 'x',
        i: 5,
        f: 1.5,
        mixed: 1,
        b: true,
        big: 2n ** 60n,
        d: new Date(0),
        u: new Uint8Array([1, 2]),
        j: { k: [1] },
        n: null,
      },
      { name: 'b', offset: 3, size: 4, mixed: 2.5, big: 7 },
    ];
    const bytes = encodeManifest(rows);
    const byName = Object.fromEntries(
      parquetMetadata(buffer(bytes)).schema.map((e) => [e.name, e]),
    );
    assert.equal(byName.i.type, 'INT64');
    assert.equal(byName.f.type, 'DOUBLE');
    assert.equal(byName.mixed.type, 'DOUBLE');
    assert.equal(byName.b.type, 'BOOLEAN');
    assert.equal(byName.big.type, 'INT64');
    assert.equal(byName.d.type, 'INT64');
    assert.deepEqual(byName.d.logical_type, {
      type: 'TIMESTAMP',
      isAdjustedToUTC: true,
      unit: 'MILLIS',
    });
    assert.equal(byName.u.type, 'BYTE_ARRAY');
    assert.equal(byName.u.converted_type, undefined);
    assert.equal(byName.j.converted_type, 'JSON');
    assert.equal(byName.n.converted_type, 'UTF8');
    for (const name of ['s', 'i', 'f', 'b', 'big', 'd', 'u', 'j', 'n']) {
      assert.equal(byName[name].repetition_type, 'OPTIONAL', name);
    }
    const { manifest } = await decode(bytes);
    assert.deepEqual(
      manifest.columns.map((c) => `${c.name}:${c.type}`),
      [
        'name:string',
        'offset:uint64',
        'size:uint64',
        's:string',
        'i:int64',
        'f:double',
        'mixed:double',
        'b:boolean',
        'big:int64',
        'd:timestamp',
        'u:binary',
        'j:json',
        'n:string',
      ],
    );
  });

  it('dateColumns: Dates of those columns are Parquet DATE (days), read back as the same Dates', async () => {
    const rows = [
      { name: 'a', offset: 1, size: 2, day: new Date('2024-02-29T00:00:00Z'), at: new Date(5) },
      { name: 'b', offset: 3, size: 2, day: null, at: null },
      { name: 'c', offset: 5, size: 2, day: new Date('1901-01-01T00:00:00Z'), at: null },
    ];
    const bytes = encodeManifest(rows, { dateColumns: ['day'] });
    const schema = parquetMetadata(buffer(bytes)).schema;
    const day = schema.find((e) => e.name === 'day');
    assert.equal(day?.type, 'INT32');
    assert.equal(day?.converted_type, 'DATE');
    assert.equal(schema.find((e) => e.name === 'at')?.converted_type, 'TIMESTAMP_MILLIS');
    const { rows: read } = await decode(bytes);
    assert.deepEqual(
      read.map((r) => r.day),
      rows.map((r) => r.day),
    );
    // A time of day, another kind of value, or a column not in the rows: refused.
    throwsInput(
      () =>
        encodeManifest([{ ...rows[0], day: new Date('2024-02-29T00:00:01Z') }], {
          dateColumns: ['day'],
        }),
      { column: 'day', row: 0 },
    );
    throwsInput(() => encodeManifest([{ ...rows[0], day: 'x' }], { dateColumns: ['day'] }), {
      column: 'day',
    });
    throwsInput(() => encodeManifest(rows, { dateColumns: ['nope'] }), { column: 'nope' });
  });

  it('refuses two columns that read back as one (a byte order mark, lone surrogates)', async () => {
    // Readers decode names as UTF-8 and drop a leading U+FEFF: the archive
    // would be written, and no reader could list it.
    const row = { name: 'x', offset: 1, size: 2 };
    throwsInput(() => encodeManifest([{ ...row, '\uFEFFk': 1, k: 2 }]), { column: 'k' });
    throwsInput(() => encodeManifest([{ ...row, '\uFEFFname': 'y' }]), { other: 'name' });
    throwsInput(() => encodeManifest([{ ...row, 'a\uD800': 1, 'a\uDBFF': 2 }]));
    // One such name alone is written; it reads back without the mark.
    const { rows } = await decode(encodeManifest([{ ...row, '\uFEFFk': 1 }]));
    assert.deepEqual(Object.keys(rows[0]), ['name', 'offset', 'size', 'k']);
  });

  it('writes row groups of rowGroupSize rows, with statistics', () => {
    const rows = Array.from({ length: 25 }, (_, i) => ({
      name: `f${i}`,
      offset: i * 10,
      size: 10,
    }));
    const metadata = parquetMetadata(buffer(encodeManifest(rows, { rowGroupSize: 10 })));
    assert.deepEqual(
      metadata.row_groups.map((g) => Number(g.num_rows)),
      [10, 10, 5],
    );
    const stats = metadata.row_groups[1].columns[1].meta_data?.statistics;
    assert.equal(stats?.min_value, 100n);
    assert.equal(stats?.max_value, 190n);
    assert.equal(metadata.row_groups[0].columns[0].meta_data?.codec, 'SNAPPY');
  });

  it('is deterministic and keeps kvMetadata', () => {
    const rows = Array.from({ length: 50 }, (_, i) => ({
      name: `n${i}`,
      offset: i,
      size: 1,
      t: new Date(i * 1000),
      j: { i },
    }));
    const kvMetadata = [{ key: 'k', value: 'v' }];
    const a = encodeManifest(rows, { kvMetadata });
    const b = encodeManifest(structuredClone(rows), { kvMetadata });
    assert.deepEqual(a, b);
    assert.deepEqual(parquetMetadata(buffer(a)).key_value_metadata, kvMetadata);
  });
});

describe('encodeManifest -> openManifest round trips', () => {
  it('every type, nulls included', async () => {
    const rows = [
      {
        name: 'données/é.tif',
        offset: 0,
        size: 1,
        s: '',
        i: -3,
        f: Number.NaN,
        b: false,
        big: -(2n ** 62n),
        d: new Date('2024-02-29T12:34:56.789Z'),
        u: seededBytes(1, 33),
        j: { a: [1, 'two', null, { b: true }] },
        n: null,
      },
      {
        name: '𝔘nicode',
        offset: 2n ** 53n - 1n,
        size: Number.MAX_SAFE_INTEGER,
        s: 'x,"y"',
        i: null,
        f: Number.POSITIVE_INFINITY,
        b: null,
        big: 2n ** 63n - 1n,
        d: null,
        u: new Uint8Array(0),
        j: [],
        n: undefined,
      },
      { name: 'sparse', offset: 5, size: 6 },
    ];
    const { rows: back } = await decode(encodeManifest(rows));
    const expected = rows.map((row) => ({
      s: null,
      i: null,
      f: null,
      b: null,
      big: null,
      d: null,
      u: null,
      j: null,
      n: null,
      ...row,
      offset: Number(row.offset),
      size: Number(row.size),
    }));
    expected[1].n = null;
    assert.deepEqual(back, expected);
  });

  it('INT64 user values are numbers when safe, bigints otherwise, or always bigints', async () => {
    const rows = [
      { name: 'a', offset: 1, size: 1, v: 7 },
      { name: 'b', offset: 2, size: 1, v: 2n ** 60n },
    ];
    const bytes = encodeManifest(rows);
    assert.deepEqual(
      (await decode(bytes)).rows.map((r) => r.v),
      [7, 2n ** 60n],
    );
    assert.deepEqual(
      (await decode(bytes, { bigint: true })).rows.map((r) => r.v),
      [7n, 2n ** 60n],
    );
  });

  it('zero rows keeps the name/offset/size schema', async () => {
    const bytes = encodeManifest([]);
    const { manifest, rows } = await decode(bytes);
    assert.equal(manifest.numRows, 0);
    assert.deepEqual(rows, []);
    assert.deepEqual(
      manifest.columns.map((c) => `${c.name}:${c.type}`),
      ['name:string', 'offset:uint64', 'size:uint64'],
    );
    assert.deepEqual(await manifest.columnsData({ filter: { size: { gt: 1 } } }), {
      name: [],
      offset: [],
      size: [],
    });
  });

  it('100,000 rows', async () => {
    const random = rng(42);
    const splits = ['train', 'val', 'test'];
    let offset = 51;
    const rows = Array.from({ length: 100_000 }, (_, i) => {
      const size = randomInt(random, 1, 1 << 20);
      const row: Record<string, unknown> = {
        name: `chips/${i.toString(36)}.tif`,
        offset,
        size,
        split: splits[randomInt(random, 0, 3)],
        cloud: random() < 0.1 ? null : random(),
        label: randomInt(random, 0, 1000),
        taken: new Date(1_600_000_000_000 + i * 60_000),
      };
      offset += size + 30;
      return row;
    });
    const { manifest, rows: back } = await decode(encodeManifest(rows));
    assert.equal(manifest.numRows, 100_000);
    // One row group of small pages: name and user columns carry a column
    // index (page min/max) and every column an offset index.
    assert.equal(manifest.metadata.row_groups.length, 1);
    const chunks = manifest.metadata.row_groups[0].columns;
    const byName = new Map(chunks.map((c) => [c.meta_data!.path_in_schema[0], c]));
    for (const column of ['name', 'split', 'label']) {
      assert.ok(byName.get(column)!.column_index_length, `${column} has a column index`);
    }
    for (const c of chunks) assert.ok(c.offset_index_length, 'offset index');
    assert.deepEqual(byName.get('offset')!.meta_data!.encodings, ['DELTA_BINARY_PACKED']);
    assert.deepEqual(back, rows);
  });

  it('a geometry column becomes GeoParquet (WKB + geo metadata)', async () => {
    const rows = [
      { name: 'a', offset: 1, size: 1, geometry: { type: 'Point', coordinates: [-77.04, -12.05] } },
      {
        name: 'b',
        offset: 2,
        size: 1,
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [0, 0],
              [2, 0],
              [2, 3],
              [0, 0],
            ],
          ],
        },
      },
      { name: 'c', offset: 3, size: 1, geometry: null },
    ];
    const bytes = encodeManifest(rows, { geo: {} });
    const metadata = parquetMetadata(buffer(bytes), { geoparquet: false });
    const geoColumn = metadata.schema.find((e) => e.name === 'geometry');
    assert.equal(geoColumn?.type, 'BYTE_ARRAY');
    assert.equal(geoColumn?.logical_type?.type, 'GEOMETRY');
    const geo = JSON.parse(
      metadata.key_value_metadata?.find((kv) => kv.key === 'geo')?.value ?? '',
    );
    assert.deepEqual(geo, {
      version: '1.1.0',
      primary_column: 'geometry',
      columns: {
        geometry: {
          encoding: 'WKB',
          geometry_types: ['Point', 'Polygon'],
          bbox: [-77.04, -12.05, 2, 3],
        },
      },
    });
    const { manifest, rows: back } = await decode(bytes);
    assert.equal(manifest.columns.at(-1)?.type, 'geometry');
    assert.deepEqual(back, rows);
  });

  it('a geometry column with a CRS keeps the PROJJSON in the geo metadata', async () => {
    const crs = {
      type: 'ProjectedCRS',
      name: 'WGS 84 / UTM zone 31N',
      id: { authority: 'EPSG', code: 32631 },
    };
    const rows = [
      {
        name: 'a',
        offset: 1,
        size: 1,
        footprint: { type: 'Point', coordinates: [500000, 4649776, 12] },
      },
    ];
    const bytes = encodeManifest(rows, { geo: { column: 'footprint', crs } });
    const metadata = parquetMetadata(buffer(bytes));
    const geo = JSON.parse(
      metadata.key_value_metadata?.find((kv) => kv.key === 'geo')?.value ?? '',
    );
    assert.deepEqual(geo.columns.footprint.crs, crs);
    assert.deepEqual(geo.columns.footprint.geometry_types, ['Point Z']);
    assert.deepEqual((await decode(bytes)).rows, rows);
  });
});

describe('encodeManifest: refusals', () => {
  const ok = { name: 'a', offset: 1, size: 2 };

  it('refuses a path column', () => {
    throwsInput(() => encodeManifest([ok, { ...ok, name: 'b', path: '/tmp/b' }]), { row: 1 });
  });

  it('refuses missing or mistyped name, offset and size', () => {
    throwsInput(() => encodeManifest([{ offset: 1, size: 2 }]), { column: 'name', row: 0 });
    throwsInput(() => encodeManifest([{ ...ok, name: '' }]), { column: 'name' });
    throwsInput(() => encodeManifest([{ ...ok, name: 3 }]), { column: 'name' });
    throwsInput(() => encodeManifest([ok, { name: 'b', size: 2 }]), { column: 'offset', row: 1 });
    throwsInput(() => encodeManifest([{ ...ok, offset: -1 }]), { column: 'offset' });
    throwsInput(() => encodeManifest([{ ...ok, offset: 1.5 }]), { column: 'offset' });
    throwsInput(() => encodeManifest([{ ...ok, offset: '1' }]), { column: 'offset' });
    throwsInput(() => encodeManifest([{ ...ok, size: 2 ** 53 }]), { column: 'size' });
    throwsInput(() => encodeManifest([{ ...ok, size: 2n ** 64n }]), { column: 'size' });
    throwsInput(() => encodeManifest([{ ...ok, size: null }]), { column: 'size' });
  });

  it('refuses incompatible types in one column, naming column and row', () => {
    const rows = [
      { ...ok, label: 'water' },
      { ...ok, label: null },
      { ...ok, label: 3 },
    ];
    throwsInput(() => encodeManifest(rows), { column: 'label', row: 2 });
    throwsInput(
      () =>
        encodeManifest([
          { ...ok, v: 1.5 },
          { ...ok, v: 2n },
        ]),
      { column: 'v', row: 1 },
    );
    throwsInput(
      () =>
        encodeManifest([
          { ...ok, v: true },
          { ...ok, v: 'true' },
        ]),
      { row: 1 },
    );
    throwsInput(
      () =>
        encodeManifest([
          { ...ok, v: { a: 1 } },
          { ...ok, v: 'x' },
        ]),
      { row: 1 },
    );
  });

  it('refuses values it cannot store', () => {
    throwsInput(() => encodeManifest([{ ...ok, m: new Map() }]), { column: 'm', row: 0 });
    throwsInput(() => encodeManifest([{ ...ok, d: new Date(Number.NaN) }]), { column: 'd' });
    throwsInput(() => encodeManifest([{ ...ok, f: () => 1 }]), { column: 'f' });
    throwsInput(() => encodeManifest([null as unknown as Record<string, unknown>]), { row: 0 });
    throwsInput(() => encodeManifest([ok], { rowGroupSize: 0 }));
  });

  it('refuses bad geometry input', () => {
    throwsInput(() => encodeManifest([ok], { geo: {} }), { column: 'geometry' });
    throwsInput(() => encodeManifest([{ ...ok, geometry: { type: 'Circle' } }], { geo: {} }), {
      column: 'geometry',
      row: 0,
    });
    const fiveD = { type: 'Point', coordinates: [1, 2, 3, 4, 5] };
    throwsInput(() => encodeManifest([{ ...ok, geometry: fiveD }], { geo: {} }));
    const point = { type: 'Point', coordinates: [0, 0] };
    throwsInput(() =>
      encodeManifest([{ ...ok, geometry: point }], {
        geo: {},
        kvMetadata: [{ key: 'geo', value: '{}' }],
      }),
    );
  });
});
