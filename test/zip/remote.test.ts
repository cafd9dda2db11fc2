// Reading ZIPs over HTTP through the range engine: requests are counted by
// the server, so these tests pin the cost of each operation.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isCozipError } from '../../src/errors.js';
import { readEntry } from '../../src/zip/entry-data.js';
import { openZip } from '../../src/zip/reader.js';
import { type RangeServer, startRangeServer } from '../helpers/http-server.js';

const FIXTURES = new URL('../../../shared/fixtures/zips/', import.meta.url).pathname;

/** A deflate archive with `n` small members written by Python's zipfile (an independent writer). */
function pythonZip(path: string, n: number) {
  execFileSync('python3', [
    '-c',
    `import sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
    for i in range(int(sys.argv[2])):
        z.writestr('dir%03d/member-%05d.txt' % (i % 100, i), ('line %d\\n' % i) * (1 + i % 50))`,
    path,
    String(n),
  ]);
}

describe('remote ZIP over HTTP', () => {
  let server: RangeServer;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cozip-remote-'));
    pythonZip(join(dir, 'many.zip'), 5000);
    server = await startRangeServer({
      objects: {
        'smallish.zip': FIXTURES + 'smallish.zip',
        'many.zip': join(dir, 'many.zip'),
      },
    });
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('small archive: listing costs 1 request, a member 1 more', async () => {
    const archive = await openZip(server.url('smallish.zip'));
    assert.equal(
      server.requestsFor('smallish.zip').length,
      1,
      'the tail probe holds the directory',
    );
    const entry = archive.entries[137];
    const bytes = await readEntry(archive, entry);
    assert.equal(server.requestsFor('smallish.zip').length, 2, 'header and data in one request');
    const local = readFileSync(FIXTURES + 'smallish.zip');
    const fromDisk = await openZip(new Uint8Array(local));
    assert.deepEqual(
      Buffer.from(bytes),
      Buffer.from(await readEntry(fromDisk, fromDisk.entries[137])),
    );
  });

  it('directory larger than the tail: 2 requests to list, 1 per member', async () => {
    const before = server.requestsFor('many.zip').length;
    const archive = await openZip(server.url('many.zip'));
    assert.equal(archive.entries.length, 5000);
    assert.equal(server.requestsFor('many.zip').length - before, 2);
    const e = archive.entries.find((x) => x.name === 'dir042/member-04242.txt')!;
    const text = new TextDecoder().decode(await readEntry(archive, e));
    assert.equal(text, 'line 4242\n'.repeat(1 + (4242 % 50)));
    assert.equal(server.requestsFor('many.zip').length - before, 3);
  });

  it('a server that ignores Range (200 instead of 206) still yields exact bytes', async () => {
    server.ignoreRange = true;
    try {
      const archive = await openZip(server.url('smallish.zip'));
      assert.equal(
        (archive.source as { source?: { rangeSupported?: boolean } }).source?.rangeSupported,
        false,
      );
      const local = await openZip(new Uint8Array(readFileSync(FIXTURES + 'smallish.zip')));
      for (const i of [0, 250, 500]) {
        const remote = await readEntry(archive, archive.entries[i]);
        assert.deepEqual(
          Buffer.from(remote),
          Buffer.from(await readEntry(local, local.entries[i])),
        );
      }
    } finally {
      server.ignoreRange = false;
    }
  });

  it('an object replaced mid-read is OBJECT_CHANGED, never mixed bytes', async () => {
    const archive = await openZip(server.url('many.zip'));
    server.replace('many.zip', readFileSync(FIXTURES + 'big.zip'));
    try {
      await assert.rejects(readEntry(archive, archive.entries[10]), (err) =>
        isCozipError(err, 'OBJECT_CHANGED'),
      );
    } finally {
      await server.set('many.zip', join(dir, 'many.zip'));
    }
  });

  it('a missing object is NOT_FOUND', async () => {
    await assert.rejects(openZip(server.url('nope.zip')), (err) => isCozipError(err, 'NOT_FOUND'));
  });
});
