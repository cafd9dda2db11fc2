// The CSV reader behind `cozip create --from x.csv` (fast, in-process).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csvRecords, parseCsv } from '../../src/cli/csv.js';
import { isCozipError } from '../../src/index.js';

describe('CSV reader', () => {
  it('reads quotes, escaped quotes, separators and line breaks inside quotes, CRLF', () => {
    const t = parseCsv('a,b,c\r\n"x, y","say ""hi""","two\r\nlines"\r\n1,,""\r\n');
    assert.deepEqual(t.header, ['a', 'b', 'c']);
    assert.deepEqual(t.rows, [
      ['x, y', 'say "hi"', 'two\r\nlines'],
      ['1', null, ''],
    ]);
  });

  it('accepts LF, a lone CR, no final newline, blank lines and a BOM', () => {
    const t = parseCsv('\uFEFFa,b\n1,2\r3,4\n\n5,6');
    assert.deepEqual(t.rows, [
      ['1', '2'],
      ['3', '4'],
      ['5', '6'],
    ]);
  });

  it('types columns: all-numeric columns become numbers, empty is null', () => {
    const t = parseCsv(
      'name,n,x,code,mixed,big\nA,1,0.5,007,1,9007199254740993\nB,-2,,010,two,1\nC,3e2,1.25,1,3,2\n',
    );
    assert.deepEqual(csvRecords(t, new Set(['name'])), [
      { name: 'A', n: 1, x: 0.5, code: '007', mixed: '1', big: '9007199254740993' },
      { name: 'B', n: -2, x: null, code: '010', mixed: 'two', big: '1' },
      { name: 'C', n: 300, x: 1.25, code: '1', mixed: '3', big: '2' },
    ]);
    // Columns kept as text (name, path) never turn into numbers.
    assert.deepEqual(csvRecords(parseCsv('name\n1\n2\n'), new Set(['name'])), [
      { name: '1' },
      { name: '2' },
    ]);
  });

  it('rejects malformed input with the line number', () => {
    const bad = (text: string, pattern: RegExp) =>
      assert.throws(
        () => parseCsv(text, 'm.csv'),
        (err) => isCozipError(err, 'INVALID_INPUT') && pattern.test(err.message),
      );
    bad('a,b\n"open,1\n', /m\.csv line 2: unterminated/);
    bad('a,b\n1,2\n"x"y,3\n', /line 3: text after a closing quote/);
    bad('a,b\n1,x"y\n', /line 2: a quote inside an unquoted field/);
    bad('a,b\n1,2,3\n', /line 2: 3 fields, the header has 2/);
    bad('a,a\n1,2\n', /column "a" appears twice/);
    bad('a,\n1,2\n', /column 2 has no name/);
    bad('', /no header row/);
    bad('a,b\n"multi\nline",2\n1\n', /line 4: 1 fields/);
  });
});
