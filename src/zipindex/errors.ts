// The typed failures of zipindex: all CozipErrors, so callers branch on `code`.
import { CozipError } from '../errors.js';
import { MAX_CUSTOM_ENTRIES, MAX_FILES, MAX_INDEX_SIZE } from './file.js';

/**
 * readDir was given too little of the end of the ZIP: call it again with at
 * least the last `fromEnd` bytes (Go's `ErrNeedMoreData`).
 */
export class NeedMoreDataError extends CozipError {
  readonly fromEnd: number;

  constructor(fromEnd: number, why: string) {
    super('NEED_MORE_DATA', `zipindex: ${why}: need the last ${fromEnd} bytes of the zip`, {
      details: { fromEnd },
    });
    this.fromEnd = fromEnd;
  }
}

export function isNeedMoreData(err: unknown): err is NeedMoreDataError {
  return err instanceof NeedMoreDataError;
}

/** The index bytes are not a valid index (Go's msgp and format errors). */
export function corrupt(message: string, details: Record<string, unknown> = {}): CozipError {
  return new CozipError('CORRUPT_INDEX', `zipindex: ${message}`, { details });
}

export function tooManyFiles(n: number | bigint, limit = MAX_FILES): CozipError {
  return new CozipError('TOO_MANY_FILES', `zipindex: ${n} files, more than the limit of ${limit}`, {
    details: { files: Number(n), limit },
  });
}

export function tooManyCustomEntries(n: number): CozipError {
  return new CozipError(
    'TOO_MANY_CUSTOM_ENTRIES',
    `zipindex: ${n} custom entries on one file, more than the limit of ${MAX_CUSTOM_ENTRIES}`,
    { details: { entries: n, limit: MAX_CUSTOM_ENTRIES } },
  );
}

export function indexTooLarge(what: string, size?: number): CozipError {
  return new CozipError(
    'INDEX_TOO_LARGE',
    `zipindex: index maximum size exceeded: ${what} (limit ${MAX_INDEX_SIZE} bytes)`,
    { details: { size, limit: MAX_INDEX_SIZE } },
  );
}
