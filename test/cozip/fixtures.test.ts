// The reference writer's archives read and validate with our reader; and the
// manifest of an archive we write is read by DuckDB with offsets that point
// at the real payloads.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readManifest } from '../../src/cozip/manifest.js';
import { openCozip, readMember, readPriorityFile } from '../../src/cozip/reader.js';
import { validateCozip } from '../../src/cozip/validate.js';
import { writeCozip } from '../../src/cozip/writer.js';
import { payloadOffset } from '../../src/zip/entry-data.js';
import { openZip } from '../../src/zip/reader.js';
import { parquetColumnTypes, requireDuckDB, withConnection } from '../helpers/duckdb.js';
import { seededBytes } from '../helpers/random.js';

const FIXTURES = new URL('../../../shared/fixtures/cozip/', import.meta.url).pathname;

describe('reference fixtures', () => {
  for (const file of ['flat_simple.cozip', 'flat_geo.cozip']) {
    it(`${file}: opens with a verified hash, reads its four members, validates`, async () => {
      const archive = await openCozip(FIXTURES + file, { verifyHash: true });
      assert.equal(archive.profileName, 'flat');
      const rows = await readManifest(archive);
      assert.deepEqual(
        rows.map((r) => r.name),
        ['lima.txt', 'paris.txt', 'tokyo.txt', 'denver.txt'],
      );
      for (const row of rows) {
        const text = new TextDecoder().decode(
          await readMember(archive, row as { offset: number; size: number }),
        );
        const line = text.slice(0, text.indexOf('\n') + 1);
        assert.equal(text, line.repeat(400), `${row.name} is one line repeated 400 times`);
        // Revision 0.1.0's reader column, by default, with the archive's absolute path.
        assert.match(
          String(row['cozip:location']),
          new RegExp(`^/vsisubfile/${row.offset}_${row.size},/.*${file}$`),
        );
        assert.equal('cozip:gdal_vsi' in row, false);
      }
      assert.ok(rows.every((r) => typeof r.category === 'string'));
      const report = await validateCozip(FIXTURES + file, { content: true });
      assert.deepEqual(report.problems, []);
      await archive.source.close?.();
    });
  }
});

describe('DuckDB reads the __metadata__ of our archives', () => {
  it('offset and size are UBIGINT and equal the real payload offsets', async (t) => {
    const duckdb = await requireDuckDB(t);
    if (!duckdb) return;
    const dir = mkdtempSync(join(tmpdir(), 'cozip-duck-'));
    try {
      const out = join(dir, 'ds.zip');
      const rows = Array.from({ length: 50 }, (_, i) => ({
        name: `f/${i}.bin`,
        path: seededBytes(i + 1, 100 + i * 37),
        split: i % 2 ? 'a' : 'b',
      }));
      await writeCozip(out, rows);
      const archive = await openCozip(out);
      const parquet = join(dir, 'metadata.parquet');
      writeFileSync(parquet, await readPriorityFile(archive, '__metadata__'));
      const zip = await openZip(out);
      await withConnection(duckdb, async (connection) => {
        const types = await parquetColumnTypes(connection, parquet);
        assert.deepEqual(types, {
          name: 'VARCHAR',
          offset: 'UBIGINT',
          size: 'UBIGINT',
          split: 'VARCHAR',
        });
        const result = await connection.runAndReadAll(
          `SELECT name, "offset", size FROM read_parquet('${parquet}')`,
        );
        for (const r of result.getRowObjectsJS()) {
          const e = zip.entries.find((x) => x.name === r.name)!;
          assert.equal(r.offset, BigInt(await payloadOffset(zip, e)), String(r.name));
          assert.equal(r.size, BigInt(e.uncompressedSize));
        }
        assert.equal(result.getRowObjectsJS().length, 50);
      });
      await archive.source.close?.();
      await zip.source.close?.();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
