// Typing a table's columns for `cozip create --from`: CSV columns by what
// every value reads as, --types for any table, and the errors that name the
// row, the column and the flag.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyTypes, parseTypes, typeCsvColumns } from '../../src/cli/column-types.js';
import { parseCsv } from '../../src/cli/csv.js';
import { isCozipError } from '../../src/index.js';

const typed = (text: string, types: Record<string, string> = {}, keep = ['name']) => {
  const { header, rows } = parseCsv(text, 't.csv');
  const declared = parseTypes(Object.entries(types).map(([c, t]) => `${c}=${t}`));
  return typeCsvColumns(header, rows, new Set(keep), declared, 't.csv');
};

describe('CSV column types', () => {
  it('infers numbers, keeps codes and inexact integers as text, empty is null', () => {
    const { records } = typed(
      'name,n,x,code,mixed,big,huge\nA,1,0.5,007,1,9007199254740993,123456789012345678901234\nB,-2,,010,two,1,1\nC,3e2,1.25,1,3,2,2\n',
    );
    assert.deepEqual(records, [
      {
        name: 'A',
        n: 1,
        x: 0.5,
        code: '007',
        mixed: '1',
        big: 9007199254740993n,
        huge: '123456789012345678901234',
      },
      { name: 'B', n: -2, x: null, code: '010', mixed: 'two', big: 1, huge: '1' },
      { name: 'C', n: 300, x: 1.25, code: '1', mixed: '3', big: 2, huge: '2' },
    ]);
    // Columns kept as text (name, path) never change.
    assert.deepEqual(typed('name\n1\n2\n').records, [{ name: '1' }, { name: '2' }]);
  });

  it('infers booleans, dates and timestamps (UTC when no offset is given)', () => {
    const { records, dateColumns } = typed(
      'name,ok,day,at,mixed\n' +
        'a,true,2024-02-29,2024-05-01T12:30:00Z,2024-01-01\n' +
        'b,FALSE,1999-12-31,2024-05-01 12:30:00.25+02:00,2024-01-02T03:04:05\n' +
        'c,,,2024-05-01T12:30,\n',
    );
    assert.deepEqual(records, [
      {
        name: 'a',
        ok: true,
        day: new Date('2024-02-29T00:00:00Z'),
        at: new Date('2024-05-01T12:30:00Z'),
        mixed: new Date('2024-01-01T00:00:00Z'),
      },
      {
        name: 'b',
        ok: false,
        day: new Date('1999-12-31T00:00:00Z'),
        at: new Date('2024-05-01T10:30:00.250Z'),
        mixed: new Date('2024-01-02T03:04:05Z'),
      },
      { name: 'c', ok: null, day: null, at: new Date('2024-05-01T12:30:00Z'), mixed: null },
    ]);
    // Only the all-day column is a date column (written as Parquet DATE).
    assert.deepEqual(dateColumns, ['day']);
  });

  it('leaves a column as text when one value does not read (a day that does not exist, "yes")', () => {
    const { records } = typed(
      'name,d,b,t\na,2023-02-29,true,2024-05-01T24:00:00Z\nb,2023-03-01,yes,2024-05-01T00:00:00Z\n',
    );
    assert.deepEqual(records[0], {
      name: 'a',
      d: '2023-02-29',
      b: 'true',
      t: '2024-05-01T24:00:00Z',
    });
  });

  it('--types forces a type and names the row, column and flag of a value that is not one', () => {
    const { records, dateColumns } = typed('name,n,flag,when\na,007,1,2024-01-01\nb,8,0,\n', {
      n: 'string',
      when: 'timestamp',
    });
    assert.deepEqual(records[0], {
      name: 'a',
      n: '007',
      flag: 1,
      when: new Date('2024-01-01T00:00:00Z'),
    });
    assert.deepEqual(dateColumns, []);
    assert.throws(
      () => typed('name,flag\na,true\nb,maybe\n', { flag: 'bool' }),
      (err) =>
        isCozipError(err, 'INVALID_INPUT') &&
        err.message === 't.csv row 2: column flag: "maybe" is not a bool (--types flag=bool)',
    );
  });

  it('--types on a typed table (JSON, Parquet) converts each value or refuses it', () => {
    const records = [
      { id: 1, label: 7, day: '2024-05-01', at: new Date('2024-05-01T10:00:00Z') },
      { id: 2n, label: true, day: null, at: null },
    ];
    const out = applyTypes(records, parseTypes(['label=string,day=date', 'id=float']), 't.json');
    assert.deepEqual(out.records, [
      {
        id: 1,
        label: '7',
        day: new Date('2024-05-01T00:00:00Z'),
        at: new Date('2024-05-01T10:00:00Z'),
      },
      { id: 2, label: 'true', day: null, at: null },
    ]);
    assert.deepEqual(out.dateColumns, ['day']);
    // A Parquet DATE column stays one unless --types says otherwise.
    assert.deepEqual(applyTypes([], new Map(), 't.parquet', ['d']).dateColumns, ['d']);
    assert.deepEqual(
      applyTypes([], parseTypes(['d=timestamp']), 't.parquet', ['d']).dateColumns,
      [],
    );
    assert.throws(
      () =>
        applyTypes(
          [{ at: new Date('2024-05-01T10:00:00Z') }],
          parseTypes(['at=date']),
          't.parquet',
        ),
      /t\.parquet row 1: column at: .* is not a date/,
    );
  });

  it('--types syntax: repeated or comma-separated, aliases, and a usage error otherwise', () => {
    assert.deepEqual(
      [...parseTypes(['a=bool,b=integer', 'c = DATE'])],
      [
        ['a', 'bool'],
        ['b', 'int'],
        ['c', 'date'],
      ],
    );
    for (const bad of ['a', '=int', 'a=decimal']) {
      assert.throws(
        () => parseTypes([bad]),
        (err) => (err as Error).name === 'UsageError',
      );
    }
  });
});
