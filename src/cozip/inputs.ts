// Writer inputs: rows of { name, path, ...columns }. `path` is where the
// bytes come from (a local path in Node, bytes, a Blob, or a sized stream);
// `name` is the name in the archive; every other column goes to the Flat
// manifest. Everything is checked before a byte is written.
import { openFileSource } from '#file-source';
import { CozipError } from '../errors.js';
import type { RangeSource } from '../io/source.js';
import { readStream } from '../io/stream.js';
import { iterateStream } from '../io/web-stream.js';
import { INDEX_NAME, PADDING_NAME } from './constants.js';
import { cozipNameProblem } from './names.js';

/** A stream whose length is known up front (cozip writes sizes before data). */
export interface SizedStream {
  size: number;
  stream: () => AsyncIterable<Uint8Array>;
}

export type EntrySource = string | Uint8Array | Blob | SizedStream;

export interface CozipRow {
  name: string;
  path: EntrySource;
  [column: string]: unknown;
}

/** A row resolved for writing: size known, bytes openable, manifest columns split off. */
export interface ResolvedEntry {
  name: string;
  size: number;
  open: () => AsyncIterable<Uint8Array>;
  columns: Record<string, unknown>;
  /** A file source to close after writing. */
  file?: RangeSource;
}

const RESERVED_COLUMNS = ['offset', 'size'];

function invalid(row: number, message: string, details: Record<string, unknown> = {}): CozipError {
  return new CozipError('INVALID_INPUT', `row ${row}: ${message}`, {
    details: { row, ...details },
  });
}

/** Checks the rows against the spec's rules and the profile's reserved names. */
export function checkRows(rows: CozipRow[], reserved: string[]): void {
  const seen = new Map<string, number>();
  rows.forEach((row, i) => {
    if (typeof row !== 'object' || row === null) throw invalid(i, 'not an object');
    if (typeof row.name !== 'string') throw invalid(i, 'missing required column "name" (a string)');
    if (row.path === undefined || row.path === null)
      throw invalid(i, `missing required column "path" for ${JSON.stringify(row.name)}`);
    for (const c of RESERVED_COLUMNS) {
      if (c in row)
        throw invalid(i, `column "${c}" is reserved: the writer computes it`, { column: c });
    }
    const problem = cozipNameProblem(row.name);
    if (problem) {
      throw new CozipError(
        'INVALID_NAME',
        `row ${i}: invalid name ${JSON.stringify(row.name)}: ${problem}`,
        {
          details: { row: i, name: row.name },
        },
      );
    }
    if (row.name === INDEX_NAME || row.name === PADDING_NAME || reserved.includes(row.name)) {
      throw new CozipError(
        'INVALID_NAME',
        `row ${i}: ${JSON.stringify(row.name)} is a reserved name`,
        {
          details: { row: i, name: row.name },
        },
      );
    }
    const first = seen.get(row.name);
    if (first !== undefined) {
      throw new CozipError(
        'DUPLICATE_NAME',
        `rows ${first} and ${i} both use the name ${JSON.stringify(row.name)}`,
        {
          details: { rows: [first, i], name: row.name },
        },
      );
    }
    seen.set(row.name, i);
  });
}

/** Opens every row's source to learn its size; closes what it opened on failure. */
export async function resolveRows(rows: CozipRow[]): Promise<ResolvedEntry[]> {
  const out: ResolvedEntry[] = [];
  try {
    for (const [i, row] of rows.entries()) out.push(await resolveRow(row, i));
  } catch (err) {
    await closeEntries(out);
    throw err;
  }
  return out;
}

export async function closeEntries(entries: ResolvedEntry[]): Promise<void> {
  await Promise.all(entries.map((e) => e.file?.close?.()));
}

async function resolveRow(row: CozipRow, i: number): Promise<ResolvedEntry> {
  const { name, path, ...columns } = row;
  const entry = (
    size: number,
    open: () => AsyncIterable<Uint8Array>,
    file?: RangeSource,
  ): ResolvedEntry => {
    if (!Number.isSafeInteger(size) || size <= 0) {
      throw invalid(
        i,
        `${JSON.stringify(name)} is ${size} bytes: cozip entries must be non-empty`,
        { name },
      );
    }
    return { name, size, open, columns, file };
  };
  if (typeof path === 'string') {
    let file: RangeSource;
    try {
      file = await openFileSource(path);
    } catch (err) {
      const reason = err instanceof CozipError ? err.message : String(err);
      throw invalid(
        i,
        `cannot read ${JSON.stringify(path)} for ${JSON.stringify(name)}: ${reason}`,
        { path, name },
      );
    }
    try {
      return entry(file.size, () => readStream(file, 0, file.size), file);
    } catch (err) {
      await file.close?.();
      throw err;
    }
  }
  if (path instanceof Uint8Array) return entry(path.length, () => once(path));
  if (typeof Blob !== 'undefined' && path instanceof Blob)
    return entry(path.size, () => iterateStream(path.stream()));
  if (typeof path === 'object' && typeof (path as SizedStream).stream === 'function') {
    return entry((path as SizedStream).size, (path as SizedStream).stream);
  }
  throw invalid(
    i,
    `"path" of ${JSON.stringify(name)} must be a file path, bytes, a Blob or { size, stream }`,
  );
}

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}
