import type { ParquetQueryFilter } from 'hyparquet';
import { CozipError } from '../errors.js';
import type { ManifestColumnType } from './manifest-read.js';

/** A literal a filter compares column values with. */
export type FilterValue = string | number | bigint | boolean | Date | Uint8Array | null;

export interface FilterOps {
  eq?: FilterValue;
  ne?: FilterValue;
  gt?: FilterValue;
  gte?: FilterValue;
  lt?: FilterValue;
  lte?: FilterValue;
  in?: FilterValue[];
}

/** A value (equality), an array (`in`) or operators, all of which must hold. */
export type ColumnCondition = FilterValue | FilterValue[] | FilterOps;

/**
 * Column conditions, ANDed across keys: `{ split: 'train', size: { gt: 1000 } }`.
 * Plain data, so it survives JSON (except bigint, Date and bytes literals).
 *
 * Nulls: `eq: null` matches missing values, `ne: x` matches them too (null is
 * not x), and `gt`/`gte`/`lt`/`lte` never do. Strings compare by code point,
 * like Parquet's statistics.
 */
export type ManifestFilter = Record<string, ColumnCondition>;

/** Arbitrary JS test, run after the column conditions on the rows they keep. */
export type RowPredicate = (row: Record<string, unknown>) => boolean;

export type FilterOp = keyof FilterOps;

/** One checked condition, its literal coerced to the column's type. */
export interface Condition {
  column: string;
  op: FilterOp;
  value: unknown;
}

const OPS: readonly FilterOp[] = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in'];
const RANGE_OPS = new Set<FilterOp>(['gt', 'gte', 'lt', 'lte']);

type Family = 'string' | 'integer' | 'number' | 'boolean' | 'time' | 'binary';

const FAMILIES: Partial<Record<ManifestColumnType, Family>> = {
  string: 'string',
  uuid: 'string',
  int32: 'integer',
  uint32: 'integer',
  int64: 'integer',
  uint64: 'integer',
  float: 'number',
  double: 'number',
  decimal: 'number',
  boolean: 'boolean',
  timestamp: 'time',
  date: 'time',
  binary: 'binary',
};

const badFilter = (message: string, details: Record<string, unknown> = {}) =>
  new CozipError('INVALID_ARGUMENT', message, { details });

/**
 * Checks a filter against the manifest's columns and returns its conditions
 * with literals coerced to the column types (`"100"` for a number column is
 * 100, `2024` for a string column is `"2024"`), so unquoted CLI values work.
 */
export function resolveFilter(
  filter: ManifestFilter | undefined,
  types: Record<string, ManifestColumnType>,
): Condition[] {
  if (filter === undefined) return [];
  if (!isPlainObject(filter)) throw badFilter('a filter must be an object of column conditions');
  const conditions: Condition[] = [];
  for (const [column, condition] of Object.entries(filter)) {
    const type = types[column];
    if (type === undefined)
      throw badFilter(`filter column ${column} is not in the manifest`, { column });
    const family = FAMILIES[type];
    if (family === undefined) {
      throw badFilter(`cannot filter on column ${column} of type ${type}`, { column, type });
    }
    for (const [op, literal] of opsOf(column, condition)) {
      const coerce = (value: unknown) => coerceLiteral(column, family, op, value);
      const value = op === 'in' ? (literal as unknown[]).map(coerce) : coerce(literal);
      conditions.push({ column, op, value });
    }
  }
  return conditions;
}

function opsOf(column: string, condition: ColumnCondition): [FilterOp, unknown][] {
  if (Array.isArray(condition)) return [['in', condition]];
  if (!isPlainObject(condition)) return [['eq', condition]];
  const ops: [FilterOp, unknown][] = [];
  for (const [op, value] of Object.entries(condition)) {
    if (!OPS.includes(op as FilterOp)) {
      throw badFilter(`unknown operator ${op} for column ${column} (use ${OPS.join(', ')})`, {
        column,
      });
    }
    if (value === undefined) continue;
    if (op === 'in' && !Array.isArray(value)) {
      throw badFilter(`"in" for column ${column} needs an array`, { column });
    }
    ops.push([op as FilterOp, value]);
  }
  return ops;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const INTEGER = /^[+-]?\d+$/;

function coerceLiteral(column: string, family: Family, op: FilterOp, value: unknown): unknown {
  if (value === null || value === undefined) {
    if (RANGE_OPS.has(op))
      throw badFilter(`${op} null is meaningless (column ${column})`, { column });
    return null;
  }
  const mismatch = () =>
    badFilter(`column ${column} holds ${family} values: cannot compare with ${String(value)}`, {
      column,
    });
  switch (family) {
    case 'string':
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
        return String(value);
      }
      throw mismatch();
    case 'integer':
    case 'number':
      if (typeof value === 'number' || typeof value === 'bigint') return value;
      if (typeof value === 'string' && NUMBER.test(value.trim())) return parseNumber(value.trim());
      throw mismatch();
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      throw mismatch();
    case 'time': {
      const time =
        value instanceof Date
          ? value.getTime()
          : typeof value === 'number' || typeof value === 'string'
            ? new Date(value).getTime()
            : Number.NaN;
      if (Number.isNaN(time)) throw mismatch();
      return new Date(time);
    }
    case 'binary':
      if (value instanceof Uint8Array) return value;
      if (typeof value === 'string') return new TextEncoder().encode(value);
      throw mismatch();
  }
}

/** A number, or a bigint when an integer is too large for one. */
function parseNumber(text: string): number | bigint {
  const n = Number(text);
  return INTEGER.test(text) && !Number.isSafeInteger(n) ? BigInt(text) : n;
}

/**
 * The conditions hyparquet can use to skip row groups by their statistics.
 * Only skipping depends on it: rows are always tested by `evaluateConditions`,
 * so it keeps to literals whose comparison with the statistics is exact.
 */
export function pruningFilter(
  conditions: Condition[],
  types: Record<string, ManifestColumnType>,
): ParquetQueryFilter | undefined {
  const filter: Record<string, Record<string, unknown>> = {};
  for (const { column, op, value } of conditions) {
    const values = op === 'in' ? (value as unknown[]) : [value];
    const target = values.map((v) => statisticLiteral(types[column], v));
    if (target.length === 0 || target.some((v) => v === undefined)) continue;
    filter[column] ??= {};
    filter[column][`$${op}`] = op === 'in' ? target : target[0];
  }
  return Object.keys(filter).length > 0 ? (filter as ParquetQueryFilter) : undefined;
}

/**
 * The literal as hyparquet decodes the column's statistics, or undefined to
 * keep it out of the pushdown: only types whose statistics decode to plain
 * strings and numbers, and never null (null counts are optional).
 */
function statisticLiteral(type: ManifestColumnType, value: unknown): unknown {
  switch (type) {
    case 'string':
      return typeof value === 'string' ? value : undefined;
    case 'float':
    case 'double':
      return typeof value === 'number' && !Number.isNaN(value) ? value : undefined;
    case 'int32':
    case 'uint32':
    case 'int64':
    case 'uint64':
      // Statistics decode as bigint (INT64) or number (INT32): < and > compare both exactly.
      return typeof value === 'bigint' || Number.isFinite(value) ? value : undefined;
    default:
      return undefined;
  }
}

/**
 * Tests the conditions column by column: `mask[i]` is 1 when row i passes all.
 * `data` holds each condition's column for the same `length` rows.
 */
export function evaluateConditions(
  conditions: Condition[],
  data: Record<string, ArrayLike<unknown>>,
  length: number,
): Uint8Array {
  const mask = new Uint8Array(length).fill(1);
  for (const { column, op, value } of conditions) {
    const values = data[column];
    for (let i = 0; i < length; i++) {
      if (mask[i] && !matches(values[i], op, value)) mask[i] = 0;
    }
  }
  return mask;
}

/** Whether a column value satisfies one condition (see ManifestFilter for nulls). */
export function matches(value: unknown, op: FilterOp, target: unknown): boolean {
  if (op === 'in') return (target as unknown[]).some((t) => matches(value, 'eq', t));
  const missing = value === null || value === undefined;
  if (missing || target === null) {
    if (op === 'eq') return missing && target === null;
    if (op === 'ne') return missing !== (target === null);
    return false;
  }
  const order = compare(value, target);
  if (order === undefined) return op === 'ne';
  switch (op) {
    case 'eq':
      return order === 0;
    case 'ne':
      return order !== 0;
    case 'gt':
      return order > 0;
    case 'gte':
      return order >= 0;
    case 'lt':
      return order < 0;
    case 'lte':
      return order <= 0;
  }
}

/** -1, 0 or 1; undefined when the two cannot be ordered (NaN, other types). */
export function compare(a: unknown, b: unknown): number | undefined {
  const numeric = (x: unknown) => typeof x === 'number' || typeof x === 'bigint';
  if (numeric(a) && numeric(b)) {
    if (Number.isNaN(a) || Number.isNaN(b)) return undefined;
    // < and > between a number and a bigint compare the exact values.
    return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
  }
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (a instanceof Date && b instanceof Date) return Math.sign(a.getTime() - b.getTime());
  if (a instanceof Uint8Array && b instanceof Uint8Array) return compareBytes(a, b);
  return undefined;
}

/** Code point (UTF-8 byte) order, which `<` on UTF-16 strings is not. */
function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const x = a[Symbol.iterator]();
  const y = b[Symbol.iterator]();
  for (;;) {
    const p = x.next();
    const q = y.next();
    if (p.done || q.done) return p.done ? (q.done ? 0 : -1) : 1;
    const d = p.value.codePointAt(0)! - q.value.codePointAt(0)!;
    if (d !== 0) return Math.sign(d);
  }
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return Math.sign(a.length - b.length);
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

// --- parseWhere: the CLI's --where ---

interface Token {
  kind: 'word' | 'string' | 'ident' | 'op' | 'punct' | 'end';
  text: string;
  pos: number;
}

const OPERATORS: Record<string, FilterOp> = {
  '=': 'eq',
  '==': 'eq',
  '!=': 'ne',
  '<>': 'ne',
  '>': 'gt',
  '>=': 'gte',
  '<': 'lt',
  '<=': 'lte',
};

/**
 * Parses `column op value [and ...]` into a ManifestFilter. Operators:
 * = == != <> > >= < <= and `in (a, b)`. Values are numbers, true/false/null,
 * 'single' or "double" quoted strings, or bare words (strings). Odd column
 * names go in backticks. Errors are INVALID_ARGUMENT with the `position`.
 */
export function parseWhere(expr: string): ManifestFilter {
  const tokens = tokenize(expr);
  const ops = new Map<string, FilterOps>();
  let i = 0;
  for (;;) {
    i = parseCondition(expr, tokens, i, ops);
    const next = tokens[i];
    if (next.kind === 'end') break;
    if (!isWord(next, 'and')) {
      const message = isWord(next, 'or') ? 'or is not supported' : `expected and, got ${next.text}`;
      throw whereError(expr, next.pos, message);
    }
    i++;
  }
  const filter: ManifestFilter = {};
  for (const [column, condition] of ops) {
    const keys = Object.keys(condition);
    // A lone equality reads best as { column: value }.
    filter[column] = keys.length === 1 && keys[0] === 'eq' ? condition.eq! : condition;
  }
  return filter;
}

/** `column op value` or `column in (values)` at tokens[i]; returns the next index. */
function parseCondition(expr: string, tokens: Token[], i: number, ops: Map<string, FilterOps>) {
  const columnToken = tokens[i];
  if (columnToken.kind === 'op' || columnToken.kind === 'punct' || columnToken.kind === 'end') {
    throw whereError(expr, columnToken.pos, `expected a column name, got ${columnToken.text}`);
  }
  const column = columnToken.text;
  const opToken = tokens[i + 1];
  i += 2;
  let op: FilterOp;
  let value: FilterValue | FilterValue[];
  if (opToken.kind === 'op') {
    op = OPERATORS[opToken.text];
    value = literal(expr, tokens[i++]);
  } else if (isWord(opToken, 'in')) {
    op = 'in';
    if (!isPunct(tokens[i], '(')) throw whereError(expr, tokens[i].pos, 'expected ( after in');
    i++;
    value = [];
    for (;;) {
      value.push(literal(expr, tokens[i++]));
      const sep = tokens[i++];
      if (isPunct(sep, ')')) break;
      if (!isPunct(sep, ',')) throw whereError(expr, sep.pos, `expected , or ), got ${sep.text}`);
    }
  } else {
    throw whereError(expr, opToken.pos, 'expected an operator (= != < <= > >= in)');
  }
  const condition = ops.get(column) ?? {};
  if (condition[op] !== undefined) {
    throw whereError(expr, opToken.pos, `a second ${op} condition on ${column}`);
  }
  (condition as Record<string, unknown>)[op] = value;
  ops.set(column, condition);
  return i;
}

const isWord = (token: Token, word: string) =>
  token.kind === 'word' && token.text.toLowerCase() === word;
const isPunct = (token: Token, text: string) => token.kind === 'punct' && token.text === text;

function whereError(expr: string, pos: number, message: string): CozipError {
  return new CozipError(
    'INVALID_ARGUMENT',
    `bad filter at position ${pos}: ${message}\n  ${expr}\n  ${' '.repeat(pos)}^`,
    { details: { position: pos, expression: expr } },
  );
}

function literal(expr: string, token: Token): FilterValue {
  if (token.kind === 'string') return token.text;
  if (token.kind !== 'word')
    throw whereError(expr, token.pos, `expected a value, got ${token.text}`);
  const text = token.text;
  if (NUMBER.test(text)) return parseNumber(text);
  const lower = text.toLowerCase();
  if (lower === 'true' || lower === 'false') return lower === 'true';
  if (lower === 'null') return null;
  return text;
}

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < expr.length) {
    const c = expr[pos];
    if (/\s/.test(c)) {
      pos++;
    } else if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: 'punct', text: c, pos });
      pos++;
    } else if ('=!<>'.includes(c)) {
      const two = expr.slice(pos, pos + 2);
      const text = two in OPERATORS ? two : c;
      if (!(text in OPERATORS)) throw whereError(expr, pos, `unknown operator ${c}`);
      tokens.push({ kind: 'op', text, pos });
      pos += text.length;
    } else if (c === '"' || c === "'" || c === '`') {
      let text = '';
      let end = pos + 1;
      for (;;) {
        if (end >= expr.length) throw whereError(expr, pos, `unterminated ${c}`);
        const d = expr[end];
        if (d === c) break;
        if (d === '\\' && end + 1 < expr.length) {
          text += expr[end + 1];
          end += 2;
          continue;
        }
        text += d;
        end++;
      }
      tokens.push({ kind: c === '`' ? 'ident' : 'string', text, pos });
      pos = end + 1;
    } else {
      let end = pos;
      while (end < expr.length && !/[\s(),=!<>"'`]/.test(expr[end])) end++;
      tokens.push({ kind: 'word', text: expr.slice(pos, end), pos });
      pos = end;
    }
  }
  tokens.push({ kind: 'end', text: 'end of input', pos: expr.length });
  return tokens;
}

/** The column type a JS value suggests, for filtering rows that came from elsewhere. */
function typeOfValue(v: unknown): ManifestColumnType {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'bigint') return 'int64';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'double';
  if (v instanceof Date) return 'timestamp';
  if (v instanceof Uint8Array) return 'binary';
  return 'other';
}

/**
 * Applies a ManifestFilter to plain rows (e.g. a ZIP's entry listing), with
 * the same semantics as manifest reads; column types come from the values.
 */
export function filterRows<T extends Record<string, unknown>>(
  rows: T[],
  filter: ManifestFilter,
): T[] {
  const types: Record<string, ManifestColumnType> = {};
  for (const column of Object.keys(filter)) {
    const sample = rows.find((r) => r[column] !== null && r[column] !== undefined)?.[column];
    types[column] = sample === undefined ? 'string' : typeOfValue(sample);
  }
  const conditions = resolveFilter(filter, types);
  const data: Record<string, unknown[]> = {};
  for (const c of conditions) data[c.column] ??= rows.map((r) => r[c.column]);
  const mask = evaluateConditions(conditions, data, rows.length);
  return rows.filter((_, i) => mask[i] === 1);
}
