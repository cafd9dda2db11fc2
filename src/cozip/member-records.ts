// The records of a cozip member as this writer makes them: STORE, UTF-8
// flag, one time for all, a ZIP64 extra only where a size needs it. Written
// straight into the writer's block: no object or array per entry.
import { concatBytes } from '../io/stream.js';
import { copyBytes } from '../zip/bytes.js';
import { writeCentralHeaderFixed } from '../zip/central-header.js';
import {
  CENTRAL_HEADER_SIZE,
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
import { encodeExtraFields, encodeZip64Extra } from '../zip/extra-fields.js';
import { writeLocalHeaderFixed } from '../zip/local-header.js';
import { encodeUtf8 } from '../zip/names.js';
import type { WriteBuffer } from '../zip/write-buffer.js';
import { INDEX_NAME } from './constants.js';
import type { Layout } from './plan.js';

export const VERSION_MADE_BY = (HOST_UNIX << 8) | 63;
export const NO_BYTES = new Uint8Array(0);
export const FILE_ATTRIBUTES = ((S_IFREG | 0o644) << 16) >>> 0;
export const INDEX_RAW_NAME = encodeUtf8(INDEX_NAME);
/** Bytes of the ZIP64 extra in a local header with both sizes. */
export const LOCAL_ZIP64_EXTRA = 4 + 16;

/** The fields every record of this archive shares, set once and reused per entry. */
export function recordFields(mtime: Date) {
  const { date, time } = toDosDateTime(mtime);
  return {
    local: {
      versionNeeded: VERSION_STORE,
      flags: FLAG_UTF8,
      method: 0,
      dosTime: time,
      dosDate: date,
      crc32: 0,
      compressedSize: 0,
      uncompressedSize: 0,
    },
    central: {
      versionMadeBy: VERSION_MADE_BY,
      versionNeeded: VERSION_STORE,
      flags: FLAG_UTF8,
      method: 0,
      dosTime: time,
      dosDate: date,
      crc32: 0,
      compressedSize: 0,
      uncompressedSize: 0,
      diskStart: 0,
      internalAttributes: 0,
      externalAttributes: FILE_ATTRIBUTES,
      localHeaderOffset: 0,
    },
  };
}

export type Fields = ReturnType<typeof recordFields>;

export function localHeaderLength(size: number, nameLength: number): number {
  return LOCAL_HEADER_SIZE + nameLength + (size >= U32_SENTINEL ? LOCAL_ZIP64_EXTRA : 0);
}

/** A local header's fixed part and ZIP64 extra at `at` in `block`; the caller copies the name in. */
export function writeLocal(
  block: Uint8Array,
  at: number,
  fields: Fields,
  size: number,
  crc: number | undefined,
  nameLength: number,
): void {
  const zip64Sizes = size >= U32_SENTINEL;
  const h = fields.local;
  h.versionNeeded = zip64Sizes ? VERSION_ZIP64 : VERSION_STORE;
  h.crc32 = crc ?? 0;
  h.compressedSize = h.uncompressedSize = zip64Sizes ? U32_SENTINEL : size;
  writeLocalHeaderFixed(block, at, h, nameLength, zip64Sizes ? LOCAL_ZIP64_EXTRA : 0);
  if (zip64Sizes) {
    const extra = encodeExtraFields([
      encodeZip64Extra({ uncompressedSize: size, compressedSize: size }),
    ]);
    block.set(extra, at + LOCAL_HEADER_SIZE + nameLength);
  }
}

/** The largest central record: a 65,535-byte name and a full ZIP64 extra. */
export const CENTRAL_MAX = CENTRAL_HEADER_SIZE + 0xffff + 4 + 24;

/**
 * One central record into the block, the name being raw[start, end), with a
 * ZIP64 extra for what overflows; false, with nothing written, when the
 * block has no room (then makeRoom and call again).
 */
export function centralRecord(
  sink: WriteBuffer,
  fields: Fields,
  raw: Uint8Array,
  start: number,
  end: number,
  size: number,
  headerOffset: number,
  crc: number,
): boolean {
  const big = size >= U32_SENTINEL;
  const far = headerOffset >= U32_SENTINEL;
  const nameLength = end - start;
  const extraLength = big || far ? 4 + (big ? 16 : 0) + (far ? 8 : 0) : 0;
  const at = sink.reserve(CENTRAL_HEADER_SIZE + nameLength + extraLength);
  if (at < 0) return false;
  const h = fields.central;
  h.versionNeeded = big || far ? VERSION_ZIP64 : VERSION_STORE;
  h.crc32 = crc;
  h.compressedSize = h.uncompressedSize = big ? U32_SENTINEL : size;
  h.localHeaderOffset = far ? U32_SENTINEL : headerOffset;
  const block = sink.current;
  writeCentralHeaderFixed(block, at, h, nameLength, extraLength, 0);
  copyBytes(raw, start, end, block, at + CENTRAL_HEADER_SIZE);
  if (extraLength > 0) {
    const extra = encodeExtraFields([
      encodeZip64Extra({
        uncompressedSize: big ? size : undefined,
        compressedSize: big ? size : undefined,
        localHeaderOffset: far ? headerOffset : undefined,
      }),
    ]);
    if (extra.length !== extraLength) throw new Error('cozip writer: ZIP64 extra size');
    block.set(extra, at + CENTRAL_HEADER_SIZE + nameLength);
  }
  return true;
}

/** Writes the end records; returns their bytes (for the read-back check). */
export async function writeEnd(
  sink: WriteBuffer,
  layout: Layout,
  count: number,
): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  if (layout.zip64End) {
    const zip64At = sink.length;
    parts.push(
      encodeZip64Eocd({
        versionMadeBy: VERSION_MADE_BY,
        versionNeeded: VERSION_ZIP64,
        diskNumber: 0,
        cdDisk: 0,
        entriesOnDisk: count,
        entriesTotal: count,
        cdSize: layout.cdSize,
        cdOffset: layout.cdOffset,
        extensible: NO_BYTES,
      }),
      encodeZip64Locator({ eocdDisk: 0, zip64EocdOffset: zip64At, totalDisks: 1 }),
    );
  }
  parts.push(
    encodeEocd({
      diskNumber: 0,
      cdDisk: 0,
      entriesOnDisk: Math.min(count, U16_SENTINEL),
      entriesTotal: Math.min(count, U16_SENTINEL),
      cdSize: Math.min(layout.cdSize, U32_SENTINEL),
      cdOffset: Math.min(layout.cdOffset, U32_SENTINEL),
      comment: NO_BYTES,
    }),
  );
  const bytes = concatBytes(parts);
  await sink.write(bytes);
  return bytes;
}
