// The two-step Flat writer, for users who write their own Parquet manifest
// (GeoParquet, extra row groups, custom metadata): stageMetadata plans the
// archive and returns the table to write; stageCreate embeds that Parquet
// verbatim and, when validating, checks it against the same plan.
import { openFileSource } from '#file-source';
import { readAll, readStream } from '../io/stream.js';
import type { Sink } from '../zip/sink.js';
import { METADATA_NAME } from './constants.js';
import {
  type CozipRow,
  checkRows,
  type EntrySource,
  escapeRowNames,
  resolveRows,
} from './inputs.js';
import {
  type CozipWriteResult,
  flatManifestRows,
  type WriteCozipOptions,
  writeCozip,
} from './writer.js';

export interface StagedMetadata {
  /** One row per entry: name, offset, size, then the input's extra columns (never path). */
  table: Array<Record<string, unknown>>;
  /** What to pass to stageCreate: each entry's name and source. */
  paths: Array<{ name: string; path: EntrySource }>;
}

export interface StageMetadataOptions {
  /** As in writeCozip: non-ASCII names stored as %XX, originals in `source_name`. */
  escapeNames?: boolean;
}

export async function stageMetadata(
  input: CozipRow[],
  options: StageMetadataOptions = {},
): Promise<StagedMetadata> {
  const rows = options.escapeNames ? escapeRowNames(input) : input;
  const columns = checkRows(rows, [METADATA_NAME]);
  const entries = await resolveRows(rows, columns);
  return {
    table: flatManifestRows(entries),
    paths: rows.map((r) => ({ name: r.name, path: r.path })),
  };
}

export interface StageCreateOptions
  extends Omit<WriteCozipOptions, 'profile' | 'metadata' | 'validateMetadata'> {
  /** Check the Parquet's name/offset/size columns against the plan (default true). */
  validate?: boolean;
}

/** Writes a Flat cozip whose `__metadata__` is `parquet` (bytes, or a file path in Node). */
export async function stageCreate(
  out: string | Sink,
  paths: Array<{ name: string; path: EntrySource }>,
  parquet: Uint8Array | string,
  options: StageCreateOptions = {},
): Promise<CozipWriteResult> {
  const metadata = typeof parquet === 'string' ? await readFile(parquet) : parquet;
  const { validate, ...rest } = options;
  return writeCozip(
    out,
    paths.map((p) => ({ name: p.name, path: p.path })),
    {
      ...rest,
      profile: 'flat',
      metadata,
      validateMetadata: validate !== false,
    },
  );
}

async function readFile(path: string): Promise<Uint8Array> {
  const file = await openFileSource(path);
  try {
    return await readAll(readStream(file, 0, file.size));
  } finally {
    await file.close();
  }
}
