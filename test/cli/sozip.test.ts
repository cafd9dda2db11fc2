// cozip sozip: create, convert, validate, list and cat, run as the built
// binary, locally and over HTTP.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createFileSink, ZipWriter } from '../../src/node.js';
import { type RangeServer, startRangeServer } from '../helpers/http-server.js';
import { rng, seededBytes } from '../helpers/random.js';
import { requireTools, unzipTest } from '../helpers/tools.js';
import { assertBuilt, cozip, expectExit, json, ok, ROOT, tempDir } from './run.js';

interface Member {
  name: string;
  sozip: boolean;
  indexFound: boolean;
  chunkSize?: number;
  chunks?: number;
  verifiedChunks?: number;
  problems: Array<{ code: string; message: string }>;
}

interface Validation {
  source: string;
  ok: boolean;
  deep: boolean;
  sozipMembers: number;
  members: Member[];
  problems: Array<{ code: string; entry?: string }>;
  note?: string;
}

interface ListRow {
  name: string;
  compressedSize: number;
  size: number;
  method: string;
  isDirectory: boolean;
  mtime: string;
  sozip: boolean;
  chunkSize: number | null;
}

const MTIME = '2024-01-01T00:00:00Z';

/** Compressible, log-like text: SOZip's typical content. */
function logText(seed: number, size: number): Uint8Array {
  const random = rng(seed);
  let text = '';
  for (let i = 0; text.length < size; i++) {
    text += `${i} level=${random() < 0.9 ? 'info' : 'warn'} value=${Math.floor(random() * 1e6)}\n`;
  }
  return new TextEncoder().encode(text.slice(0, size));
}

/** Bytes [start, end) of `ranges` (`bytes=a-b` or `bytes=-n`) of an object of `size` bytes. */
function rangeBytes(range: string, size: number): number {
  const m = /^bytes=(\d*)-(\d*)$/.exec(range);
  assert.ok(m, `unexpected range ${range}`);
  if (m[1] === '') return Math.min(size, Number(m[2]));
  const last = m[2] === '' ? size - 1 : Math.min(size - 1, Number(m[2]));
  return last - Number(m[1]) + 1;
}

describe('cozip sozip', () => {
  let dir: string;
  let server: RangeServer;
  // 6 MB of text, about 1.3 MB compressed: larger than a range step of cat (4 MiB) and
  // than the window the library reads local headers in (1 MiB), so HTTP reads are partial.
  const big = logText(1, 6_000_000);
  const noise = seededBytes(2, 100_000);
  const small = new TextEncoder().encode('a small file\n');
  let archive: string;

  before(async () => {
    assertBuilt();
    dir = tempDir('sozip');
    mkdirSync(join(dir, 'tree', 'sub'), { recursive: true });
    writeFileSync(join(dir, 'big.log'), big);
    writeFileSync(join(dir, 'tree', 'a.txt'), small);
    writeFileSync(join(dir, 'tree', 'empty.txt'), '');
    writeFileSync(join(dir, 'tree', 'sub', 'noise.bin'), noise);
    archive = join(dir, 'out.zip');
    // --min-size 0: noise.bin (100 kB) is SOZip too, below GDAL's 1 MiB default.
    await ok([
      'sozip',
      'create',
      archive,
      join(dir, 'big.log'),
      join(dir, 'tree'),
      '--min-size',
      '0',
      '-q',
    ]);
    server = await startRangeServer({ objects: { 'out.zip': archive } });
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('create: files by basename, directories under their own name; unzip -t and validate --deep pass', async (t) => {
    const out = join(dir, 'create.zip');
    const run = await ok([
      'sozip',
      'create',
      out,
      join(dir, 'big.log'),
      join(dir, 'tree'),
      '--mtime',
      MTIME,
      '--name-prefix',
      'logs',
      '--chunk-size',
      '16K',
      '--level',
      '9',
      '--threads',
      '2',
      '--min-size',
      '0',
    ]);
    assert.match(
      run.stdout,
      /^wrote .*create\.zip: 4 entries \(2 SOZip-optimized, chunk size 16,384\)/,
    );
    assert.equal(run.stderr, '', 'no progress bar when stderr is not a terminal');

    const v = json<Validation>(await ok(['sozip', 'validate', out, '--deep', '--json']));
    assert.equal(v.ok, true);
    assert.equal(v.deep, true);
    assert.equal(v.sozipMembers, 2);
    assert.equal(v.note, undefined);
    assert.deepEqual(
      v.members.map((m) => [m.name, m.sozip, m.chunkSize, m.chunks, m.verifiedChunks]),
      [
        ['logs/big.log', true, 16384, Math.ceil(big.length / 16384), Math.ceil(big.length / 16384)],
        ['logs/tree/a.txt', false, undefined, undefined, undefined],
        ['logs/tree/empty.txt', false, undefined, undefined, undefined],
        ['logs/tree/sub/noise.bin', true, 16384, 7, 7],
      ],
    );
    const text = await ok(['sozip', 'validate', out]);
    assert.match(
      text.stdout,
      new RegExp(
        `^logs/big\\.log: SOZip-optimized, chunk size 16384, ${Math.ceil(big.length / 16384)} chunks$`,
        'm',
      ),
    );
    assert.match(text.stdout, /^logs\/tree\/a\.txt: not SOZip-optimized \(deflate\)$/m);
    assert.match(text.stdout, /2 SOZip-optimized member\(s\); no problems found\.$/m);

    if (!requireTools(t, 'unzip')) return;
    const u = await unzipTest(out);
    assert.ok(u.ok, u.output);
    assert.doesNotMatch(u.output, /sozip\.idx/, 'hidden indexes are not members');
  });

  it('list --json: sizes, method, SOZip status and chunk size', async () => {
    const rows = json<ListRow[]>(await ok(['sozip', 'list', archive, '--json']));
    assert.deepEqual(
      rows.map((r) => [r.name, r.size, r.method, r.sozip, r.chunkSize]),
      [
        ['big.log', big.length, 'deflate', true, 32768],
        ['tree/a.txt', small.length, 'deflate', false, null],
        ['tree/empty.txt', 0, 'deflate', false, null],
        ['tree/sub/noise.bin', noise.length, 'deflate', true, 32768],
      ],
    );
    assert.ok(rows[0].compressedSize < big.length / 2, 'the log compresses');
    assert.ok(!Number.isNaN(Date.parse(rows[0].mtime)));
    const table = await ok(['sozip', 'list', archive]);
    assert.match(table.stdout, /^\s*Length\s+Compressed\s+Method\s+SOZip\s+Chunk size\s+Name$/m);
    assert.match(table.stdout, /^\s*6000000\s+\d+\s+deflate\s+yes\s+32768\s+big\.log$/m);
  });

  it('cat: a range, whole members (streamed when large), the end, a member without an index', async () => {
    const slice = await ok([
      'sozip',
      'cat',
      archive,
      'big.log',
      '--offset',
      '1000000',
      '--length',
      '70000',
    ]);
    assert.deepEqual(new Uint8Array(slice.bytes), big.subarray(1_000_000, 1_070_000));
    // Over 4 MiB: written in steps (streamRange), not read at once.
    const whole = await ok(['sozip', 'cat', archive, 'big.log']);
    assert.ok(Buffer.from(big).equals(whole.bytes), 'the whole member, byte for byte');
    const streamed = await ok([
      'sozip',
      'cat',
      archive,
      'big.log',
      '--offset',
      '123',
      '--length',
      '5000000',
    ]);
    assert.ok(Buffer.from(big.subarray(123, 5_000_123)).equals(streamed.bytes));
    const noisy = await ok(['sozip', 'cat', archive, 'tree/sub/noise.bin']);
    assert.deepEqual(new Uint8Array(noisy.bytes), noise);
    // Past the end the range stops at the end; exactly at the end it is empty.
    const tail = await ok([
      'sozip',
      'cat',
      archive,
      'big.log',
      '--offset',
      String(big.length - 10),
      '--length',
      '99',
    ]);
    assert.deepEqual(new Uint8Array(tail.bytes), big.subarray(big.length - 10));
    const none = await ok(['sozip', 'cat', archive, 'big.log', '--offset', String(big.length)]);
    assert.equal(none.bytes.length, 0);
    const plain = await ok([
      'sozip',
      'cat',
      archive,
      'tree/a.txt',
      '--offset',
      '2',
      '--length',
      '5',
    ]);
    assert.equal(plain.stdout, 'small');
  });

  it('over HTTP: cat, list and validate send range requests only and fetch a part', async () => {
    const size = readFileSync(archive).length;
    const url = server.url('out.zip');
    /** Runs a command and returns the requests it made, all of them checked to be ranges. */
    const requests = async (args: string[]) => {
      const before = server.requests.length;
      const run = await ok(args);
      const log = server.requests.slice(before);
      assert.ok(log.length > 0);
      for (const r of log) {
        assert.equal(r.name, 'out.zip');
        assert.equal(r.method, 'GET');
        assert.ok(r.range !== undefined, `${args[1]}: every request asks for a range`);
        assert.equal(r.status, 206);
      }
      const fetched = log.reduce((sum, r) => sum + rangeBytes(r.range!, size), 0);
      return { run, log, fetched };
    };

    const cat = await requests([
      'sozip',
      'cat',
      url,
      'big.log',
      '--offset',
      '4000000',
      '--length',
      '4096',
    ]);
    assert.deepEqual(new Uint8Array(cat.run.bytes), big.subarray(4_000_000, 4_004_096));
    // The tail (central directory), the local header and index, the chunks: no more.
    assert.ok(cat.log.length <= 4, `${cat.log.length} requests`);
    assert.ok(cat.fetched < size / 8, `cat fetched ${cat.fetched} of ${size} bytes`);

    const list = await requests(['sozip', 'list', url, '--json']);
    assert.deepEqual(
      json<ListRow[]>(list.run).map((r) => r.sozip),
      [true, false, false, true],
    );
    assert.ok(list.fetched < size / 2, `list fetched ${list.fetched} of ${size} bytes`);

    const validate = await requests(['sozip', 'validate', url, '--json']);
    const v = json<Validation>(validate.run);
    assert.equal(v.ok, true);
    assert.equal(v.sozipMembers, 2);
    assert.ok(validate.fetched < size / 2, `validate fetched ${validate.fetched} of ${size}`);
  });

  it('convert: a plain Deflate ZIP becomes SOZip; validate notes a ZIP without SOZip members', async () => {
    const plain = join(dir, 'plain.zip');
    const w = new ZipWriter(await createFileSink(plain), { mtime: new Date(MTIME) });
    await w.add('logs/big.log', big);
    await w.add('notes.txt', small);
    await w.add('stored.bin', noise, { method: 0 });
    await w.finish();

    const before = await ok(['sozip', 'validate', plain]);
    assert.match(before.stdout, /^logs\/big\.log: not SOZip-optimized \(deflate\)$/m);
    assert.match(
      before.stdout,
      /^note: .*plain\.zip is a valid ZIP without SOZip-optimized members/m,
    );
    const report = json<Validation>(await ok(['sozip', 'validate', plain, '--json']));
    assert.equal(report.sozipMembers, 0);
    assert.match(report.note ?? '', /without SOZip-optimized members/);

    const out = join(dir, 'converted.zip');
    const run = await ok(['sozip', 'convert', plain, out, '--chunk-size', '65536', '--level', '1']);
    assert.match(run.stdout, /3 entries, .*\(1 recompressed as SOZip, 0 SOZip kept, 2 copied\)/);
    const v = json<Validation>(await ok(['sozip', 'validate', out, '--deep', '--json']));
    assert.equal(v.ok, true);
    assert.deepEqual(
      v.members.map((m) => [m.name, m.sozip, m.chunkSize]),
      [
        ['logs/big.log', true, 65536],
        ['notes.txt', false, undefined],
        ['stored.bin', false, undefined],
      ],
    );
    const slice = await ok([
      'sozip',
      'cat',
      out,
      'logs/big.log',
      '--offset',
      '65000',
      '--length',
      '1000',
    ]);
    assert.deepEqual(new Uint8Array(slice.bytes), big.subarray(65_000, 66_000));
    const stored = await ok(['sozip', 'cat', out, 'stored.bin', '--offset', '99990']);
    assert.deepEqual(new Uint8Array(stored.bytes), noise.subarray(99_990));
  });

  it('cozip info and cozip validate report SOZip members of a plain ZIP', async () => {
    const foo = join(ROOT, '../shared/fixtures/sozip/foo.zip');
    // Its member is 3 bytes: looked at only when asked to look at every member.
    type Info = { sozip: { members: number; chunkSizes: number[]; checked: number } };
    const info = json<Info>(await ok(['info', foo, '--json', '--sozip-min-size', '0']));
    assert.deepEqual(info.sozip, { members: 1, chunkSizes: [2], checked: 1, minSize: 0 });
    const usual = json<Info>(await ok(['info', foo, '--json']));
    assert.deepEqual(usual.sozip, { members: 0, chunkSizes: [], checked: 0, minSize: 1024 * 1024 });
    assert.match(
      (await ok(['info', foo])).stdout,
      /^sozip\s+none among 0 deflated members of 1,048,576 bytes or more$/m,
    );
    const report = json<{ ok: boolean; sozipMembers: number }>(
      await ok(['validate', foo, '--json']),
    );
    assert.equal(report.ok, true);
    assert.equal(report.sozipMembers, 1);
  });

  it('info over HTTP reads local headers only of members from --sozip-min-size on', async () => {
    type Info = {
      sozip: { members: number; chunkSizes: number[]; checked: number; minSize: number };
      http: { requests: number; bytesFetched: number };
    };
    const usual = json<Info>(await ok(['info', server.url('out.zip'), '--json']));
    // big.log (6 MB) only: the small members' headers are not fetched.
    assert.deepEqual(usual.sozip, {
      members: 1,
      chunkSizes: [32768],
      checked: 1,
      minSize: 1 << 20,
    });
    const all = json<Info>(
      await ok(['info', server.url('out.zip'), '--json', '--sozip-min-size', '100K']),
    );
    // noise.bin (100,000 bytes) is below 100K = 102,400; 64K takes it in.
    assert.deepEqual(all.sozip.checked, 1);
    const more = json<Info>(
      await ok(['info', server.url('out.zip'), '--json', '--sozip-min-size', '64K']),
    );
    assert.deepEqual(more.sozip, { members: 2, chunkSizes: [32768], checked: 2, minSize: 65536 });
    assert.ok(usual.http.bytesFetched < more.http.bytesFetched, 'fewer members, fewer bytes');
    assert.ok(usual.http.bytesFetched < readFileSync(archive).length / 4, 'not the whole archive');
    const bad = await expectExit(['info', server.url('out.zip'), '--sozip-min-size', 'lots'], 2);
    assert.match(bad.stderr, /byte count/);
  });

  it('an invalid index: validate exits 1 with SOZIP_INVALID_INDEX; cat still reads', async () => {
    const bytes = readFileSync(archive);
    // The index's uncompressed-size field (header offset 16) no longer matches the member.
    const name = Buffer.from('.big.log.sozip.idx');
    const at = bytes.indexOf(name);
    assert.ok(at > 30);
    const header = at - 30;
    const data = at + name.length + bytes.readUInt16LE(header + 28);
    bytes[data + 16] ^= 0x01;
    const bad = join(dir, 'bad-index.zip');
    writeFileSync(bad, bytes);

    const text = await expectExit(['sozip', 'validate', bad], 1);
    assert.match(text.stdout, /^big\.log: has a SOZip index that is not valid$/m);
    assert.match(text.stdout, /^ {2}SOZIP_INVALID_INDEX: /m);
    const v = json<Validation>(await expectExit(['sozip', 'validate', bad, '--json'], 1));
    assert.equal(v.ok, false);
    assert.equal(v.members[0].indexFound, true);
    assert.equal(v.members[0].sozip, false);
    assert.equal(v.problems[0].code, 'SOZIP_INVALID_INDEX');
    const list = json<ListRow[]>(await ok(['sozip', 'list', bad, '--json']));
    assert.equal(list[0].sozip, false);
    // The member reads without its index (decoded from the start), with a warning.
    const slice = await ok(['sozip', 'cat', bad, 'big.log', '--offset', '5', '--length', '10']);
    assert.deepEqual(new Uint8Array(slice.bytes), big.subarray(5, 15));
    assert.match(slice.stderr, /^cozip: warning: /m);
    const quiet = await ok(['sozip', 'cat', bad, 'big.log', '--length', '1', '-q']);
    assert.equal(quiet.stderr, '');
  });

  it('errors: 1 with the code for bad input, 2 for bad usage; nothing written', async () => {
    const out = join(dir, 'never.zip');
    let run = await expectExit(['sozip', 'create', out, join(dir, 'nope.bin')], 1);
    assert.match(run.stderr, /^cozip: NOT_FOUND: .*nope\.bin does not exist$/m);
    assert.equal(run.stderr.trimEnd().split('\n').length, 1);
    run = await expectExit(['sozip', 'create', out, join(dir, 'big.log'), join(dir, 'big.log')], 1);
    assert.match(run.stderr, /^cozip: DUPLICATE_NAME: /);
    for (const command of ['validate', 'list']) {
      run = await expectExit(['sozip', command, join(dir, 'nope.zip')], 1);
      assert.match(run.stderr, /^cozip: NOT_FOUND: /);
    }
    run = await expectExit(['sozip', 'cat', archive, 'missing.txt'], 1);
    assert.match(run.stderr, /^cozip: NOT_FOUND: missing\.txt is not a file member/);
    run = await expectExit(
      ['sozip', 'cat', archive, 'big.log', '--offset', String(big.length + 1)],
      1,
    );
    assert.match(run.stderr, /^cozip: OUT_OF_RANGE: --offset 6000001 is past the end of big\.log/);
    assert.equal(run.stdout, '');

    // Usage errors are found before anything is read: run them side by side.
    const file = join(dir, 'big.log');
    const badChunk = await Promise.all(
      ['abc', '0', '-5', '5G', '1.5K', '4294967296'].map((bad) =>
        expectExit(['sozip', 'create', out, file, '--chunk-size', bad], 2),
      ),
    );
    for (const r of badChunk) assert.match(r.stderr, /^cozip: INVALID_ARGUMENT: .*--chunk-size/);
    await Promise.all(
      [
        ['sozip', 'create', out, file, '--level', '10'],
        ['sozip', 'create', out, file, '--threads', '0'],
        ['sozip', 'create', out, file, '--name-prefix', '../up'],
        ['sozip', 'create', out], // no FILE
        ['sozip', 'convert', archive, out, '--chunk-size', 'big'],
        ['sozip', 'cat', archive, 'big.log', '--offset', '-1'],
        ['sozip', 'cat', archive, 'big.log', '--length', 'all'],
        ['sozip', 'validate', archive, '--bogus'],
      ].map((args) => expectExit(args, 2)),
    );
    run = await expectExit(['sozip'], 2);
    assert.match(run.stderr, /Usage: cozip sozip/);
    run = await expectExit(['sozip', 'frobnicate'], 2);
    assert.match(run.stderr, /^cozip: INVALID_ARGUMENT: unknown command 'frobnicate'/);

    run = await cozip(['sozip', 'list', out]);
    assert.equal(run.code, 1, 'nothing was written');
    assert.match(run.stderr, /NOT_FOUND/);
  });

  it('a chunk size below 4096 works, with a warning on stderr (none with --quiet)', async () => {
    const out = join(dir, 'tiny-chunks.zip');
    const run = await ok([
      'sozip',
      'create',
      out,
      join(dir, 'tree'),
      '--chunk-size',
      '1K',
      '--min-size',
      '0',
    ]);
    assert.match(run.stderr, /^cozip: warning: SOZip chunk size 1024 is below 4096/m);
    const again = [
      'sozip',
      'create',
      out,
      join(dir, 'tree'),
      '--chunk-size',
      '1K',
      '--min-size',
      '0',
      '--force',
      '-q',
    ];
    const quiet = await ok(again);
    assert.equal(quiet.stderr + quiet.stdout, '');
    const v = json<Validation>(await ok(['sozip', 'validate', out, '--deep', '--json']));
    assert.equal(v.ok, true);
    assert.equal(v.members.find((m) => m.name === 'tree/sub/noise.bin')?.chunks, 98);
  });
});
