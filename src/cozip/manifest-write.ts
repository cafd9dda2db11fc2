import { ByteWriter, parquetWrite } from 'hyparquet-writer';
import { CozipError } from '../errors.js';
import { encodeUtf8 } from '../zip/names.js';
import { LOCATION_COLUMNS } from './location.js';
import { type GeoOptions, geometryColumn } from './manifest-geo.js';
import {
  dayKind,
  inferKind,
  invalid,
  type SchemaElement,
  stringElement,
  toPhysical,
  uint64Element,
  userElement,
} from './manifest-schema.js';
import { fixIntegerBitWidths } from './parquet-footer-fix.js';

export type { GeoOptions } from './manifest-geo.js';

/** The columns every Flat manifest starts with, in this order. */
export const REQUIRED_COLUMNS = ['name', 'offset', 'size'] as const;

/** Rows per row group: small enough that filters can skip groups, big enough to compress. */
export const DEFAULT_ROW_GROUP_SIZE = 100_000;
/** Uncompressed bytes per data page: a few hundred names, a few thousand integers. */
const PAGE_SIZE = 32 * 1024;

export interface EncodeManifestOptions {
  /** Rows per row group (default 100,000; pages of 32 KiB inside, each with min/max). */
  rowGroupSize?: number;
  /** Extra key/value pairs for the Parquet footer. */
  kvMetadata?: { key: string; value: string }[];
  /** Write one column as a GeoParquet geometry column (WKB + `geo` metadata). */
  geo?: GeoOptions;
  /**
   * Columns of calendar days: their Dates (00:00 UTC) are written as Parquet
   * DATE. Other Date columns are instants (TIMESTAMP, milliseconds, UTC).
   */
  dateColumns?: string[];
}

const UINT64_MAX = 2n ** 64n - 1n;

/**
 * A manifest as columns, the writer's own form: a million rows cost a few
 * arrays, not a million objects. Every array holds one value per row.
 */
export interface ManifestColumns {
  /** Entry names, as strings or as their UTF-8 bytes (written as they are). */
  name: Array<string | Uint8Array>;
  /** Payload offsets and sizes: non-negative integers (numbers or bigints). */
  offset: Array<number | bigint>;
  size: Array<number | bigint>;
  /** Every other column, in order; null or undefined is a missing value. */
  extra: Array<{ name: string; values: unknown[] }>;
}

/**
 * Encodes the Flat profile's `__metadata__` table as Parquet bytes: `name`,
 * `offset` and `size` (uint64) first, then every other column in first-seen
 * order with a type inferred from its values. Same input, same bytes.
 */
export function encodeManifest(
  rows: Array<Record<string, unknown>>,
  options: EncodeManifestOptions = {},
): Uint8Array {
  if (!Array.isArray(rows)) throw invalid('manifest rows must be an array');
  const names = columnNames(rows);
  const column = (name: string) => rows.map((row) => row[name]);
  return encodeManifestColumns(
    {
      name: rows.map((row, i) => encodeUtf8(checkName(row.name, i))),
      offset: rows.map((row, i) => checkUint64('offset', row.offset, i)),
      size: rows.map((row, i) => checkUint64('size', row.size, i)),
      extra: names.slice(REQUIRED_COLUMNS.length).map((name) => ({ name, values: column(name) })),
    },
    options,
  );
}

/** encodeManifest for columns whose name, offset and size the caller has checked. */
export function encodeManifestColumns(
  columns: ManifestColumns,
  options: EncodeManifestOptions = {},
): Uint8Array {
  const rowGroupSize = options.rowGroupSize ?? DEFAULT_ROW_GROUP_SIZE;
  if (!Number.isSafeInteger(rowGroupSize) || rowGroupSize < 1) {
    throw invalid(`rowGroupSize must be a positive integer: ${rowGroupSize}`);
  }
  checkDistinctAsRead(columns.extra.map((c) => c.name));
  const geoColumn = options.geo ? (options.geo.column ?? 'geometry') : undefined;
  if (geoColumn !== undefined && !columns.extra.some((c) => c.name === geoColumn)) {
    throw invalid(`geometry column ${geoColumn} is not in the rows`, { column: geoColumn });
  }

  const schema: SchemaElement[] = [
    { name: 'root', num_children: REQUIRED_COLUMNS.length + columns.extra.length },
    stringElement('name', 'REQUIRED'),
    uint64Element('offset'),
    uint64Element('size'),
  ];
  const columnData: {
    name: string;
    data: unknown[];
    statistics?: boolean;
    columnIndex?: boolean;
    encoding?: string;
  }[] = [
    { name: 'name', data: columns.name, columnIndex: true },
    // Offsets rise by each member's size: deltas pack into a few bits each.
    { name: 'offset', data: columns.offset, encoding: 'DELTA_BINARY_PACKED' },
    { name: 'size', data: columns.size, encoding: 'DELTA_BINARY_PACKED' },
  ];
  let geoMetadata: string | undefined;
  const days = new Set(options.dateColumns ?? []);
  for (const day of days) {
    if (!columns.extra.some((c) => c.name === day)) {
      throw invalid(`date column ${day} is not in the rows`, { column: day });
    }
  }
  for (const { name, values } of columns.extra) {
    if (name === geoColumn) {
      const geo = geometryColumn(name, values, options.geo!);
      schema.push(geo.element);
      columnData.push({ name, data: geo.data });
      geoMetadata = geo.metadata;
    } else {
      const inferred = inferKind(name, values);
      const kind = days.has(name) ? dayKind(name, inferred, values) : inferred;
      schema.push(userElement(name, kind));
      // Min/max of JSON are whole documents (never truncated) and no filter uses them.
      const statistics = kind !== 'json';
      columnData.push({
        name,
        data: toPhysical(kind, values),
        statistics,
        columnIndex: statistics,
        // Times cluster (files written together): deltas pack into a few
        // bits where plain values take 8 bytes and a dictionary finds nothing.
        encoding: kind === 'date' || kind === 'day' ? 'DELTA_BINARY_PACKED' : undefined,
      });
    }
  }

  const kvMetadata = [...(options.kvMetadata ?? [])];
  if (geoMetadata !== undefined) {
    if (kvMetadata.some((kv) => kv.key === 'geo')) {
      throw invalid('kvMetadata already has a geo key; drop it or the geo option');
    }
    kvMetadata.push({ key: 'geo', value: geoMetadata });
  }

  const writer = new ByteWriter();
  try {
    // The writer's option types come from its own copy of hyparquet: the shapes match.
    parquetWrite({
      writer,
      schema,
      columnData,
      rowGroupSize,
      // Small pages with a column index (min/max per page) and an offset
      // index: a lookup by name reads the indexes with the footer, then one
      // page of each column it needs, not whole column chunks.
      pageSize: PAGE_SIZE,
      statisticsTruncateLength: 64,
      kvMetadata: kvMetadata.length > 0 ? kvMetadata : undefined,
    } as unknown as Parameters<typeof parquetWrite>[0]);
  } catch (err) {
    // What our checks let through and the writer refuses (a 5-D coordinate, say).
    throw new CozipError('INVALID_INPUT', `cannot encode the manifest: ${String(err)}`, {
      cause: err,
    });
  }
  return fixIntegerBitWidths(new Uint8Array(writer.getBuffer()));
}

// Decoding as Parquet readers do (hyparquet, and any TextDecoder left at its
// defaults): a leading U+FEFF is dropped, lone surrogates become U+FFFD.
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * INVALID_INPUT when two column names read back as one ("\uFEFFname" and
 * "name"): the manifest would be written, and no reader could list it.
 */
function checkDistinctAsRead(extra: readonly string[]): void {
  const seen = new Map<string, string>(REQUIRED_COLUMNS.map((n) => [n, n]));
  for (const name of extra) {
    const read = decoder.decode(encoder.encode(name));
    const other = seen.get(read);
    if (other !== undefined) {
      throw invalid(
        `columns ${JSON.stringify(other)} and ${JSON.stringify(name)} both read back as ${JSON.stringify(read)}`,
        { column: name, other },
      );
    }
    seen.set(read, name);
  }
}

/** name, offset, size, then the other keys in the order rows first show them. */
function columnNames(rows: Array<Record<string, unknown>>): string[] {
  const seen = new Set<string>(REQUIRED_COLUMNS);
  const names: string[] = [...REQUIRED_COLUMNS];
  rows.forEach((row, index) => {
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      throw invalid(`manifest row ${index} is not an object`, { row: index });
    }
    for (const key of Object.keys(row)) {
      if (seen.has(key)) continue;
      // `path` names the source file on the writer's disk: never published.
      if (key === 'path') throw invalid(`row ${index} has a path column`, { row: index });
      if (LOCATION_COLUMNS.includes(key)) {
        throw invalid(`row ${index}: column "${key}" is reserved for readers (never stored)`, {
          row: index,
          column: key,
        });
      }
      seen.add(key);
      names.push(key);
    }
  });
  return names;
}

function checkName(value: unknown, row: number): string {
  if (typeof value !== 'string' || value === '') {
    throw invalid(`row ${row}: name must be a non-empty string`, { column: 'name', row });
  }
  return value;
}

function checkUint64(column: string, value: unknown, row: number): number | bigint {
  const ok =
    (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) ||
    (typeof value === 'bigint' && value >= 0n && value <= UINT64_MAX);
  if (!ok) {
    throw invalid(`row ${row}: ${column} must be a non-negative integer, got ${String(value)}`, {
      column,
      row,
    });
  }
  return value as number | bigint;
}
