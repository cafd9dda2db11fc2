// Writer inputs: rows of { name, path, ...columns }. `path` is where the
// bytes come from (a local path in Node, bytes, a Blob, or a sized stream);
// `name` is the name in the archive; every other column goes to the Flat
// manifest. Everything is checked before a byte is written; the checked rows
// are held as columns (EntryTable).
import { fileSize, openFileSource, readFileBytes } from '#file-source';
import { CozipError } from '../errors.js';
import { runPool } from '../io/pool.js';
import { readStream } from '../io/stream.js';
import { iterateStream } from '../io/web-stream.js';
import { crc32 } from '../zip/codecs.js';
import { encodeUtf8Into, utf8Length } from '../zip/names.js';
import { INDEX_NAME, PADDING_NAME } from './constants.js';
import { LOCATION_COLUMNS } from './location.js';
import {
  type CozipSpec,
  CURRENT_SPEC,
  cozipNameProblem,
  isAsciiName,
  percentEscapeName,
} from './names.js';

/** A stream whose length is known up front (cozip writes sizes before data). */
export interface SizedStream {
  size: number;
  stream: () => AsyncIterable<Uint8Array>;
  /**
   * The content's CRC-32 when known (a member copied from another ZIP): the
   * local header is written with it, and the content checked against it.
   */
  crc32?: number;
  /**
   * The whole content at once, for small sources (a file of a few KiB): the
   * writer reads a few ahead while it writes, and knows the CRC before the
   * header. Used instead of `stream` when given.
   */
  read?: () => Promise<Uint8Array>;
  /** The local file the content comes from (fileInput sets it): an output may not be one. */
  file?: string;
}

export type EntrySource = string | Uint8Array | Blob | SizedStream;

export interface CozipRow {
  name: string;
  path: EntrySource;
  [column: string]: unknown;
}

/**
 * The rows, checked and sized, held as columns (one slot per row): a million
 * rows cost a few arrays, not a million objects. Sources and extra columns
 * stay in the caller's rows.
 */
export interface EntryTable {
  rows: CozipRow[];
  /** Manifest columns besides name and path, in the order rows first show them. */
  columns: string[];
  /** Every name's UTF-8 back to back: row i's are [nameStarts[i], nameStarts[i + 1]). */
  nameBytes: Uint8Array;
  nameStarts: Uint32Array;
  sizes: Float64Array;
  /** CRC-32 per row, valid where `crcKnown[i]` is 1 (in-memory bytes, or given by a SizedStream). */
  crcs: Uint32Array;
  crcKnown: Uint8Array;
}

/** Row i's name as UTF-8 (a view into the table). */
export function rawNameOf(table: EntryTable, i: number): Uint8Array {
  return table.nameBytes.subarray(table.nameStarts[i], table.nameStarts[i + 1]);
}

/** A reserved reader column in the input: refused (spec revision 0.1.0). */
export function locationColumn(column: string, where: string): CozipError {
  return new CozipError(
    'INVALID_INPUT',
    `${where}: column "${column}" is reserved: readers derive it from each member's offset and size, so it is never stored`,
    { details: { column } },
  );
}

/** Where escapeNames keeps each row's original name. */
export const SOURCE_NAME_COLUMN = 'source_name';

/**
 * The rows with every name made ASCII (bytes >= 0x80 as %XX) and the
 * original name in `source_name` (on every row, so lookups by the original
 * name work for all of them). New row objects; the caller's are untouched.
 */
export function escapeRowNames(rows: CozipRow[]): CozipRow[] {
  return rows.map((row, i) => {
    if (typeof row !== 'object' || row === null) return row;
    if (SOURCE_NAME_COLUMN in row) {
      throw invalid(
        i,
        `escapeNames needs the ${SOURCE_NAME_COLUMN} column, which the row already has`,
        {
          column: SOURCE_NAME_COLUMN,
        },
      );
    }
    if (typeof row.name !== 'string') return row;
    return { ...row, name: percentEscapeName(row.name), [SOURCE_NAME_COLUMN]: row.name };
  });
}

/** Files up to this size are read whole (and a few ahead); larger ones are streamed. */
const WHOLE_FILE = 1 << 20;

function invalid(row: number, message: string, details: Record<string, unknown> = {}): CozipError {
  return new CozipError('INVALID_INPUT', `row ${row}: ${message}`, {
    details: { row, ...details },
  });
}

/**
 * Checks the rows against the spec's rules and the profile's reserved names;
 * returns the extra (manifest) columns in first-seen order.
 */
export function checkRows(
  rows: CozipRow[],
  reserved: string[],
  spec: CozipSpec = CURRENT_SPEC,
): string[] {
  if (!Array.isArray(rows)) throw new CozipError('INVALID_INPUT', 'rows must be an array');
  const columns: string[] = [];
  const known = new Set<string>();
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (typeof row !== 'object' || row === null) throw invalid(i, 'not an object');
    const name = row.name;
    if (typeof name !== 'string') throw invalid(i, 'missing required column "name" (a string)');
    if (row.path === undefined || row.path === null)
      throw invalid(i, `missing required column "path" for ${JSON.stringify(name)}`);
    for (const key in row) {
      if (key === 'name' || key === 'path' || known.has(key)) continue;
      if (key === 'offset' || key === 'size')
        throw invalid(i, `column "${key}" is reserved: the writer computes it`, { column: key });
      if (LOCATION_COLUMNS.includes(key)) throw locationColumn(key, `row ${i}`);
      known.add(key);
      columns.push(key);
    }
    const problem = cozipNameProblem(name, spec);
    if (problem) {
      const hint = isAsciiName(name)
        ? ''
        : `; to pack it anyway, escape names (option escapeNames, CLI --escape-names): it is then stored as ${JSON.stringify(percentEscapeName(name))} with the original in the ${SOURCE_NAME_COLUMN} column`;
      throw new CozipError(
        'INVALID_NAME',
        `row ${i}: invalid name ${JSON.stringify(name)}: ${problem}${hint}`,
        { details: { row: i, name } },
      );
    }
    if (name === INDEX_NAME || name === PADDING_NAME || reserved.includes(name)) {
      throw new CozipError('INVALID_NAME', `row ${i}: ${JSON.stringify(name)} is a reserved name`, {
        details: { row: i, name },
      });
    }
  }
  return columns;
}

/**
 * Throws DUPLICATE_NAME for the first row whose name an earlier row has.
 * Hashes the encoded names into one typed array: a Set of a million
 * strings costs several times more.
 */
function checkUniqueNames(table: EntryTable): void {
  const { nameBytes, nameStarts, rows } = table;
  const n = rows.length;
  let bits = 4;
  while (1 << bits < 2 * n) bits++;
  const mask = (1 << bits) - 1;
  const slots = new Int32Array(1 << bits).fill(-1);
  for (let i = 0; i < n; i++) {
    const start = nameStarts[i];
    const end = nameStarts[i + 1];
    let h = 0x811c9dc5;
    for (let p = start; p < end; p++) h = Math.imul(h ^ nameBytes[p], 0x01000193);
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const j = slots[slot];
      if (j < 0) {
        slots[slot] = i;
        break;
      }
      if (sameBytes(nameBytes, nameStarts[j], nameStarts[j + 1], start, end)) {
        const name = rows[i].name;
        throw new CozipError(
          'DUPLICATE_NAME',
          `rows ${j} and ${i} both use the name ${JSON.stringify(name)}`,
          { details: { rows: [j, i], name } },
        );
      }
    }
  }
}

function sameBytes(b: Uint8Array, s1: number, e1: number, s2: number, e2: number): boolean {
  if (e1 - s1 !== e2 - s2) return false;
  for (let k = 0; k < e1 - s1; k++) if (b[s1 + k] !== b[s2 + k]) return false;
  return true;
}

/** Learns every row's size (stat-like) and names' bytes; sources are opened only when written. */
export async function resolveRows(rows: CozipRow[], columns: string[]): Promise<EntryTable> {
  const n = rows.length;
  const nameStarts = new Uint32Array(n + 1);
  let total = 0;
  for (let i = 0; i < n; i++) total += utf8Length(rows[i].name);
  const nameBytes = new Uint8Array(total);
  let at = 0;
  for (let i = 0; i < n; i++) {
    nameStarts[i] = at;
    at += encodeUtf8Into(rows[i].name, nameBytes, at);
  }
  nameStarts[n] = at;
  const table: EntryTable = {
    rows,
    columns,
    nameBytes,
    nameStarts,
    sizes: new Float64Array(n),
    crcs: new Uint32Array(n),
    crcKnown: new Uint8Array(n),
  };
  checkUniqueNames(table);
  const files: number[] = [];
  for (let i = 0; i < n; i++) {
    if (typeof rows[i].path === 'string') files.push(i);
    else sizeInMemory(table, i);
  }
  // A few stats in flight: local disks and network file systems both like it.
  await runPool(files, 16, async (i) => {
    setSize(table, i, await statFile(rows[i], i));
  });
  return table;
}

function setSize(table: EntryTable, i: number, size: number): void {
  if (!Number.isSafeInteger(size) || size <= 0) {
    const name = table.rows[i].name;
    throw invalid(i, `${JSON.stringify(name)} is ${size} bytes: cozip entries must be non-empty`, {
      name,
    });
  }
  table.sizes[i] = size;
}

async function statFile(row: CozipRow, i: number): Promise<number> {
  const path = row.path as string;
  // Only the size now; files are opened when the writer reaches them, so a
  // 100,000-file dataset never holds 100,000 handles.
  try {
    return await fileSize(path);
  } catch (err) {
    const reason = err instanceof CozipError ? err.message : String(err);
    throw invalid(
      i,
      `cannot read ${JSON.stringify(path)} for ${JSON.stringify(row.name)}: ${reason}`,
      { path, name: row.name },
    );
  }
}

function sizeInMemory(table: EntryTable, i: number): void {
  const { name, path } = table.rows[i];
  if (path instanceof Uint8Array) {
    // Written as they are, with the CRC known before the header.
    setSize(table, i, path.length);
    table.crcs[i] = crc32(path);
    table.crcKnown[i] = 1;
    return;
  }
  if (typeof Blob !== 'undefined' && path instanceof Blob) {
    setSize(table, i, path.size);
    return;
  }
  if (typeof path === 'object' && typeof (path as SizedStream).stream === 'function') {
    const sized = path as SizedStream;
    setSize(table, i, sized.size);
    if (sized.crc32 !== undefined) {
      if (!Number.isInteger(sized.crc32) || sized.crc32 < 0 || sized.crc32 > 0xffffffff) {
        throw invalid(i, `crc32 of ${JSON.stringify(name)} must be an unsigned 32-bit integer`);
      }
      table.crcs[i] = sized.crc32;
      table.crcKnown[i] = 1;
    }
    return;
  }
  throw invalid(
    i,
    `"path" of ${JSON.stringify(name)} must be a file path, bytes, a Blob or { size, stream }`,
  );
}

/** The local files rows read from: paths, and sized streams that say their file. */
export function rowFiles(rows: CozipRow[]): Array<{ row: number; file: string }> {
  const out: Array<{ row: number; file: string }> = [];
  rows.forEach((r, row) => {
    const p = r.path;
    const file = typeof p === 'string' ? p : (p as SizedStream | undefined)?.file;
    if (typeof file === 'string') out.push({ row, file });
  });
  return out;
}

/** Row i's content when it is in memory already. */
export function rowBytes(table: EntryTable, i: number): Uint8Array | undefined {
  const path = table.rows[i].path;
  return path instanceof Uint8Array ? path : undefined;
}

/** Marks the sized streams fileInput makes: their bytes are exactly the file's. */
const FILE_INPUT = Symbol('cozip.fileInput');

/**
 * The local file behind row i when it is small enough to be read whole
 * (a path, or a fileInput stream): the writer reads it synchronously
 * straight into its output block. Undefined otherwise.
 */
export function rowSmallFile(table: EntryTable, i: number): string | undefined {
  if (table.sizes[i] > WHOLE_FILE) return undefined;
  const path = table.rows[i].path;
  if (typeof path === 'string') return path;
  return typeof path === 'object' && path !== null && FILE_INPUT in path
    ? (path as SizedStream).file
    : undefined;
}

/** A read of row i's whole content, for small sources (read a few ahead); else undefined. */
export function rowReader(table: EntryTable, i: number): (() => Promise<Uint8Array>) | undefined {
  const path = table.rows[i].path;
  if (typeof path === 'string') {
    const size = table.sizes[i];
    return size <= WHOLE_FILE ? async () => readFileBytes(path, size) : undefined;
  }
  if (path instanceof Uint8Array || (typeof Blob !== 'undefined' && path instanceof Blob)) {
    return undefined;
  }
  const read = (path as SizedStream).read;
  return typeof read === 'function' ? read : undefined;
}

/** Row i's content as a stream of chunks. */
export function rowStream(table: EntryTable, i: number): AsyncIterable<Uint8Array> {
  const path = table.rows[i].path;
  if (typeof path === 'string') return fileChunks(path, table.sizes[i]);
  if (path instanceof Uint8Array) return once(path);
  if (typeof Blob !== 'undefined' && path instanceof Blob) return iterateStream(path.stream());
  return (path as SizedStream).stream();
}

/**
 * A local file whose size is already known (Node), as writer input: read
 * whole when small, streamed in 1 MiB chunks otherwise, opened only when
 * the writer gets to it. A file that changed size since fails the write.
 */
export function fileInput(path: string, size: number): SizedStream {
  const input: SizedStream & { [FILE_INPUT]: true } = {
    [FILE_INPUT]: true,
    size,
    file: path,
    stream: () => fileChunks(path, size),
    read: size <= WHOLE_FILE ? async () => readFileBytes(path, size) : undefined,
  };
  return input;
}

async function* fileChunks(path: string, size: number): AsyncIterable<Uint8Array> {
  const file = await openFileSource(path);
  try {
    // Re-checked right before copying: the plan was made with `size`.
    if (file.size !== size) {
      throw new CozipError(
        'SIZE_MISMATCH',
        `${path} changed: planned with ${size} bytes, it now has ${file.size}`,
        { details: { path, expected: size, actual: file.size } },
      );
    }
    yield* readStream(file, 0, size);
  } finally {
    await file.close();
  }
}

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}
