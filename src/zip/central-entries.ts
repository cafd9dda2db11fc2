// The entries of a central directory, kept as the directory's own bytes: a
// chunk of records copied once, where each record starts, and the sizes and
// offsets with ZIP64 values applied (checked when the chunk is read). Every
// other field of an entry is read from the record bytes when it is asked
// for, and a name is decoded once, on first use. A million entries then cost
// their ~80 bytes of directory plus about 60, instead of an object of 27
// fields, a Date, parsed extra fields and several views each.
//
// Record fields (APPNOTE 4.3.12), offsets from the record start:
//  4 u16 version made by   12 u16 DOS time   28 u16 name length   36 u16 internal attributes
//  6 u16 version needed    14 u16 DOS date   30 u16 extra length  38 u32 external attributes
//  8 u16 flags             16 u32 crc-32     32 u16 comment length 42 u32 local header offset
// 10 u16 method            20/24 u32 sizes   34 u16 disk start     46 name, extra, comment
import { CozipError } from '../errors.js';
import { getU16, getU32 } from './bytes.js';
import {
  CENTRAL_HEADER_SIZE,
  EXTRA_UNICODE_PATH,
  EXTRA_ZIP64,
  FLAG_ENCRYPTED,
  FLAG_STRONG_ENCRYPTION,
  FLAG_UTF8,
  HOST_MACOS,
  HOST_UNIX,
  METHOD_AES,
  S_IFDIR,
  S_IFLNK,
  S_IFMT,
  SIG_CENTRAL,
  U16_SENTINEL,
  U32_SENTINEL,
} from './constants.js';
import { fromDosDateTime } from './dos-time.js';
import type { ZipEntry } from './entry.js';
import {
  type ExtraField,
  extraBlockMtime,
  parseExtraFields,
  readUnicodePath,
  readZip64Extra,
} from './extra-fields.js';
import { decodeName, decodeUtf8Lossy, type NameEncoding } from './names.js';

/** A run of central directory records and what was resolved of each when it was read. */
export class CentralChunk {
  /** Decoded names, filled in as they are asked for. */
  private readonly names: Array<string | undefined>;
  private readonly encodings: Array<NameEncoding | undefined>;

  constructor(
    /** The records, in a copy of their own. */
    readonly bytes: Uint8Array,
    /** Where each record starts in `bytes`. */
    readonly starts: Uint32Array,
    /** Per record: compressed size, uncompressed size, absolute local header offset. */
    readonly sizes: Float64Array,
    /** Per record: 1 when a value came from the ZIP64 extra field. */
    readonly zip64: Uint8Array,
    /** Per record: the disk start number, ZIP64 applied. */
    readonly disks: Uint32Array,
    /** Position of the first record in the whole directory. */
    readonly firstIndex: number,
  ) {
    this.names = new Array(starts.length);
    this.encodings = new Array(starts.length);
  }

  get length(): number {
    return this.starts.length;
  }

  u16(i: number, field: number): number {
    return getU16(this.bytes, this.starts[i] + field);
  }

  u32(i: number, field: number): number {
    return getU32(this.bytes, this.starts[i] + field);
  }

  rawName(i: number): Uint8Array {
    const o = this.starts[i] + CENTRAL_HEADER_SIZE;
    return this.bytes.subarray(o, o + this.u16(i, 28));
  }

  extra(i: number): Uint8Array {
    const o = this.starts[i] + CENTRAL_HEADER_SIZE + this.u16(i, 28);
    return this.bytes.subarray(o, o + this.u16(i, 30));
  }

  rawComment(i: number): Uint8Array {
    const o = this.starts[i] + CENTRAL_HEADER_SIZE + this.u16(i, 28) + this.u16(i, 30);
    return this.bytes.subarray(o, o + this.u16(i, 32));
  }

  name(i: number): string {
    return this.names[i] ?? this.decode(i).name;
  }

  nameEncoding(i: number): NameEncoding {
    return this.encodings[i] ?? this.decode(i).encoding;
  }

  private decode(i: number): { name: string; encoding: NameEncoding } {
    const raw = this.rawName(i);
    const extra = this.extra(i);
    let unicode: string | undefined;
    // Only a Unicode Path field can change a name: look for it without parsing the rest.
    if (hasExtraField(extra, EXTRA_UNICODE_PATH)) {
      for (const f of parseExtraFields(extra)) {
        if (f.id !== EXTRA_UNICODE_PATH) continue;
        const name = readUnicodePath(f.data, raw);
        if (name) unicode = name;
      }
    }
    const decoded = decodeName(raw, (this.u16(i, 8) & FLAG_UTF8) !== 0, unicode);
    this.names[i] = decoded.name;
    this.encodings[i] = decoded.encoding;
    return decoded;
  }
}

/** Is there a field with this id in the extra block (a well-formed one, checked at read)? */
function hasExtraField(extra: Uint8Array, id: number): boolean {
  for (let o = 0; o + 4 <= extra.length; o += 4 + getU16(extra, o + 2)) {
    if (getU16(extra, o) === id) return true;
  }
  return false;
}

/** A ZipEntry backed by a record of a CentralChunk: fields are read when used. */
export class CentralEntry implements ZipEntry {
  constructor(
    private readonly chunk: CentralChunk,
    private readonly i: number,
  ) {}

  get index(): number {
    return this.chunk.firstIndex + this.i;
  }
  get name(): string {
    return this.chunk.name(this.i);
  }
  get rawName(): Uint8Array {
    return this.chunk.rawName(this.i);
  }
  get nameEncoding(): NameEncoding {
    return this.chunk.nameEncoding(this.i);
  }
  get comment(): string {
    const raw = this.chunk.rawComment(this.i);
    if (raw.length === 0) return '';
    return this.flags & FLAG_UTF8 ? decodeUtf8Lossy(raw) : decodeName(raw, false, undefined).name;
  }
  get versionMadeBy(): number {
    return this.chunk.u16(this.i, 4);
  }
  get versionNeeded(): number {
    return this.chunk.u16(this.i, 6);
  }
  get flags(): number {
    return this.chunk.u16(this.i, 8);
  }
  get method(): number {
    return this.chunk.u16(this.i, 10);
  }
  get dosTime(): number {
    return this.chunk.u16(this.i, 12);
  }
  get dosDate(): number {
    return this.chunk.u16(this.i, 14);
  }
  get crc32(): number {
    return this.chunk.u32(this.i, 16);
  }
  get compressedSize(): number {
    return this.chunk.sizes[3 * this.i];
  }
  get uncompressedSize(): number {
    return this.chunk.sizes[3 * this.i + 1];
  }
  get localHeaderOffset(): number {
    return this.chunk.sizes[3 * this.i + 2];
  }
  get diskStart(): number {
    return this.chunk.disks[this.i];
  }
  get internalAttributes(): number {
    return this.chunk.u16(this.i, 36);
  }
  get externalAttributes(): number {
    return this.chunk.u32(this.i, 38);
  }
  get mtime(): Date {
    const extra = this.extra;
    return (
      (extra.length ? extraBlockMtime(extra) : undefined) ??
      fromDosDateTime(this.dosDate, this.dosTime)
    );
  }
  get extra(): Uint8Array {
    return this.chunk.extra(this.i);
  }
  get extraFields(): ExtraField[] {
    return parseExtraFields(this.extra);
  }
  get zip64(): boolean {
    return this.chunk.zip64[this.i] === 1;
  }
  get encrypted(): boolean {
    return (
      (this.flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) !== 0 || this.method === METHOD_AES
    );
  }
  get unixMode(): number | undefined {
    const host = this.versionMadeBy >>> 8;
    if (host !== HOST_UNIX && host !== HOST_MACOS) return undefined;
    return this.externalAttributes >>> 16 || undefined;
  }
  get isDirectory(): boolean {
    const mode = this.unixMode;
    return (
      this.name.endsWith('/') ||
      (mode !== undefined && (mode & S_IFMT) === S_IFDIR) ||
      (this.externalAttributes & 0x10) !== 0
    );
  }
  get isSymlink(): boolean {
    const mode = this.unixMode;
    return mode !== undefined && (mode & S_IFMT) === S_IFLNK;
  }
  /** The plain fields, for printing and JSON (getters are not own properties). */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of ENTRY_KEYS) out[key] = this[key];
    return out;
  }
}

const ENTRY_KEYS = [
  'index',
  'name',
  'nameEncoding',
  'comment',
  'versionMadeBy',
  'versionNeeded',
  'flags',
  'method',
  'crc32',
  'compressedSize',
  'uncompressedSize',
  'localHeaderOffset',
  'diskStart',
  'internalAttributes',
  'externalAttributes',
  'dosDate',
  'dosTime',
  'mtime',
  'zip64',
  'encrypted',
  'isDirectory',
  'isSymlink',
  'unixMode',
] as const;

const NO_DATA = new Uint8Array(0);

/**
 * Reads the whole records in `input` (found at `at` in the archive; `base`
 * is added to stored offsets) into a chunk whose first record is entry
 * `firstIndex`. Returns the bytes consumed; with `final`, leftover bytes are
 * an error. ZIP64 values and extra field framing are checked here, so a
 * directory that reads is one whose entries read.
 */
export function readCentralChunk(
  input: Uint8Array,
  at: number,
  final: boolean,
  base: number,
  firstIndex: number,
): { chunk: CentralChunk; consumed: number } {
  const starts: number[] = [];
  let o = 0;
  while (o + CENTRAL_HEADER_SIZE <= input.length) {
    const sig = getU32(input, o);
    if (sig !== SIG_CENTRAL) {
      throw new CozipError(
        'BAD_SIGNATURE',
        `invalid central directory file header signature 0x${sig.toString(16)} at ${at + o}`,
        { details: { offset: at + o, signature: sig } },
      );
    }
    const length =
      CENTRAL_HEADER_SIZE + getU16(input, o + 28) + getU16(input, o + 30) + getU16(input, o + 32);
    if (o + length > input.length) break;
    starts.push(o);
    o += length;
  }
  if (o + 4 <= input.length && getU32(input, o) !== SIG_CENTRAL) {
    const sig = getU32(input, o);
    throw new CozipError(
      'BAD_SIGNATURE',
      `invalid central directory file header signature 0x${sig.toString(16)} at ${at + o}`,
      { details: { offset: at + o, signature: sig } },
    );
  }
  if (final && o < input.length) {
    throw new CozipError('TRUNCATED', `central directory record at ${at + o} is cut short`, {
      details: { offset: at + o },
    });
  }
  // A private copy: views of `input` could pin a caller's (or a cache's) buffer.
  const bytes = input.slice(0, o);
  const n = starts.length;
  const sizes = new Float64Array(3 * n);
  const zip64 = new Uint8Array(n);
  const disks = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const s = starts[i];
    const extraAt = s + CENTRAL_HEADER_SIZE + getU16(bytes, s + 28);
    const extra = bytes.subarray(extraAt, extraAt + getU16(bytes, s + 30));
    checkExtraFraming(extra);
    let compressed = getU32(bytes, s + 20);
    let uncompressed = getU32(bytes, s + 24);
    let offset = getU32(bytes, s + 42);
    let disk = getU16(bytes, s + 34);
    const need = {
      uncompressedSize: uncompressed === U32_SENTINEL,
      compressedSize: compressed === U32_SENTINEL,
      localHeaderOffset: offset === U32_SENTINEL,
      diskStart: disk === U16_SENTINEL,
    };
    if (need.uncompressedSize || need.compressedSize || need.localHeaderOffset || need.diskStart) {
      const field = parseExtraFields(extra).find((f) => f.id === EXTRA_ZIP64);
      const v = readZip64Extra(field?.data ?? NO_DATA, need);
      compressed = v.compressedSize ?? compressed;
      uncompressed = v.uncompressedSize ?? uncompressed;
      offset = v.localHeaderOffset ?? offset;
      disk = v.diskStart ?? disk;
      zip64[i] = 1;
    }
    sizes[3 * i] = compressed;
    sizes[3 * i + 1] = uncompressed;
    sizes[3 * i + 2] = offset + base;
    disks[i] = disk;
  }
  const chunk = new CentralChunk(bytes, Uint32Array.from(starts), sizes, zip64, disks, firstIndex);
  return { chunk, consumed: o };
}

/** Extra fields must tile their block (up to 3 bytes of padding allowed), as parseExtraFields checks. */
function checkExtraFraming(extra: Uint8Array): void {
  let o = 0;
  while (o + 4 <= extra.length) {
    const size = getU16(extra, o + 2);
    if (o + 4 + size > extra.length) {
      parseExtraFields(extra); // throws the BAD_RECORD with its message
    }
    o += 4 + size;
  }
}

/** The chunk's entries. */
export function chunkEntries(chunk: CentralChunk, into: ZipEntry[]): void {
  for (let i = 0; i < chunk.length; i++) into.push(new CentralEntry(chunk, i));
}
