// cozip create --from a table: column types as a user of DuckDB or pandas
// expects them in the manifest (CSV inferred per column, Parquet and JSON as
// stored, --types to say otherwise), TSV and other separators, and one clear
// error for a name or path column the table lacks.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { parquetColumnTypes, requireDuckDB, withConnection } from '../helpers/duckdb.js';
import { requireTools } from '../helpers/tools.js';
import { assertBuilt, expectExit, json, ok, tempDir } from './run.js';

type Row = Record<string, unknown>;

describe('cozip create --from: column types', () => {
  let dir: string;

  before(() => {
    assertBuilt();
    dir = tempDir('create-types');
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data', 'a.txt'), 'alpha\n');
    writeFileSync(join(dir, 'data', 'b.txt'), 'beta\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** The manifest's column types as DuckDB reads them (the Parquet member taken out with unzip). */
  async function manifestTypes(t: TestContext, archive: string) {
    const duckdb = await requireDuckDB(t);
    if (!duckdb || !requireTools(t, 'unzip')) return undefined;
    const file = `${archive}.parquet`;
    writeFileSync(file, execFileSync('unzip', ['-p', archive, '__metadata__']));
    return withConnection(duckdb, (c) => parquetColumnTypes(c, file));
  }

  const table =
    'name,path,ok,count,score,day,at,code,big\n' +
    'a.txt,data/a.txt,true,1,0.5,2024-05-01,2024-05-01T10:00:00Z,007,9007199254740993\n' +
    'b.txt,data/b.txt,FALSE,-3,2,2024-05-02,2024-05-01 12:00:00+02:00,010,\n';

  it('CSV: booleans, integers, floats, dates and timestamps are typed; codes stay text', async (t) => {
    const csv = join(dir, 'typed.csv');
    writeFileSync(csv, table);
    const out = join(dir, 'typed.zip');
    await ok(['create', out, '--from', csv, '-q']);
    const rows = json<Row[]>(await ok(['ls', out, '--json', '--no-location']));
    assert.deepEqual(
      rows.map(({ offset, size, ...r }) => r),
      [
        {
          name: 'a.txt',
          ok: true,
          count: 1,
          score: 0.5,
          day: '2024-05-01T00:00:00.000Z',
          at: '2024-05-01T10:00:00.000Z',
          code: '007',
          big: '9007199254740993',
        },
        {
          name: 'b.txt',
          ok: false,
          count: -3,
          score: 2,
          day: '2024-05-02T00:00:00.000Z',
          at: '2024-05-01T10:00:00.000Z',
          code: '010',
          big: null,
        },
      ],
    );
    const types = await manifestTypes(t, out);
    if (!types) return;
    assert.deepEqual(types, {
      name: 'VARCHAR',
      offset: 'UBIGINT',
      size: 'UBIGINT',
      ok: 'BOOLEAN',
      count: 'BIGINT',
      score: 'DOUBLE',
      day: 'DATE',
      at: 'TIMESTAMP WITH TIME ZONE',
      code: 'VARCHAR',
      big: 'BIGINT',
    });
  });

  it('--types overrides the inference, and a value that is not one is refused with its row', async (t) => {
    const csv = join(dir, 'override.csv');
    writeFileSync(csv, table);
    const out = join(dir, 'override.zip');
    await ok([
      'create',
      out,
      '--from',
      csv,
      '-q',
      '--types',
      'count=string,day=timestamp',
      '--types',
      'code=int',
    ]);
    const types = await manifestTypes(t, out);
    if (types) {
      assert.equal(types.count, 'VARCHAR');
      assert.equal(types.day, 'TIMESTAMP WITH TIME ZONE');
      assert.equal(types.code, 'BIGINT');
    }
    const refused = await expectExit(
      ['create', join(dir, 'refused.zip'), '--from', csv, '--types', 'score=bool'],
      1,
    );
    assert.equal(
      refused.stderr.trim(),
      `cozip: INVALID_INPUT: ${csv} row 1: column score: "0.5" is not a bool (--types score=bool)`,
    );
    await expectExit(
      ['create', join(dir, 'refused.zip'), '--from', csv, '--types', 'score=money'],
      2,
    );
    await expectExit(['create', join(dir, 'refused.zip'), '--from', csv, '--types', 'name=int'], 2);
  });

  it('TSV by its extension, other separators with --delimiter', async () => {
    const tsv = join(dir, 'list.tsv');
    writeFileSync(tsv, 'name\tpath\tnote\na.txt\tdata/a.txt\tone, two\n');
    const out = join(dir, 'tsv.zip');
    await ok(['create', out, '--from', tsv, '-q']);
    assert.deepEqual(json<Row[]>(await ok(['ls', out, '--json', '--columns', 'name,note'])), [
      { name: 'a.txt', note: 'one, two' },
    ]);
    const semi = join(dir, 'semi.csv');
    writeFileSync(semi, 'name;path;n\nb.txt;data/b.txt;4\n');
    const out2 = join(dir, 'semi.zip');
    await ok(['create', out2, '--from', semi, '--delimiter', ';', '-q']);
    assert.deepEqual(json<Row[]>(await ok(['ls', out2, '--json', '--columns', 'name,n'])), [
      { name: 'b.txt', n: 4 },
    ]);
    await ok(['create', join(dir, 'tab.zip'), '--from', tsv, '--delimiter', 'tab', '-q']);
    await expectExit(['create', join(dir, 'x.zip'), '--from', semi, '--delimiter', ';;'], 2);
  });

  it('Parquet: a DATE column stays a DATE (and a timestamp a timestamp)', async (t) => {
    const duckdb = await requireDuckDB(t);
    if (!duckdb) return;
    const pq = join(dir, 'dates.parquet');
    await withConnection(duckdb, (c) =>
      c.run(
        `COPY (SELECT * FROM (VALUES ('a.txt', 'data/a.txt', CAST('2024-05-01' AS DATE), CAST('2024-05-01 10:00:00+00' AS TIMESTAMPTZ))) v(name, path, day, "at")) TO '${pq}' (FORMAT parquet)`,
      ),
    );
    const out = join(dir, 'dates.zip');
    await ok(['create', out, '--from', pq, '-q']);
    const types = await manifestTypes(t, out);
    if (!types) return;
    assert.equal(types.day, 'DATE');
    assert.equal(types.at, 'TIMESTAMP WITH TIME ZONE');
  });

  it('rows are told by table and 1-based data row, also after the manifest is sorted by name', async () => {
    // b.txt comes first in the table, second in the (name-ordered) manifest.
    const json = join(dir, 'mixed.json');
    writeFileSync(
      json,
      JSON.stringify([
        { name: 'b.txt', path: 'data/b.txt', label: 1 },
        { name: 'a.txt', path: 'data/a.txt', label: 'x' },
      ]),
    );
    let run = await expectExit(['create', join(dir, 'mixed.zip'), '--from', json], 1);
    assert.equal(
      run.stderr,
      `cozip: INVALID_INPUT: ${json} row 1: column label: int value in a string column\n`,
    );
    const notObject = join(dir, 'not-object.json');
    writeFileSync(notObject, JSON.stringify([{ name: 'a.txt', path: 'data/a.txt' }, 5]));
    run = await expectExit(['create', join(dir, 'mixed.zip'), '--from', notObject], 1);
    assert.equal(run.stderr, `cozip: INVALID_INPUT: ${notObject} row 2: not an object\n`);
  });

  it('a name or path column the table lacks: one error listing the columns it has', async () => {
    const csv = join(dir, 'cols.csv');
    writeFileSync(csv, 'file,path\na.txt,data/a.txt\nb.txt,data/b.txt\n');
    const run = await expectExit(['create', join(dir, 'cols.zip'), '--from', csv], 1);
    assert.equal(
      run.stderr.trim(),
      `cozip: INVALID_INPUT: ${csv} has no column "name" (--name-col); its columns: "file", "path"`,
    );
    await ok(['create', join(dir, 'cols.zip'), '--from', csv, '--name-col', 'file', '-q']);
    const wrong = await expectExit(
      ['create', join(dir, 'cols2.zip'), '--from', csv, '--name-col', 'file', '--path-col', 'src'],
      1,
    );
    assert.match(wrong.stderr, /has no column "src" \(--path-col\); its columns: "file", "path"/);
  });
});
