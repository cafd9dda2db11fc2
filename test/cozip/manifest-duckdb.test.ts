/**
 * An independent Parquet reader (DuckDB) reads what encodeManifest writes:
 * offset/size must come out as UBIGINT, the other columns as their SQL types.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openManifest } from '../../src/cozip/manifest-read.js';
import { encodeManifest } from '../../src/cozip/manifest-write.js';
import { openFileSource } from '../../src/io/file-source.js';
import { parquetColumnTypes, requireDuckDB } from '../helpers/duckdb.js';

describe('DuckDB reads the manifest', () => {
  it('offset/size are UBIGINT with exact values; other columns keep their types', async (t) => {
    const duckdb = await requireDuckDB(t);
    if (!duckdb) return;
    const rows = [
      {
        name: 'a.tif',
        offset: 51,
        size: 2n ** 64n - 1n,
        split: 'train',
        count: 3,
        cloud: 0.25,
        ok: true,
        taken: new Date('2024-05-01T10:00:00Z'),
        blob: new Uint8Array([0, 255]),
        meta: { bands: [4, 3, 2] },
        nothing: null,
        geometry: { type: 'Point', coordinates: [2.35, 48.86] },
      },
      { name: 'b.tif', offset: Number.MAX_SAFE_INTEGER, size: 1, split: null, count: -7 },
    ];
    const dir = mkdtempSync(join(tmpdir(), 'cozip-duckdb-'));
    try {
      const file = join(dir, 'manifest.parquet');
      writeFileSync(file, encodeManifest(rows, { geo: {} }));
      const instance = await duckdb.DuckDBInstance.create(':memory:');
      const connection = await instance.connect();
      const types = await parquetColumnTypes(connection, file);
      assert.deepEqual(types, {
        name: 'VARCHAR',
        offset: 'UBIGINT',
        size: 'UBIGINT',
        split: 'VARCHAR',
        count: 'BIGINT',
        cloud: 'DOUBLE',
        ok: 'BOOLEAN',
        taken: 'TIMESTAMP WITH TIME ZONE',
        blob: 'BLOB',
        meta: 'JSON',
        nothing: 'VARCHAR',
        geometry: 'GEOMETRY',
      });
      const result = await connection.runAndReadAll(
        `SELECT name, "offset", size, split, count, epoch_ms(taken) AS taken, meta::VARCHAR AS meta,
           geometry::VARCHAR AS wkt
         FROM read_parquet('${file}') ORDER BY name`,
      );
      assert.deepEqual(result.getRowObjectsJS(), [
        {
          name: 'a.tif',
          offset: 51n,
          size: 2n ** 64n - 1n,
          split: 'train',
          count: 3n,
          taken: BigInt(Date.parse('2024-05-01T10:00:00Z')),
          meta: '{"bands":[4,3,2]}',
          wkt: 'POINT (2.35 48.86)',
        },
        {
          name: 'b.tif',
          offset: BigInt(Number.MAX_SAFE_INTEGER),
          size: 1n,
          split: null,
          count: -7n,
          taken: null,
          meta: null,
          wkt: null,
        },
      ]);
      connection.closeSync();
      instance.closeSync();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a timestamp column (delta-encoded) reads back exactly: clustered, null, far apart', async (t) => {
    const duckdb = await requireDuckDB(t);
    if (!duckdb) return;
    // Mostly a second apart, with nulls and jumps of centuries both ways.
    const times = Array.from({ length: 5000 }, (_, i) =>
      i % 97 === 0
        ? null
        : i % 211 === 0
          ? new Date(Date.UTC(1901 + (i % 7), 0, 1))
          : i % 307 === 0
            ? new Date(Date.UTC(2199, 11, 31, 23, 59, 59, 999))
            : new Date(1_700_000_000_000 + i * 1000 + (i % 3)),
    );
    const rows = times.map((taken, i) => ({ name: `f${i}`, offset: 51 + i, size: 1, taken }));
    const dir = mkdtempSync(join(tmpdir(), 'cozip-duckdb-'));
    try {
      const file = join(dir, 'manifest.parquet');
      writeFileSync(file, encodeManifest(rows));
      const instance = await duckdb.DuckDBInstance.create(':memory:');
      const connection = await instance.connect();
      const result = await connection.runAndReadAll(
        `SELECT epoch_ms(taken) AS t FROM read_parquet('${file}') ORDER BY "offset"`,
      );
      assert.deepEqual(
        result.getRowObjectsJS().map((r) => r.t),
        times.map((d) => (d === null ? null : BigInt(d.getTime()))),
      );
      connection.closeSync();
      instance.closeSync();
      // And our own reader.
      const source = await openFileSource(file);
      try {
        const manifest = await openManifest(source, 0, source.size);
        const back = await manifest.rows();
        assert.deepEqual(
          back.map((r) => (r.taken === null ? null : (r.taken as Date).getTime())),
          times.map((d) => (d === null ? null : d.getTime())),
        );
      } finally {
        await source.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a ZSTD manifest DuckDB writes (UBIGINT offsets) reads back', async (t) => {
    const duckdb = await requireDuckDB(t);
    if (!duckdb) return;
    const dir = mkdtempSync(join(tmpdir(), 'cozip-duckdb-'));
    try {
      const file = join(dir, 'manifest.parquet');
      const instance = await duckdb.DuckDBInstance.create(':memory:');
      const connection = await instance.connect();
      await connection.run(
        `COPY (SELECT 'f' || i AS name, (i * 1000 + 51)::UBIGINT AS "offset", 900::UBIGINT AS size,
           CASE WHEN i % 2 = 0 THEN 'even' END AS parity
         FROM range(5000) t(i))
         TO '${file}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1000)`,
      );
      connection.closeSync();
      instance.closeSync();
      const source = await openFileSource(file);
      try {
        const manifest = await openManifest(source, 0, source.size);
        assert.equal(manifest.metadata.row_groups[0].columns[0].meta_data?.codec, 'ZSTD');
        assert.deepEqual(
          manifest.columns.map((c) => `${c.name}:${c.type}`),
          ['name:string', 'offset:uint64', 'size:uint64', 'parity:string'],
        );
        const rows = await manifest.rows({ filter: { offset: { gte: 4_000_051 } } });
        assert.equal(rows.length, 1000);
        assert.deepEqual(rows[1], { name: 'f4001', offset: 4_001_051, size: 900, parity: null });
      } finally {
        await source.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
