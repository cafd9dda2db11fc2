/**
 * Every failure cozip reports is a CozipError with a stable, documented `code`.
 * Callers branch on `code`; the message is for people and may change.
 */
export type ErrorCode =
  // io/: range sources and the read planner
  | 'INVALID_ARGUMENT'
  | 'OUT_OF_RANGE'
  | 'SHORT_READ'
  | 'HTTP_STATUS'
  | 'NOT_FOUND'
  | 'RANGE_NOT_SATISFIABLE'
  | 'RANGE_UNSUPPORTED'
  | 'OBJECT_CHANGED'
  | 'NETWORK'
  | 'TIMEOUT'
  | 'ABORTED'
  // zip/: structure
  | 'NOT_A_ZIP'
  | 'TRUNCATED'
  | 'BAD_SIGNATURE'
  | 'BAD_RECORD'
  | 'INVALID_ZIP64'
  | 'MULTI_DISK'
  | 'TOO_LARGE'
  // zip/: members
  | 'UNSUPPORTED_METHOD'
  | 'ENCRYPTED'
  | 'CRC_MISMATCH'
  | 'SIZE_MISMATCH'
  | 'CORRUPT_DATA'
  | 'OVERLAP'
  // zip/: names, extraction and writing
  | 'INVALID_NAME'
  | 'UNSAFE_PATH'
  | 'LIMIT_EXCEEDED'
  | 'DUPLICATE_NAME'
  | 'WRITER_STATE'
  | 'WRITE_FAILED'
  | 'FILE_EXISTS'
  // cozip/: the format spec's canonical codes (DUPLICATE_NAME, INVALID_NAME
  // and INVALID_ZIP64 above are shared with the ZIP layer)
  | 'INVALID_LFH'
  | 'INVALID_MAGIC'
  | 'UNSUPPORTED_VERSION'
  | 'UNKNOWN_PROFILE'
  | 'HASH_MISMATCH'
  | 'ARCHIVE_TOO_SMALL'
  | 'TRUNCATED_INDEX'
  | 'MISSING_ENTRY'
  | 'INVALID_OFFSET'
  | 'INVALID_ZIP_STRUCTURE'
  // cozip/: writer inputs and the Flat manifest
  | 'INVALID_INPUT'
  | 'MANIFEST_MISMATCH'
  // zipindex/: indexing a directory and the serialized index
  | 'NEED_MORE_DATA'
  | 'UNKNOWN_INDEX_TYPE'
  | 'CORRUPT_INDEX'
  | 'INDEX_TOO_LARGE'
  | 'TOO_MANY_FILES'
  | 'TOO_MANY_CUSTOM_ENTRIES'
  | 'DUPLICATE_LAYER'
  // sozip/: hidden indexes and chunks (warnings when a reader falls back)
  | 'SOZIP_INVALID_INDEX'
  | 'SOZIP_INDEX_LISTED'
  | 'SOZIP_BAD_CHUNK';

export class CozipError extends Error {
  readonly code: ErrorCode;
  /** Structured facts about the failure (offsets, names, sizes) for tools. */
  readonly details: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CozipError';
    this.code = code;
    this.details = options.details ?? {};
  }
}

/** True when `err` is a CozipError, optionally with the given code. */
export function isCozipError(err: unknown, code?: ErrorCode): err is CozipError {
  return err instanceof CozipError && (code === undefined || err.code === code);
}
