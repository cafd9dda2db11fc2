// Writing a planned cozip front to back: the index, every member (STORE,
// sizes known up front, no data descriptors), the central directory and the
// end records, then the integrity hash patched into bytes 43..50. Data
// members come from the entry table's columns; the few members around them
// (padding, manifest, TACO's priority files) are planned one by one.

import { readFileInto } from '#file-source';
import { CozipError } from '../errors.js';
import { copyBytes } from '../zip/bytes.js';
import { crc32 } from '../zip/codecs.js';
import { LOCAL_HEADER_SIZE } from '../zip/constants.js';
import type { Sink } from '../zip/sink.js';
import { WriteBuffer } from '../zip/write-buffer.js';
import { HASH_OFFSET, HASHED_TAIL, INDEX_HEADER_SIZE } from './constants.js';
import { integrityHash } from './hash.js';
import { encodeIndexHeader } from './index-header.js';
import { type EntryTable, rowBytes, rowReader, rowSmallFile, rowStream } from './inputs.js';
import {
  CENTRAL_MAX,
  centralRecord,
  INDEX_RAW_NAME,
  localHeaderLength,
  recordFields,
  writeEnd,
  writeLocal,
} from './member-records.js';
import type { Layout, PlacedData } from './plan.js';
import { ReadAhead } from './read-ahead.js';
import { TailKeeper } from './tail-keeper.js';
import { checkWritten, WindowReader } from './write-check.js';

export interface CozipProgress {
  entries: number;
  totalEntries: number;
  bytes: number;
  totalBytes: number;
}

/** A member after the data: its bytes (padding, manifest) or the table row it is (TACO). */
export interface ExtraSource {
  bytes?: Uint8Array;
  row?: number;
}

/** What follows the data; for a Flat archive, known once its manifest is encoded. */
export interface TailPlan {
  layout: Layout;
  indexPayload: Uint8Array;
  /** One per `layout.extras` entry. */
  extraSources: ExtraSource[];
}

export interface WritePlan {
  profileCode: number;
  /** The data members' places: final before the tail is planned. */
  data: PlacedData;
  /** Bytes of the index payload (fixed by the priority file names). */
  indexSize: number;
  /**
   * The rest of the plan, or a promise of it (a manifest encoded on another
   * thread while the data is written): the index is then patched in last.
   * A promised tail holds bytes only, no table rows.
   */
  tail: TailPlan | Promise<TailPlan>;
  mtime: Date;
  onProgress?: (progress: CozipProgress) => void;
}

function sizeMismatch(name: string, expected: number, n: number): CozipError {
  return new CozipError(
    'SIZE_MISMATCH',
    `${name}: expected ${expected} bytes, the source gave ${n > expected ? 'more' : n}`,
    { details: { name, expected } },
  );
}

/** A member's content with what is known before its header. */
interface Content {
  /** In memory (given, or read whole ahead of time). */
  bytes?: Uint8Array;
  crc32?: number;
  stream: () => AsyncIterable<Uint8Array>;
}

export async function writePlanned(out: Sink, table: EntryTable, plan: WritePlan): Promise<void> {
  const { data, indexSize } = plan;
  const known = plan.tail instanceof Promise ? undefined : plan.tail;
  // Only a whole plan says where the hashed tail starts; until then every write's end is kept.
  const tail = new TailKeeper(out, HASHED_TAIL, known ? known.layout.archiveSize - HASHED_TAIL : 0);
  // Headers and small payloads are gathered into blocks: a million members
  // cost a few hundred writes to the sink, not two million.
  const sink = new WriteBuffer(tail);
  const fields = recordFields(plan.mtime);
  const dataCount = data.headerOffsets.length;
  const rowAt = (k: number) => (data.order ? data.order[k] : k);
  let totalBytes = 0;
  for (let k = 0; k < dataCount; k++) totalBytes += table.sizes[rowAt(k)];
  const extrasBytes = (t: TailPlan) => t.layout.extras.reduce((n, e) => n + e.size, 0);
  if (known) totalBytes += extrasBytes(known);
  const progress: CozipProgress = {
    entries: 0,
    totalEntries: dataCount + (known ? known.layout.extras.length : 0),
    bytes: 0,
    totalBytes,
  };
  // CRC-32 of every data member as written, in archive order (for the central directory).
  const dataCrcs = new Uint32Array(dataCount);
  /** Data member k's local file when it is read synchronously into the block. */
  const blockFile = (k: number): string | undefined => {
    const i = rowAt(k);
    const file = rowSmallFile(table, i);
    const n = localHeaderLength(table.sizes[i], table.nameStarts[i + 1] - table.nameStarts[i]);
    // One byte past the data is scratch: it tells a file that grew.
    return file !== undefined && n + table.sizes[i] + 1 <= sink.blockSize ? file : undefined;
  };
  // Other small sources (up to 1 MiB) are read a few ahead of the writing.
  const extraSources = known?.extraSources ?? [];
  const sourceRow = (k: number) => (k < dataCount ? rowAt(k) : extraSources[k - dataCount].row);
  const ahead = new ReadAhead(
    dataCount + extraSources.length,
    (k) => (k < dataCount ? table.sizes[rowAt(k)] : known!.layout.extras[k - dataCount].size),
    (k) => {
      const i = sourceRow(k);
      if (i === undefined || (k < dataCount && blockFile(k) !== undefined)) return undefined;
      return rowReader(table, i);
    },
  );
  /** Row i's content, read ahead when it is small. */
  const rowContent = async (i: number, k: number): Promise<Content> => {
    const crc = table.crcKnown[i] ? table.crcs[i] : undefined;
    const bytes = rowBytes(table, i);
    if (bytes) return { bytes, crc32: crc, stream: () => rowStream(table, i) };
    if (rowReader(table, i)) {
      const whole = await ahead.take(k);
      const name = table.rows[i].name;
      if (whole.length !== table.sizes[i]) throw sizeMismatch(name, table.sizes[i], whole.length);
      const actual = crc32(whole);
      if (crc !== undefined && actual !== crc) {
        throw new CozipError('CRC_MISMATCH', `${name}: content differs from its CRC-32`);
      }
      return { bytes: whole, crc32: actual, stream: () => rowStream(table, i) };
    }
    return { crc32: crc, stream: () => rowStream(table, i) };
  };

  const { dosDate, dosTime } = fields.local;
  const indexHeaderOf = (payload: Uint8Array) =>
    encodeIndexHeader(payload.length, crc32(payload), dosDate, dosTime);
  // A manifest the encoder refuses stops the write at once, not after the data.
  let tailError: unknown;
  if (!known) {
    (plan.tail as Promise<TailPlan>).catch((err) => {
      tailError = err ?? new Error('cozip writer: the tail plan failed');
    });
  }
  // The index first when the plan is whole; else its place, filled in last.
  if (known) {
    await put(sink, indexHeaderOf(known.indexPayload));
    await put(sink, known.indexPayload);
  } else {
    await put(sink, new Uint8Array(INDEX_HEADER_SIZE + indexSize));
  }

  const { nameBytes, nameStarts, sizes, rows } = table;
  for (let k = 0; k < dataCount; k++) {
    const i = rowAt(k);
    const size = sizes[i];
    const headerOffset = data.headerOffsets[k];
    if (tailError !== undefined) throw tailError;
    if (sink.length !== headerOffset)
      throw new Error(`cozip writer out of plan at ${rows[i].name}`);
    const path = rows[i].path;
    const nameLength = nameStarts[i + 1] - nameStarts[i];
    const n = localHeaderLength(size, nameLength);
    // The common small-member case: bytes in memory, CRC known, header and
    // payload copied into the block without a promise.
    if (path instanceof Uint8Array && table.crcKnown[i] && n + size <= sink.room) {
      const at = sink.reserve(n);
      writeLocal(sink.current, at, fields, size, table.crcs[i], nameLength);
      copyBytes(nameBytes, nameStarts[i], nameStarts[i + 1], sink.current, at + LOCAL_HEADER_SIZE);
      sink.tryPush(path);
      dataCrcs[k] = table.crcs[i];
      progress.bytes += size;
      progress.entries++;
      plan.onProgress?.(progress);
      continue;
    }
    // A small local file: read straight into the block after its header,
    // synchronously (no array, promise or thread-pool trip per file).
    const file = blockFile(k);
    if (file !== undefined) {
      if (n + size + 1 > sink.room) await sink.makeRoom(n + size + 1);
      const at = sink.reserve(n + size);
      const block = sink.current;
      readFileInto(file, size, block, at + n);
      const crc = crc32(block.subarray(at + n, at + n + size));
      if (table.crcKnown[i] && crc !== table.crcs[i]) {
        throw new CozipError('CRC_MISMATCH', `${rows[i].name}: content differs from its CRC-32`);
      }
      writeLocal(block, at, fields, size, crc, nameLength);
      copyBytes(nameBytes, nameStarts[i], nameStarts[i + 1], block, at + LOCAL_HEADER_SIZE);
      dataCrcs[k] = crc;
      progress.bytes += size;
      progress.entries++;
      plan.onProgress?.(progress);
      continue;
    }
    const content = await rowContent(i, k);
    const at = await reserve(sink, n);
    writeLocal(sink.current, at, fields, size, content.crc32, nameLength);
    copyBytes(nameBytes, nameStarts[i], nameStarts[i + 1], sink.current, at + LOCAL_HEADER_SIZE);
    dataCrcs[k] = await payload(sink, rows[i].name, size, headerOffset, content, plan, progress);
  }
  const rest = known ?? (await plan.tail);
  const { layout, indexPayload } = rest;
  if (layout.data !== data) throw new Error('cozip writer: the tail was planned for other data');
  if (!known) {
    if (rest.extraSources.some((e) => e.row !== undefined)) {
      throw new Error('cozip writer: a promised tail cannot hold table rows');
    }
    progress.totalEntries += layout.extras.length;
    progress.totalBytes += extrasBytes(rest);
  }
  const crcs = new Uint32Array(dataCount + layout.extras.length);
  crcs.set(dataCrcs);
  for (let j = 0; j < layout.extras.length; j++) {
    const e = layout.extras[j];
    const source = rest.extraSources[j];
    const k = dataCount + j;
    const content: Content =
      source.row === undefined
        ? { bytes: source.bytes!, crc32: crc32(source.bytes!), stream: NO_STREAM }
        : await rowContent(source.row, k);
    if (sink.length !== e.headerOffset) throw new Error(`cozip writer out of plan at ${e.name}`);
    const at = await reserve(sink, localHeaderLength(e.size, e.rawName.length));
    writeLocal(sink.current, at, fields, e.size, content.crc32, e.rawName.length);
    sink.current.set(e.rawName, at + LOCAL_HEADER_SIZE);
    crcs[k] = await payload(sink, e.name, e.size, e.headerOffset, content, plan, progress);
  }

  if (sink.length !== layout.cdOffset)
    throw new Error('cozip writer out of plan at the central directory');
  const central = (
    raw: Uint8Array,
    start: number,
    end: number,
    size: number,
    at: number,
    crc: number,
  ): Promise<void> | undefined =>
    // A promise only when the block is full: a million records, a few hundred awaits.
    centralRecord(sink, fields, raw, start, end, size, at, crc)
      ? undefined
      : sink.makeRoom(CENTRAL_MAX).then(() => {
          centralRecord(sink, fields, raw, start, end, size, at, crc);
        });
  const indexHeader = indexHeaderOf(indexPayload);
  const indexCrc = crc32(indexPayload);
  await central(INDEX_RAW_NAME, 0, INDEX_RAW_NAME.length, indexPayload.length, 0, indexCrc);
  for (let k = 0; k < dataCount; k++) {
    const i = rowAt(k);
    const pending = central(
      nameBytes,
      nameStarts[i],
      nameStarts[i + 1],
      sizes[i],
      data.headerOffsets[k],
      crcs[k],
    );
    if (pending) await pending;
  }
  for (let j = 0; j < layout.extras.length; j++) {
    const e = layout.extras[j];
    await central(e.rawName, 0, e.rawName.length, e.size, e.headerOffset, crcs[dataCount + j]);
  }
  if (sink.length !== layout.cdOffset + layout.cdSize)
    throw new Error('cozip writer: central directory size differs from the plan');

  const end = await writeEnd(sink, layout, dataCount + layout.extras.length + 1);
  if (sink.length !== layout.archiveSize)
    throw new Error('cozip writer: archive size differs from the plan');
  await sink.flush();
  if (!known) {
    const index = new Uint8Array(INDEX_HEADER_SIZE + indexPayload.length);
    index.set(indexHeader);
    index.set(indexPayload, INDEX_HEADER_SIZE);
    await tail.writeAt(0, index);
  }
  const readAt = tail.readAt;
  if (readAt) {
    await checkWritten(
      new WindowReader(readAt, layout.archiveSize),
      table,
      layout,
      fields,
      crcs,
      indexHeader,
      end,
    );
  }
  await tail.writeAt(HASH_OFFSET, integrityHash(indexPayload, tail.tail(), tail.length));
}

const NO_STREAM = () => {
  throw new Error('cozip writer: in-memory content has no stream');
};

function put(sink: WriteBuffer, bytes: Uint8Array): Promise<void> | undefined {
  return sink.tryPush(bytes) ? undefined : sink.write(bytes);
}

/** Room for `n` bytes in the block; returns where they go. */
async function reserve(sink: WriteBuffer, n: number): Promise<number> {
  let at = sink.reserve(n);
  if (at < 0) {
    await sink.makeRoom(n);
    at = sink.reserve(n);
  }
  return at;
}

/**
 * Writes a member's payload after its header; returns its CRC-32. A CRC not
 * known before the header is patched into it afterwards.
 */
async function payload(
  sink: WriteBuffer,
  name: string,
  size: number,
  headerOffset: number,
  content: Content,
  plan: WritePlan,
  progress: CozipProgress,
): Promise<number> {
  let crc = 0;
  let n = 0;
  if (content.bytes && content.crc32 !== undefined) {
    await put(sink, content.bytes);
    n = content.bytes.length;
    crc = content.crc32;
    progress.bytes += n;
  } else {
    for await (const chunk of content.stream()) {
      n += chunk.length;
      if (n > size) break;
      crc = crc32(chunk, crc);
      await put(sink, chunk);
      progress.bytes += chunk.length;
      plan.onProgress?.(progress);
    }
  }
  if (n !== size) throw sizeMismatch(name, size, n);
  if (content.crc32 === undefined) {
    const patch = new Uint8Array(4);
    new DataView(patch.buffer).setUint32(0, crc, true);
    await sink.writeAt(headerOffset + 14, patch);
  } else if (content.crc32 !== crc) {
    throw new CozipError('CRC_MISMATCH', `${name}: content changed while writing`);
  }
  progress.entries++;
  plan.onProgress?.(progress);
  return crc;
}
