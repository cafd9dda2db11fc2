// The Flat manifest's column types: what kind of values a user column holds,
// and the Parquet schema element each kind is written as.
import { CozipError } from '../errors.js';

/** `date`: instants (TIMESTAMP, ms); `day`: calendar days (DATE), asked for by column. */
export type Kind =
  | 'string'
  | 'int'
  | 'float'
  | 'bigint'
  | 'boolean'
  | 'date'
  | 'day'
  | 'bytes'
  | 'json';

const DAY_MS = 86_400_000;

/** Our copy of the writer's schema element shape (its types come from another hyparquet). */
export interface SchemaElement {
  name: string;
  type?: 'BOOLEAN' | 'INT32' | 'INT64' | 'DOUBLE' | 'BYTE_ARRAY';
  repetition_type?: 'REQUIRED' | 'OPTIONAL';
  num_children?: number;
  converted_type?: 'UTF8' | 'UINT_64' | 'DATE' | 'TIMESTAMP_MILLIS' | 'JSON';
  logical_type?: Record<string, unknown>;
}

function kindOf(value: unknown): Kind | undefined {
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'bigint':
      return 'bigint';
    case 'number':
      return Number.isSafeInteger(value) ? 'int' : 'float';
  }
  if (value instanceof Date) return 'date';
  if (value instanceof Uint8Array) return 'bytes';
  if (Array.isArray(value)) return 'json';
  if (typeof value === 'object' && value !== null) {
    const proto = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) return 'json';
  }
  return undefined;
}

/** The one kind a column's values share; integers widen to float or bigint. */
export function inferKind(column: string, values: unknown[]): Kind | undefined {
  let kind: Kind | undefined;
  values.forEach((value, row) => {
    if (value === null || value === undefined) return;
    const next = kindOf(value);
    if (next === undefined) {
      throw invalid(`column ${column}, row ${row}: cannot store ${describe(value)}`, {
        column,
        row,
      });
    }
    if (next === 'date' && Number.isNaN((value as Date).getTime())) {
      throw invalid(`column ${column}, row ${row}: invalid Date`, { column, row });
    }
    if (kind === undefined || kind === next) {
      kind = next;
      return;
    }
    const pair = new Set([kind, next]);
    if (pair.has('int') && (pair.has('float') || pair.has('bigint'))) {
      kind = pair.has('float') ? 'float' : 'bigint';
      return;
    }
    throw invalid(
      `column ${column}, row ${row}: ${next} value in ${kind === 'int' ? 'an' : 'a'} ${kind} column`,
      {
        column,
        row,
      },
    );
  });
  return kind;
}

function describe(value: unknown): string {
  if (typeof value === 'object' && value !== null) {
    return `a ${value.constructor?.name ?? 'null-prototype'} object`;
  }
  return `a ${typeof value}`;
}

export function stringElement(name: string, repetition: 'REQUIRED' | 'OPTIONAL'): SchemaElement {
  return {
    name,
    type: 'BYTE_ARRAY',
    repetition_type: repetition,
    converted_type: 'UTF8',
    logical_type: { type: 'STRING' },
  };
}

export function uint64Element(name: string): SchemaElement {
  // Both annotations: older readers look at converted_type, newer ones at the logical type.
  return {
    name,
    type: 'INT64',
    repetition_type: 'REQUIRED',
    converted_type: 'UINT_64',
    logical_type: { type: 'INTEGER', bitWidth: 64, isSigned: false },
  };
}

/** User columns are always nullable: a row may simply lack the key. */
export function userElement(name: string, kind: Kind | undefined): SchemaElement {
  const repetition_type = 'OPTIONAL';
  switch (kind) {
    case undefined: // all null
    case 'string':
      return stringElement(name, repetition_type);
    case 'int':
    case 'bigint':
      return { name, type: 'INT64', repetition_type };
    case 'float':
      return { name, type: 'DOUBLE', repetition_type };
    case 'boolean':
      return { name, type: 'BOOLEAN', repetition_type };
    case 'date':
      return {
        name,
        type: 'INT64',
        repetition_type,
        converted_type: 'TIMESTAMP_MILLIS',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
      };
    case 'day':
      return {
        name,
        type: 'INT32',
        repetition_type,
        converted_type: 'DATE',
        logical_type: { type: 'DATE' },
      };
    case 'bytes':
      return { name, type: 'BYTE_ARRAY', repetition_type };
    case 'json':
      return {
        name,
        type: 'BYTE_ARRAY',
        repetition_type,
        converted_type: 'JSON',
        logical_type: { type: 'JSON' },
      };
  }
}

/** Values in the form the writer wants for the column's physical type. */
export function toPhysical(kind: Kind | undefined, values: unknown[]): unknown[] {
  const nulls = (v: unknown) => v === null || v === undefined;
  if (kind === 'int' || kind === 'bigint') {
    return values.map((v) => (nulls(v) ? null : BigInt(v as number | bigint)));
  }
  if (kind === 'date') {
    // Milliseconds, as the TIMESTAMP_MILLIS column stores them: the writer
    // would otherwise convert every Date twice (value and statistics), the
    // second time through an array of its own.
    return values.map((v) => (nulls(v) ? null : BigInt((v as Date).getTime())));
  }
  if (kind === 'day') return values.map((v) => (nulls(v) ? null : (v as Date).getTime() / DAY_MS));
  return values.map((v) => (nulls(v) ? null : v));
}

/**
 * The `day` kind for a column the caller declared a date column: its values
 * must be Dates at 00:00 UTC (a day, as a Parquet DATE stores it).
 */
export function dayKind(
  column: string,
  kind: Kind | undefined,
  values: unknown[],
): Kind | undefined {
  if (kind === undefined) return 'day';
  if (kind !== 'date') {
    throw invalid(`column ${column} is declared a date column but holds ${kind} values`, {
      column,
    });
  }
  values.forEach((v, row) => {
    if (v instanceof Date && v.getTime() % DAY_MS !== 0) {
      throw invalid(
        `column ${column}, row ${row}: ${v.toISOString()} is not a day (a date column holds 00:00 UTC)`,
        { column, row },
      );
    }
  });
  return 'day';
}

/** INVALID_INPUT for a manifest value the writer cannot store (shared by the manifest modules). */
export const invalid = (message: string, details: Record<string, unknown> = {}) =>
  new CozipError('INVALID_INPUT', message, { details });
