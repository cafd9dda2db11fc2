// CSV (and TSV) tables for `cozip create --from`, read with csv-parse:
// quoted fields (separators, "" and line breaks inside), LF, CRLF or lone CR
// line ends, a header row, blank lines skipped. An unquoted empty field is
// null; a quoted one ("") is the empty string, as DuckDB reads them.
import { type CastingContext, CsvError, parse } from 'csv-parse/sync';
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

/** csv-parse's refusals, told in a line that says how to fix the table. */
function explained(err: CsvError, source: string, columns: number | undefined): CozipError {
  const line = Number(err.lines) || 1;
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return csvError(source, line, 'unterminated quoted field');
    case 'CSV_INVALID_CLOSING_QUOTE':
      return csvError(
        source,
        line,
        'text after a closing quote (quotes inside a field are written "")',
      );
    case 'INVALID_OPENING_QUOTE':
      return csvError(source, line, 'a quote inside an unquoted field (quote the whole field)');
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH': {
      const got = Array.isArray(err.record) ? err.record.length : '?';
      return csvError(source, line, `${got} fields, the header has ${columns ?? '?'}`);
    }
    default:
      return csvError(source, line, err.message);
  }
}

/** Fields in the header (for the message on a short or long row). */
function headerLength(text: string, delimiter: string): number | undefined {
  try {
    const [head] = parse(text, { bom: true, delimiter, to: 1, relax_column_count: true });
    return Array.isArray(head) ? head.length : undefined;
  } catch {
    return undefined;
  }
}

/** The field as text, or null when it was empty and not quoted. */
const nullWhenBare = (value: string, context: CastingContext) =>
  value === '' && !context.quoting ? null : value;

export function parseCsv(text: string, source = 'CSV', delimiter = ','): CsvTable {
  let records: Array<Array<string | null>>;
  try {
    records = parse(text, {
      bom: true,
      delimiter,
      // Every line end, even mixed in one file (auto-detection takes the first one only).
      record_delimiter: ['\r\n', '\n', '\r'],
      skip_empty_lines: true,
      // Telling "" from an empty field costs csv-parse a context per field:
      // only when the text has a "" anywhere can a quoted empty field exist.
      cast: text.includes('""') ? nullWhenBare : undefined,
    }) as Array<Array<string | null>>;
  } catch (err) {
    if (err instanceof CsvError) throw explained(err, source, headerLength(text, delimiter));
    throw csvError(source, 1, `cannot be read as CSV (${(err as Error).message})`);
  }
  if (records.length === 0) throw csvError(source, 1, 'no header row');
  const [head, ...body] = records;
  const header = head.map((h, k) => {
    if (h === null || h.trim() === '') throw csvError(source, 1, `column ${k + 1} has no name`);
    return h;
  });
  const seen = new Set<string>();
  for (const h of header) {
    if (seen.has(h)) throw csvError(source, 1, `column ${JSON.stringify(h)} appears twice`);
    seen.add(h);
  }
  if (!text.includes('""')) {
    for (const row of body) for (let k = 0; k < row.length; k++) if (row[k] === '') row[k] = null;
  }
  return { header, rows: body };
}
