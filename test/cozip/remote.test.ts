// A cozip over HTTP: open (index + hash), manifest, one member — counted by
// the server, so the request budget is pinned.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findMember, readManifest } from '../../src/cozip/manifest.js';
import {
  openCozip,
  openMember,
  readMember,
  readMemberRange,
  readMembers,
} from '../../src/cozip/reader.js';
import { validateCozip } from '../../src/cozip/validate.js';
import { writeCozip } from '../../src/cozip/writer.js';
import { isCozipError } from '../../src/errors.js';
import { readAll } from '../../src/io/stream.js';
import { type RangeServer, roundTrips, startRangeServer } from '../helpers/http-server.js';
import { seededBytes } from '../helpers/random.js';

describe('cozip over HTTP', () => {
  let server: RangeServer;
  let dir: string;
  const rows = Array.from({ length: 10_000 }, (_, i) => ({
    name: `samples/${String(i).padStart(5, '0')}.bin`,
    path: seededBytes(i + 1, 50 + (i % 200)),
    split: ['train', 'val', 'test'][i % 3],
    label: i % 17,
  }));

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cozip-remote-'));
    await writeCozip(join(dir, 'ds.zip'), rows, { mtime: new Date(0) });
    server = await startRangeServer({ objects: { 'ds.zip': join(dir, 'ds.zip') } });
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('10,000 entries: open + manifest + one member in at most 4 requests', async () => {
    const start = server.requestsFor('ds.zip').length;
    const archive = await openCozip(server.url('ds.zip'));
    assert.equal(archive.hashVerified, true, 'remote archives are hash-checked by default');
    const hits = await readManifest(archive, { filter: { split: 'val', label: 5 } });
    assert.ok(hits.length > 0);
    const row = hits[0] as { name: string; offset: number; size: number };
    const i = Number(row.name.slice(8, 13));
    assert.deepEqual(await readMember(archive, row), rows[i].path);
    const used = server.requestsFor('ds.zip').length - start;
    assert.ok(used <= 4, `${used} requests`);
  });

  it('a member as a stream and a sub-range cost one request each', async () => {
    const archive = await openCozip(server.url('ds.zip'));
    const [row] = (await readManifest(archive, {
      filter: { name: 'samples/06042.bin' },
    })) as Array<{ offset: number; size: number }>;
    let before = server.requestsFor('ds.zip').length;
    assert.deepEqual(await readAll(openMember(archive, row)), rows[6042].path);
    assert.equal(server.requestsFor('ds.zip').length - before, 1);
    before = server.requestsFor('ds.zip').length;
    assert.deepEqual(await readMemberRange(archive, row, 10, 30), rows[6042].path.subarray(10, 30));
    assert.equal(server.requestsFor('ds.zip').length - before, 1);
  });

  it('neighbouring members read together cost one coalesced request; findMember by name', async () => {
    const archive = await openCozip(server.url('ds.zip'));
    const rows = await readManifest(archive, { rowStart: 7000, rowEnd: 7005 });
    const before = server.requestsFor('ds.zip').length;
    const members = await readMembers(archive, rows);
    assert.equal(server.requestsFor('ds.zip').length - before, 1);
    assert.deepEqual(
      members[3],
      await readMember(archive, await findMember(archive, 'samples/07003.bin')),
    );
    await assert.rejects(findMember(archive, 'nope'), (e) => isCozipError(e, 'MISSING_ENTRY'));
  });

  it('a replaced object is OBJECT_CHANGED; a tampered one is HASH_MISMATCH', async () => {
    const archive = await openCozip(server.url('ds.zip'));
    const original = readFileSync(join(dir, 'ds.zip'));
    const tampered = new Uint8Array(original);
    tampered[tampered.length - 100] ^= 1;
    server.replace('ds.zip', tampered);
    try {
      await assert.rejects(readManifest(archive), (e) => isCozipError(e, 'OBJECT_CHANGED'));
      await assert.rejects(openCozip(server.url('ds.zip')), (e) =>
        isCozipError(e, 'HASH_MISMATCH'),
      );
    } finally {
      await server.set('ds.zip', join(dir, 'ds.zip'));
    }
  });

  it('validates remotely', async () => {
    const report = await validateCozip(server.url('ds.zip'));
    assert.deepEqual(report.problems, []);
    assert.equal(report.entries, 10_002);
  });
});

describe('cozip lookup over HTTP at 200,000 entries', () => {
  let server: RangeServer;
  let dir: string;
  const n = 200_000;
  const nameOf = (i: number) =>
    `tiles/${String(i % 1000).padStart(4, '0')}/${String(Math.floor(i / 1000)).padStart(4, '0')}.png`;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cozip-lookup-'));
    // Members in row order (not name order); the manifest sorted by name.
    const rows = Array.from({ length: n }, (_, i) => ({
      name: nameOf(i),
      path: new Uint8Array([i & 255, (i >> 8) & 255, 7]),
      zoom: i % 7,
    }));
    await writeCozip(join(dir, 'tiles.zip'), rows, {
      mtime: new Date(0),
      manifest: { sortByName: true },
    });
    // 20 ms per response: requests in the same round trip overlap in time.
    server = await startRangeServer({
      objects: { 'tiles.zip': join(dir, 'tiles.zip') },
      delayMs: 20,
    });
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('open, find one name in the manifest, read it: 4 round trips, under 128 KiB besides it', async () => {
    const archive = await openCozip(server.url('tiles.zip'));
    assert.equal(archive.hashVerified, true);
    const hits = await readManifest(archive, { filter: { name: nameOf(123_456) } });
    assert.equal(hits.length, 1);
    const member = await readMember(archive, hits[0]);
    assert.deepEqual([...member], [123_456 & 255, (123_456 >> 8) & 255, 7]);
    const requests = server.requestsFor('tiles.zip');
    assert.ok(roundTrips(requests) <= 4, `${roundTrips(requests)} round trips`);
    const besides = requests.reduce((s, r) => s + r.bytes, 0) - member.length;
    assert.ok(besides <= 128 * 1024, `${besides} bytes besides the member`);
    await archive.source.close?.();
  });
});
