// The cozip writer: check the rows, plan every offset (the index and the
// Flat manifest record them, so they are final before a byte is written),
// then write front to back (write-members.ts).

import { createFileSink } from '#file-sink';
import { fileIdentity } from '#file-source';
import { encodeManifestLater, warmManifestEncoder } from '#manifest-later';
import { CozipError } from '../errors.js';
import { U32_SENTINEL } from '../zip/constants.js';
import type { Sink } from '../zip/sink.js';
import {
  METADATA_NAME,
  PROFILE_FLAT,
  PROFILE_NONE,
  PROFILE_TACO,
  type ProfileName,
  TACO_COLLECTION,
  TACO_METADATA_DIR,
} from './constants.js';
import { encodeIndexPayload, type IndexEntry, indexPayloadSize } from './index-payload.js';
import {
  type CozipRow,
  checkRows,
  type EntryTable,
  escapeRowNames,
  rawNameOf,
  resolveRows,
  rowFiles,
} from './inputs.js';
import type { EncodeManifestOptions, ManifestColumns } from './manifest-write.js';
import type { CozipSpec } from './names.js';
import { type PlacedData, payloadOffset, placeData, planLayout } from './plan.js';
import { checkManifestBytes } from './stage-check.js';
import {
  type CozipProgress,
  type ExtraSource,
  type TailPlan,
  writePlanned,
} from './write-members.js';

export type { CozipProgress } from './write-members.js';

export interface WriteCozipOptions {
  /** Default 'flat'. */
  profile?: ProfileName;
  /** None profile: names of entries to list in the index as priority files. */
  priority?: string[];
  /** Flat profile: a Parquet manifest to embed verbatim instead of generating one. */
  metadata?: Uint8Array;
  /** Check `metadata`'s name/offset/size columns against the plan (default true). */
  validateMetadata?: boolean;
  /** Flat profile: Parquet options for the generated manifest. */
  manifest?: EncodeManifestOptions & {
    /**
     * Manifest rows in name order, whatever the members' order (default
     * false: the rows' order). Each page of the name column then covers a
     * narrow range, so a remote lookup by name reads one page.
     */
    sortByName?: boolean;
  };
  /**
   * Store names with non-ASCII characters anyway (spec revision 0.1.0 allows
   * only ASCII): each UTF-8 byte >= 0x80 becomes %XX in the archive name and
   * every row's original name goes to the `source_name` manifest column.
   * Default false: such names are refused with INVALID_NAME.
   */
  escapeNames?: boolean;
  /**
   * The spec revision whose name rules the writer follows (default '0.1.0').
   * '1.0.1' allows UTF-8 names, for reproducing archives of that revision:
   * today's official readers refuse them.
   */
  spec?: CozipSpec;
  /** Modification time of every entry (default: now). Fix it for reproducible output. */
  mtime?: Date;
  /** A path `out`: replace a file already there (default true; false: FILE_EXISTS). */
  overwrite?: boolean;
  onProgress?: (progress: CozipProgress) => void;
}

export interface CozipWriteResult {
  profile: ProfileName;
  /** Archive size in bytes. */
  size: number;
  /** Data entries written (not counting __cozip__, __metadata__, padding). */
  entries: number;
  /** The index as written: priority files and where they are. */
  index: IndexEntry[];
  /** Flat: the manifest's rows (name, offset, size and the extra columns). */
  manifest?: Array<Record<string, unknown>>;
  padded: boolean;
  zip64: boolean;
}

/** What the reference writer fills `__cozip_padding__` with ('Z'). */
const PADDING_BYTE = 0x5a;

const PROFILE_CODES: Record<ProfileName, number> = {
  none: PROFILE_NONE,
  flat: PROFILE_FLAT,
  taco: PROFILE_TACO,
};

/**
 * Writes a cozip to `out` (a path in Node, written to a temp file and renamed;
 * or a seekable Sink). `rows` are { name, path, ...columns }: see CozipRow.
 */
export async function writeCozip(
  out: string | Sink,
  rows: CozipRow[],
  options: WriteCozipOptions = {},
): Promise<CozipWriteResult> {
  const profile = options.profile ?? 'flat';
  if (!(profile in PROFILE_CODES))
    throw new CozipError('INVALID_ARGUMENT', `unknown profile ${JSON.stringify(profile)}`);
  if (options.escapeNames) rows = escapeRowNames(rows);
  // The encoder thread loads while the rows are checked and planned.
  if (profile === 'flat' && !options.metadata) warmManifestEncoder(rows.length);
  const columns = checkRows(rows, profile === 'flat' ? [METADATA_NAME] : [], options.spec);
  const table = await resolveRows(rows, columns);
  const start = await planArchive(profile, table, options);
  if (typeof out === 'string') refuseOwnSource(out, table);
  // A manifest still being encoded fails the write, not the process.
  if (start.tail instanceof Promise) start.tail.catch(() => {});
  let sink: Sink | undefined;
  try {
    sink =
      typeof out === 'string' ? await createFileSink(out, { overwrite: options.overwrite }) : out;
    await writePlanned(sink, table, {
      profileCode: PROFILE_CODES[profile],
      data: start.data,
      indexSize: start.indexSize,
      tail: start.tail,
      mtime: options.mtime ?? new Date(),
      onProgress: options.onProgress,
    });
    await sink.close();
  } catch (err) {
    await sink?.abort?.(err).catch(() => {});
    // The tail's own failure (a manifest the encoder refused) is the one to report.
    if (start.tail instanceof Promise) await start.tail;
    throw err;
  }
  const plan = await start.tail;
  const { layout } = plan;
  const result: CozipWriteResult = {
    profile,
    size: layout.archiveSize,
    entries: rows.length,
    index: plan.index,
    padded: layout.padding !== undefined,
    zip64:
      layout.zip64End ||
      layout.extras.some((e) => e.zip64Sizes) ||
      table.sizes.some((size) => size >= U32_SENTINEL),
  };
  if (profile === 'flat') {
    // Built when asked: a million rows are a million objects.
    let manifest: Array<Record<string, unknown>> | undefined;
    const sortByName = options.manifest?.sortByName === true;
    Object.defineProperty(result, 'manifest', {
      enumerable: true,
      get: () => {
        manifest ??= flatManifestRows(table, layout.data, sortByName);
        return manifest;
      },
    });
  }
  return result;
}

/** INVALID_ARGUMENT when `out` exists and is one of the files the rows read (same inode). */
function refuseOwnSource(out: string, table: EntryTable): void {
  const target = fileIdentity(out);
  if (target === undefined) return; // a new file cannot be a source
  for (const { row, file } of rowFiles(table.rows)) {
    // Only a source of the target's size can be it (replacing an archive of
    // 100,000 files would stat every one of them again otherwise).
    if (table.sizes[row] !== target.size) continue;
    if (fileIdentity(file)?.key === target.key) {
      throw new CozipError(
        'INVALID_ARGUMENT',
        `refusing to write ${out}: it is the source of row ${row} (${file})`,
        { details: { path: out, row, source: file } },
      );
    }
  }
}

interface ArchivePlan extends TailPlan {
  index: IndexEntry[];
}

/** The data's places at once; the rest once the Flat manifest is encoded. */
interface PlanStart {
  data: PlacedData;
  indexSize: number;
  tail: ArchivePlan | Promise<ArchivePlan>;
}

/** Row positions in name order, or undefined when the rows are in name order already. */
function nameOrder(table: EntryTable): Int32Array | undefined {
  const rows = table.rows;
  let sorted = true;
  for (let i = 1; i < rows.length && sorted; i++) sorted = rows[i - 1].name <= rows[i].name;
  if (sorted) return undefined;
  const order = Int32Array.from(rows.keys());
  return order.sort((a, b) => (rows[a].name < rows[b].name ? -1 : 1));
}

/** The Flat manifest's columns: one value per data row, in row order or name order. */
function flatManifestColumns(
  table: EntryTable,
  data: PlacedData,
  order: Int32Array | undefined,
): ManifestColumns {
  const n = data.headerOffsets.length;
  const name: Uint8Array[] = new Array(n);
  const offset: number[] = new Array(n);
  const size: number[] = new Array(n);
  for (let j = 0; j < n; j++) {
    const k = order ? order[j] : j; // data position k holds row k (Flat keeps the row order)
    name[j] = rawNameOf(table, k);
    offset[j] = payloadOffset(table, data, k);
    size[j] = table.sizes[k];
  }
  const extra = table.columns.map((column) => {
    const values: unknown[] = new Array(n);
    for (let j = 0; j < n; j++) values[j] = table.rows[order ? order[j] : j][column];
    return { name: column, values };
  });
  return { name, offset, size, extra };
}

/**
 * The encoder's "column X, row J: ..." counts manifest rows, which are in
 * name order when sorted: told as the caller's row, like every other row
 * error of the writer ("row K: column X: ...", details.row = K).
 */
function inInputRows(err: unknown, order: Int32Array | undefined): unknown {
  if (!(err instanceof CozipError) || typeof err.details.row !== 'number') return err;
  const m = /^column (.+?), row \d+: /.exec(err.message);
  if (!m) return err;
  const row = order ? order[err.details.row] : err.details.row;
  return new CozipError(err.code, `row ${row}: column ${m[1]}: ${err.message.slice(m[0].length)}`, {
    details: { ...err.details, row },
    cause: err,
  });
}

/**
 * The Flat manifest as rows (name, offset, size, then the extra columns), for
 * stageMetadata, the write result and the check of a supplied manifest.
 */
export function flatManifestRows(
  table: EntryTable,
  data: PlacedData = placeData(indexPayloadSize([METADATA_NAME]), table),
  sortByName = false,
): Array<Record<string, unknown>> {
  const order = sortByName ? nameOrder(table) : undefined;
  return Array.from({ length: data.headerOffsets.length }, (_, j) => {
    const k = order ? order[j] : j;
    const row: Record<string, unknown> = {
      name: table.rows[k].name,
      offset: payloadOffset(table, data, k),
      size: table.sizes[k],
    };
    for (const column of table.columns) row[column] = table.rows[k][column];
    return row;
  });
}

async function planArchive(
  profile: ProfileName,
  table: EntryTable,
  options: WriteCozipOptions,
): Promise<PlanStart> {
  if (profile === 'flat') {
    const priority = [METADATA_NAME];
    const indexSize = indexPayloadSize(priority);
    const data = placeData(indexSize, table);
    const withManifest = (bytes: Uint8Array) =>
      planTail(
        profile,
        table,
        priority,
        data,
        [{ name: METADATA_NAME, size: bytes.length }],
        [{ bytes }],
      );
    if (options.metadata) {
      const bytes = options.metadata;
      // A stored location column is refused even when the plan is not checked.
      const planned =
        options.validateMetadata !== false ? flatManifestRows(table, data) : undefined;
      await checkManifestBytes(bytes, planned);
      return { data, indexSize, tail: withManifest(bytes) };
    }
    // Encoded while the members are written (on another thread in Node, for
    // big manifests): the data's offsets do not depend on it.
    const order = options.manifest?.sortByName === true ? nameOrder(table) : undefined;
    const columns = flatManifestColumns(table, data, order);
    const bytes = encodeManifestLater(columns, options.manifest).catch((err) => {
      throw inInputRows(err, order);
    });
    return { data, indexSize, tail: bytes.then(withManifest) };
  }
  const rows = table.rows;
  let priority: string[];
  let data: PlacedData;
  const tail: Array<{ name: string; size: number; rawName?: Uint8Array }> = [];
  const extraSources: ExtraSource[] = [];
  if (profile === 'taco') {
    const isPriority = (n: string) =>
      n === TACO_COLLECTION ||
      (n.startsWith(TACO_METADATA_DIR) && n.toLowerCase().endsWith('.parquet'));
    if (!rows.some((r) => r.name === TACO_COLLECTION)) {
      throw new CozipError('INVALID_INPUT', `the TACO profile needs a ${TACO_COLLECTION} entry`);
    }
    const rest: number[] = [];
    priority = [];
    rows.forEach((r, i) => {
      if (!isPriority(r.name)) {
        rest.push(i);
        return;
      }
      priority.push(r.name);
      tail.push({ name: r.name, size: table.sizes[i], rawName: rawNameOf(table, i) });
      extraSources.push({ row: i });
    });
    data = placeData(indexPayloadSize(priority), table, Int32Array.from(rest));
  } else {
    priority = options.priority ?? [];
    if (new Set(priority).size !== priority.length)
      throw new CozipError('DUPLICATE_NAME', 'a priority file is listed twice');
    data = placeData(indexPayloadSize(priority), table);
  }
  const indexSize = indexPayloadSize(priority);
  return {
    data,
    indexSize,
    tail: planTail(profile, table, priority, data, tail, extraSources),
  };
}

/** The members after the data, the padding and the index, for data already placed. */
function planTail(
  profile: ProfileName,
  table: EntryTable,
  priority: string[],
  data: PlacedData,
  tail: Array<{ name: string; size: number; rawName?: Uint8Array }>,
  extraSources: ExtraSource[],
): ArchivePlan {
  const rows = table.rows;
  const indexSize = indexPayloadSize(priority);
  // Padding (spec revision 0.1.0): last in Flat and None, before TACO's priority block.
  const layout = planLayout(indexSize, data, tail, profile === 'taco' ? 'before-tail' : 'last');
  if (layout.padding) {
    const fill = { bytes: new Uint8Array(layout.padding.size).fill(PADDING_BYTE) };
    if (profile === 'taco') extraSources.unshift(fill);
    else extraSources.push(fill);
  }
  // Where each priority file's payload lies: in the tail (Flat, TACO) or among the data (None).
  const at = new Map<string, { offset: number; size: number }>();
  for (const e of layout.extras) at.set(e.name, e);
  if (profile === 'none' && priority.length > 0) {
    const wanted = new Set(priority);
    for (let k = 0; k < rows.length; k++) {
      if (wanted.has(rows[k].name))
        at.set(rows[k].name, { offset: payloadOffset(table, data, k), size: table.sizes[k] });
    }
  }
  const index = priority.map((name) => {
    const placed = at.get(name);
    if (!placed) {
      throw new CozipError(
        'INVALID_INPUT',
        `priority file ${JSON.stringify(name)} is not among the entries`,
      );
    }
    return { name, offset: placed.offset, size: placed.size };
  });
  return {
    layout,
    index,
    indexPayload: encodeIndexPayload(PROFILE_CODES[profile], index),
    extraSources,
  };
}
