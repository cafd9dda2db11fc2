// Reading commands on local files: ls, cat, get, extract, info, validate,
// convert, on a cozip and on a plain ZIP; plus help and version.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bufferSink, ZipWriter } from '../../src/index.js';
import { seededBytes } from '../helpers/random.js';
import { assertBuilt, cozip, expectExit, json, ok, ROOT, tempDir } from './run.js';

type Row = Record<string, unknown>;

describe('cozip reading commands', () => {
  let dir: string;
  let ds: string;
  let plain: string;
  const files = Array.from({ length: 30 }, (_, i) => ({
    name: `samples/${String(i).padStart(2, '0')}.bin`,
    bytes: seededBytes(i + 1, 100 + i * 37),
    split: ['train', 'val', 'test'][i % 3],
    label: i % 7,
  }));
  const hello = new TextEncoder().encode('hello, plain zip\n');

  before(async () => {
    assertBuilt();
    dir = tempDir('read');
    mkdirSync(join(dir, 'src'));
    const lines = ['path,name,split,label'];
    for (const f of files) {
      const file = join('src', f.name.replace('/', '_'));
      writeFileSync(join(dir, file), f.bytes);
      lines.push(`${file},${f.name},${f.split},${f.label}`);
    }
    writeFileSync(join(dir, 'manifest.csv'), `${lines.join('\n')}\n`);
    ds = join(dir, 'ds.zip');
    await ok(['create', ds, '--from', join(dir, 'manifest.csv'), '-q']);

    const sink = bufferSink();
    const writer = new ZipWriter(sink, { mtime: new Date('2024-05-01T00:00:00Z') });
    await writer.add('docs/hello.txt', hello);
    await writer.addDirectory('empty/');
    await writer.add('data/blob.bin', seededBytes(99, 50_000), { method: 0 });
    await writer.finish();
    plain = join(dir, 'plain.zip');
    writeFileSync(plain, sink.bytes());
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('ls: aligned table by default, --where, --columns, --limit, --csv', async () => {
    const table = await ok(['ls', ds]);
    const lines = table.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 31);
    assert.match(lines[0], /^name\s+offset\s+size\s+split\s+label$/);
    // Aligned: every row's split value starts under the header's "split".
    const at = lines[0].indexOf('split');
    assert.ok(lines.slice(1).every((l) => /^(train|val|test) /.test(l.slice(at))));

    const hits = json<Row[]>(
      await ok([
        'ls',
        ds,
        '--where',
        'split = val and label >= 3',
        '--columns',
        'name,label',
        '--json',
      ]),
    );
    const expected = files.filter((f) => f.split === 'val' && f.label >= 3);
    assert.deepEqual(
      hits,
      expected.map((f) => ({ name: f.name, label: f.label })),
    );

    const limited = json<Row[]>(
      await ok(['ls', ds, '--limit', '3', '--columns', 'name', '--json']),
    );
    assert.deepEqual(limited, [
      { name: 'samples/00.bin' },
      { name: 'samples/01.bin' },
      { name: 'samples/02.bin' },
    ]);
    const limitedWhere = json<Row[]>(
      await ok(['ls', ds, '--where', "split in (val, 'test')", '--limit', '2', '--json']),
    );
    assert.deepEqual(
      limitedWhere.map((r) => r.name),
      ['samples/01.bin', 'samples/02.bin'],
    );

    const csv = await ok(['ls', ds, '--csv', '--columns', 'name,size', '--limit', '2']);
    assert.equal(csv.stdout, `name,size\r\nsamples/00.bin,100\r\nsamples/01.bin,137\r\n`);
  });

  it('ls of a plain ZIP lists its entries', async () => {
    const rows = json<Row[]>(await ok(['ls', plain, '--json']));
    assert.deepEqual(
      rows.map((r) => [r.name, r.size, r.method]),
      [
        ['docs/hello.txt', hello.length, 'deflate'],
        ['empty/', 0, 'store'],
        ['data/blob.bin', 50_000, 'store'],
      ],
    );
    assert.equal(rows[0].mtime, '2024-05-01T00:00:00.000Z');
    const run = await expectExit(['ls', plain, '--where', 'size > 1'], 2);
    assert.match(run.stderr, /plain ZIP/);
  });

  it('cat writes the exact bytes, from a cozip and from a plain ZIP', async () => {
    const run = await ok(['cat', ds, 'samples/17.bin']);
    assert.deepEqual(new Uint8Array(run.bytes), files[17].bytes);
    const md = await ok(['cat', ds, '__metadata__']);
    assert.equal(md.bytes.subarray(0, 4).toString(), 'PAR1', 'priority files are readable');
    assert.deepEqual(new Uint8Array((await ok(['cat', plain, 'docs/hello.txt'])).bytes), hello);
    const missing = await expectExit(['cat', ds, 'samples/nope.bin'], 1);
    assert.match(missing.stderr, /^cozip: NOT_FOUND: /);
    assert.equal(missing.stdout, '');
  });

  it('get writes the named members under -o', async () => {
    const out = join(dir, 'got');
    await ok(['get', ds, 'samples/03.bin', 'samples/04.bin', '-o', out]);
    assert.deepEqual(new Uint8Array(readFileSync(join(out, 'samples/03.bin'))), files[3].bytes);
    assert.deepEqual(new Uint8Array(readFileSync(join(out, 'samples/04.bin'))), files[4].bytes);
    const run = await expectExit(['get', ds, 'samples/05.bin', 'nope', '-o', out], 1);
    assert.match(run.stderr, /NOT_FOUND: .*nope/);
    assert.ok(!existsSync(join(out, 'samples/05.bin')), 'nothing written when a name is missing');
    await expectExit(['get', ds, 'samples/05.bin'], 2); // -o is required
  });

  it('extract: a whole cozip, a --where selection, --overwrite, and a plain ZIP', async () => {
    const all = join(dir, 'all');
    const run = await ok(['extract', ds, '-o', all]);
    assert.match(run.stdout, /extracted 30 file\(s\)/);
    for (const f of files)
      assert.deepEqual(new Uint8Array(readFileSync(join(all, f.name))), f.bytes);
    assert.ok(!existsSync(join(all, '__metadata__')) && !existsSync(join(all, '__cozip__')));

    const again = await expectExit(['extract', ds, '-o', all], 1);
    assert.match(again.stderr, /already exists/);
    await ok(['extract', ds, '-o', all, '--overwrite', '-q']);

    const some = join(dir, 'some');
    await ok(['extract', ds, '-o', some, '--where', 'label = 6']);
    const sixes = files.filter((f) => f.label === 6);
    for (const f of files) assert.equal(existsSync(join(some, f.name)), sixes.includes(f));

    const flat = join(dir, 'plain-out');
    await ok(['extract', plain, '-o', flat]);
    assert.deepEqual(new Uint8Array(readFileSync(join(flat, 'docs/hello.txt'))), hello);
    assert.ok(existsSync(join(flat, 'empty')));
  });

  it('info: cozip and plain ZIP, human and --json', async () => {
    const info = json<
      Row & { cozip: Row; manifest: { rows: number; columns: Array<{ name: string }> } }
    >(await ok(['info', ds, '--json']));
    assert.equal(info.format, 'cozip');
    assert.equal(info.cozip.profile, 'flat');
    assert.equal(info.cozip.hashVerified, true);
    assert.equal(info.size, readFileSync(ds).length);
    // __cozip__, 30 members, __metadata__, and padding up to the minimum size.
    assert.equal(info.entries, 33);
    assert.equal(info.zip64, false);
    assert.equal(info.manifest.rows, 30);
    assert.deepEqual(
      info.manifest.columns.map((c) => c.name),
      ['name', 'offset', 'size', 'split', 'label'],
    );
    assert.equal(info.http, undefined, 'no HTTP counters for a local file');
    const human = await ok(['info', ds]);
    assert.match(human.stdout, /format\s+cozip 1, profile flat/);
    assert.match(human.stdout, /hash\s+verified/);

    const zipInfo = json<Row>(await ok(['info', plain, '--json']));
    assert.deepEqual(zipInfo, {
      source: plain,
      format: 'zip',
      size: readFileSync(plain).length,
      entries: 3,
      zip64: false,
      sozip: { members: 0, chunkSizes: [], checked: 0, minSize: 1024 * 1024 },
    });
  });

  it('validate: ok for good archives, exit 1 with CODE: message for bad ones', async () => {
    const good = await ok(['validate', ds, '--content']);
    assert.match(good.stdout, /^ok: .*cozip \(profile flat\)/m);
    const report = json<{ ok: boolean; format: string; problems: unknown[] }>(
      await ok(['validate', plain, '--json']),
    );
    assert.deepEqual([report.ok, report.format, report.problems], [true, 'zip', []]);

    // A plain ZIP with a damaged member: the CRC check catches it.
    const bytes = readFileSync(plain);
    const at = bytes.indexOf(Buffer.from(seededBytes(99, 50_000).subarray(0, 64)));
    bytes[at + 1000] ^= 0xff;
    const broken = join(dir, 'broken.zip');
    writeFileSync(broken, bytes);
    const bad = await expectExit(['validate', broken], 1);
    assert.match(bad.stdout, /^CRC_MISMATCH: .*data\/blob\.bin/m);
    assert.match(bad.stdout, /^FAILED: /m);
    const badJson = json<{ ok: boolean; problems: Array<{ code: string }> }>(
      await expectExit(['validate', broken, '--json'], 1),
    );
    assert.equal(badJson.ok, false);
    assert.equal(badJson.problems[0].code, 'CRC_MISMATCH');
  });

  it('convert: any ZIP to a Flat cozip', async () => {
    const out = join(dir, 'converted.zip');
    const run = await ok(['convert', plain, out, '--mtime', '2024-01-01T00:00:00Z']);
    assert.match(run.stdout, /wrote .*converted\.zip: 2 entries/);
    const rows = json<Row[]>(
      await ok(['ls', out, '--json', '--columns', 'name,size,source_method']),
    );
    // Manifest rows in name order; the members keep the source's order.
    assert.deepEqual(rows, [
      { name: 'data/blob.bin', size: 50_000, source_method: 'store' },
      { name: 'docs/hello.txt', size: hello.length, source_method: 'deflate' },
    ]);
    await ok(['validate', out, '--content']);
  });

  it('--help for every command shows an example; --version prints the version', async () => {
    for (const command of [
      'create',
      'ls',
      'cat',
      'get',
      'extract',
      'info',
      'validate',
      'convert',
    ]) {
      const run = await ok([command, '--help']);
      assert.match(run.stdout, /Examples?:\n {2}\$ cozip /, `${command} --help`);
    }
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    assert.equal((await ok(['--version'])).stdout.trim(), pkg.version);
    assert.match((await ok(['--help'])).stdout, /Exit status: 0 ok, 1 failure, 2 usage error/);
  });

  it('runs from any directory (relative paths)', async () => {
    const run = await cozip(['ls', 'ds.zip', '--limit', '1', '--columns', 'name'], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /samples\/00\.bin/);
  });
});
