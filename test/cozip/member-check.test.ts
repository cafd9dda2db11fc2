// Verified member reads: a manifest row that points elsewhere (another
// member, the central directory, past the end) or a payload that changed is
// a typed error, never bytes; one request per member all the same.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readManifest } from '../../src/cozip/manifest.js';
import { encodeManifest } from '../../src/cozip/manifest-write.js';
import {
  type CozipArchive,
  openCozip,
  openMember,
  readMember,
  readMemberRange,
  readMembers,
} from '../../src/cozip/reader.js';
import { stageCreate, stageMetadata } from '../../src/cozip/stage.js';
import { writeCozip } from '../../src/cozip/writer.js';
import { isCozipError } from '../../src/errors.js';
import { bytesSource } from '../../src/io/bytes-source.js';
import { crc32 } from '../../src/zip/codecs.js';
import { cozip as runCli } from '../cli/run.js';
import { type RangeServer, startRangeServer } from '../helpers/http-server.js';
import { seededBytes } from '../helpers/random.js';

const dir = mkdtempSync(join(tmpdir(), 'cozip-verify-'));
const good = join(dir, 'good.zip');
// Big enough that the middle member is not among what opening the archive prefetched.
const contents = [seededBytes(1, 200_000), seededBytes(2, 300_000), seededBytes(3, 200_000)];
const names = ['a.bin', 'b.bin', 'c.bin'];
let server: RangeServer;

before(async () => {
  await writeCozip(
    good,
    names.map((name, i) => ({ name, path: contents[i] })),
  );
  server = await startRangeServer({ objects: { 'good.zip': good } });
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function withArchive<T>(path: string, body: (a: CozipArchive) => Promise<T>): Promise<T> {
  const archive = await openCozip(path);
  try {
    return await body(archive);
  } finally {
    await archive.source.close?.();
  }
}

async function drain(stream: AsyncIterable<Uint8Array>): Promise<number> {
  let n = 0;
  for await (const chunk of stream) n += chunk.length;
  return n;
}

const code = (expected: string) => (err: unknown) => {
  assert.ok(isCozipError(err), String(err));
  assert.equal(err.code, expected, err.message);
  return true;
};

/** A cozip whose manifest says what `rowsFor` makes of the true rows (a hostile manifest). */
async function lyingArchive(
  file: string,
  rowsFor: (rows: Array<Record<string, unknown>>, size: number) => Array<Record<string, unknown>>,
): Promise<string> {
  const staged = await stageMetadata(names.map((name, i) => ({ name, path: contents[i] })));
  const probe = join(dir, `${file}.probe`);
  await stageCreate(probe, staged.paths, encodeManifest(staged.table));
  const size = readFileSync(probe).length;
  const out = join(dir, file);
  await stageCreate(out, staged.paths, encodeManifest(rowsFor(staged.table, size)), {
    validate: false,
  });
  return out;
}

describe('verified member reads', () => {
  it('in-memory reads above maxBytes are LIMIT_EXCEEDED before any request; streams are not limited', async () => {
    const archive = await openCozip(server.url('good.zip'));
    const rows = await readManifest(archive, { columns: ['name', 'offset', 'size'] });
    const row = rows[1];
    const size = row.size as number;
    const before = server.requestsFor('good.zip').length;
    for (const verify of [true, false]) {
      await assert.rejects(
        readMember(archive, row, { maxBytes: size - 1, verify }),
        code('LIMIT_EXCEEDED'),
      );
      await assert.rejects(
        readMemberRange(archive, row, 0, 10, { maxBytes: 9, verify }),
        code('LIMIT_EXCEEDED'),
      );
    }
    assert.equal(server.requestsFor('good.zip').length, before);
    assert.deepEqual(await readMember(archive, row, { maxBytes: size }), contents[1]);
    const streamed: Uint8Array[] = [];
    for await (const c of openMember(archive, row)) streamed.push(c);
    assert.deepEqual(Buffer.concat(streamed), Buffer.from(contents[1]));
  });

  it('read what the rows say, with the header in the same request', async () => {
    await withArchive(good, async (archive) => {
      const rows = await readManifest(archive);
      assert.deepEqual(await readMembers(archive, rows), contents);
      for (const [i, row] of rows.entries()) {
        const streamed: Uint8Array[] = [];
        for await (const c of openMember(archive, row)) streamed.push(c);
        assert.deepEqual(Buffer.concat(streamed), Buffer.from(contents[i]));
        assert.deepEqual(await readMemberRange(archive, row, 10, 20), contents[i].subarray(10, 20));
      }
    });
    const archive = await openCozip(server.url('good.zip'));
    const rows = await readManifest(archive, { columns: ['name', 'offset', 'size'] });
    const before = server.requestsFor('good.zip').length;
    assert.deepEqual(await readMember(archive, rows[1]), contents[1]);
    assert.equal(
      server.requestsFor('good.zip').length - before,
      1,
      'one request: header and payload',
    );
  });

  it('a row pointing at another member is MISSING_ENTRY', async () => {
    const path = await lyingArchive('swapped.zip', (rows) =>
      rows.map((r, i) => (i === 0 ? { ...r, offset: rows[2].offset, size: rows[2].size } : r)),
    );
    await withArchive(path, async (archive) => {
      const [row] = await readManifest(archive, { filter: { name: 'a.bin' } });
      await assert.rejects(readMember(archive, row), code('MISSING_ENTRY'));
      await assert.rejects(drain(openMember(archive, row)), code('MISSING_ENTRY'));
      await assert.rejects(readMemberRange(archive, row, 0, 10), code('MISSING_ENTRY'));
      // Trusting the row is still possible, and then returns c.bin's bytes.
      assert.deepEqual(await readMember(archive, row, { verify: false }), contents[2]);
    });
  });

  it('a row pointing into the central directory, or past the end, is a typed error', async () => {
    const intoCd = await lyingArchive('cd.zip', (rows, size) =>
      rows.map((r, i) => (i === 1 ? { ...r, offset: size - 200, size: 100 } : r)),
    );
    await withArchive(intoCd, async (archive) => {
      const [row] = await readManifest(archive, { filter: { name: 'b.bin' } });
      await assert.rejects(readMember(archive, row), code('MISSING_ENTRY'));
    });
    const pastEnd = await lyingArchive('past.zip', (rows, size) =>
      rows.map((r, i) => (i === 1 ? { ...r, offset: size - 10, size: 100 } : r)),
    );
    await withArchive(pastEnd, async (archive) => {
      const [row] = await readManifest(archive, { filter: { name: 'b.bin' } });
      await assert.rejects(readMember(archive, row), code('INVALID_OFFSET'));
    });
  });

  it('a payload changed after writing is CRC_MISMATCH (read, stream, whole range)', async () => {
    const bytes = new Uint8Array(readFileSync(good));
    const archive0 = await openCozip(good);
    const rows = await readManifest(archive0);
    await archive0.source.close?.();
    const at = (rows[1].offset as number) + 100;
    bytes[at] ^= 0xff;
    const path = join(dir, 'flipped.zip');
    writeFileSync(path, bytes);
    // The hash covers the index and the tail only: the archive still opens.
    await withArchive(path, async (archive) => {
      const row = rows[1];
      await assert.rejects(readMember(archive, row), code('CRC_MISMATCH'));
      await assert.rejects(drain(openMember(archive, row)), code('CRC_MISMATCH'));
      await assert.rejects(
        readMemberRange(archive, row, 0, row.size as number),
        code('CRC_MISMATCH'),
      );
      assert.deepEqual(await readMember(archive, rows[0]), contents[0], 'the others still read');
    });
  });

  it('finds a foreign local header with a long extra field (a second read)', async () => {
    // A hand-made STORE member whose local header carries a 200-byte extra.
    const name = new TextEncoder().encode('x.bin');
    const data = seededBytes(9, 1000);
    const extra = new Uint8Array(200);
    new DataView(extra.buffer).setUint16(0, 0xcafe, true);
    new DataView(extra.buffer).setUint16(2, 196, true);
    const header = new Uint8Array(30);
    const v = new DataView(header.buffer);
    v.setUint32(0, 0x04034b50, true);
    v.setUint16(4, 10, true);
    v.setUint32(14, crc32(data), true);
    v.setUint32(18, data.length, true);
    v.setUint32(22, data.length, true);
    v.setUint16(26, name.length, true);
    v.setUint16(28, extra.length, true);
    const file = Buffer.concat([new Uint8Array(300), header, name, extra, data]);
    const offset = 300 + 30 + name.length + extra.length;
    const source = bytesSource(new Uint8Array(file), 'foreign');
    const archive = { source, size: file.length } as unknown as CozipArchive;
    assert.deepEqual(await readMember(archive, { name: 'x.bin', offset, size: data.length }), data);
    assert.deepEqual(await readMember(archive, { offset, size: data.length }), data, 'no name');
    await assert.rejects(
      readMember(archive, { name: 'y.bin', offset, size: data.length }),
      code('MISSING_ENTRY'),
    );
  });

  it('cozip cat refuses a lying row with MISSING_ENTRY and prints nothing', async () => {
    const path = await lyingArchive('cat.zip', (rows) =>
      rows.map((r, i) => (i === 0 ? { ...r, offset: rows[1].offset, size: rows[1].size } : r)),
    );
    const run = await runCli(['cat', path, 'a.bin']);
    assert.notEqual(run.code, 0);
    assert.equal(run.bytes.length, 0);
    assert.match(run.stderr, /MISSING_ENTRY|local header names another entry/);
    // get and extract find members through the central directory, never a manifest row.
    const out = join(dir, 'got');
    const got = await runCli(['get', path, 'a.bin', '-o', out]);
    assert.equal(got.code, 0, got.stderr);
    assert.deepEqual(new Uint8Array(readFileSync(join(out, 'a.bin'))), contents[0]);
    const fine = await runCli(['cat', path, 'b.bin']);
    assert.equal(fine.code, 0, fine.stderr);
    assert.deepEqual(new Uint8Array(fine.bytes), contents[1]);
  });
});
