// The same commands against http:// URLs, served with Range support.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RangeServer, startRangeServer } from '../helpers/http-server.js';
import { seededBytes } from '../helpers/random.js';
import { assertBuilt, expectExit, json, ok, tempDir } from './run.js';

type Row = Record<string, unknown>;

describe('cozip over HTTP', () => {
  let dir: string;
  let server: RangeServer;
  let size: number;
  const files = Array.from({ length: 200 }, (_, i) => ({
    name: `tiles/${String(i).padStart(3, '0')}.bin`,
    bytes: seededBytes(i + 7, 2000 + i),
  }));

  before(async () => {
    assertBuilt();
    dir = tempDir('http');
    mkdirSync(join(dir, 'data', 'tiles'), { recursive: true });
    for (const f of files) writeFileSync(join(dir, 'data', f.name), f.bytes);
    const ds = join(dir, 'ds.zip');
    await ok(['create', ds, join(dir, 'data'), '-q']);
    size = readFileSync(ds).length;
    const corrupt = readFileSync(ds);
    corrupt[corrupt.length - 100] ^= 0x01;
    writeFileSync(join(dir, 'corrupt.zip'), corrupt);
    server = await startRangeServer({
      objects: {
        'ds.zip': ds,
        'corrupt.zip': join(dir, 'corrupt.zip'),
        'notes.txt': new TextEncoder().encode('not a zip at all\n'.repeat(10)),
      },
    });
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ls --where --json over HTTP', async () => {
    const rows = json<Row[]>(
      await ok([
        'ls',
        server.url('ds.zip'),
        '--where',
        'name >= tiles/195.bin',
        '--columns',
        'name,size',
        '--json',
      ]),
    );
    assert.deepEqual(
      rows,
      files.slice(195).map((f) => ({ name: f.name, size: f.bytes.length })),
    );
  });

  it('cat and get over HTTP give the exact bytes', async () => {
    const run = await ok(['cat', server.url('ds.zip'), 'tiles/123.bin']);
    assert.deepEqual(new Uint8Array(run.bytes), files[123].bytes);
    const out = join(dir, 'got');
    await ok(['get', server.url('ds.zip'), 'tiles/007.bin', '-o', out]);
    assert.deepEqual(new Uint8Array(readFileSync(join(out, 'tiles/007.bin'))), files[7].bytes);
  });

  it('extract --where over HTTP', async () => {
    const out = join(dir, 'some');
    await ok([
      'extract',
      server.url('ds.zip'),
      '-o',
      out,
      '--where',
      "name in ('tiles/010.bin', 'tiles/150.bin')",
    ]);
    assert.deepEqual(new Uint8Array(readFileSync(join(out, 'tiles/150.bin'))), files[150].bytes);
    assert.ok(existsSync(join(out, 'tiles/010.bin')));
    assert.ok(!existsSync(join(out, 'tiles/011.bin')));
  });

  it('info reports the HTTP requests and bytes it used', async () => {
    const before = server.requestsFor('ds.zip').length;
    const info = json<Row & { http: { requests: number; bytesFetched: number }; cozip: Row }>(
      await ok(['info', server.url('ds.zip'), '--json']),
    );
    const used = server.requestsFor('ds.zip').length - before;
    assert.equal(info.format, 'cozip');
    assert.equal(info.cozip.hashVerified, true);
    assert.equal(info.size, size);
    assert.equal(info.http.requests, used, 'the count matches what the server saw');
    assert.ok(used <= 4, `${used} requests`);
    assert.ok(info.http.bytesFetched < size, 'only part of the archive was fetched');
    assert.match(
      (await ok(['info', server.url('ds.zip')])).stdout,
      /^http\s+\d+ requests, [\d,]+ bytes fetched$/m,
    );
  });

  it('validate over HTTP: ok, and HASH_MISMATCH for a corrupted copy', async () => {
    await ok(['validate', server.url('ds.zip'), '--content']);
    const run = await expectExit(['validate', server.url('corrupt.zip')], 1);
    assert.match(run.stdout, /^HASH_MISMATCH: /m);
    // Remote archives are hash-checked on open, so reading fails too.
    const ls = await expectExit(['ls', server.url('corrupt.zip')], 1);
    assert.match(ls.stderr, /^cozip: HASH_MISMATCH: /);
  });

  it('HTTP errors: 404 is NOT_FOUND, a non-ZIP is NOT_A_ZIP', async () => {
    const missing = await expectExit(['ls', server.url('missing.zip')], 1);
    assert.match(missing.stderr, /^cozip: NOT_FOUND: /);
    const text = await expectExit(['info', server.url('notes.txt')], 1);
    assert.match(text.stderr, /^cozip: NOT_A_ZIP: /);
  });
});
