// Option parsers and shared bits of the `cozip sozip` subcommands. A bad
// value is a commander InvalidArgumentError: a usage error (exit 2).
import { InvalidArgumentError } from 'commander';
import type { CozipError } from '../../errors.js';
import { note } from '../output.js';

/** The SOZip spec's limit: the chunk size is a uint32 in the index header. */
const MAX_CHUNK_SIZE = 0xffffffff;
const UNITS: Record<string, number> = { '': 1, k: 1024, kib: 1024, m: 1024 ** 2, mib: 1024 ** 2 };

/** `0`, `32768`, `32K`, `32KiB`, `1M`, `1MiB` (binary multiples). */
export function parseByteCount(text: string): number {
  const match = /^(\d+)\s*([a-z]*)$/i.exec(text.trim());
  const unit = match ? UNITS[match[2].toLowerCase()] : undefined;
  const bytes = match && unit !== undefined ? Number(match[1]) * unit : Number.NaN;
  if (!Number.isSafeInteger(bytes)) {
    throw new InvalidArgumentError('expected a byte count such as 0, 65536, 64K or 1M.');
  }
  return bytes;
}

export function parseChunkSize(text: string): number {
  let bytes = Number.NaN;
  try {
    bytes = parseByteCount(text);
  } catch {}
  if (!(bytes >= 1 && bytes <= MAX_CHUNK_SIZE)) {
    throw new InvalidArgumentError(
      `expected a byte count from 1 to ${MAX_CHUNK_SIZE}, such as 32768, 32K or 1M.`,
    );
  }
  return bytes;
}

export function parseThreads(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 1024) {
    throw new InvalidArgumentError('expected a whole number from 1 to 1024.');
  }
  return Number(text);
}

export function parseLevel(text: string): number {
  if (!/^[0-9]$/.test(text))
    throw new InvalidArgumentError('expected a Deflate level from 0 to 9.');
  return Number(text);
}

/** The writer's warnings (a chunk size below 4096) as notes on stderr; none with --quiet. */
export function warningNotes(quiet: boolean | undefined): (warning: CozipError) => void {
  return (w) => {
    if (!quiet) note(`cozip: warning: ${w.message}`);
  };
}

/** What create and convert take besides the paths. */
export interface SozipWriteOptions {
  chunkSize?: number;
  /** Deflate members up to this size stay ordinary (default 1 MiB, as GDAL's sozip). */
  minSize: number;
  threads?: number;
  level?: number;
  force?: boolean;
  quiet?: boolean;
  json?: boolean;
}

export const CHUNK_SIZE_HELP =
  'uncompressed bytes per chunk (default 32K); Deflate members larger than this become SOZip';
export const THREADS_HELP = 'compression threads (default: one per core)';
export const FORCE_HELP = 'replace OUT if it exists (never one of the inputs)';
export const LEVEL_HELP = 'Deflate level 0-9 (default 6)';
export const MIN_SIZE_HELP =
  'members up to this size are plain Deflate, not SOZip (default 1M, as GDAL; 0: any above the chunk size)';
/** GDAL's sozip --sozip-min-file-size default. */
export const DEFAULT_MIN_SIZE = '1M';
