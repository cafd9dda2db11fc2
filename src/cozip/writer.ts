// The cozip writer: plan everything, write the index first, stream every
// payload (STORE, sizes known up front, no data descriptors), write the
// central directory, then patch the integrity hash into bytes 43..50.
import { createFileSink } from '#file-sink';
import { CozipError } from '../errors.js';
import { writeCentralHeader } from '../zip/central-header.js';
import { crc32 } from '../zip/codecs.js';
import {
  FLAG_UTF8,
  HOST_UNIX,
  LOCAL_HEADER_SIZE,
  S_IFREG,
  U16_SENTINEL,
  U32_SENTINEL,
  VERSION_STORE,
  VERSION_ZIP64,
} from '../zip/constants.js';
import { toDosDateTime } from '../zip/dos-time.js';
import { encodeEocd, encodeZip64Eocd, encodeZip64Locator } from '../zip/end-records.js';
import { type ExtraField, encodeExtraFields, encodeZip64Extra } from '../zip/extra-fields.js';
import { encodeLocalHeader, type LocalHeader, writeLocalHeader } from '../zip/local-header.js';
import { encodeUtf8 } from '../zip/names.js';
import type { Sink } from '../zip/sink.js';
import { WriteBuffer } from '../zip/write-buffer.js';
import {
  HASH_OFFSET,
  HASHED_TAIL,
  METADATA_NAME,
  PROFILE_FLAT,
  PROFILE_NONE,
  PROFILE_TACO,
  type ProfileName,
  TACO_COLLECTION,
  TACO_METADATA_DIR,
} from './constants.js';
import { integrityHash } from './hash.js';
import { encodeIndexHeader } from './index-header.js';
import { encodeIndexPayload, type IndexEntry, indexPayloadSize } from './index-payload.js';
import { type CozipRow, checkRows, type ResolvedEntry, resolveRows } from './inputs.js';
import { type EncodeManifestOptions, encodeManifest } from './manifest-write.js';
import { type Layout, type PlacedData, type PlannedEntry, placeData, planLayout } from './plan.js';
import { ReadAhead } from './read-ahead.js';
import { checkManifestBytes } from './stage-check.js';
import { TailKeeper } from './tail-keeper.js';

export interface CozipProgress {
  entries: number;
  totalEntries: number;
  bytes: number;
  totalBytes: number;
}

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
  /** Modification time of every entry (default: now). Fix it for reproducible output. */
  mtime?: Date;
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

/** A planned entry together with where its bytes come from. */
interface Placed extends PlannedEntry {
  open: () => AsyncIterable<Uint8Array>;
  /** Small content read whole (a few ahead), so the CRC is known before the header. */
  read?: () => Promise<Uint8Array>;
  /** In-memory payloads are written directly, with their CRC known up front. */
  bytes?: Uint8Array;
  /** Known for in-memory payloads; streamed payloads get theirs while written. */
  crc32?: number;
}

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
  checkRows(rows, profile === 'flat' ? [METADATA_NAME] : []);
  const entries = await resolveRows(rows);
  const plan = await planArchive(profile, entries, options);
  const sink = typeof out === 'string' ? await createFileSink(out) : out;
  try {
    await writePlanned(sink, plan, options);
    await sink.close();
  } catch (err) {
    await sink.abort?.(err).catch(() => {});
    throw err;
  }
  return {
    profile,
    size: plan.layout.archiveSize,
    entries: entries.length,
    index: plan.index,
    manifest: plan.manifest,
    padded: plan.layout.padding !== undefined,
    zip64: plan.layout.zip64End || plan.layout.entries.some((e) => e.zip64Sizes),
  };
}

interface ArchivePlan {
  profileCode: number;
  layout: Layout;
  placed: Placed[];
  index: IndexEntry[];
  indexPayload: Uint8Array;
  manifest?: Array<Record<string, unknown>>;
}

const once = (bytes: Uint8Array) =>
  async function* () {
    yield bytes;
  };

/**
 * The Flat manifest rows for these entries: data offsets do not depend on
 * what follows the data, so they are planned first, the manifest records
 * them, and the manifest is placed last.
 */
export function flatManifestRows(
  data: ResolvedEntry[],
  body: PlacedData = placeData(indexPayloadSize([METADATA_NAME]), data),
  sortByName = false,
): Array<Record<string, unknown>> {
  const rows = body.entries.map((p, i) => ({
    name: p.name,
    offset: p.offset,
    size: p.size,
    ...data[i].columns,
  }));
  if (!sortByName) return rows;
  const byName = (a: { name: string }, b: { name: string }) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  for (let i = 1; i < rows.length; i++) {
    if (byName(rows[i - 1], rows[i]) > 0) return rows.sort(byName);
  }
  return rows;
}

async function planArchive(
  profile: ProfileName,
  entries: ResolvedEntry[],
  options: WriteCozipOptions,
): Promise<ArchivePlan> {
  let data = entries;
  let tail: Array<{
    name: string;
    size: number;
    open: () => AsyncIterable<Uint8Array>;
    bytes?: Uint8Array;
    crc32?: number;
  }> = [];
  let priority: string[];
  let manifest: Array<Record<string, unknown>> | undefined;
  let body: PlacedData | undefined;

  if (profile === 'flat') {
    priority = [METADATA_NAME];
    body = placeData(indexPayloadSize(priority), data);
    manifest = flatManifestRows(data, body, options.manifest?.sortByName);
    let bytes: Uint8Array;
    if (options.metadata) {
      bytes = options.metadata;
      if (options.validateMetadata !== false) await checkManifestBytes(bytes, manifest);
    } else {
      bytes = encodeManifest(manifest, options.manifest);
    }
    tail = [
      { name: METADATA_NAME, size: bytes.length, open: once(bytes), bytes, crc32: crc32(bytes) },
    ];
  } else if (profile === 'taco') {
    const isPriority = (n: string) =>
      n === TACO_COLLECTION ||
      (n.startsWith(TACO_METADATA_DIR) && n.toLowerCase().endsWith('.parquet'));
    if (!entries.some((e) => e.name === TACO_COLLECTION)) {
      throw new CozipError('INVALID_INPUT', `the TACO profile needs a ${TACO_COLLECTION} entry`);
    }
    tail = entries.filter((e) => isPriority(e.name));
    data = entries.filter((e) => !isPriority(e.name));
    priority = tail.map((e) => e.name);
  } else {
    priority = options.priority ?? [];
    const names = new Set(priority.length ? entries.map((e) => e.name) : []);
    for (const name of priority) {
      if (!names.has(name))
        throw new CozipError(
          'INVALID_INPUT',
          `priority file ${JSON.stringify(name)} is not among the entries`,
        );
    }
    if (new Set(priority).size !== priority.length)
      throw new CozipError('DUPLICATE_NAME', 'a priority file is listed twice');
  }

  const indexSize = indexPayloadSize(priority);
  const layout = planLayout(indexSize, data, tail, body);
  // The layout lists the inputs in order, with the padding entry (if any)
  // between data and tail; built field by field: object spread is slow at a
  // million entries.
  const inputs = [...data, ...tail];
  let next = 0;
  const placed: Placed[] = layout.entries.map((p) => {
    let s: Pick<Placed, 'open' | 'bytes' | 'crc32' | 'read'>;
    if (p === layout.padding) {
      const zeros = new Uint8Array(p.size);
      s = { open: once(zeros), bytes: zeros, crc32: crc32(zeros) };
    } else {
      const input = inputs[next++];
      if (input.name !== p.name) throw new Error(`cozip writer out of plan at ${p.name}`);
      s = input;
    }
    return {
      name: p.name,
      rawName: p.rawName,
      size: p.size,
      headerOffset: p.headerOffset,
      offset: p.offset,
      zip64Sizes: p.zip64Sizes,
      open: s.open,
      bytes: s.bytes,
      crc32: s.crc32,
      read: s.bytes ? undefined : s.read,
    };
  });
  const wanted = new Set(priority);
  const at = new Map<string, PlannedEntry>();
  for (const p of layout.entries) if (wanted.has(p.name)) at.set(p.name, p);
  const index = priority.map((name) => ({
    name,
    offset: at.get(name)!.offset,
    size: at.get(name)!.size,
  }));
  const profileCode = PROFILE_CODES[profile];
  return {
    profileCode,
    layout,
    placed,
    index,
    indexPayload: encodeIndexPayload(profileCode, index),
    manifest,
  };
}

function sizeMismatch(name: string, expected: number, n: number): CozipError {
  return new CozipError(
    'SIZE_MISMATCH',
    `${name}: expected ${expected} bytes, the source gave ${n > expected ? 'more' : n}`,
    { details: { name, expected } },
  );
}

const VERSION_MADE_BY = (HOST_UNIX << 8) | 63;
const NO_BYTES = new Uint8Array(0);
const FILE_ATTRIBUTES = ((S_IFREG | 0o644) << 16) >>> 0;

async function writePlanned(
  out: Sink,
  plan: ArchivePlan,
  options: WriteCozipOptions,
): Promise<void> {
  const tail = new TailKeeper(out, HASHED_TAIL, plan.layout.archiveSize - HASHED_TAIL);
  // Headers and small payloads are gathered into blocks: a million members
  // cost a few hundred writes to the sink, not two million.
  const sink = new WriteBuffer(tail);
  const put = (bytes: Uint8Array) => (sink.tryPush(bytes) ? undefined : sink.write(bytes));
  const { date, time } = toDosDateTime(options.mtime ?? new Date());
  const { layout, placed, indexPayload } = plan;
  const totalBytes = placed.reduce((s, p) => s + p.size, 0);
  const progress: CozipProgress = { entries: 0, totalEntries: placed.length, bytes: 0, totalBytes };

  const indexCrc = crc32(indexPayload);
  await put(encodeIndexHeader(indexPayload.length, indexCrc, date, time));
  await put(indexPayload);

  const crcs: number[] = [];
  const ahead = new ReadAhead(placed);
  for (let k = 0; k < placed.length; k++) {
    const p = placed[k];
    if (sink.length !== p.headerOffset) throw new Error(`cozip writer out of plan at ${p.name}`);
    let bytes = p.bytes;
    let expectedCrc = p.crc32;
    if (p.read) {
      bytes = await ahead.take(k);
      if (bytes.length !== p.size) throw sizeMismatch(p.name, p.size, bytes.length);
      const crc = crc32(bytes);
      if (expectedCrc !== undefined && crc !== expectedCrc) {
        throw new CozipError('CRC_MISMATCH', `${p.name}: content differs from its CRC-32`);
      }
      expectedCrc = crc;
    }
    const extra = p.zip64Sizes
      ? encodeExtraFields([encodeZip64Extra({ uncompressedSize: p.size, compressedSize: p.size })])
      : NO_BYTES;
    const size32 = p.zip64Sizes ? U32_SENTINEL : p.size;
    const header: LocalHeader = {
      versionNeeded: p.zip64Sizes ? VERSION_ZIP64 : VERSION_STORE,
      flags: FLAG_UTF8,
      method: 0,
      dosTime: time,
      dosDate: date,
      crc32: expectedCrc ?? 0,
      compressedSize: size32,
      uncompressedSize: size32,
      rawName: p.rawName,
      extra,
    };
    // Into the block in place: a million members, no array for each header.
    const length = LOCAL_HEADER_SIZE + p.rawName.length + extra.length;
    if (!sink.tryFill(length, (b, at) => writeLocalHeader(b, at, header))) {
      await sink.write(encodeLocalHeader(header));
    }
    let crc = 0;
    let n = 0;
    if (bytes && expectedCrc !== undefined) {
      // The common small-member case: no generator, no second CRC pass.
      if (!sink.tryPush(bytes)) await sink.write(bytes);
      n = bytes.length;
      crc = expectedCrc;
      progress.bytes += n;
    } else {
      for await (const chunk of p.open()) {
        n += chunk.length;
        if (n > p.size) break;
        crc = crc32(chunk, crc);
        if (!sink.tryPush(chunk)) await sink.write(chunk);
        progress.bytes += chunk.length;
        options.onProgress?.(progress);
      }
    }
    if (n !== p.size) throw sizeMismatch(p.name, p.size, n);
    if (expectedCrc === undefined) {
      const patch = new Uint8Array(4);
      new DataView(patch.buffer).setUint32(0, crc, true);
      await sink.writeAt(p.headerOffset + 14, patch);
    } else if (expectedCrc !== crc) {
      throw new CozipError('CRC_MISMATCH', `${p.name}: content changed while writing`);
    }
    crcs.push(crc);
    progress.entries++;
    options.onProgress?.(progress);
  }

  if (sink.length !== layout.cdOffset)
    throw new Error('cozip writer out of plan at the central directory');
  const cd = new Uint8Array(layout.cdSize);
  let o = 0;
  const central = (rawName: Uint8Array, size: number, headerOffset: number, crc: number) => {
    const z: ExtraField[] = [];
    const big = size >= U32_SENTINEL;
    const far = headerOffset >= U32_SENTINEL;
    if (big || far) {
      z.push(
        encodeZip64Extra({
          uncompressedSize: big ? size : undefined,
          compressedSize: big ? size : undefined,
          localHeaderOffset: far ? headerOffset : undefined,
        }),
      );
    }
    o += writeCentralHeader(cd, o, {
      versionMadeBy: VERSION_MADE_BY,
      versionNeeded: big || far ? VERSION_ZIP64 : VERSION_STORE,
      flags: FLAG_UTF8,
      method: 0,
      dosTime: time,
      dosDate: date,
      crc32: crc,
      compressedSize: big ? U32_SENTINEL : size,
      uncompressedSize: big ? U32_SENTINEL : size,
      diskStart: 0,
      internalAttributes: 0,
      externalAttributes: FILE_ATTRIBUTES,
      localHeaderOffset: far ? U32_SENTINEL : headerOffset,
      rawName,
      extra: encodeExtraFields(z),
      rawComment: new Uint8Array(0),
    });
  };
  central(encodeUtf8('__cozip__'), indexPayload.length, 0, indexCrc);
  for (const [i, p] of placed.entries()) central(p.rawName, p.size, p.headerOffset, crcs[i]);
  if (o !== layout.cdSize)
    throw new Error('cozip writer: central directory size differs from the plan');
  await put(cd);

  const count = placed.length + 1;
  if (layout.zip64End) {
    const zip64At = sink.length;
    await put(
      encodeZip64Eocd({
        versionMadeBy: VERSION_MADE_BY,
        versionNeeded: VERSION_ZIP64,
        diskNumber: 0,
        cdDisk: 0,
        entriesOnDisk: count,
        entriesTotal: count,
        cdSize: layout.cdSize,
        cdOffset: layout.cdOffset,
        extensible: new Uint8Array(0),
      }),
    );
    await put(encodeZip64Locator({ eocdDisk: 0, zip64EocdOffset: zip64At, totalDisks: 1 }));
  }
  await put(
    encodeEocd({
      diskNumber: 0,
      cdDisk: 0,
      entriesOnDisk: Math.min(count, U16_SENTINEL),
      entriesTotal: Math.min(count, U16_SENTINEL),
      cdSize: Math.min(layout.cdSize, U32_SENTINEL),
      cdOffset: Math.min(layout.cdOffset, U32_SENTINEL),
      comment: new Uint8Array(0),
    }),
  );
  if (sink.length !== layout.archiveSize)
    throw new Error('cozip writer: archive size differs from the plan');
  await sink.flush();
  await tail.writeAt(HASH_OFFSET, integrityHash(indexPayload, tail.tail(), tail.length));
}
