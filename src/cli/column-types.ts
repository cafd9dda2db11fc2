// The types of a table's columns for `cozip create --from`. CSV is text: a
// column becomes booleans, integers, floats, dates or timestamps when every
// non-empty value reads as one; JSON and Parquet keep the types they carry.
// `--types col=type,...` says it outright, for any table.
import { CozipError } from '../errors.js';
import { UsageError } from './errors.js';

export const COLUMN_TYPES = ['string', 'int', 'float', 'bool', 'date', 'timestamp'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

/** Records with typed values, and which Date columns are days (Parquet DATE). */
export interface TypedRecords {
  records: Array<Record<string, unknown>>;
  dateColumns: string[];
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const DAY_MS = 86_400_000;

// No leading zeros: codes like "007" stay text.
const INTEGER = /^-?(?:0|[1-9]\d*)$/;
const DECIMAL = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
// What a declared int or float column also takes: leading zeros and signs ("007", "+5", ".5").
const LOOSE_INTEGER = /^[+-]?\d+$/;
const LOOSE_DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const BOOLEAN = /^(?:true|false)$/i;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
// ISO 8601 / RFC 3339 date and time; no offset means UTC (never the machine's zone).
const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

function toDay(text: string): Date | undefined {
  const m = DAY.exec(text);
  return m ? utc(+m[1], +m[2], +m[3], 0, 0, 0, 0) : undefined;
}

function toInstant(text: string): Date | undefined {
  const m = INSTANT.exec(text);
  if (!m) return undefined;
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  const at = utc(+m[1], +m[2], +m[3], +m[4], +m[5], m[6] ? +m[6] : 0, ms);
  if (!at) return undefined;
  const zone = m[8];
  if (!zone || zone.toUpperCase() === 'Z') return at;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || '0');
  if (hours > 23 || minutes > 59) return undefined;
  return new Date(at.getTime() - sign * (hours * 60 + minutes) * 60_000);
}

/** The UTC time, or undefined for a day or time that does not exist (2023-02-29, 24:00). */
function utc(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number) {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms));
  if (y < 100) date.setUTCFullYear(y); // Date.UTC maps years 0-99 to 1900-1999
  return date.getUTCDate() === d ? date : undefined;
}

function toInteger(text: string, loose = false): number | bigint | undefined {
  if (!(loose ? LOOSE_INTEGER : INTEGER).test(text)) return undefined;
  const x = Number(text);
  if (Number.isSafeInteger(x)) return x;
  const big = BigInt(text.replace(/^\+/, ''));
  return big >= INT64_MIN && big <= INT64_MAX ? big : undefined;
}

function toFloat(text: string, loose = false): number | undefined {
  if (!(loose ? LOOSE_DECIMAL : DECIMAL).test(text)) return undefined;
  const x = Number(text);
  // An integer a double cannot hold exactly stays text rather than change.
  if (LOOSE_INTEGER.test(text) && !Number.isSafeInteger(x)) return undefined;
  return Number.isFinite(x) ? x : undefined;
}

/**
 * Text as `type`, or undefined when it does not read as one. `declared`
 * (--types) numbers may have leading zeros; inferred ones may not, so codes
 * such as "007" stay text unless asked.
 */
function fromText(text: string, type: ColumnType, declared = false): unknown {
  switch (type) {
    case 'string':
      return text;
    case 'int':
      return toInteger(text, declared);
    case 'float':
      return toFloat(text, declared);
    case 'bool':
      return BOOLEAN.test(text) ? text.toLowerCase() === 'true' : undefined;
    case 'date':
      return toDay(text);
    case 'timestamp':
      return toDay(text) ?? toInstant(text);
  }
}

/** The narrowest type every value of a text column reads as (`string` when none). */
function inferType(values: ReadonlyArray<string | null>): ColumnType {
  const present = values.filter((v): v is string => v !== null);
  if (present.length === 0) return 'string';
  for (const type of ['bool', 'int', 'float', 'date', 'timestamp'] as const) {
    if (present.every((v) => fromText(v, type) !== undefined)) return type;
  }
  return 'string';
}

/** A value of a typed table (JSON, Parquet) as `type`, or undefined when it is not one. */
function fromValue(value: unknown, type: ColumnType): unknown {
  if (typeof value === 'string') return fromText(value, type, true);
  switch (type) {
    case 'string':
      if (value instanceof Date) return value.toISOString();
      return ['number', 'bigint', 'boolean'].includes(typeof value) ? String(value) : undefined;
    case 'int':
      if (typeof value === 'bigint')
        return value >= INT64_MIN && value <= INT64_MAX ? value : undefined;
      return Number.isSafeInteger(value) ? value : undefined;
    case 'float':
      if (typeof value === 'bigint') return Number(value);
      return typeof value === 'number' ? value : undefined;
    case 'bool':
      return typeof value === 'boolean' ? value : undefined;
    case 'date':
      return value instanceof Date && value.getTime() % DAY_MS === 0 ? value : undefined;
    case 'timestamp':
      return value instanceof Date ? value : undefined;
  }
}

function notA(source: string, row: number, column: string, value: unknown, type: ColumnType) {
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return new CozipError(
    'INVALID_INPUT',
    `${source} row ${row + 1}: column ${column}: ${shown} is not ${type === 'int' ? 'an' : 'a'} ${type} (--types ${column}=${type})`,
    { details: { table: source, row: row + 1, column, type } },
  );
}

/**
 * A CSV table's records: each column typed by `declared`, else by what every
 * value reads as; `keepText` columns (the name and path) stay strings.
 */
export function typeCsvColumns(
  header: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string | null>>,
  keepText: ReadonlySet<string>,
  declared: ReadonlyMap<string, ColumnType>,
  source: string,
): TypedRecords {
  const types = header.map(
    (h, k): ColumnType =>
      declared.get(h) ?? (keepText.has(h) ? 'string' : inferType(rows.map((r) => r[k]))),
  );
  const records = rows.map((r, i) => {
    const record: Record<string, unknown> = {};
    header.forEach((h, k) => {
      const text = r[k];
      if (text === null || types[k] === 'string') {
        record[h] = text;
        return;
      }
      const value = fromText(text, types[k], declared.has(h));
      if (value === undefined) throw notA(source, i, h, text, types[k]);
      record[h] = value;
    });
    return record;
  });
  return { records, dateColumns: header.filter((_, k) => types[k] === 'date') };
}

/** A typed table's records with the `declared` columns converted (each value must be one). */
export function applyTypes(
  records: Array<Record<string, unknown>>,
  declared: ReadonlyMap<string, ColumnType>,
  source: string,
  dateColumns: readonly string[] = [],
): TypedRecords {
  const days = new Set(dateColumns);
  for (const [column, type] of declared) {
    if (type === 'date') days.add(column);
    else days.delete(column);
  }
  if (declared.size === 0) return { records, dateColumns: [...days] };
  records.forEach((record, i) => {
    for (const [column, type] of declared) {
      const value = record[column];
      if (value === null || value === undefined) continue;
      const typed = fromValue(value, type);
      if (typed === undefined) throw notA(source, i, column, value, type);
      record[column] = typed;
    }
  });
  return { records, dateColumns: [...days] };
}

/** `--types a=bool,b=date` (the option may repeat) as a map; a usage error when malformed. */
export function parseTypes(specs: readonly string[] | undefined): Map<string, ColumnType> {
  const out = new Map<string, ColumnType>();
  for (const part of (specs ?? []).flatMap((s) => s.split(','))) {
    if (part.trim() === '') continue;
    const cut = part.lastIndexOf('=');
    const column = part.slice(0, cut).trim();
    const type = part
      .slice(cut + 1)
      .trim()
      .toLowerCase();
    const alias: Record<string, ColumnType> = {
      boolean: 'bool',
      integer: 'int',
      double: 'float',
      text: 'string',
    };
    const known = (COLUMN_TYPES as readonly string[]).includes(type)
      ? (type as ColumnType)
      : alias[type];
    if (cut <= 0 || column === '' || !known) {
      throw new UsageError(
        `--types ${part}: expected COLUMN=TYPE with TYPE one of ${COLUMN_TYPES.join(', ')}`,
      );
    }
    out.set(column, known);
  }
  return out;
}
