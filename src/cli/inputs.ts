// What `cozip create` packs: the files under a directory, or the rows of a
// CSV, JSON or Parquet table. Every file becomes a sized stream opened only
// when the writer reaches it, so a directory of 100,000 files never holds
// 100,000 open handles.
import { type Stats, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parquetReadObjects } from 'hyparquet';
import { type CozipRow, fileInput } from '../cozip/inputs.js';
import { PARQUET_COMPRESSORS } from '../cozip/manifest-read.js';
import { guardedFile } from '../cozip/parquet-guard.js';
import { CozipError } from '../errors.js';
import { applyTypes, type ColumnType, type TypedRecords, typeCsvColumns } from './column-types.js';
import { parseCsv } from './csv.js';
import type { DirFile } from './walk.js';

/**
 * Directory files as writer rows with the automatic `extension` and `mtime`
 * columns; `mtime` (create --mtime) replaces every file's own time, so a
 * touched file does not change the archive.
 */
export function dirRows(files: DirFile[], mtime?: Date): CozipRow[] {
  return files.map((f) => ({
    name: f.name,
    path: fileInput(f.path, f.size),
    extension: extname(f.name).slice(1) || null,
    mtime: mtime ?? f.mtime,
  }));
}

export type TableFormat = 'csv' | 'json' | 'parquet';

export function tableFormat(path: string): TableFormat | undefined {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv' || ext === '.tsv') return 'csv';
  if (ext === '.json' || ext === '.jsonl' || ext === '.ndjson') return 'json';
  if (ext === '.parquet' || ext === '.pq') return 'parquet';
  return undefined;
}

function badInput(message: string, details: Record<string, unknown> = {}): CozipError {
  return new CozipError('INVALID_INPUT', message, { details });
}

/** The core's Parquet decompressors, plus GZIP, which Node inflates synchronously. */
const COMPRESSORS = {
  ...PARQUET_COMPRESSORS,
  GZIP: (input: Uint8Array) => new Uint8Array(gunzipSync(input)),
};

async function readParquet(path: string): Promise<TypedRecords> {
  const bytes = await readFile(path);
  try {
    // The page guard in front of the decoder: a crafted file cannot make it spin.
    const { file, metadata } = guardedFile(bytes, COMPRESSORS, path);
    const records = await parquetReadObjects({ file, metadata, compressors: COMPRESSORS });
    // DATE columns read as Dates like timestamps do: say which are days, to write them back as DATE.
    const dateColumns = metadata.schema
      .slice(1)
      .filter(
        (e) => !e.num_children && (e.converted_type === 'DATE' || e.logical_type?.type === 'DATE'),
      )
      .map((e) => e.name);
    return { records, dateColumns };
  } catch (err) {
    if (err instanceof CozipError) {
      if (err.code !== 'CORRUPT_DATA') throw err;
      throw new CozipError(
        'INVALID_INPUT',
        `${path} is not a readable Parquet file: ${err.message}`,
        {
          cause: err,
        },
      );
    }
    throw new CozipError(
      'INVALID_INPUT',
      `${path} is not a readable Parquet file: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}

const isRecord = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

/** A JSON array of objects, or JSON lines (one object per line). */
function parseJsonRows(text: string, path: string): Array<Record<string, unknown>> {
  let whole: unknown;
  try {
    whole = JSON.parse(text);
  } catch {
    whole = undefined;
  }
  if (Array.isArray(whole)) {
    whole.forEach((r, i) => {
      if (!isRecord(r)) throw badInput(`${path} row ${i + 1}: not an object`, { row: i + 1 });
    });
    return whole;
  }
  if (isRecord(whole)) return [whole];
  const rows: Array<Record<string, unknown>> = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw badInput(`${path} line ${i + 1}: not JSON (${(err as Error).message})`, {
        line: i + 1,
      });
    }
    if (!isRecord(value)) throw badInput(`${path} line ${i + 1}: not an object`, { line: i + 1 });
    rows.push(value);
  });
  return rows;
}

export interface TableReading {
  /** Columns that stay text in a CSV whatever they hold (the name and path). */
  textColumns: string[];
  /** CSV field separator (default: a tab for .tsv, else a comma). */
  delimiter?: string;
  /** --types: these columns as these types, whatever the table says. */
  types?: ReadonlyMap<string, ColumnType>;
}

/** The separator a table's name implies. */
export function defaultDelimiter(path: string): string {
  return extname(path).toLowerCase() === '.tsv' ? '\t' : ',';
}

/**
 * The table's records, typed: CSV columns by what their values read as (or
 * `types`), JSON and Parquet as they are stored (then `types`).
 */
export async function readTable(path: string, reading: TableReading): Promise<TypedRecords> {
  const format = tableFormat(path);
  const types = reading.types ?? new Map<string, ColumnType>();
  if (format === 'parquet') {
    const { records, dateColumns } = await readParquet(path);
    return applyTypes(records, types, path, dateColumns);
  }
  const text = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
  if (format === 'json')
    return applyTypes(withoutBoms(parseJsonRows(text, path), path), types, path);
  const delimiter = reading.delimiter ?? defaultDelimiter(path);
  const { header, rows } = parseCsv(text, path, delimiter);
  const typed = typeCsvColumns(header, rows, new Set(reading.textColumns), types, path);
  return { ...typed, records: withoutBoms(typed.records, path) };
}

/**
 * Keys without a leading U+FEFF (an editor's byte order mark, pasted into a
 * header or a key): "\uFEFFname" is the name column. Two keys of a row that
 * become one are INVALID_INPUT.
 */
function withoutBoms(
  rows: Array<Record<string, unknown>>,
  path: string,
): Array<Record<string, unknown>> {
  return rows.map((row, i) => {
    const keys = Object.keys(row);
    if (!keys.some((k) => k.startsWith('\uFEFF'))) return row;
    const seen = new Set<string>();
    const entries = keys.map((key): [string, unknown] => {
      const bare = key.replace(/^\uFEFF+/, '');
      if (seen.has(bare)) {
        throw badInput(
          `${path} row ${i + 1}: two keys are ${JSON.stringify(bare)} but for a byte order mark`,
          { row: i + 1, column: bare },
        );
      }
      seen.add(bare);
      return [bare, row[key]];
    });
    // fromEntries defines own properties (a "__proto__" key stays a key).
    return Object.fromEntries(entries);
  });
}

/** One error for a name or path column the table does not have, listing the ones it has. */
function checkColumns(
  records: Array<Record<string, unknown>>,
  tablePath: string,
  wanted: Array<[column: string, flag: string]>,
): void {
  const missing = wanted.filter(([column]) => !records.some((r) => Object.hasOwn(r, column)));
  if (missing.length === 0) return;
  const present = new Set<string>();
  for (const r of records) for (const key of Object.keys(r)) present.add(key);
  const [column, flag] = missing[0];
  const shown = [...present].map((c) => JSON.stringify(c)).join(', ');
  throw badInput(
    `${tablePath} has no column ${JSON.stringify(column)} (${flag}); its columns: ${shown || 'none'}`,
    { table: tablePath, column, columns: [...present] },
  );
}

export interface TableColumns {
  nameCol: string;
  pathCol: string;
}

/**
 * Table records as writer rows: `path` resolved against the table's folder
 * and checked (a readable regular file), every other column carried along.
 */
export async function tableRows(
  records: Array<Record<string, unknown>>,
  tablePath: string,
  { nameCol, pathCol }: TableColumns,
): Promise<CozipRow[]> {
  const base = dirname(resolve(tablePath));
  checkColumns(records, tablePath, [
    [nameCol, '--name-col'],
    [pathCol, '--path-col'],
  ]);
  const rows: CozipRow[] = [];
  for (const [i, record] of records.entries()) {
    const where = `${tablePath} row ${i + 1}`;
    const { [nameCol]: name, [pathCol]: path, ...columns } = record;
    // A renamed column would otherwise collide with the writer's own name/path.
    for (const reserved of ['name', 'path']) {
      if (reserved in columns) {
        throw badInput(
          `${tablePath} has a column ${JSON.stringify(reserved)} besides --name-col ${nameCol} / --path-col ${pathCol}`,
        );
      }
    }
    if (typeof name !== 'string' || name === '') {
      throw badInput(`${where}: no name (column ${JSON.stringify(nameCol)}, use --name-col)`, {
        row: i + 1,
      });
    }
    if (typeof path !== 'string' || path === '') {
      throw badInput(`${where}: no path (column ${JSON.stringify(pathCol)}, use --path-col)`, {
        row: i + 1,
      });
    }
    const file = resolve(base, path);
    // Synchronous: a stat through the thread pool costs several times the call itself.
    let st: Stats;
    try {
      st = statSync(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`;
      throw badInput(`${where}: ${path} ${why}`, { row: i + 1, path });
    }
    if (!st.isFile())
      throw badInput(`${where}: ${path} is not a regular file`, { row: i + 1, path });
    rows.push({ name, path: fileInput(file, st.size), ...columns });
  }
  return rows;
}
