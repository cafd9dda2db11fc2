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
import { INDEX_HEADER_SIZE, INDEX_NAME, MIN_ARCHIVE_SIZE, PADDING_NAME } from './constants.js';

const INDEX_NAME_LENGTH = INDEX_NAME.length; // ASCII

/** A member placed by itself: the padding, the manifest, TACO's priority files. */
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

/** The data members' names and sizes, as columns (see EntryTable). */
export interface MemberColumns {
  nameStarts: Uint32Array;
  sizes: Float64Array;
}

/**
 * Data members placed one after another, as columns: position k holds row
 * `order[k]` (row k when there is no order) with its local header at
 * `headerOffsets[k]`.
 */
export interface PlacedData {
  order?: Int32Array;
  headerOffsets: Float64Array;
  /** Bytes of their central records. */
  cdSize: number;
  /** Where the data ends. */
  end: number;
}

export interface Layout {
  indexSize: number;
  /** The data members, right after `__cozip__`. */
  data: PlacedData;
  /** The members after the data, in archive order: the padding (if any), then the tail. */
  extras: PlannedEntry[];
  padding: PlannedEntry | undefined;
  cdOffset: number;
  cdSize: number;
  /** ZIP64 end records are needed (entry count, CD offset or size overflow). */
  zip64End: boolean;
  archiveSize: number;
}

/** Bytes of the ZIP64 extra in a local header with both sizes. */
const LOCAL_ZIP64_EXTRA = 4 + 16;

function localHeaderSize(nameLength: number, zip64Sizes: boolean): number {
  return LOCAL_HEADER_SIZE + nameLength + (zip64Sizes ? LOCAL_ZIP64_EXTRA : 0);
}

/** Central record size: the ZIP64 extra carries only the overflowing fields. */
export function centralRecordSize(nameLength: number, size: number, headerOffset: number): number {
  let z = 0;
  if (size >= U32_SENTINEL) z += 16; // uncompressed and compressed
  if (headerOffset >= U32_SENTINEL) z += 8;
  return CENTRAL_HEADER_SIZE + nameLength + (z ? 4 + z : 0);
}

/** Where the payload of data position k starts (the first byte after its local header). */
export function payloadOffset(members: MemberColumns, data: PlacedData, k: number): number {
  const i = data.order ? data.order[k] : k;
  const size = members.sizes[i];
  const nameLength = members.nameStarts[i + 1] - members.nameStarts[i];
  return data.headerOffsets[k] + localHeaderSize(nameLength, size >= U32_SENTINEL);
}

/** The data members (rows `order`, or all in order) placed right after an index of `indexSize` bytes. */
export function placeData(
  indexSize: number,
  members: MemberColumns,
  order?: Int32Array,
): PlacedData {
  const count = order ? order.length : members.sizes.length;
  const headerOffsets = new Float64Array(count);
  let pos = INDEX_HEADER_SIZE + indexSize;
  let cdSize = 0;
  for (let k = 0; k < count; k++) {
    const i = order ? order[k] : k;
    const size = members.sizes[i];
    const nameLength = members.nameStarts[i + 1] - members.nameStarts[i];
    headerOffsets[k] = pos;
    cdSize += centralRecordSize(nameLength, size, pos);
    pos += localHeaderSize(nameLength, size >= U32_SENTINEL) + size;
  }
  return { order, headerOffsets, cdSize, end: pos };
}

/** Places single members one after another starting at `start`. */
function place(inputs: PlanInput[], start: number): { entries: PlannedEntry[]; end: number } {
  let pos = start;
  const entries = inputs.map(({ name, size, rawName: known }) => {
    const rawName = known ?? encodeUtf8(name);
    const zip64Sizes = size >= U32_SENTINEL;
    const headerOffset = pos;
    const offset = pos + localHeaderSize(rawName.length, zip64Sizes);
    pos = offset + size;
    return { name, rawName, size, headerOffset, offset, zip64Sizes };
  });
  return { entries, end: pos };
}

function finish(
  indexSize: number,
  data: PlacedData,
  extras: PlannedEntry[],
  padding: PlannedEntry | undefined,
  cdOffset: number,
): Layout {
  let cdSize = centralRecordSize(INDEX_NAME_LENGTH, indexSize, 0) + data.cdSize;
  for (const e of extras) cdSize += centralRecordSize(e.rawName.length, e.size, e.headerOffset);
  const count = data.headerOffsets.length + extras.length + 1;
  const zip64End = count >= U16_SENTINEL || cdOffset >= U32_SENTINEL || cdSize >= U32_SENTINEL;
  const archiveSize =
    cdOffset + cdSize + (zip64End ? ZIP64_EOCD_SIZE + ZIP64_LOCATOR_SIZE : 0) + EOCD_SIZE;
  return { indexSize, data, extras, padding, cdOffset, cdSize, zip64End, archiveSize };
}

/** Where the padding entry goes when the archive needs one (spec revision 0.1.0). */
export type PaddingPlace = 'last' | 'before-tail';

/**
 * Plans the archive: the placed `data` right after the index, then the
 * `tail` members (the priority block), then the central directory. An
 * archive that would be under 32,819 bytes gets a `__cozip_padding__`
 * entry sized to make it exactly that (or minimally more when the shortfall
 * is below the entry's own header bytes): after every other entry (Flat and
 * None: `'last'`) or right before the tail (TACO: `'before-tail'`). Data
 * offsets do not depend on the tail, so a Flat writer places the data,
 * builds the manifest from those offsets, and plans with the manifest as the
 * tail.
 */
export function planLayout(
  indexSize: number,
  data: PlacedData,
  tail: PlanInput[],
  padding: PaddingPlace = 'last',
): Layout {
  const block = place(tail, data.end);
  const plain = finish(indexSize, data, block.entries, undefined, block.end);
  if (plain.archiveSize >= MIN_ARCHIVE_SIZE) return plain;

  // The padding entry costs its local header and central record too.
  const rawName = encodeUtf8(PADDING_NAME);
  const overhead = LOCAL_HEADER_SIZE + rawName.length + CENTRAL_HEADER_SIZE + rawName.length;
  const pad = {
    name: PADDING_NAME,
    size: Math.max(1, MIN_ARCHIVE_SIZE - plain.archiveSize - overhead),
    rawName,
  };
  if (padding === 'last') {
    const placed = place([...tail, pad], data.end);
    const entry = placed.entries[placed.entries.length - 1];
    return finish(indexSize, data, placed.entries, entry, placed.end);
  }
  const placed = place([pad, ...tail], data.end);
  return finish(indexSize, data, placed.entries, placed.entries[0], placed.end);
}
