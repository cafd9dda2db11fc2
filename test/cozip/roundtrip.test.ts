// Write, then read back every way: our reader, the ZIP layer, validation, and
// the independent tools (unzip, Python's zipfile, 7-Zip).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openManifest } from '../../src/cozip/manifest-read.js';
import {
  openCozip,
  readMember,
  readPriorityBlock,
  readPriorityFile,
} from '../../src/cozip/reader.js';
import { validateCozip } from '../../src/cozip/validate.js';
import { writeCozip } from '../../src/cozip/writer.js';
import { U32_SENTINEL } from '../../src/zip/constants.js';
import { openZip } from '../../src/zip/reader.js';
import { rng, seededBytes } from '../helpers/random.js';
import { SparseSink } from '../helpers/sparse-sink.js';
import { assertToolsAccept, pythonBytes, pythonRead, requireTools } from '../helpers/tools.js';

const dir = mkdtempSync(join(tmpdir(), 'cozip-rt-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const MTIME = new Date('2026-01-01T00:00:00Z');

async function manifestRows(path: string) {
  const cz = await openCozip(path, { verifyHash: true });
  const m = await openManifest(cz.source, cz.index[0].offset, cz.index[0].size);
  return { cz, rows: await m.rows() };
}

describe('cozip round trips', () => {
  it('Flat under 1.0.1 name rules: files from disk, bytes and streams; UTF-8 names; typed columns', async (t) => {
    const onDisk = join(dir, 'input.bin');
    const diskBytes = seededBytes(11, 200_000);
    writeFileSync(onDisk, diskBytes);
    const stream = seededBytes(12, 70_000);
    const rows = [
      { name: 'data/input.bin', path: onDisk, split: 'train', label: 3, score: 0.5, ok: true },
      {
        name: 'données/été ☀.txt',
        path: new TextEncoder().encode('soleil'),
        split: 'val',
        label: 1,
        score: 1.25,
        ok: false,
      },
      {
        name: 'stream/chunked.bin',
        path: {
          size: stream.length,
          stream: async function* () {
            for (let i = 0; i < stream.length; i += 4096) yield stream.subarray(i, i + 4096);
          },
        },
        split: 'test',
        label: 7,
        score: 2,
        ok: true,
      },
    ];
    const out = join(dir, 'flat.zip');
    const result = await writeCozip(out, rows, { mtime: MTIME, spec: '1.0.1' });
    assert.equal(result.entries, 3);
    // Today's rules refuse the UTF-8 name; the 1.0.1 archive still opens and reads.
    await assert.rejects(writeCozip(join(dir, 'refused.zip'), rows), /non-ASCII/);
    assert.equal(existsSync(join(dir, 'refused.zip')), false, 'nothing at the target');
    const current = await validateCozip(out);
    assert.deepEqual(
      current.problems.map((p) => [p.code, p.entry, /conforms to cozip 1\.0\.1/.test(p.message)]),
      [['INVALID_NAME', 'données/été ☀.txt', true]],
    );
    const { cz, rows: back } = await manifestRows(out);
    assert.equal(cz.profileName, 'flat');
    assert.deepEqual(
      back.map((r) => [r.name, r.split, r.label, r.score, r.ok]),
      rows.map((r) => [r.name, r.split, r.label, r.score, r.ok]),
    );
    assert.ok(!('path' in back[0]), 'path is never stored');
    assert.deepEqual(await readMember(cz, back[0] as { offset: number; size: number }), diskBytes);
    assert.deepEqual(await readMember(cz, back[2] as { offset: number; size: number }), stream);
    assert.deepEqual((await validateCozip(out, { content: true, spec: '1.0.1' })).problems, []);
    await assertToolsAccept(t, out);
    if (requireTools(t, 'python3')) {
      const py = await pythonRead(out);
      assert.deepEqual(
        Buffer.from(pythonBytes(py.entries['données/été ☀.txt'])).toString(),
        'soleil',
      );
    }
  });

  it('None: caller-chosen priority files, read by literal name', async (t) => {
    const out = join(dir, 'none.zip');
    await writeCozip(
      out,
      [
        { name: 'README.md', path: new TextEncoder().encode('# hello') },
        { name: 'big.bin', path: seededBytes(5, 50_000) },
        { name: 'schema.json', path: new TextEncoder().encode('{"v":1}') },
      ],
      { profile: 'none', priority: ['schema.json', 'README.md'], mtime: MTIME },
    );
    const cz = await openCozip(out, { verifyHash: true });
    assert.equal(cz.profileName, 'none');
    assert.deepEqual(
      cz.index.map((e) => e.name),
      ['schema.json', 'README.md'],
    );
    assert.equal(new TextDecoder().decode(await readPriorityFile(cz, 'schema.json')), '{"v":1}');
    assert.deepEqual((await validateCozip(out)).problems, []);
    await assertToolsAccept(t, out);
  });

  it('TACO: COLLECTION.json and METADATA/*.parquet form the last block, fetched in one request', async (t) => {
    const out = join(dir, 'taco.zip');
    const parquet = seededBytes(8, 3000);
    await writeCozip(
      out,
      [
        { name: 'METADATA/level0.parquet', path: parquet },
        { name: 'DATA/sample_000.tif', path: seededBytes(6, 20_000) },
        { name: 'COLLECTION.json', path: new TextEncoder().encode('{"id":"demo"}') },
        { name: 'DATA/sample_001.tif', path: seededBytes(7, 20_000) },
      ],
      { profile: 'taco', mtime: MTIME },
    );
    const cz = await openCozip(out, { verifyHash: true });
    assert.equal(cz.profileName, 'taco');
    const zip = await openZip(out);
    const order = zip.entries
      .slice()
      .sort((a, b) => a.localHeaderOffset - b.localHeaderOffset)
      .map((e) => e.name);
    assert.deepEqual(order.slice(-2).sort(), ['COLLECTION.json', 'METADATA/level0.parquet']);
    const block = await readPriorityBlock(cz);
    assert.deepEqual(block.get('METADATA/level0.parquet'), parquet);
    assert.equal(new TextDecoder().decode(block.get('COLLECTION.json')), '{"id":"demo"}');
    assert.deepEqual((await validateCozip(out)).problems, []);
    await assertToolsAccept(t, out);
  });

  it('Flat with a GeoParquet manifest: geometry written as WKB, read back as GeoJSON', async () => {
    const out = join(dir, 'geo.zip');
    await writeCozip(
      out,
      [
        {
          name: 'lima.txt',
          path: new TextEncoder().encode('Lima'),
          geometry: { type: 'Point', coordinates: [-77.04, -12.05] },
        },
        {
          name: 'paris.txt',
          path: new TextEncoder().encode('Paris'),
          geometry: { type: 'Point', coordinates: [2.35, 48.86] },
        },
      ],
      { mtime: MTIME, manifest: { geo: {} } },
    );
    const { rows } = await manifestRows(out);
    assert.deepEqual(
      rows.map((r) => (r.geometry as { coordinates: number[] }).coordinates),
      [
        [-77.04, -12.05],
        [2.35, 48.86],
      ],
    );
    assert.deepEqual((await validateCozip(out)).problems, []);
  });

  it('one entry, and 100,000 entries', async (t) => {
    const one = join(dir, 'one.zip');
    await writeCozip(one, [{ name: 'only', path: Uint8Array.of(42) }], { mtime: MTIME });
    assert.deepEqual(
      (await manifestRows(one)).rows.map((r) => r.name),
      ['only'],
    );

    const random = rng(77);
    const rows = Array.from({ length: 100_000 }, (_, i) => ({
      name: `tiles/${i % 100}/${i}.bin`,
      path: seededBytes(i + 1, 1 + Math.floor(random() * 40)),
      split: i % 10 === 0 ? 'val' : 'train',
    }));
    const many = join(dir, 'many.zip');
    const result = await writeCozip(many, rows, { mtime: MTIME });
    assert.equal(result.entries, 100_000);
    assert.equal(result.zip64, true, '100,002 entries need the ZIP64 end records');
    const { cz, rows: back } = await manifestRows(many);
    assert.equal(back.length, 100_000);
    for (const i of [0, 31_337, 99_999]) {
      assert.equal(back[i].name, rows[i].name);
      assert.deepEqual(
        await readMember(cz, back[i] as { offset: number; size: number }),
        rows[i].path,
      );
    }
    assert.deepEqual((await validateCozip(many)).problems, []);
    await assertToolsAccept(t, many);
  });

  it('a member over 4 GiB streamed from a generator: ZIP64 where needed, never for the index', async () => {
    const size = 2 ** 32 + 4096 + 17;
    const block = seededBytes(99, 1 << 20);
    const sink = new SparseSink();
    await writeCozip(
      sink,
      [
        {
          name: 'huge.bin',
          kind: 'huge',
          path: {
            size,
            stream: async function* () {
              for (let left = size; left > 0; left -= block.length)
                yield left >= block.length ? block : block.subarray(0, left);
            },
          },
        },
        { name: 'after.txt', path: new TextEncoder().encode('after the big one'), kind: 'small' },
      ],
      { mtime: MTIME },
    );
    const source = sink.source('huge.cozip');
    const cz = await openCozip(source, { verifyHash: true });
    const m = await openManifest(cz.source, cz.index[0].offset, cz.index[0].size);
    const rows = await m.rows();
    assert.deepEqual(
      rows.map((r) => [r.name, r.size]),
      [
        ['huge.bin', size],
        ['after.txt', 17],
      ],
    );
    assert.ok((rows[1].offset as number) > 2 ** 32);
    assert.equal(
      new TextDecoder().decode(await readMember(cz, rows[1] as { offset: number; size: number })),
      'after the big one',
    );
    const zip = await openZip(source);
    assert.equal(
      zip.zip64,
      true,
      'central directory offset past 4 GiB needs the ZIP64 end records',
    );
    const huge = zip.entries.find((e) => e.name === 'huge.bin')!;
    assert.equal(huge.uncompressedSize, size);
    assert.equal(huge.zip64, true);
    const index = zip.entries.find((e) => e.name === '__cozip__')!;
    assert.equal(index.zip64, false);
    assert.equal(index.extra.length, 0);
    const after = zip.entries.find((e) => e.name === 'after.txt')!;
    assert.equal(after.localHeaderOffset > U32_SENTINEL, true);
    assert.deepEqual((await validateCozip(source)).problems, []);
  });
});
