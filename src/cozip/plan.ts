// Planned construction: every local header, payload offset, ZIP64 need and
// the central directory are computed before a byte is written, so the index
// (and the Flat manifest, which records offsets) are final when written.
//
// Layout:  [__cozip__ 51 + index] [data entries] [__cozip_padding__?]
//          [priority block: __metadata__ (Flat) | COLLECTION.json + METADATA/*.parquet (TACO)]
//          [central directory] [ZIP64 EOCD + locator]? [EOCD]
import {
  CENTRAL_HEADER_SIZE,
  EOCD_SIZE,
  LOCAL_HEADER_SIZE,
  U16_SENTINEL,
  U32_SENTINEL,
  ZIP64_EOCD_SIZE,
  ZIP64_LOCATOR_SIZE,
} from '../zip/constants.js';
import { encodeUtf8 } from '../zip/names.js';
import { INDEX_HEADER_SIZE, MIN_ARCHIVE_SIZE, PADDING_NAME } from './constants.js';

/** An entry to place: its name and exact payload size. */
export interface PlanInput {
  name: string;
  size: number;
  /** The name's UTF-8 bytes, when already encoded. */
  rawName?: Uint8Array;
}

export interface PlannedEntry {
  name: string;
  rawName: Uint8Array;
  size: number;
  /** Offset of the local header. */
  headerOffset: number;
  /** Offset of the payload: what the index and manifest record. */
  offset: number;
  /** Sizes of 4 GiB or more need a ZIP64 extra in the local header. */
  zip64Sizes: boolean;
}

export interface Layout {
  indexSize: number;
  /** Every file entry after `__cozip__`, in archive order. */
  entries: PlannedEntry[];
  padding: PlannedEntry | undefined;
  cdOffset: number;
  cdSize: number;
  /** ZIP64 end records are needed (entry count, CD offset or size overflow). */
  zip64End: boolean;
  archiveSize: number;
}

/** Bytes of the ZIP64 extra in a local header with both sizes. */
const LOCAL_ZIP64_EXTRA = 4 + 16;

function localHeaderSize(rawName: Uint8Array, zip64Sizes: boolean): number {
  return LOCAL_HEADER_SIZE + rawName.length + (zip64Sizes ? LOCAL_ZIP64_EXTRA : 0);
}

/** Central record size: the ZIP64 extra carries only the overflowing fields. */
export function centralRecordSize(e: {
  rawName: Uint8Array;
  size: number;
  headerOffset: number;
}): number {
  let z = 0;
  if (e.size >= U32_SENTINEL) z += 16; // uncompressed and compressed
  if (e.headerOffset >= U32_SENTINEL) z += 8;
  return CENTRAL_HEADER_SIZE + e.rawName.length + (z ? 4 + z : 0);
}

/** Places entries one after another starting at `start`. */
function place(inputs: PlanInput[], start: number): { entries: PlannedEntry[]; end: number } {
  let pos = start;
  const entries = inputs.map(({ name, size, rawName: known }) => {
    const rawName = known ?? encodeUtf8(name);
    const zip64Sizes = size >= U32_SENTINEL;
    const headerOffset = pos;
    const offset = pos + localHeaderSize(rawName, zip64Sizes);
    pos = offset + size;
    return { name, rawName, size, headerOffset, offset, zip64Sizes };
  });
  return { entries, end: pos };
}

function finish(
  indexSize: number,
  entries: PlannedEntry[],
  padding: PlannedEntry | undefined,
  cdOffset: number,
): Layout {
  const indexEntry = { rawName: encodeUtf8('__cozip__'), size: indexSize, headerOffset: 0 };
  let cdSize = centralRecordSize(indexEntry);
  for (const e of entries) cdSize += centralRecordSize(e);
  const count = entries.length + 1;
  const zip64End = count >= U16_SENTINEL || cdOffset >= U32_SENTINEL || cdSize >= U32_SENTINEL;
  const archiveSize =
    cdOffset + cdSize + (zip64End ? ZIP64_EOCD_SIZE + ZIP64_LOCATOR_SIZE : 0) + EOCD_SIZE;
  return { indexSize, entries, padding, cdOffset, cdSize, zip64End, archiveSize };
}

export interface PlacedData {
  entries: PlannedEntry[];
  /** Where the data ends. */
  end: number;
}

/** The data entries placed right after an index of `indexSize` bytes. */
export function placeData(indexSize: number, data: PlanInput[]): PlacedData {
  return place(data, INDEX_HEADER_SIZE + indexSize);
}

/**
 * Plans the archive: `data` in order right after the index, then (if the
 * archive would be under 32,819 bytes) the padding entry, then the `tail`
 * entries (the priority block), then the central directory. Data offsets do
 * not depend on the tail, so a Flat writer plans the data, builds the
 * manifest from those offsets, and plans again with the manifest as the tail
 * (passing the placed data as `body`, so it is not placed twice).
 */
export function planLayout(
  indexSize: number,
  data: PlanInput[],
  tail: PlanInput[],
  body: PlacedData = placeData(indexSize, data),
): Layout {
  const block = place(tail, body.end);
  const plain = finish(indexSize, [...body.entries, ...block.entries], undefined, block.end);
  if (plain.archiveSize >= MIN_ARCHIVE_SIZE) return plain;

  // Pad: the padding entry costs its local header and central record too.
  const rawName = encodeUtf8(PADDING_NAME);
  const overhead = LOCAL_HEADER_SIZE + rawName.length + CENTRAL_HEADER_SIZE + rawName.length;
  const paddingSize = Math.max(1, MIN_ARCHIVE_SIZE - plain.archiveSize - overhead);
  const padded = place([{ name: PADDING_NAME, size: paddingSize }], body.end);
  const shiftedTail = place(tail, padded.end);
  const layout = finish(
    indexSize,
    [...body.entries, padded.entries[0], ...shiftedTail.entries],
    padded.entries[0],
    shiftedTail.end,
  );
  return layout;
}
