// The CSV reader behind `cozip create --from x.csv` (csv-parse, in-process).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCsv } from '../../src/cli/csv.js';
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

  it('tells a quoted empty field from an empty one, in files with and without other ""', () => {
    assert.deepEqual(parseCsv('a,b\n"",\n').rows, [['', null]]);
    assert.deepEqual(parseCsv('a,b\n,x\n').rows, [[null, 'x']]);
    assert.deepEqual(parseCsv('a,b\n"say ""x""",\n').rows, [['say "x"', null]]);
  });

  it('reads a line end of every kind in one file, and other separators', () => {
    assert.deepEqual(parseCsv('a,b\r\n1,2\n3,4\r5,6\n').rows, [
      ['1', '2'],
      ['3', '4'],
      ['5', '6'],
    ]);
    const tsv = parseCsv('a\tb\n1,5\t"x\ty"\n', 't.tsv', '\t');
    assert.deepEqual(tsv.header, ['a', 'b']);
    assert.deepEqual(tsv.rows, [['1,5', 'x\ty']]);
    assert.deepEqual(parseCsv('a;b\n1;2\n', 's.csv', ';').rows, [['1', '2']]);
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
