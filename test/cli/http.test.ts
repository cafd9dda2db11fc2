// The same commands against http:// URLs, served with Range support.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bufferSink, openZip, ZipWriter } from '../../src/index.js';
import {
  type RangeServer,
  type RecordedRequest,
  startRangeServer,
} from '../helpers/http-server.js';
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
    // A plain ZIP of many small deflated members, as `zip -r` makes of a folder of small files.
    const sink = bufferSink();
    const writer = new ZipWriter(sink, { mtime: new Date('2024-05-01T00:00:00Z') });
    for (let i = 0; i < 3000; i++) {
      await writer.add(`logs/${i % 30}/${i}.txt`, `line ${i} `.repeat(50 + (i % 200)));
    }
    await writer.finish();
    writeFileSync(join(dir, 'small.zip'), sink.bytes());
    const corrupt = readFileSync(ds);
    corrupt[corrupt.length - 100] ^= 0x01;
    writeFileSync(join(dir, 'corrupt.zip'), corrupt);
    server = await startRangeServer({
      objects: {
        'ds.zip': ds,
        'corrupt.zip': join(dir, 'corrupt.zip'),
        'small.zip': join(dir, 'small.zip'),
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

  /** The byte ranges [start, end) the server sent for `name` since request `from`. */
  function served(name: string, from: number, total: number): Array<[number, number]> {
    return server
      .requestsFor(name)
      .slice(from)
      .map((r: RecordedRequest) => {
        const m = /^bytes=(\d*)-(\d*)$/.exec(r.range ?? '');
        assert.ok(m, `a range request: ${r.method} ${r.range}`);
        if (m[1] === '') return [total - Number(m[2]), total];
        return [Number(m[1]), m[2] === '' ? total : Number(m[2]) + 1];
      });
  }

  it('validate --content of a plain ZIP over HTTP fetches every byte once', async () => {
    const total = readFileSync(join(dir, 'small.zip')).length;
    const from = server.requestsFor('small.zip').length;
    await ok(['validate', server.url('small.zip'), '--content']);
    const ranges = served('small.zip', from, total).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < ranges.length; i++) {
      assert.ok(ranges[i][0] >= ranges[i - 1][1], `${ranges[i - 1]} and ${ranges[i]} overlap`);
    }
    assert.equal(
      ranges.reduce((n, [a, b]) => n + b - a, 0),
      total,
    );
  });

  it('info of a plain ZIP of small files reads its ends and central directory only', async () => {
    const bytes = readFileSync(join(dir, 'small.zip'));
    const zip = await openZip(new Uint8Array(bytes));
    const from = server.requestsFor('small.zip').length;
    const info = json<Row>(await ok(['info', server.url('small.zip'), '--json']));
    assert.equal(info.entries, 3000);
    // The open's 4 KiB head probe, then nothing before the central directory.
    for (const [start, end] of served('small.zip', from, bytes.length)) {
      assert.ok(end <= 4096 || start >= zip.cdOffset, `member bytes [${start}, ${end}) fetched`);
    }
  });

  it('HTTP errors: 404 is NOT_FOUND, a non-ZIP is NOT_A_ZIP', async () => {
    const missing = await expectExit(['ls', server.url('missing.zip')], 1);
    assert.match(missing.stderr, /^cozip: NOT_FOUND: /);
    const text = await expectExit(['info', server.url('notes.txt')], 1);
    assert.match(text.stderr, /^cozip: NOT_A_ZIP: /);
  });

  it('a server that ignores Range: a warning on stderr and the right bytes; --require-range fails', async () => {
    server.ignoreRange = true;
    try {
      const run = await ok(['cat', server.url('ds.zip'), 'tiles/007.bin']);
      assert.deepEqual(new Uint8Array(run.bytes), files[7].bytes);
      const warnings = run.stderr.split('\n').filter((l) => l !== '');
      assert.deepEqual(warnings, [
        `cozip: warning: ${server.url('ds.zip')}: the server ignores Range requests, so every read downloads the object up to what it needs (--require-range makes this an error)`,
      ]);
      const quiet = await ok(['cat', server.url('ds.zip'), 'tiles/007.bin', '-q']);
      assert.equal(quiet.stderr, '');
      const strict = await expectExit(
        ['cat', server.url('ds.zip'), 'tiles/007.bin', '--require-range'],
        1,
      );
      assert.match(strict.stderr, /^cozip: RANGE_UNSUPPORTED: .*ignores Range requests\n$/);
    } finally {
      server.ignoreRange = false;
    }
  });
});
