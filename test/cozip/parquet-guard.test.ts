// The fence around the Parquet decoder: a manifest page whose run claims
// half a billion values (8 bytes changed) is CORRUPT_DATA in milliseconds;
// without the fence the decoder spins writing array slots until the heap is
// gone. Run in a child process with a deadline, as a spin blocks the loop.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { parquetMetadata } from 'hyparquet';
import { openManifest } from '../../src/cozip/manifest-read.js';
import { encodeManifest } from '../../src/cozip/manifest-write.js';
import { openCozip } from '../../src/cozip/reader.js';
import { writeCozip } from '../../src/cozip/writer.js';
import { isCozipError } from '../../src/errors.js';
import { bytesSource } from '../../src/io/bytes-source.js';
import { BIN } from '../cli/run.js';

const dir = mkdtempSync(join(tmpdir(), 'cozip-parquet-guard-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const ROWS = 1000;
const rows = Array.from({ length: ROWS }, (_, i) => ({
  name: `f/${String(i).padStart(4, '0')}.bin`,
  path: new Uint8Array([i & 0xff]),
  label: `label-${i % 7}`,
}));

/**
 * The `label` column's definition levels (a v2 page keeps them uncompressed:
 * one RLE run of 1000 ones, header 0xd0 0x0f then 0x01) overwritten with a
 * run header claiming 2^29 values. Returns where in `manifest` that was.
 */
function plantRun(manifest: Uint8Array): number {
  const meta = parquetMetadata(manifest.slice().buffer);
  const column = meta.row_groups[0].columns.find(
    (c) => c.meta_data?.path_in_schema[0] === 'label',
  )!;
  const start = Number(
    column.meta_data!.dictionary_page_offset ?? column.meta_data!.data_page_offset,
  );
  const end = start + Number(column.meta_data!.total_compressed_size);
  for (let p = start; p < end - 2; p++) {
    if (manifest[p] === 0xd0 && manifest[p + 1] === 0x0f && manifest[p + 2] === 0x01) {
      manifest.set([0x80, 0x80, 0x80, 0x80, 0x04], p); // varint 2^30: an RLE run of 2^29
      return p;
    }
  }
  throw new Error('definition levels not found');
}

describe('Parquet page guard', () => {
  it('a planted 2^29-value run: CORRUPT_DATA from readManifest, no spin', async () => {
    const bytes = encodeManifest(
      rows.map((r, i) => ({ name: r.name, offset: 100 + i, size: 1, label: r.label })),
    );
    plantRun(bytes);
    const manifest = await openManifest(bytesSource(bytes, 'planted'), 0, bytes.length);
    await assert.rejects(
      manifest.rows({ columns: ['name'] }).then(() => manifest.rows()),
      (err) => {
        assert.ok(isCozipError(err, 'CORRUPT_DATA'), String(err));
        assert.match((err as Error).message, /manifest page: /);
        return true;
      },
    );
  });

  it('the same archive through the command line ends within seconds with CORRUPT_DATA', async () => {
    const out = join(dir, 'planted.zip');
    await writeCozip(out, rows);
    const archive = await openCozip(out);
    const md = archive.index[0];
    await archive.source.close?.();
    const file = new Uint8Array(readFileSync(out));
    plantRun(file.subarray(md.offset, md.offset + md.size));
    writeFileSync(out, file);
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>(
      (resolve) => {
        execFile(process.execPath, [BIN, 'ls', out, '--json'], { timeout: 30_000 }, (err, _o, e) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stderr: String(e) }),
        );
      },
    );
    assert.notEqual(code, 0);
    assert.equal(code === null, false, 'killed by the deadline: the decoder spun');
    assert.match(stderr, /CORRUPT_DATA|manifest page/);
  });

  it('cozip create --from a planted Parquet table: INVALID_INPUT within seconds, nothing written', async () => {
    const table = join(dir, 'table.parquet');
    // The same layout as a manifest: a label column with definition levels.
    const bytes = encodeManifest(
      rows.map((r, i) => ({ name: r.name, offset: 100 + i, size: 1, label: r.label })),
    );
    plantRun(bytes);
    // The table is read (and refused) before any listed file is looked at.
    writeFileSync(table, bytes);
    const out = join(dir, 'from-table.zip');
    const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [BIN, 'create', out, '--from', table, '--path-col', 'name'],
        { timeout: 30_000, cwd: dir },
        (err, _o, e) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stderr: String(e) }),
      );
    });
    assert.equal(run.code === null, false, 'killed by the deadline: the decoder spun');
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /INVALID_INPUT|not a readable Parquet/);
    assert.equal(existsSync(out), false);
  });

  it('cozip create --from a table whose columns miss its schema: one line, no stack, nothing written', async () => {
    // A page of the first column broken, and the schema's `label` renamed:
    // the decoder starts reading the first columns, then finds no schema
    // column for the last chunk and gives up; the first column's failure,
    // which nobody awaits any more, used to end the process with a stack.
    const bytes = Buffer.from(
      encodeManifest(
        rows.map((r, i) => ({ name: r.name, offset: 100 + i, size: 1, label: r.label })),
      ),
    );
    const first = parquetMetadata(bytes.slice().buffer).row_groups[0].columns[0].meta_data!;
    const start = Number(first.dictionary_page_offset ?? first.data_page_offset);
    const middle = start + Math.floor(Number(first.total_compressed_size) / 2);
    bytes.fill(0xff, middle, middle + 16);
    const footer = bytes.length - 8 - bytes.readUInt32LE(bytes.length - 8);
    bytes[bytes.indexOf('label', footer)] = 'L'.charCodeAt(0);
    const table = join(dir, 'renamed.parquet');
    writeFileSync(table, bytes);
    const out = join(dir, 'from-renamed.zip');
    const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [BIN, 'create', out, '--from', table, '--path-col', 'name'],
        { timeout: 30_000, cwd: dir },
        (err, _o, e) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stderr: String(e) }),
      );
    });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^cozip: INVALID_INPUT: [^\n]*\n$/);
    assert.equal(existsSync(out), false);
  });

  it('random byte changes in a manifest: rows or a typed error, never a hang', async () => {
    const clean = encodeManifest(
      rows
        .slice(0, 300)
        .map((r, i) => ({ name: r.name, offset: 100 + i, size: 1, label: r.label })),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(clean.length - 9), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 8,
        }),
        async (changes) => {
          const bytes = clean.slice();
          for (const [at, value] of changes) bytes[at] = value;
          try {
            const m = await openManifest(bytesSource(bytes, 'mutated'), 0, bytes.length);
            await m.rows();
          } catch (err) {
            assert.ok(isCozipError(err), String(err));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
