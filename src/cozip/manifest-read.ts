import { Decompress } from 'fzstd';
import {
  type AsyncBuffer,
  type FileMetaData,
  parquetMetadataAsync,
  parquetScan,
  parquetSchema,
  type SchemaElement,
  type SchemaTree,
} from 'hyparquet';
import { CozipError, isCozipError } from '../errors.js';
import type { RangeSource } from '../io/source.js';
import { zstdOutputLimit } from '../zip/zstd-limit.js';
import { LOCATION_COLUMNS } from './location.js';
import {
  evaluateConditions,
  type ManifestFilter,
  pruningFilter,
  type RowPredicate,
  resolveFilter,
} from './manifest-filter.js';
import { offsetIndexPages, type PageGuard, pageGuard } from './parquet-guard.js';
import { snappyDecompress } from './snappy-check.js';

/** A column's type in plain words (its Parquet physical and logical types folded). */
export type ManifestColumnType =
  | 'string'
  | 'boolean'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'float'
  | 'double'
  | 'decimal'
  | 'timestamp'
  | 'date'
  | 'binary'
  | 'json'
  | 'uuid'
  | 'geometry'
  | 'geography'
  | 'list'
  | 'map'
  | 'struct'
  | 'variant'
  | 'other';

export interface ManifestColumn {
  name: string;
  type: ManifestColumnType;
  nullable: boolean;
}

export interface OpenManifestOptions {
  /** Bytes of the footer fetched first. Default: all of a manifest up to 512 KiB, else 1/32 of it within [16 KiB, 64 KiB]. */
  initialFetch?: number;
  signal?: AbortSignal;
  /**
   * INT64 values of user columns come back as numbers when they are safe
   * integers and as bigint otherwise; `true` keeps every one a bigint.
   * `offset` and `size` are always numbers.
   */
  bigint?: boolean;
}

export interface ManifestReadOptions {
  /** Columns to return, in this order (default all). Only these are fetched, plus filter columns. */
  columns?: string[];
  /** Column conditions; row groups their statistics rule out are not fetched. */
  filter?: ManifestFilter;
  /** Runs on the rows the filter keeps; sees the returned columns plus the filter's. */
  predicate?: RowPredicate;
  /** Physical row range [rowStart, rowEnd) to consider, before filtering. */
  rowStart?: number;
  rowEnd?: number;
}

export interface Manifest {
  numRows: number;
  /** The stored columns, without the reserved location columns (see `discarded`). */
  columns: ManifestColumn[];
  /**
   * Stored columns with a reserved reader name (`cozip:location`,
   * `taco:location`): spec revision 0.1.0 has readers derive them from the
   * payload instead, so they are never read.
   */
  discarded: string[];
  metadata: FileMetaData;
  rows(options?: ManifestReadOptions): Promise<Array<Record<string, unknown>>>;
  columnsData(options?: ManifestReadOptions): Promise<Record<string, unknown[]>>;
}

const SMALL_MANIFEST = 512 * 1024;
/** Reads of manifest pages are merged only across gaps this small. */
const PAGE_GAP = 4 * 1024;
const FOOTER_FETCH = 64 * 1024;

/**
 * Opens the Flat `__metadata__` Parquet at [offset, offset + size) of `source`
 * without reading the rest: the footer first (a small manifest in one request),
 * then only the column chunks and row groups each query needs.
 */
export async function openManifest(
  source: RangeSource,
  offset: number,
  size: number,
  options: OpenManifestOptions = {},
): Promise<Manifest> {
  if (
    !Number.isSafeInteger(offset) ||
    !Number.isSafeInteger(size) ||
    offset < 0 ||
    size < 0 ||
    offset + size > source.size
  ) {
    throw new CozipError(
      'OUT_OF_RANGE',
      `manifest [${offset}, ${offset + size}) is outside ${source.name} (size ${source.size})`,
      { details: { offset, size } },
    );
  }
  // The footer and page indexes are about 1 % of a manifest: ask for 1/32 of
  // it, within [16 KiB, 64 KiB], so a lookup gets them in one request.
  const initialFetch =
    options.initialFetch ??
    (size <= SMALL_MANIFEST ? size : Math.min(FOOTER_FETCH, Math.max(16 * 1024, size >> 5)));
  if (!Number.isSafeInteger(initialFetch) || initialFetch < 8) {
    throw new CozipError(
      'INVALID_ARGUMENT',
      `initialFetch must be an integer >= 8: ${initialFetch}`,
    );
  }
  const file = manifestBuffer(source, offset, size, options.signal);
  const metadata = await decoding(source, () =>
    parquetMetadataAsync(file, { initialFetchSize: initialFetch }),
  );
  // A footer that decodes can still describe an impossible schema.
  const stored = await decoding(source, async () => {
    file.guard = pageGuard(metadata, PARQUET_COMPRESSORS, offsetIndexPages);
    return describeColumns(metadata);
  });
  const columns = stored.filter((c) => !LOCATION_COLUMNS.includes(c.name));
  const discarded = stored.filter((c) => LOCATION_COLUMNS.includes(c.name)).map((c) => c.name);
  const types = Object.fromEntries(columns.map((c) => [c.name, c.type]));
  for (const name of ['name', 'offset', 'size']) {
    const type = types[name];
    const ok = name === 'name' ? type === 'string' : /^u?int(32|64)$/.test(type ?? '');
    if (!ok) {
      throw new CozipError(
        'CORRUPT_DATA',
        type === undefined
          ? `manifest in ${source.name} has no ${name} column`
          : `manifest column ${name} in ${source.name} is ${type}`,
        { details: { column: name, type } },
      );
    }
  }

  const columnsData = async (read: ManifestReadOptions = {}) => {
    const { wanted, rowStart, rowEnd } = checkRead(read, columns, Number(metadata.num_rows));
    const conditions = resolveFilter(read.filter, types);
    const fetched = [...new Set([...wanted, ...conditions.map((c) => c.column)])];
    const data = await decoding(source, () =>
      readColumns(file, metadata, fetched, rowStart, rowEnd, pruningFilter(conditions, types)),
    );
    convertIntegers(data, types, options.bigint === true, source.name);
    const length = data[fetched[0]]?.length ?? 0;
    const mask = evaluateConditions(conditions, data, length);
    if (read.predicate) {
      for (let i = 0; i < length; i++) {
        if (mask[i] && !read.predicate(rowAt(data, fetched, i))) mask[i] = 0;
      }
    }
    const out: Record<string, unknown[]> = {};
    for (const name of wanted) {
      const values = data[name];
      out[name] =
        conditions.length > 0 || read.predicate ? values.filter((_, i) => mask[i]) : values;
    }
    return out;
  };

  return {
    numRows: Number(metadata.num_rows),
    columns,
    discarded,
    metadata,
    columnsData,
    async rows(read = {}) {
      const data = await columnsData(read);
      const names = Object.keys(data);
      const length = names.length > 0 ? data[names[0]].length : 0;
      return Array.from({ length }, (_, i) => rowAt(data, names, i));
    },
  };
}

/**
 * The manifest as hyparquet's AsyncBuffer. The footer fetch is kept, so the
 * reads that fall inside it (all of them, for a small manifest) cost nothing.
 */
function manifestBuffer(
  source: RangeSource,
  offset: number,
  size: number,
  signal: AbortSignal | undefined,
): AsyncBuffer & { guard?: PageGuard } {
  let kept: { start: number; bytes: Uint8Array } | undefined;
  const fetch = async (start: number, end: number) => {
    if (kept && start >= kept.start && end <= kept.start + kept.bytes.length) {
      return kept.bytes.subarray(start - kept.start, end - kept.start);
    }
    // Pages are small and scattered: read what is asked, little around it.
    const bytes = await source.read(offset + start, offset + end, { signal, maxGap: PAGE_GAP });
    if (!kept && end === size) kept = { start, bytes: new Uint8Array(bytes) };
    return bytes;
  };
  const buffer: AsyncBuffer & { guard?: PageGuard } = {
    byteLength: size,
    slice(start: number, end = size) {
      const read = async () => {
        // A corrupt footer gives the decoder offsets that are not offsets.
        if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start > end) {
          throw new CozipError('CORRUPT_DATA', `manifest in ${source.name}: range ${start}-${end}`);
        }
        const bytes = await fetch(start, end);
        // Pages are walked before the decoder sees them (see parquet-guard.ts).
        await buffer.guard?.check(start, bytes, (o, n) => fetch(o, o + n));
        return copy(bytes);
      };
      const result = read();
      // The decoder prefetches ranges it may never await: a failure there
      // must not become an unhandled rejection (awaiting it still throws).
      result.catch(() => {});
      return result;
    },
  };
  return buffer;
}

/** hyparquet wants a whole ArrayBuffer; sources return views. */
function copy(bytes: Uint8Array): ArrayBuffer {
  const { buffer, byteOffset, byteLength } = bytes;
  if (byteOffset === 0 && byteLength === buffer.byteLength && buffer instanceof ArrayBuffer) {
    return buffer;
  }
  // Not bytes.slice(): on a Node Buffer that is a view, not a copy.
  return new Uint8Array(bytes).buffer;
}

/** Runs a hyparquet call; its plain Errors mean the Parquet is unreadable. */
async function decoding<T>(source: RangeSource, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (isCozipError(err)) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new CozipError('CORRUPT_DATA', `unreadable manifest in ${source.name}: ${message}`, {
      cause: err,
    });
  }
}

function checkRead(read: ManifestReadOptions, columns: ManifestColumn[], numRows: number) {
  const known = new Set(columns.map((c) => c.name));
  const wanted = read.columns ?? columns.map((c) => c.name);
  for (const name of wanted) {
    if (!known.has(name)) {
      throw new CozipError('INVALID_ARGUMENT', `manifest has no column ${name}`, {
        details: { column: name },
      });
    }
  }
  if (new Set(wanted).size !== wanted.length) {
    throw new CozipError('INVALID_ARGUMENT', `columns lists a column twice: ${wanted.join(', ')}`);
  }
  const rowStart = read.rowStart ?? 0;
  const rowEnd = Math.min(read.rowEnd ?? numRows, numRows);
  if (!Number.isSafeInteger(rowStart) || !Number.isSafeInteger(rowEnd) || rowStart < 0) {
    throw new CozipError('INVALID_ARGUMENT', `bad row range [${rowStart}, ${rowEnd})`);
  }
  return { wanted, rowStart, rowEnd: Math.max(rowStart, rowEnd) };
}

/**
 * Reads whole columns over the row ranges the pruning filter leaves. Every
 * read is issued before any is awaited, so a ReadPlanner can merge them.
 */
async function readColumns(
  file: AsyncBuffer,
  metadata: FileMetaData,
  columns: string[],
  rowStart: number,
  rowEnd: number,
  filter: ReturnType<typeof pruningFilter>,
): Promise<Record<string, unknown[]>> {
  const data: Record<string, unknown[]> = Object.fromEntries(columns.map((c) => [c, []]));
  if (columns.length === 0 || rowStart >= rowEnd) return data;
  const scan = await parquetScan({
    file,
    metadata,
    columns,
    rowStart,
    rowEnd,
    pruningFilter: filter,
    // Page min/max (column indexes) narrow a lookup to the pages that can match.
    usePageIndex: true,
    // Unannotated BYTE_ARRAY is binary: keep it as bytes, not a guessed string.
    utf8: false,
    compressors: PARQUET_COMPRESSORS,
  });
  const parts = scan.ranges.map((range) =>
    columns.map((column) => scan.readColumn({ column, ...range })),
  );
  const chunks = await Promise.all(parts.map((p) => Promise.all(p)));
  for (const chunk of chunks) {
    columns.forEach((column, c) => {
      const out = data[column];
      const values = chunk[c] as ArrayLike<unknown>;
      for (let i = 0; i < values.length; i++) out.push(values[i]);
    });
  }
  return data;
}

/**
 * Decompressors for hyparquet: ZSTD (a common pyarrow and polars choice)
 * through fzstd, stopped at the page's declared size or zstd's own bound
 * (fzstd can loop on corrupt blocks), and Snappy behind its input check
 * (snappy-check.ts).
 */
export const PARQUET_COMPRESSORS = {
  ZSTD: zstdPage,
  SNAPPY: snappyDecompress,
};

function zstdPage(input: Uint8Array, outputLength: number): Uint8Array {
  const out = new Uint8Array(outputLength);
  let produced = 0;
  const limit = Math.min(outputLength, zstdOutputLimit(input.length));
  const d = new Decompress((chunk) => {
    if (produced + chunk.length > limit) {
      throw new CozipError(
        'CORRUPT_DATA',
        `a ZSTD Parquet page decodes to more than its ${outputLength} bytes`,
        { details: { outputLength } },
      );
    }
    out.set(chunk, produced);
    produced += chunk.length;
  });
  try {
    d.push(input, true);
  } catch (err) {
    if (err instanceof CozipError) throw err;
    throw new CozipError('CORRUPT_DATA', `a ZSTD Parquet page: ${(err as Error)?.message ?? err}`, {
      cause: err,
    });
  }
  if (produced !== outputLength) {
    throw new CozipError(
      'CORRUPT_DATA',
      `a ZSTD Parquet page decodes to ${produced} bytes, not its ${outputLength}`,
      { details: { outputLength, produced } },
    );
  }
  return out;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** offset/size become numbers (or fail); other INT64 values per the bigint option. */
function convertIntegers(
  data: Record<string, unknown[]>,
  types: Record<string, ManifestColumnType>,
  keepBigint: boolean,
  name: string,
) {
  for (const [column, values] of Object.entries(data)) {
    const required = column === 'offset' || column === 'size';
    if (required) {
      for (let i = 0; i < values.length; i++) values[i] = position(column, values[i], i, name);
    } else if (!keepBigint && (types[column] === 'int64' || types[column] === 'uint64')) {
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (typeof v === 'bigint' && v <= MAX_SAFE && v >= -MAX_SAFE) values[i] = Number(v);
      }
    }
  }
}

function position(column: string, value: unknown, row: number, name: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === 'bigint' && value >= 0n) {
    if (value > MAX_SAFE) {
      throw new CozipError('TOO_LARGE', `manifest ${column} ${value} exceeds 2^53 - 1 in ${name}`, {
        details: { column, value, row },
      });
    }
    return Number(value);
  }
  throw new CozipError('CORRUPT_DATA', `manifest ${column} is ${String(value)} in ${name}`, {
    details: { column, row },
  });
}

function rowAt(data: Record<string, unknown[]>, names: string[], i: number) {
  const row: Record<string, unknown> = {};
  for (const name of names) row[name] = data[name][i];
  return row;
}

function describeColumns(metadata: FileMetaData): ManifestColumn[] {
  return parquetSchema(metadata).children.map((child: SchemaTree) => ({
    name: child.element.name,
    type: describeType(child),
    nullable: child.element.repetition_type !== 'REQUIRED',
  }));
}

function describeType({ element, children }: SchemaTree): ManifestColumnType {
  const { type, converted_type: ctype, logical_type: ltype } = element as SchemaElement;
  if (children.length > 0 || type === undefined) {
    if (ltype?.type === 'VARIANT') return 'variant';
    if (ctype === 'LIST' || ltype?.type === 'LIST') return 'list';
    if (ctype === 'MAP' || ctype === 'MAP_KEY_VALUE' || ltype?.type === 'MAP') return 'map';
    return 'struct';
  }
  if (ctype === 'DECIMAL' || ltype?.type === 'DECIMAL') return 'decimal';
  switch (type) {
    case 'BOOLEAN':
      return 'boolean';
    case 'INT32':
      if (ctype === 'DATE' || ltype?.type === 'DATE') return 'date';
      if (ctype?.startsWith('UINT_') || (ltype?.type === 'INTEGER' && !ltype.isSigned)) {
        return 'uint32';
      }
      return 'int32';
    case 'INT64':
      if (ctype?.startsWith('TIMESTAMP') || ltype?.type === 'TIMESTAMP') return 'timestamp';
      if (ctype === 'UINT_64' || (ltype?.type === 'INTEGER' && !ltype.isSigned)) return 'uint64';
      return 'int64';
    case 'INT96':
      return 'timestamp';
    case 'FLOAT':
      return 'float';
    case 'DOUBLE':
      return 'double';
    case 'BYTE_ARRAY':
    case 'FIXED_LEN_BYTE_ARRAY':
      if (ltype?.type === 'GEOMETRY') return 'geometry';
      if (ltype?.type === 'GEOGRAPHY') return 'geography';
      if (ltype?.type === 'UUID') return 'uuid';
      if (ltype?.type === 'FLOAT16') return 'float';
      if (ctype === 'JSON' || ltype?.type === 'JSON') return 'json';
      if (
        ctype === 'UTF8' ||
        ctype === 'ENUM' ||
        ltype?.type === 'STRING' ||
        ltype?.type === 'ENUM'
      ) {
        return 'string';
      }
      if (ctype === 'BSON' || ltype?.type === 'BSON') return 'other';
      return 'binary';
    default:
      return 'other';
  }
}
