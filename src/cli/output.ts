// Writing results: stdout with backpressure, JSON documents, aligned tables, CSV.

/** Writes to stdout and waits when the pipe is full, so big outputs stay bounded in memory. */
export function writeOut(data: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    if (process.stdout.write(data)) return resolve();
    const done = (err?: Error) => {
      process.stdout.off('drain', done);
      process.stdout.off('error', done);
      if (err) reject(err);
      else resolve();
    };
    process.stdout.once('drain', done);
    process.stdout.once('error', done);
  });
}

/** Human notes (summaries, warnings) go to stderr so stdout stays data only. */
export function note(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** JSON.stringify replacer for manifest values JSON has no type for. */
function jsonValue(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint')
    return Number.isSafeInteger(Number(value)) ? Number(value) : String(value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return value;
}

export function toJson(value: unknown): string {
  return JSON.stringify(value, jsonValue, 2);
}

/** One JSON document on stdout and nothing else. */
export function printJson(value: unknown): Promise<void> {
  return writeOut(`${toJson(value)}\n`);
}

/** A value as table or CSV text. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (typeof value === 'object') return JSON.stringify(value, jsonValue);
  return String(value);
}

/** Rows as an aligned table; numeric columns are right-aligned. */
export function renderTable(columns: string[], rows: Array<Record<string, unknown>>): string {
  // Control characters would break the alignment: show them escaped.
  const shown = (v: unknown) =>
    cellText(v).replace(/[\x00-\x1f\x7f]/g, (c) => JSON.stringify(c).slice(1, -1));
  const cells = rows.map((r) => columns.map((c) => shown(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const numeric = columns.map((c) =>
    rows.every((r) => r[c] == null || typeof r[c] === 'number' || typeof r[c] === 'bigint'),
  );
  const line = (values: string[]) =>
    values
      .map((v, i) => (numeric[i] ? v.padStart(widths[i]) : v.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(columns), ...cells.map(line)].map((l) => `${l}\n`).join('');
}

function csvField(text: string): string {
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** RFC 4180 CSV with a header row and CRLF line ends. */
export function renderCsv(columns: string[], rows: Array<Record<string, unknown>>): string {
  const line = (values: string[]) => `${values.map(csvField).join(',')}\r\n`;
  return line(columns) + rows.map((r) => line(columns.map((c) => cellText(r[c])))).join('');
}

/**
 * 1234567 → "1,234,567", as toLocaleString('en-US') gives it. Integers are
 * grouped here: the first toLocaleString loads ICU's locale data, 10 ms of a
 * command that otherwise takes a few hundred.
 */
export function count(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n)).replace(/\B(?=(\d{3})+$)/g, ',');
  return n < 0 || Object.is(n, -0) ? `-${digits}` : digits;
}

/** The line `create` and `convert` print for a written cozip. */
export function cozipWritten(
  out: string,
  r: { entries: number; size: number; profile: string; zip64: boolean },
): string {
  return `wrote ${out}: ${count(r.entries)} entries, ${count(r.size)} bytes (profile ${r.profile}${r.zip64 ? ', ZIP64' : ''})\n`;
}
