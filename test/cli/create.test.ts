// cozip create from a directory and from CSV, JSON and Parquet tables.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { requireDuckDB, withConnection } from '../helpers/duckdb.js';
import { seededBytes } from '../helpers/random.js';
import { assertBuilt, cozip, expectExit, json, ok, tempDir } from './run.js';

type Row = Record<string, unknown>;

describe('cozip create', () => {
  let dir: string;
  const big = seededBytes(2, 300_000);

  before(() => {
    assertBuilt();
    dir = tempDir('create');
    const data = join(dir, 'data');
    mkdirSync(join(data, 'img'), { recursive: true });
    mkdirSync(join(data, 'z', 'deep'), { recursive: true });
    writeFileSync(join(data, 'a.txt'), 'hello\n');
    writeFileSync(join(data, 'img', '0.bin'), seededBytes(1, 3000));
    writeFileSync(join(data, 'img', '1.bin'), big);
    writeFileSync(join(data, 'z', 'deep', 'c.json'), '{"x":1}');
    writeFileSync(join(data, 'empty.txt'), '');
    symlinkSync('a.txt', join(data, 'link.txt'));
    mkdirSync(join(dir, 'tables'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('packs a directory: sorted relative names, extension and mtime, no symlinks or empty files', async () => {
    const out = join(dir, 'dir.zip');
    const run = await ok(['create', out, join(dir, 'data'), '--mtime', '2024-01-01T00:00:00Z']);
    assert.match(run.stdout, /wrote .*dir\.zip: 4 entries/);
    assert.match(run.stderr, /skipping 1 empty file\(s\).*empty\.txt/);
    const rows = json<Row[]>(await ok(['ls', out, '--json']));
    assert.deepEqual(
      rows.map((r) => r.name),
      ['a.txt', 'img/0.bin', 'img/1.bin', 'z/deep/c.json'],
    );
    assert.deepEqual(
      rows.map((r) => r.extension),
      ['txt', 'bin', 'bin', 'json'],
    );
    assert.deepEqual(
      rows.map((r) => r.size),
      [6, 3000, 300_000, 7],
    );
    for (const r of rows)
      assert.ok(!Number.isNaN(Date.parse(r.mtime as string)), 'mtime is a date');
    const cat = await ok(['cat', out, 'img/1.bin']);
    assert.deepEqual(new Uint8Array(cat.bytes), big);
  });

  it('is reproducible with --mtime and never packs its own output', async () => {
    const out = join(dir, 'data', 'self.zip');
    await ok(['create', out, join(dir, 'data'), '--mtime', '2024-01-01T00:00:00Z', '-q']);
    const first = readFileSync(out);
    // Second run: self.zip now exists inside the directory being packed.
    const run = await ok([
      'create',
      out,
      join(dir, 'data'),
      '--mtime',
      '2024-01-01T00:00:00Z',
      '--force',
      '-q',
    ]);
    assert.equal(run.stdout, '', '--quiet prints nothing');
    assert.equal(run.stderr, '', 'no progress bar when stderr is not a terminal');
    assert.deepEqual(readFileSync(out), first);
    rmSync(out);
  });

  it('from CSV: quotes, escaped quotes, CRLF, numeric columns, nulls, --meta', async () => {
    const csv = [
      'path,name,split,label,score,note',
      '../data/a.txt,docs/a.txt,train,1,0.5,"hello, world"',
      '../data/img/0.bin,img/0.bin,val,2,,"say ""hi"""',
      '"../data/img/1.bin",img/1.bin,val,10,1.5,"two',
      'lines"',
      '',
    ].join('\r\n');
    writeFileSync(join(dir, 'tables', 'm.csv'), csv);
    const out = join(dir, 'csv.zip');
    await ok(['create', out, '--from', join(dir, 'tables', 'm.csv'), '--meta', 'source=test']);
    const rows = json<Row[]>(await ok(['ls', out, '--json']));
    assert.deepEqual(
      rows.map((r) => [r.name, r.split, r.label, r.score, r.note, r.source]),
      [
        ['docs/a.txt', 'train', 1, 0.5, 'hello, world', 'test'],
        ['img/0.bin', 'val', 2, null, 'say "hi"', 'test'],
        ['img/1.bin', 'val', 10, 1.5, 'two\r\nlines', 'test'],
      ],
    );
    // label is numeric: 10 > 5 (as strings "10" < "5").
    const hits = json<Row[]>(
      await ok(['ls', out, '--json', '--where', 'split = val and label > 5']),
    );
    assert.deepEqual(
      hits.map((r) => r.name),
      ['img/1.bin'],
    );
  });

  it('from JSON (an array, renamed columns) and JSON lines', async () => {
    const table = join(dir, 'tables', 'm.json');
    writeFileSync(
      table,
      JSON.stringify([
        { file: 'one.txt', src: '../data/a.txt', tags: { a: 1 }, ok: true },
        { file: 'two.bin', src: join(dir, 'data', 'img', '0.bin'), tags: null, ok: false },
      ]),
    );
    const out = join(dir, 'json.zip');
    await ok(['create', out, '--from', table, '--name-col', 'file', '--path-col', 'src']);
    const rows = json<Row[]>(await ok(['ls', out, '--json', '--columns', 'name,ok,size']));
    assert.deepEqual(rows, [
      { name: 'one.txt', ok: true, size: 6 },
      { name: 'two.bin', ok: false, size: 3000 },
    ]);

    const lines = join(dir, 'tables', 'm.jsonl');
    writeFileSync(
      lines,
      '{"name":"x.txt","path":"../data/a.txt","n":1}\n\n{"name":"y.txt","path":"../data/z/deep/c.json","n":2}\n',
    );
    await ok(['create', join(dir, 'jsonl.zip'), '--from', lines]);
    const cat = await ok(['cat', join(dir, 'jsonl.zip'), 'y.txt']);
    assert.equal(cat.stdout, '{"x":1}');
  });

  it('from JSON whose keys carry a byte order mark: the mark is dropped, a clash refused', async () => {
    const marked = join(dir, 'tables', 'bom.json');
    writeFileSync(
      marked,
      JSON.stringify([{ '\uFEFFname': 'one.txt', path: '../data/a.txt', '\uFEFFlabel': 'x' }]),
    );
    const out = join(dir, 'bom.zip');
    await ok(['create', out, '--from', marked]);
    assert.deepEqual(json<Row[]>(await ok(['ls', out, '--json', '--columns', 'name,label'])), [
      { name: 'one.txt', label: 'x' },
    ]);
    const clash = join(dir, 'tables', 'bom-clash.json');
    writeFileSync(
      clash,
      JSON.stringify([{ name: 'one.txt', path: '../data/a.txt', '\uFEFFk': 'x', k: 'y' }]),
    );
    const refused = await expectExit(['create', join(dir, 'bom-clash.zip'), '--from', clash], 1);
    assert.match(refused.stderr, /^cozip: INVALID_INPUT: .*"k"/);
  });

  it('from Parquet', async () => {
    const table = join(dir, 'tables', 'm.parquet');
    const bytes = parquetWriteBuffer({
      columnData: [
        { name: 'name', data: ['p/a.txt', 'p/1.bin'] },
        { name: 'path', data: ['../data/a.txt', '../data/img/1.bin'] },
        { name: 'label', data: [3, 4], type: 'INT32' },
      ],
    });
    writeFileSync(table, new Uint8Array(bytes));
    const out = join(dir, 'pq.zip');
    await ok(['create', out, '--from', table]);
    const rows = json<Row[]>(await ok(['ls', out, '--json', '--columns', 'name,label']));
    // The CLI writes the manifest in name order (one page per lookup).
    assert.deepEqual(rows, [
      { name: 'p/1.bin', label: 4 },
      { name: 'p/a.txt', label: 3 },
    ]);
  });

  it('from Parquet tables DuckDB wrote with each page codec (snappy, gzip, zstd)', async (t) => {
    const duckdb = await requireDuckDB(t);
    if (!duckdb) return;
    for (const codec of ['snappy', 'gzip', 'zstd', 'uncompressed']) {
      const table = join(dir, 'tables', `duck-${codec}.parquet`);
      await withConnection(duckdb, (c) =>
        c.run(
          `COPY (SELECT * FROM (VALUES ('d/a.txt', '../data/a.txt', 7), ('d/1.bin', '../data/img/1.bin', 8)) v(name, path, label)) ` +
            `TO '${table}' (FORMAT parquet, COMPRESSION ${codec})`,
        ),
      );
      const out = join(dir, `duck-${codec}.zip`);
      await ok(['create', out, '--from', table, '-q']);
      const rows = json<Row[]>(await ok(['ls', out, '--json', '--columns', 'name,label']));
      assert.deepEqual(
        rows,
        [
          { name: 'd/1.bin', label: 8 },
          { name: 'd/a.txt', label: 7 },
        ],
        codec,
      );
    }
  });

  it('profile none with --priority', async () => {
    const out = join(dir, 'none.zip');
    await ok(['create', out, join(dir, 'data'), '--profile', 'none', '--priority', 'a.txt', '-q']);
    const info = json<{ cozip: { profile: string; priority: Array<{ name: string }> } }>(
      await ok(['info', out, '--json']),
    );
    assert.equal(info.cozip.profile, 'none');
    assert.deepEqual(
      info.cozip.priority.map((p) => p.name),
      ['a.txt'],
    );
    // No manifest: ls lists the ZIP entries.
    const rows = json<Row[]>(await ok(['ls', out, '--json', '--columns', 'name']));
    assert.ok(rows.some((r) => r.name === 'img/1.bin'));
  });

  it('refuses bad input with exit 1 and bad usage with exit 2', async () => {
    writeFileSync(join(dir, 'tables', 'bad.csv'), 'path,name\n"unterminated,x\n');
    let run = await expectExit(
      ['create', join(dir, 'bad.zip'), '--from', join(dir, 'tables', 'bad.csv')],
      1,
    );
    assert.match(run.stderr, /^cozip: INVALID_INPUT: .*unterminated/m);
    writeFileSync(join(dir, 'tables', 'missing.csv'), 'path,name\n../nope.bin,n\n');
    run = await expectExit(
      ['create', join(dir, 'bad.zip'), '--from', join(dir, 'tables', 'missing.csv')],
      1,
    );
    assert.match(run.stderr, /^cozip: INVALID_INPUT: .*nope\.bin does not exist/m);
    writeFileSync(join(dir, 'tables', 'noname.csv'), 'path\n../data/a.txt\n');
    run = await expectExit(
      ['create', join(dir, 'bad.zip'), '--from', join(dir, 'tables', 'noname.csv')],
      1,
    );
    assert.match(run.stderr, /--name-col/);

    run = await expectExit(['create', join(dir, 'bad.zip')], 2);
    assert.match(run.stderr, /^cozip: INVALID_ARGUMENT: give either a directory or --from/m);
    await expectExit(['create', join(dir, 'bad.zip'), join(dir, 'data'), '--profile', 'zip'], 2);
    await expectExit(
      ['create', join(dir, 'bad.zip'), join(dir, 'data'), '--mtime', 'yesterday'],
      2,
    );
    await expectExit(['create', join(dir, 'bad.zip'), join(dir, 'data'), '--meta', 'novalue'], 2);
    await expectExit(
      ['create', join(dir, 'bad.zip'), join(dir, 'data'), '--meta', 'extension=x'],
      2,
    );
    run = await cozip(['ls', join(dir, 'bad.zip')]);
    assert.equal(run.code, 1, 'nothing was written');
    assert.match(run.stderr, /NOT_FOUND/);
  });
});
