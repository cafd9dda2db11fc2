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

/** toJson on one line. */
export function toJsonLine(value: unknown): string {
  return JSON.stringify(value, jsonValue);
}

/** One JSON document on stdout and nothing else. */
export function printJson(value: unknown): Promise<void> {
  return writeOut(`${toJson(value)}\n`);
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/**
 * date.toISOString(), or null for an invalid date. Years 1000 to 9999 are
 * formatted here: listing 20,000 entries, toISOString was a tenth of ls.
 */
export function isoTime(date: Date): string | null {
  const ms = date.getTime();
  if (Number.isNaN(ms)) return null;
  // Days since 1970-01-01 to a civil date (proleptic Gregorian, March-based years).
  const days = Math.floor(ms / 86_400_000);
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 1000 || year > 9999) return date.toISOString();
  const t = ms - days * 86_400_000;
  const milli = t % 1000;
  const sec = Math.floor(t / 1000);
  return `${year}-${pad2(month)}-${pad2(day)}T${pad2(Math.floor(sec / 3600))}:${pad2(Math.floor(sec / 60) % 60)}:${pad2(sec % 60)}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}

/** Items per JSON.stringify call when printing a long array. */
const JSON_PART = 2000;

/**
 * printJson(items.map(map)), the same text, written a part at a time: the
 * whole listing never exists as one string, and the rows of a part die
 * young (a million-entry listing was a 150 MB string of rows kept alive).
 * `plain`: every value is JSON already (strings, numbers, null), so no
 * replacer, which keeps JSON.stringify on its fast path.
 */
export async function printJsonArray<T>(
  items: readonly T[],
  map: (item: T) => unknown,
  plain = false,
): Promise<void> {
  if (items.length === 0) return writeOut('[]\n');
  for (let i = 0; i < items.length; i += JSON_PART) {
    const part = items.slice(i, i + JSON_PART).map(map);
    const text = plain ? JSON.stringify(part, null, 2) : toJson(part);
    // "[\n  {…},\n  {…}\n]": the items without the brackets, joined by ",\n".
    const last = i + JSON_PART >= items.length;
    await writeOut(`${i === 0 ? '[\n' : ',\n'}${text.slice(2, -2)}${last ? '\n]\n' : ''}`);
  }
}

/** A value as table or CSV text. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return isoTime(value) ?? '';
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
export interface Skipped {
  name: string;
  reason: string;
}

/** create and convert --json: what was written, and what was left out. */
export function cozipSummary(
  out: string,
  r: { entries: number; size: number; profile: string; zip64: boolean; padded: boolean },
  skipped: readonly Skipped[],
): Record<string, unknown> {
  return {
    output: out,
    format: 'cozip',
    profile: r.profile,
    entries: r.entries,
    size: r.size,
    zip64: r.zip64,
    padded: r.padded,
    skipped,
  };
}

/** extract and get --json: the extractor's counts, what it skipped, its warnings. */
export function extractSummary(
  dir: string,
  r: {
    files: number;
    directories: number;
    symlinks: number;
    bytes: number;
    skipped: readonly Skipped[];
    warnings: ReadonlyArray<{ code: string; message: string }>;
  },
): Record<string, unknown> {
  return {
    output: dir,
    files: r.files,
    directories: r.directories,
    symlinks: r.symlinks,
    bytes: r.bytes,
    skipped: r.skipped,
    warnings: r.warnings.map((w) => ({ code: w.code, message: w.message })),
  };
}

export function cozipWritten(
  out: string,
  r: { entries: number; size: number; profile: string; zip64: boolean },
): string {
  return `wrote ${out}: ${count(r.entries)} entries, ${count(r.size)} bytes (profile ${r.profile}${r.zip64 ? ', ZIP64' : ''})\n`;
}
