// Writer inputs: rows of { name, path, ...columns }. `path` is where the
// bytes come from (a local path in Node, bytes, a Blob, or a sized stream);
// `name` is the name in the archive; every other column goes to the Flat
// manifest. Everything is checked before a byte is written.
import { fileSize, openFileSource, readFileBytes } from '#file-source';
import { CozipError } from '../errors.js';
import { runPool } from '../io/pool.js';
import { readStream } from '../io/stream.js';
import { iterateStream } from '../io/web-stream.js';
import { crc32 } from '../zip/codecs.js';
import { encodeUtf8 } from '../zip/names.js';
import { INDEX_NAME, PADDING_NAME } from './constants.js';
import { cozipNameProblem } from './names.js';

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
  /** The name's UTF-8 bytes (encoded once, planned twice). */
  rawName: Uint8Array;
  size: number;
  open: () => AsyncIterable<Uint8Array>;
  columns: Record<string, unknown>;
  /** In-memory content: written directly, its CRC known up front (no patch). */
  bytes?: Uint8Array;
  crc32?: number;
  /** Small content read whole when the writer gets to it (and prefetched). */
  read?: () => Promise<Uint8Array>;
}

/** Files up to this size are read whole (and a few ahead); larger ones are streamed. */
const WHOLE_FILE = 1 << 20;

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

/** Learns every row's size (stat-like); sources are opened only when written. */
export async function resolveRows(rows: CozipRow[]): Promise<ResolvedEntry[]> {
  const out: ResolvedEntry[] = new Array(rows.length);
  const files: number[] = [];
  rows.forEach((row, i) => {
    if (typeof row.path === 'string') files.push(i);
    else out[i] = resolveInMemory(row, i);
  });
  // A few stats in flight: local disks and network file systems both like it.
  await runPool(files, 16, async (i) => {
    out[i] = await resolveFile(rows[i], i);
  });
  return out;
}

function resolved(
  row: CozipRow,
  i: number,
  size: number,
  open: () => AsyncIterable<Uint8Array>,
): ResolvedEntry {
  const { name, path: _, ...columns } = row;
  if (!Number.isSafeInteger(size) || size <= 0) {
    throw invalid(i, `${JSON.stringify(name)} is ${size} bytes: cozip entries must be non-empty`, {
      name,
    });
  }
  return { name, rawName: encodeUtf8(name), size, open, columns };
}

async function resolveFile(row: CozipRow, i: number): Promise<ResolvedEntry> {
  const path = row.path as string;
  // Only the size now; files are opened when the writer reaches them, so a
  // 100,000-file dataset never holds 100,000 handles.
  let size: number;
  try {
    size = await fileSize(path);
  } catch (err) {
    const reason = err instanceof CozipError ? err.message : String(err);
    throw invalid(
      i,
      `cannot read ${JSON.stringify(path)} for ${JSON.stringify(row.name)}: ${reason}`,
      { path, name: row.name },
    );
  }
  const input = fileInput(path, size);
  const entry = resolved(row, i, size, input.stream);
  entry.read = input.read;
  return entry;
}

/**
 * A local file whose size is already known (Node), as writer input: read
 * whole when small, streamed in 1 MiB chunks otherwise, opened only when
 * the writer gets to it. A file that changed size since fails the write.
 */
export function fileInput(path: string, size: number): SizedStream {
  return {
    size,
    stream: () => fileChunks(path),
    read: size <= WHOLE_FILE ? async () => readFileBytes(path, size) : undefined,
  };
}

function resolveInMemory(row: CozipRow, i: number): ResolvedEntry {
  const { name, path } = row;
  if (path instanceof Uint8Array) {
    // Written as they are, with the CRC known before the header.
    const entry = resolved(row, i, path.length, () => once(path));
    entry.bytes = path;
    entry.crc32 = crc32(path);
    return entry;
  }
  if (typeof Blob !== 'undefined' && path instanceof Blob)
    return resolved(row, i, path.size, () => iterateStream(path.stream()));
  if (typeof path === 'object' && typeof (path as SizedStream).stream === 'function') {
    const sized = path as SizedStream;
    const entry = resolved(row, i, sized.size, sized.stream);
    if (typeof sized.read === 'function') entry.read = sized.read;
    if (sized.crc32 !== undefined) {
      if (!Number.isInteger(sized.crc32) || sized.crc32 < 0 || sized.crc32 > 0xffffffff) {
        throw invalid(i, `crc32 of ${JSON.stringify(name)} must be an unsigned 32-bit integer`);
      }
      entry.crc32 = sized.crc32;
    }
    return entry;
  }
  throw invalid(
    i,
    `"path" of ${JSON.stringify(name)} must be a file path, bytes, a Blob or { size, stream }`,
  );
}

async function* fileChunks(path: string): AsyncIterable<Uint8Array> {
  const file = await openFileSource(path);
  try {
    // The writer checks that the file still has the size it had when planned.
    yield* readStream(file, 0, file.size);
  } finally {
    await file.close();
  }
}

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}
