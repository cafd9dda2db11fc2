// cozip index: build a zipindex from a local or remote ZIP, list and search
// it, and read members through it with one range request.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RangeServer, startRangeServer } from '../helpers/http-server.js';
import { seededBytes } from '../helpers/random.js';
import { assertBuilt, expectExit, json, ok, ROOT, tempDir } from './run.js';

const FIXTURES = join(ROOT, '../shared/fixtures/zips');
const SMALLISH = join(FIXTURES, 'smallish.zip');
const BIG_MEMBER = 'test/small/file-1000000.bin';

interface Summary {
  source: string;
  output: string;
  entries: number;
  skipped: number;
  indexBytes: number;
  indexType: number;
  bytesPerEntry: number | null;
  centralDirectoryBytes: number;
}

interface IndexRow {
  name: string;
  size: number;
  compressedSize: number;
  method: string;
  localHeaderOffset: number;
  crc32: number | null;
  flags: number;
  custom: Record<string, string>;
}

type Row = Record<string, unknown>;

describe('cozip index', () => {
  let dir: string;
  let server: RangeServer;
  /** The index of SMALLISH, built from the local file before the tests. */
  let local: string;

  before(async () => {
    assertBuilt();
    dir = tempDir('index');
    local = join(dir, 'smallish.zipindex');
    server = await startRangeServer({ objects: { 'smallish.zip': SMALLISH } });
    await ok(['index', 'build', SMALLISH, '-o', local, '-q']);
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('build: a summary line, or a JSON summary, and the index file', async () => {
    const human = join(dir, 'human.zipindex');
    const run = await ok(['index', 'build', SMALLISH, '-o', human]);
    assert.match(
      run.stdout,
      /^wrote .*human\.zipindex: 501 entries, [\d,]+ index bytes \([\d.]+ bytes\/entry\), central directory [\d,]+ bytes\n$/,
    );
    const again = join(dir, 'again.zipindex');
    const summary = json<Summary>(await ok(['index', 'build', SMALLISH, '-o', again, '--json']));
    const size = readFileSync(local).length;
    assert.deepEqual(summary, {
      source: SMALLISH,
      output: again,
      entries: 501,
      skipped: 0,
      indexBytes: size,
      indexType: 3,
      bytesPerEntry: Math.round((size / 501) * 10) / 10,
      centralDirectoryBytes: summary.centralDirectoryBytes,
    });
    assert.ok(summary.centralDirectoryBytes > 10 * size, 'far smaller than the directory');
    assert.deepEqual(readFileSync(again), readFileSync(local), 'deterministic');
    assert.deepEqual(readFileSync(human), readFileSync(local));
    assert.equal((await ok(['index', 'build', SMALLISH, '-o', again, '--force', '-q'])).stdout, '');
    // Written through a temp file: nothing else is left in the directory.
    assert.deepEqual(readdirSync(dir).sort(), [
      'again.zipindex',
      'human.zipindex',
      'smallish.zipindex',
    ]);
  });

  it('ls --json lists what cozip ls lists, with offsets and CRCs', async () => {
    const rows = json<IndexRow[]>(await ok(['index', 'ls', local, '--json']));
    const entries = json<Row[]>(await ok(['ls', SMALLISH, '--json']));
    assert.equal(rows.length, entries.length);
    assert.deepEqual(
      rows.map(({ name, size, compressedSize, method, localHeaderOffset }) => ({
        name,
        size,
        compressedSize,
        method,
        localHeaderOffset,
      })),
      entries.map(({ name, size, compressedSize, method, localHeaderOffset }) => ({
        name,
        size,
        compressedSize,
        method,
        localHeaderOffset,
      })),
    );
    // A CRC-32 the index keeps is the central directory's; one it leaves to the descriptor is null.
    rows.forEach((r, i) => {
      if (r.crc32 === null) assert.ok(r.flags & 8, r.name);
      else assert.equal(r.crc32, entries[i].crc32, r.name);
    });
    for (let i = 1; i < rows.length; i++) {
      assert.ok(rows[i].localHeaderOffset > rows[i - 1].localHeaderOffset);
    }
    assert.deepEqual(rows[0].custom, {});
    const table = (await ok(['index', 'ls', local])).stdout.split('\n');
    assert.match(
      table[0],
      /^name\s+size\s+compressedSize\s+method\s+localHeaderOffset\s+crc32\s+flags$/,
    );
    assert.equal(table.length, 501 + 2);
  });

  it('build over HTTP with --custom: at most two requests, the same files', async () => {
    const remote = join(dir, 'remote.zipindex');
    const before = server.requests.length;
    await ok([
      'index',
      'build',
      server.url('smallish.zip'),
      '-o',
      remote,
      '--custom',
      'owner=alice',
      'note=a b=c',
      '-q',
    ]);
    assert.ok(server.requests.length - before <= 2, `${server.requests.length - before} requests`);
    const rows = json<IndexRow[]>(await ok(['index', 'ls', remote, '--json']));
    const plain = json<IndexRow[]>(await ok(['index', 'ls', local, '--json']));
    assert.deepEqual(
      rows,
      plain.map((r) => ({ ...r, custom: { owner: 'alice', note: 'a b=c' } })),
    );
  });

  it('find: one file, as JSON or as lines', async () => {
    const rows = json<IndexRow[]>(await ok(['index', 'ls', local, '--json']));
    const want = rows.find((r) => r.name === BIG_MEMBER);
    assert.ok(want);
    assert.deepEqual(json(await ok(['index', 'find', local, BIG_MEMBER, '--json'])), want);
    const text = (await ok(['index', 'find', local, BIG_MEMBER])).stdout;
    assert.match(text, /^name\s+test\/small\/file-1000000\.bin$/m);
    assert.match(text, /^size\s+1,000,000 bytes$/m);
  });

  it('cat over HTTP: the exact bytes, with one request for the member', async () => {
    for (const name of [BIG_MEMBER, 'test/small/file-7.bin']) {
      const expected = (await ok(['cat', SMALLISH, name])).bytes;
      const { localHeaderOffset: offset } = json<IndexRow>(
        await ok(['index', 'find', local, name, '--json']),
      );
      const before = server.requests.length;
      const run = await ok(['index', 'cat', local, server.url('smallish.zip'), name]);
      assert.deepEqual(run.bytes, expected);
      const used = server.requests.slice(before);
      assert.equal(used.length, 1, JSON.stringify(used));
      assert.match(used[0].range ?? '', new RegExp(`^bytes=${offset}-\\d+$`));
      assert.equal(used[0].status, 206);
    }
    // A local ZIP works the same.
    const run = await ok(['index', 'cat', local, SMALLISH, 'test/small/file-3.bin']);
    assert.deepEqual(run.bytes, (await ok(['cat', SMALLISH, 'test/small/file-3.bin'])).bytes);
  });

  it('cat checks the CRC: a ZIP changed after indexing fails', async () => {
    const data = join(dir, 'data');
    mkdirSync(data);
    const bytes = seededBytes(5, 5000);
    writeFileSync(join(data, 'x.bin'), bytes);
    const zip = join(dir, 'stored.zip');
    await ok(['create', zip, data, '-q']);
    const index = join(dir, 'stored.zipindex');
    await ok(['index', 'build', zip, '-o', index, '-q']);
    assert.deepEqual(
      new Uint8Array((await ok(['index', 'cat', index, zip, 'x.bin'])).bytes),
      bytes,
    );
    const archive = readFileSync(zip);
    const { localHeaderOffset: offset } = json<IndexRow>(
      await ok(['index', 'find', index, 'x.bin', '--json']),
    );
    const dataStart =
      offset + 30 + archive.readUInt16LE(offset + 26) + archive.readUInt16LE(offset + 28);
    archive[dataStart + 100] ^= 0xff;
    writeFileSync(zip, archive);
    const run = await expectExit(['index', 'cat', index, zip, 'x.bin'], 1);
    assert.match(run.stderr, /^cozip: CRC_MISMATCH: /);
  });

  it('--all keeps entries the default filter skips', async () => {
    const index = join(dir, 'symlink.zipindex');
    const summary = json<Summary>(
      await ok(['index', 'build', join(FIXTURES, 'symlink.zip'), '-o', index, '--json']),
    );
    assert.equal(summary.entries, 0);
    assert.equal(summary.skipped, 1);
    assert.equal(summary.bytesPerEntry, null);
    assert.deepEqual(json(await ok(['index', 'ls', index, '--json'])), []);
    await ok([
      'index',
      'build',
      join(FIXTURES, 'symlink.zip'),
      '-o',
      index,
      '--all',
      '--force',
      '-q',
    ]);
    const rows = json<IndexRow[]>(await ok(['index', 'ls', index, '--json']));
    assert.deepEqual(
      rows.map((r) => r.name),
      ['symlink'],
    );
  });

  it('failures: exit 1 with the library code, usage errors exit 2', async () => {
    const missing = await expectExit(['index', 'ls', join(dir, 'nope.zipindex')], 1);
    assert.match(missing.stderr, /^cozip: NOT_FOUND: .*nope\.zipindex/);
    assert.equal(missing.stderr.trimEnd().split('\n').length, 1);

    const corrupt = join(dir, 'corrupt.zipindex');
    const good = readFileSync(local);
    writeFileSync(corrupt, good.subarray(0, good.length - 20));
    for (const args of [
      ['ls', corrupt],
      ['find', corrupt, BIG_MEMBER],
    ]) {
      const run = await expectExit(['index', ...args], 1);
      assert.match(run.stderr, /^cozip: (CORRUPT_INDEX|UNKNOWN_INDEX_TYPE): /);
    }
    writeFileSync(corrupt, Buffer.from([0x7f, 1, 2, 3]));
    const unknown = await expectExit(['index', 'ls', corrupt], 1);
    assert.match(unknown.stderr, /^cozip: UNKNOWN_INDEX_TYPE: /);

    for (const args of [
      ['find', local, 'no/such.bin'],
      ['cat', local, SMALLISH, 'no/such.bin'],
    ]) {
      const run = await expectExit(['index', ...args], 1);
      assert.match(run.stderr, /^cozip: NOT_FOUND: no\/such\.bin /);
      assert.equal(run.stdout, '');
    }

    const notZip = await expectExit(
      ['index', 'build', join(FIXTURES, 'readme.notzip'), '-o', join(dir, 'n.zipindex')],
      1,
    );
    assert.match(notZip.stderr, /^cozip: NOT_A_ZIP: /);
    assert.ok(!existsSync(join(dir, 'n.zipindex')));

    for (const args of [
      ['index', 'build', SMALLISH],
      ['index', 'build', SMALLISH, '-o', join(dir, 'c.zipindex'), '--custom', 'novalue'],
      ['index', 'find', local],
      ['index', 'cat', local, SMALLISH],
      ['index', 'ls'],
      ['index', 'nope'],
    ]) {
      const run = await expectExit(args, 2);
      assert.match(run.stderr, /^cozip: INVALID_ARGUMENT: /);
    }
    assert.ok(!existsSync(join(dir, 'c.zipindex')));
  });
});
