// A small RFC 4180 CSV reader: quoted fields (commas, quotes as "", line
// breaks inside), LF or CRLF line ends, a header row. An unquoted empty
// field is null; a quoted one ("") is the empty string.
import { CozipError } from '../errors.js';

export interface CsvTable {
  header: string[];
  rows: Array<Array<string | null>>;
}

function csvError(source: string, line: number, message: string): CozipError {
  return new CozipError('INVALID_INPUT', `${source} line ${line}: ${message}`, {
    details: { source, line },
  });
}

export function parseCsv(text: string, source = 'CSV'): CsvTable {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const records: Array<{ line: number; fields: Array<string | null> }> = [];
  let fields: Array<string | null> = [];
  let line = 1;
  let recordLine = 1;
  let i = 0;
  const n = text.length;
  for (;;) {
    // One field starts at i.
    let value: string | null;
    if (text[i] === '"') {
      const start = line;
      let out = '';
      i++;
      for (;;) {
        if (i >= n) throw csvError(source, start, 'unterminated quoted field');
        const c = text[i];
        if (c === '"') {
          if (text[i + 1] === '"') {
            out += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (c === '\n') line++;
        out += c;
        i++;
      }
      if (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
        throw csvError(
          source,
          line,
          'text after a closing quote (quotes inside a field are written "")',
        );
      }
      value = out;
    } else {
      let end = i;
      while (end < n && text[end] !== ',' && text[end] !== '\n' && text[end] !== '\r') end++;
      const raw = text.slice(i, end);
      if (raw.includes('"')) {
        throw csvError(source, line, 'a quote inside an unquoted field (quote the whole field)');
      }
      value = raw === '' ? null : raw;
      i = end;
    }
    fields.push(value);
    if (text[i] === ',') {
      i++;
      continue;
    }
    // End of record: \n, \r\n, a lone \r, or the end of the text.
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    // Blank lines (a single null field) carry no record.
    if (!(fields.length === 1 && fields[0] === null)) records.push({ line: recordLine, fields });
    fields = [];
    if (i >= n) break;
    line++;
    recordLine = line;
  }
  if (records.length === 0) throw csvError(source, 1, 'no header row');
  const [head, ...body] = records;
  const header = head.fields.map((h, k) => {
    if (h === null || h.trim() === '')
      throw csvError(source, head.line, `column ${k + 1} has no name`);
    return h;
  });
  const seen = new Set<string>();
  for (const h of header) {
    if (seen.has(h)) throw csvError(source, head.line, `column ${JSON.stringify(h)} appears twice`);
    seen.add(h);
  }
  for (const r of body) {
    if (r.fields.length !== header.length) {
      throw csvError(source, r.line, `${r.fields.length} fields, the header has ${header.length}`);
    }
  }
  return { header, rows: body.map((r) => r.fields) };
}

// No leading zeros (codes like "007" stay strings), finite, and integers exact.
const NUMERIC = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

function numeric(text: string): boolean {
  if (!NUMERIC.test(text)) return false;
  const x = Number(text);
  return Number.isFinite(x) && (/[.eE]/.test(text) || Number.isSafeInteger(x));
}

/**
 * Records with typed values: a column whose every non-null value is a number
 * becomes numbers; other columns (and `keepText`) stay strings.
 */
export function csvRecords(table: CsvTable, keepText: Set<string>): Array<Record<string, unknown>> {
  const asNumbers = table.header.map(
    (h, k) =>
      !keepText.has(h) &&
      table.rows.some((r) => r[k] !== null) &&
      table.rows.every((r) => r[k] === null || numeric(r[k] as string)),
  );
  return table.rows.map((r) => {
    const record: Record<string, unknown> = {};
    table.header.forEach((h, k) => {
      const v = r[k];
      record[h] = v !== null && asNumbers[k] ? Number(v) : v;
    });
    return record;
  });
}
