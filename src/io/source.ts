import { CozipError } from '../errors.js';

export interface ReadOptions {
  signal?: AbortSignal;
  /**
   * false: the bytes are read once and need not be cached (a member's data);
   * caching sources (the ReadPlanner) then keep their budget for metadata.
   */
  cache?: boolean;
  /**
   * Bytes this read may be merged across to meet a neighbouring read (a
   * ReadPlanner's own maxGap otherwise): small for scattered small reads
   * (Parquet pages), where fetching what lies between would cost more.
   */
  maxGap?: number;
}

/**
 * Random access to an immutable object whose size is known: the one interface
 * every reader in cozip reads bytes through.
 */
export interface RangeSource {
  /** Total size of the object in bytes. */
  readonly size: number;
  /** Path or URL, used in error messages and in GDAL `/vsi` paths. */
  readonly name: string;
  /**
   * Where the object is, when `name` does not say it fully: a local file's
   * absolute path (GDAL paths must not depend on the reader's directory).
   */
  readonly location?: string;
  /** Exactly the bytes [start, end); throws a CozipError otherwise. */
  read(start: number, end: number, options?: ReadOptions): Promise<Uint8Array>;
  /**
   * The bytes [start, end) as a stream of chunks. Optional: sources that can
   * stream one request (HTTP) implement it; `readStream` falls back to reads.
   */
  stream?(start: number, end: number, options?: ReadOptions): AsyncIterable<Uint8Array>;
  /** Releases handles; reads after close fail. */
  close?(): Promise<void>;
}

/** Counters a test or a CLI can assert on / print. */
export interface IoStats {
  /** Requests sent to the underlying object (HTTP requests, file reads). */
  requests: number;
  /** Bytes received from the underlying object. */
  bytesFetched: number;
}

/** Throws OUT_OF_RANGE unless 0 <= start <= end <= size with integer bounds. */
export function checkRange(source: { size: number; name: string }, start: number, end: number) {
  if (
    !Number.isSafeInteger(start) ||
    !Number.isSafeInteger(end) ||
    start < 0 ||
    end < start ||
    end > source.size
  ) {
    throw new CozipError(
      'OUT_OF_RANGE',
      `read [${start}, ${end}) is outside ${source.name} (size ${source.size})`,
      { details: { start, end, size: source.size } },
    );
  }
}
