import { ByteWriter, geojsonToWkb, parquetWrite } from 'hyparquet-writer';
import { CozipError } from '../errors.js';
import { concatBytes } from '../io/stream.js';

/** The columns every Flat manifest starts with, in this order. */
export const REQUIRED_COLUMNS = ['name', 'offset', 'size'] as const;

/** Rows per row group: small enough that filters can skip groups, big enough to compress. */
export const DEFAULT_ROW_GROUP_SIZE = 100_000;
/** Uncompressed bytes per data page: a few hundred names, a few thousand integers. */
const PAGE_SIZE = 32 * 1024;

export interface GeoOptions {
  /** The geometry column (GeoJSON geometry objects or null). Default `geometry`. */
  column?: string;
  /** PROJJSON of the coordinates' CRS; omitted means OGC:CRS84 (lon/lat WGS 84). */
  crs?: Record<string, unknown>;
}

export interface EncodeManifestOptions {
  /** Rows per row group (default 100,000; pages of 32 KiB inside, each with min/max). */
  rowGroupSize?: number;
  /** Extra key/value pairs for the Parquet footer. */
  kvMetadata?: { key: string; value: string }[];
  /** Write one column as a GeoParquet geometry column (WKB + `geo` metadata). */
  geo?: GeoOptions;
}

type Kind = 'string' | 'int' | 'float' | 'bigint' | 'boolean' | 'date' | 'bytes' | 'json';

/** Our copy of the writer's schema element shape (its types come from another hyparquet). */
interface SchemaElement {
  name: string;
  type?: 'BOOLEAN' | 'INT64' | 'DOUBLE' | 'BYTE_ARRAY';
  repetition_type?: 'REQUIRED' | 'OPTIONAL';
  num_children?: number;
  converted_type?: 'UTF8' | 'UINT_64' | 'TIMESTAMP_MILLIS' | 'JSON';
  logical_type?: Record<string, unknown>;
}

const UINT64_MAX = 2n ** 64n - 1n;

const invalid = (message: string, details: Record<string, unknown> = {}) =>
  new CozipError('INVALID_INPUT', message, { details });

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
  const rowGroupSize = options.rowGroupSize ?? DEFAULT_ROW_GROUP_SIZE;
  if (!Number.isSafeInteger(rowGroupSize) || rowGroupSize < 1) {
    throw invalid(`rowGroupSize must be a positive integer: ${rowGroupSize}`);
  }
  const geoColumn = options.geo ? (options.geo.column ?? 'geometry') : undefined;
  const names = columnNames(rows);
  if (geoColumn !== undefined && !names.includes(geoColumn)) {
    throw invalid(`geometry column ${geoColumn} is not in the rows`, { column: geoColumn });
  }

  const schema: SchemaElement[] = [{ name: 'root', num_children: names.length }];
  const columnData: {
    name: string;
    data: unknown[];
    statistics?: boolean;
    columnIndex?: boolean;
    encoding?: string;
  }[] = [];
  let geoMetadata: string | undefined;
  for (const name of names) {
    const values = rows.map((row) => row[name]);
    if (name === 'name') {
      schema.push(stringElement(name, 'REQUIRED'));
      columnData.push({ name, data: values.map((v, i) => checkName(v, i)), columnIndex: true });
    } else if (name === 'offset' || name === 'size') {
      schema.push(uint64Element(name));
      // Offsets rise by each member's size: deltas pack into a few bits each.
      const data = values.map((v, i) => checkUint64(name, v, i));
      columnData.push({ name, data, encoding: 'DELTA_BINARY_PACKED' });
    } else if (name === geoColumn) {
      const geo = geometryColumn(name, values, options.geo!);
      schema.push(geo.element);
      columnData.push({ name, data: geo.data });
      geoMetadata = geo.metadata;
    } else {
      const kind = inferKind(name, values);
      schema.push(userElement(name, kind));
      // Min/max of JSON are whole documents (never truncated) and no filter uses them.
      const statistics = kind !== 'json';
      columnData.push({
        name,
        data: toPhysical(kind, values),
        statistics,
        columnIndex: statistics,
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

function checkUint64(column: string, value: unknown, row: number): bigint {
  const ok =
    (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) ||
    (typeof value === 'bigint' && value >= 0n && value <= UINT64_MAX);
  if (!ok) {
    throw invalid(`row ${row}: ${column} must be a non-negative integer, got ${String(value)}`, {
      column,
      row,
    });
  }
  return BigInt(value as number | bigint);
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
function inferKind(column: string, values: unknown[]): Kind | undefined {
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
    throw invalid(`column ${column}, row ${row}: ${next} value in a ${kind} column`, {
      column,
      row,
    });
  });
  return kind;
}

function describe(value: unknown): string {
  if (typeof value === 'object' && value !== null) {
    return `a ${value.constructor?.name ?? 'null-prototype'} object`;
  }
  return `a ${typeof value}`;
}

function stringElement(name: string, repetition: 'REQUIRED' | 'OPTIONAL'): SchemaElement {
  return {
    name,
    type: 'BYTE_ARRAY',
    repetition_type: repetition,
    converted_type: 'UTF8',
    logical_type: { type: 'STRING' },
  };
}

function uint64Element(name: string): SchemaElement {
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
function userElement(name: string, kind: Kind | undefined): SchemaElement {
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
function toPhysical(kind: Kind | undefined, values: unknown[]): unknown[] {
  const nulls = (v: unknown) => v === null || v === undefined;
  if (kind === 'int' || kind === 'bigint') {
    return values.map((v) => (nulls(v) ? null : BigInt(v as number | bigint)));
  }
  return values.map((v) => (nulls(v) ? null : v));
}

const GEOMETRY_TYPES = new Set([
  'Point',
  'LineString',
  'Polygon',
  'MultiPoint',
  'MultiLineString',
  'MultiPolygon',
  'GeometryCollection',
]);

interface Geometry {
  type: string;
  coordinates?: unknown;
  geometries?: Geometry[];
}

/**
 * A GeoParquet 1.1 column: WKB bytes in a BYTE_ARRAY annotated GEOMETRY, plus
 * the `geo` footer entry (types and bbox) that GeoPandas, GDAL and DuckDB read.
 */
function geometryColumn(name: string, values: unknown[], geo: GeoOptions) {
  const types = new Set<string>();
  const bbox = [Infinity, Infinity, -Infinity, -Infinity];
  values.forEach((value, row) => {
    if (value === null || value === undefined) return;
    if (!isGeometry(value)) {
      throw invalid(`column ${name}, row ${row}: not a GeoJSON geometry`, { column: name, row });
    }
    const dims = extend(bbox, value);
    types.add(value.type + (dims === 3 ? ' Z' : dims === 4 ? ' ZM' : ''));
  });
  const column: Record<string, unknown> = {
    encoding: 'WKB',
    geometry_types: [...types].sort(),
  };
  if (bbox[0] <= bbox[2] && bbox[1] <= bbox[3]) column.bbox = bbox;
  if (geo.crs !== undefined) column.crs = geo.crs;
  const metadata = JSON.stringify({
    version: '1.1.0',
    primary_column: name,
    columns: { [name]: column },
  });
  const nullable = (v: unknown) => (v === undefined ? null : v);
  if (geo.crs === undefined) {
    // The GEOMETRY logical type (default CRS OGC:CRS84): the writer encodes
    // WKB from GeoJSON and adds geospatial statistics.
    const element: SchemaElement = {
      name,
      type: 'BYTE_ARRAY',
      repetition_type: 'OPTIONAL',
      logical_type: { type: 'GEOMETRY' },
    };
    return { element, data: values.map(nullable), metadata };
  }
  // Another CRS is described by the geo entry alone, so the column is plain WKB.
  const element: SchemaElement = { name, type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' };
  const data = values.map((v) =>
    v === null || v === undefined ? null : geojsonToWkb(v as Parameters<typeof geojsonToWkb>[0]),
  );
  return { element, data, metadata };
}

function isGeometry(value: unknown): value is Geometry {
  if (typeof value !== 'object' || value === null) return false;
  const { type, coordinates, geometries } = value as Geometry;
  if (typeof type !== 'string' || !GEOMETRY_TYPES.has(type)) return false;
  if (type === 'GeometryCollection')
    return Array.isArray(geometries) && geometries.every(isGeometry);
  return Array.isArray(coordinates);
}

/** Grows bbox [xmin, ymin, xmax, ymax] by the geometry; returns its widest position. */
function extend(bbox: number[], geometry: Geometry): number {
  if (geometry.type === 'GeometryCollection') {
    return Math.max(2, ...(geometry.geometries ?? []).map((child) => extend(bbox, child)));
  }
  let dims = 2;
  const walk = (coords: unknown): void => {
    if (!Array.isArray(coords)) return;
    if (typeof coords[0] === 'number') {
      const [x, y] = coords as number[];
      dims = Math.max(dims, coords.length);
      if (Number.isFinite(x) && Number.isFinite(y)) {
        bbox[0] = Math.min(bbox[0], x);
        bbox[1] = Math.min(bbox[1], y);
        bbox[2] = Math.max(bbox[2], x);
        bbox[3] = Math.max(bbox[3], y);
      }
      return;
    }
    for (const child of coords) walk(child);
  };
  walk(geometry.coordinates);
  return dims;
}

// --- Footer repair ---
// hyparquet-writer 0.17 writes IntType.bitWidth as a thrift i32, but the
// Parquet format declares it i8: strict readers (DuckDB, Arrow) then reject the
// whole footer. We re-encode that one field; the rest of the file is untouched
// (nothing points into the footer). A writer that gets it right is left alone.

const T_BYTE = 3;
const T_I32 = 5;
const T_LIST = 9;
const T_STRUCT = 12;

interface Cursor {
  bytes: Uint8Array;
  pos: number;
}

function fixIntegerBitWidths(file: Uint8Array): Uint8Array {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const footerLength = view.getUint32(file.length - 8, true);
  const footerStart = file.length - 8 - footerLength;
  const c: Cursor = { bytes: file.subarray(footerStart, file.length - 8), pos: 0 };
  const patches: { header: number; start: number; end: number; value: number }[] = [];
  // FileMetaData.schema (2) -> SchemaElement.logicalType (10) -> LogicalType.INTEGER (10) -> bitWidth (1)
  const into =
    (fid: number, type: number, next: (fid: number, type: number, header: number) => boolean) =>
    (f: number, t: number) => {
      if (f !== fid || t !== type) return false;
      fields(c, next);
      return true;
    };
  const bitWidth = (fid: number, type: number, header: number) => {
    if (fid !== 1 || type !== T_I32) return false;
    const start = c.pos;
    const value = unzigzag(varint(c));
    patches.push({ header, start, end: c.pos, value });
    return true;
  };
  fields(c, (fid, type) => {
    if (fid !== 2 || type !== T_LIST) return false;
    list(c, () => fields(c, into(10, T_STRUCT, into(10, T_STRUCT, bitWidth))));
    return true;
  });
  if (c.pos !== c.bytes.length) throw new Error('parquet footer: thrift walk ended early');
  if (patches.length === 0) return file;

  const parts: Uint8Array[] = [file.subarray(0, footerStart)];
  let at = 0;
  for (const { header, start, end, value } of patches) {
    parts.push(c.bytes.subarray(at, header));
    parts.push(new Uint8Array([(c.bytes[header] & 0xf0) | T_BYTE]));
    parts.push(c.bytes.subarray(header + 1, start), new Uint8Array([value]));
    at = end;
  }
  parts.push(c.bytes.subarray(at));
  const footer = concatBytes(parts.slice(1));
  const tail = new Uint8Array(8);
  new DataView(tail.buffer).setUint32(0, footer.length, true);
  tail.set(file.subarray(file.length - 4), 4); // PAR1
  return concatBytes([parts[0], footer, tail]);
}

/** Walks a compact-protocol struct; `visit` returns true when it consumed the field. */
function fields(c: Cursor, visit: (fid: number, type: number, header: number) => boolean) {
  let fid = 0;
  for (;;) {
    const header = c.pos;
    const byte = next(c);
    if (byte === 0) return;
    const type = byte & 0x0f;
    fid = byte >> 4 ? fid + (byte >> 4) : unzigzag(varint(c));
    if (!visit(fid, type, header)) skip(c, type, false);
  }
}

function list(c: Cursor, each: (type: number) => void) {
  const header = next(c);
  const size = header >> 4 === 15 ? varint(c) : header >> 4;
  for (let i = 0; i < size; i++) each(header & 0x0f);
}

function skip(c: Cursor, type: number, element: boolean): void {
  switch (type) {
    case 1:
    case 2:
      if (element) c.pos++; // a bool in a list or map takes a byte; in a field header, none
      return;
    case T_BYTE:
      c.pos++;
      return;
    case 4:
    case T_I32:
    case 6:
      varint(c);
      return;
    case 7:
      c.pos += 8;
      return;
    case 8: {
      const length = varint(c); // not `c.pos += varint(c)`: that reads pos first
      c.pos += length;
      return;
    }
    case T_LIST:
    case 10:
      list(c, (t) => skip(c, t, true));
      return;
    case 11: {
      const size = varint(c);
      const kinds = size > 0 ? next(c) : 0;
      for (let i = 0; i < size; i++) {
        skip(c, kinds >> 4, true);
        skip(c, kinds & 0x0f, true);
      }
      return;
    }
    case T_STRUCT:
      fields(c, () => false);
      return;
    default:
      throw new Error(`parquet footer: unknown thrift type ${type}`);
  }
}

function next(c: Cursor): number {
  if (c.pos >= c.bytes.length) throw new Error('parquet footer: truncated thrift');
  return c.bytes[c.pos++];
}

/** Unsigned LEB128; multiplication keeps 64-bit values (only skipped) from wrapping. */
function varint(c: Cursor): number {
  let value = 0;
  for (let scale = 1; ; scale *= 128) {
    const byte = next(c);
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return value;
  }
}

const unzigzag = (n: number) => (n % 2 === 0 ? n / 2 : -(n + 1) / 2);
