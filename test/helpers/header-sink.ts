/**
 * A Sink that parses a ZIP archive as it is written: local headers, data
 * descriptors, central directory, ZIP64 end record and locator, EOCD. Payload
 * bytes are counted (and CRC-32'd, which checks stored members) but never
 * kept, so multi-GiB archives can be checked without storing them.
 *
 * It decodes with its own byte reads, not with src/zip's codecs, so that it
 * checks the writer rather than agreeing with it.
 */
import { crc32 } from 'node:zlib';
import type { Sink } from '../../src/zip/sink.js';

export interface SeenExtra {
  id: number;
  data: Buffer;
}

export interface SeenDescriptor {
  offset: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  /** 8-byte sizes (24-byte record) rather than 4-byte (16). */
  zip64: boolean;
  length: number;
}

export interface SeenLocal {
  offset: number;
  name: string;
  versionNeeded: number;
  flags: number;
  method: number;
  dosTime: number;
  dosDate: number;
  crc32: number;
  /** Raw 32-bit fields. */
  compressedSize: number;
  uncompressedSize: number;
  extras: SeenExtra[];
  /** The 8-byte values of the ZIP64 extra, in order, when there is one. */
  zip64Values?: number[];
  dataOffset: number;
  /** Bytes between the header and the descriptor or next record. */
  dataLength: number;
  /** CRC-32 of those bytes: the content CRC when the member is stored. */
  payloadCrc: number;
  descriptor?: SeenDescriptor;
}

export interface SeenCentral {
  offset: number;
  name: string;
  versionMadeBy: number;
  versionNeeded: number;
  flags: number;
  method: number;
  dosTime: number;
  dosDate: number;
  crc32: number;
  /** Raw 32/16-bit fields: sentinels are resolved in `resolved`. */
  compressedSize: number;
  uncompressedSize: number;
  diskStart: number;
  internalAttributes: number;
  externalAttributes: number;
  localHeaderOffset: number;
  extras: SeenExtra[];
  comment: Buffer;
  zip64Values?: number[];
  /** Sizes and offset with the ZIP64 extra applied. */
  resolved: { compressedSize: number; uncompressedSize: number; localHeaderOffset: number };
}

export interface SeenZip64Eocd {
  offset: number;
  recordSize: number;
  versionMadeBy: number;
  versionNeeded: number;
  diskNumber: number;
  cdDisk: number;
  entriesOnDisk: number;
  entriesTotal: number;
  cdSize: number;
  cdOffset: number;
}

export interface SeenLocator {
  offset: number;
  eocdDisk: number;
  zip64EocdOffset: number;
  totalDisks: number;
}

export interface SeenEocd {
  offset: number;
  diskNumber: number;
  cdDisk: number;
  entriesOnDisk: number;
  entriesTotal: number;
  cdSize: number;
  cdOffset: number;
  comment: Buffer;
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_LOCATOR = 0x07064b50;
const SIG_EOCD = 0x06054b50;
/** 0x08074b50, little-endian. */
const DESCRIPTOR_SIG_BYTES = Buffer.from([0x50, 0x4b, 0x07, 0x08]);
/** A descriptor candidate is judged on 28 bytes: a 24-byte record and the next signature. */
const PROBE = 28;

type Mode =
  | 'sig'
  | 'local'
  | 'central'
  | 'zip64eocd'
  | 'locator'
  | 'eocd'
  | 'skip'
  | 'scan'
  | 'done';

export class HeaderSink implements Sink {
  readonly locals: SeenLocal[] = [];
  readonly centrals: SeenCentral[] = [];
  zip64Eocd: SeenZip64Eocd | undefined;
  locator: SeenLocator | undefined;
  eocd: SeenEocd | undefined;
  /** Total bytes written. */
  size = 0;
  /** Payload bytes seen, over all members. */
  payloadBytes = 0;
  writes = 0;
  closed = false;
  aborted = false;
  abortReason: unknown;

  private mode: Mode = 'sig';
  /** Absolute offset of the next byte to parse. */
  private at = 0;
  private hdr = Buffer.alloc(1024);
  private hdrLen = 0;
  private need = 4;
  private recordStart = 0;
  /** Payload bytes still to skip for a member with known size. */
  private remaining = 0;
  /** Unclassified bytes at the end of a scanned payload (a descriptor may start there). */
  private carry: Buffer = Buffer.alloc(0);

  async write(chunk: Uint8Array): Promise<void> {
    if (this.closed || this.aborted) throw new Error('write after close or abort');
    this.writes++;
    this.size += chunk.length;
    this.feed(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
  }

  async close(): Promise<void> {
    if (this.mode !== 'done') throw new Error(`archive ended in state ${this.mode} at ${this.at}`);
    this.closed = true;
  }

  async abort(reason?: unknown): Promise<void> {
    this.aborted = true;
    this.abortReason = reason;
  }

  private feed(b: Buffer): void {
    let p = 0;
    while (p < b.length) {
      if (this.mode === 'skip') p = this.skip(b, p);
      else if (this.mode === 'scan') p = this.scan(b, p);
      else if (this.mode === 'done') {
        throw new Error(`${b.length - p} bytes after the end of central directory record`);
      } else p = this.header(b, p);
    }
  }

  // --- payload ---

  private get current(): SeenLocal {
    return this.locals[this.locals.length - 1];
  }

  private payload(bytes: Buffer): void {
    if (bytes.length === 0) return;
    const local = this.current;
    local.payloadCrc = crc32(bytes, local.payloadCrc);
    local.dataLength += bytes.length;
    this.payloadBytes += bytes.length;
    this.at += bytes.length;
  }

  private skip(b: Buffer, p: number): number {
    const n = Math.min(this.remaining, b.length - p);
    this.payload(b.subarray(p, p + n));
    this.remaining -= n;
    if (this.remaining === 0) this.mode = 'sig';
    return p + n;
  }

  /**
   * A bit-3 payload ends at a descriptor: its signature, a compressed size
   * equal to the bytes seen so far, and a record signature right after it.
   * Candidates too close to the end of a write wait in `carry`.
   */
  private scan(b: Buffer, p: number): number {
    const chunk = b.subarray(p);
    const carry = this.carry;
    this.carry = Buffer.alloc(0);
    if (carry.length === 0) return b.length - this.scanBuffer(chunk).length;
    if (chunk.length < PROBE) {
      // Small writes: join them with the carry and scan that.
      this.feed(this.scanBuffer(Buffer.concat([carry, chunk])));
      return b.length;
    }
    // Candidates starting in the carry are judged on its join with the
    // chunk's first bytes; the chunk itself is then scanned without a copy.
    const head = Buffer.concat([carry, chunk.subarray(0, PROBE - 1)]);
    const found = this.findDescriptor(head, carry.length);
    if (!found) {
      this.payload(carry);
      return b.length - this.scanBuffer(chunk).length;
    }
    this.payload(head.subarray(0, found.index));
    this.descriptor(head, found.index, found.length);
    const end = found.index + found.length;
    if (end > carry.length) return p + end - carry.length;
    this.feed(carry.subarray(end));
    return p;
  }

  /**
   * Scans `buf` for the descriptor; returns the bytes after it, or an empty
   * buffer when there is none yet (the last PROBE - 1 bytes wait in carry).
   */
  private scanBuffer(buf: Buffer): Buffer {
    const cut = Math.max(0, buf.length - (PROBE - 1));
    const found = this.findDescriptor(buf, cut);
    if (found) {
      this.payload(buf.subarray(0, found.index));
      this.descriptor(buf, found.index, found.length);
      return buf.subarray(found.index + found.length);
    }
    this.payload(buf.subarray(0, cut));
    this.carry = Buffer.from(buf.subarray(cut));
    return Buffer.alloc(0);
  }

  /** The first valid descriptor starting before `to` in `buf`, which holds PROBE bytes past `to`. */
  private findDescriptor(buf: Buffer, to: number): { index: number; length: number } | undefined {
    const local = this.current;
    const prefer64 = local.zip64Values !== undefined;
    for (let i = buf.indexOf(DESCRIPTOR_SIG_BYTES); i >= 0 && i < to; ) {
      const count = local.dataLength + i;
      const ok64 =
        Number(buf.readBigUInt64LE(i + 8)) === count && isRecordSig(buf.readUInt32LE(i + 24));
      const ok32 = buf.readUInt32LE(i + 8) === count && isRecordSig(buf.readUInt32LE(i + 16));
      if (ok64 && (prefer64 || !ok32)) return { index: i, length: 24 };
      if (ok32) return { index: i, length: 16 };
      i = buf.indexOf(DESCRIPTOR_SIG_BYTES, i + 1);
    }
    return undefined;
  }

  private descriptor(buf: Buffer, i: number, length: number): void {
    const zip64 = length === 24;
    this.current.descriptor = {
      offset: this.at,
      crc32: buf.readUInt32LE(i + 4),
      compressedSize: zip64 ? Number(buf.readBigUInt64LE(i + 8)) : buf.readUInt32LE(i + 8),
      uncompressedSize: zip64 ? Number(buf.readBigUInt64LE(i + 16)) : buf.readUInt32LE(i + 12),
      zip64,
      length,
    };
    this.at += length;
    this.mode = 'sig';
  }

  // --- records ---

  private header(b: Buffer, p: number): number {
    if (this.hdrLen === 0) this.recordStart = this.at;
    if (this.need > this.hdr.length) {
      const bigger = Buffer.alloc(Math.max(this.need, this.hdr.length * 2));
      this.hdr.copy(bigger, 0, 0, this.hdrLen);
      this.hdr = bigger;
    }
    const n = Math.min(this.need - this.hdrLen, b.length - p);
    b.copy(this.hdr, this.hdrLen, p, p + n);
    this.hdrLen += n;
    this.at += n;
    if (this.hdrLen === this.need) this.record(this.hdr.subarray(0, this.hdrLen));
    return p + n;
  }

  /** Called whenever `need` bytes are in: either asks for more or handles the record. */
  private record(h: Buffer): void {
    const grow = (total: number): boolean => {
      if (total > this.need) {
        this.need = total;
        return true;
      }
      return false;
    };
    switch (this.mode) {
      case 'sig': {
        const sig = h.readUInt32LE(0);
        const kinds: Record<number, [Mode, number]> = {
          [SIG_LOCAL]: ['local', 30],
          [SIG_CENTRAL]: ['central', 46],
          [SIG_ZIP64_EOCD]: ['zip64eocd', 12],
          [SIG_LOCATOR]: ['locator', 20],
          [SIG_EOCD]: ['eocd', 22],
        };
        const kind = kinds[sig];
        if (!kind) {
          throw new Error(`unexpected signature 0x${sig.toString(16)} at ${this.recordStart}`);
        }
        [this.mode, this.need] = kind;
        return;
      }
      case 'local':
        if (this.need === 30 && grow(30 + h.readUInt16LE(26) + h.readUInt16LE(28))) return;
        this.onLocal(h);
        return;
      case 'central':
        if (
          this.need === 46 &&
          grow(46 + h.readUInt16LE(28) + h.readUInt16LE(30) + h.readUInt16LE(32))
        ) {
          return;
        }
        this.onCentral(h);
        return;
      case 'zip64eocd':
        if (this.need === 12 && grow(12 + Number(h.readBigUInt64LE(4)))) return;
        this.onZip64Eocd(h);
        return;
      case 'locator':
        this.locator = {
          offset: this.recordStart,
          eocdDisk: h.readUInt32LE(4),
          zip64EocdOffset: Number(h.readBigUInt64LE(8)),
          totalDisks: h.readUInt32LE(16),
        };
        this.next('sig');
        return;
      case 'eocd':
        if (this.need === 22 && grow(22 + h.readUInt16LE(20))) return;
        this.eocd = {
          offset: this.recordStart,
          diskNumber: h.readUInt16LE(4),
          cdDisk: h.readUInt16LE(6),
          entriesOnDisk: h.readUInt16LE(8),
          entriesTotal: h.readUInt16LE(10),
          cdSize: h.readUInt32LE(12),
          cdOffset: h.readUInt32LE(16),
          comment: Buffer.from(h.subarray(22)),
        };
        this.next('done');
        return;
      default:
        throw new Error(`bad parser state ${this.mode}`);
    }
  }

  private next(mode: Mode): void {
    this.mode = mode;
    this.hdrLen = 0;
    this.need = 4;
  }

  private onLocal(h: Buffer): void {
    const nameLength = h.readUInt16LE(26);
    const extras = parseExtras(h.subarray(30 + nameLength));
    const zip64 = extras.find((e) => e.id === 1);
    const local: SeenLocal = {
      offset: this.recordStart,
      name: h.subarray(30, 30 + nameLength).toString('utf8'),
      versionNeeded: h.readUInt16LE(4),
      flags: h.readUInt16LE(6),
      method: h.readUInt16LE(8),
      dosTime: h.readUInt16LE(10),
      dosDate: h.readUInt16LE(12),
      crc32: h.readUInt32LE(14),
      compressedSize: h.readUInt32LE(18),
      uncompressedSize: h.readUInt32LE(22),
      extras,
      zip64Values: zip64 ? u64List(zip64.data) : undefined,
      dataOffset: this.at,
      dataLength: 0,
      payloadCrc: 0,
    };
    this.locals.push(local);
    this.next('sig');
    if (local.flags & 8) {
      this.mode = 'scan';
      return;
    }
    // Without a descriptor the header has the size; APPNOTE puts the
    // compressed size second in the local ZIP64 extra.
    let size = local.compressedSize;
    if (size === 0xffffffff) {
      if (!local.zip64Values || local.zip64Values.length < 2) {
        throw new Error(`${local.name}: local sizes are 0xFFFFFFFF without a full ZIP64 extra`);
      }
      size = local.zip64Values[1];
    }
    if (size > 0) {
      this.remaining = size;
      this.mode = 'skip';
    }
  }

  private onCentral(h: Buffer): void {
    const nameLength = h.readUInt16LE(28);
    const extraLength = h.readUInt16LE(30);
    const extras = parseExtras(h.subarray(46 + nameLength, 46 + nameLength + extraLength));
    const zip64 = extras.find((e) => e.id === 1);
    const values = zip64 ? u64List(zip64.data) : undefined;
    const raw = {
      uncompressedSize: h.readUInt32LE(24),
      compressedSize: h.readUInt32LE(20),
      localHeaderOffset: h.readUInt32LE(42),
    };
    // APPNOTE order: each sentinel field takes the next 8-byte value.
    const queue = [...(values ?? [])];
    const resolve = (v: number, what: string) => {
      if (v !== 0xffffffff) return v;
      const r = queue.shift();
      if (r === undefined)
        throw new Error(`central record at ${this.recordStart}: no ZIP64 ${what}`);
      return r;
    };
    const resolved = {
      uncompressedSize: resolve(raw.uncompressedSize, 'uncompressed size'),
      compressedSize: resolve(raw.compressedSize, 'compressed size'),
      localHeaderOffset: resolve(raw.localHeaderOffset, 'offset'),
    };
    this.centrals.push({
      offset: this.recordStart,
      name: h.subarray(46, 46 + nameLength).toString('utf8'),
      versionMadeBy: h.readUInt16LE(4),
      versionNeeded: h.readUInt16LE(6),
      flags: h.readUInt16LE(8),
      method: h.readUInt16LE(10),
      dosTime: h.readUInt16LE(12),
      dosDate: h.readUInt16LE(14),
      crc32: h.readUInt32LE(16),
      compressedSize: raw.compressedSize,
      uncompressedSize: raw.uncompressedSize,
      diskStart: h.readUInt16LE(34),
      internalAttributes: h.readUInt16LE(36),
      externalAttributes: h.readUInt32LE(38),
      localHeaderOffset: raw.localHeaderOffset,
      extras,
      comment: Buffer.from(h.subarray(46 + nameLength + extraLength)),
      zip64Values: values,
      resolved,
    });
    this.next('sig');
  }

  private onZip64Eocd(h: Buffer): void {
    this.zip64Eocd = {
      offset: this.recordStart,
      recordSize: Number(h.readBigUInt64LE(4)),
      versionMadeBy: h.readUInt16LE(12),
      versionNeeded: h.readUInt16LE(14),
      diskNumber: h.readUInt32LE(16),
      cdDisk: h.readUInt32LE(20),
      entriesOnDisk: Number(h.readBigUInt64LE(24)),
      entriesTotal: Number(h.readBigUInt64LE(32)),
      cdSize: Number(h.readBigUInt64LE(40)),
      cdOffset: Number(h.readBigUInt64LE(48)),
    };
    this.next('sig');
  }

  /**
   * Structural consistency of what was seen; returns the problems found.
   * Policy (which fields use ZIP64) is for the tests to assert.
   */
  problems(): string[] {
    const out: string[] = [];
    const byOffset = new Map(this.locals.map((l) => [l.offset, l]));
    if (this.centrals.length !== this.locals.length) {
      out.push(`${this.locals.length} local headers but ${this.centrals.length} central records`);
    }
    for (const c of this.centrals) {
      const l = byOffset.get(c.resolved.localHeaderOffset);
      if (!l) {
        out.push(`${c.name}: no local header at ${c.resolved.localHeaderOffset}`);
        continue;
      }
      const d = l.descriptor;
      const crc = d ? d.crc32 : l.crc32;
      const eq = (what: string, a: unknown, b: unknown) => {
        if (a !== b) out.push(`${c.name}: ${what} ${String(a)} != ${String(b)}`);
      };
      eq('name', l.name, c.name);
      eq('flags', l.flags, c.flags);
      eq('method', l.method, c.method);
      eq('crc (central vs local)', c.crc32, crc);
      eq('compressed size vs payload', c.resolved.compressedSize, l.dataLength);
      if (d) {
        eq('descriptor compressed size', d.compressedSize, c.resolved.compressedSize);
        eq('descriptor uncompressed size', d.uncompressedSize, c.resolved.uncompressedSize);
        eq('descriptor present with bit 3', (l.flags & 8) !== 0, true);
      } else {
        const lu = l.uncompressedSize === 0xffffffff ? l.zip64Values?.[0] : l.uncompressedSize;
        eq('local uncompressed size', lu, c.resolved.uncompressedSize);
      }
      if (c.method === 0) eq('stored payload crc', l.payloadCrc, c.crc32);
    }
    const e = this.eocd;
    if (!e) {
      out.push('no end of central directory record');
      return out;
    }
    const z = this.zip64Eocd;
    const cdOffset = e.cdOffset === 0xffffffff ? z?.cdOffset : e.cdOffset;
    const cdSize = e.cdSize === 0xffffffff ? z?.cdSize : e.cdSize;
    const count = e.entriesTotal === 0xffff ? z?.entriesTotal : e.entriesTotal;
    const first = this.centrals[0]?.offset ?? (z ? z.offset : e.offset);
    const cdEnd = z ? z.offset : e.offset;
    if (cdOffset !== first) out.push(`cd offset ${cdOffset} != ${first}`);
    if (cdSize !== cdEnd - first) out.push(`cd size ${cdSize} != ${cdEnd - first}`);
    if (count !== this.centrals.length) out.push(`entry count ${count} != ${this.centrals.length}`);
    if (z) {
      if (!this.locator) out.push('ZIP64 end record without locator');
      else if (this.locator.zip64EocdOffset !== z.offset) {
        out.push(`locator points at ${this.locator.zip64EocdOffset}, record is at ${z.offset}`);
      }
      if (z.cdOffset !== first || z.cdSize !== cdEnd - first)
        out.push('ZIP64 record cd fields wrong');
      if (z.entriesTotal !== this.centrals.length) out.push('ZIP64 record entry count wrong');
    }
    if (this.size !== e.offset + 22 + e.comment.length) out.push('bytes after the EOCD comment');
    return out;
  }
}

function isRecordSig(sig: number): boolean {
  return sig === SIG_LOCAL || sig === SIG_CENTRAL;
}

function parseExtras(b: Buffer): SeenExtra[] {
  const out: SeenExtra[] = [];
  let o = 0;
  while (o + 4 <= b.length) {
    const id = b.readUInt16LE(o);
    const size = b.readUInt16LE(o + 2);
    if (o + 4 + size > b.length) throw new Error(`extra 0x${id.toString(16)} overruns its block`);
    out.push({ id, data: Buffer.from(b.subarray(o + 4, o + 4 + size)) });
    o += 4 + size;
  }
  if (o !== b.length) throw new Error(`${b.length - o} stray bytes after the extra fields`);
  return out;
}

function u64List(b: Buffer): number[] {
  const out: number[] = [];
  for (let o = 0; o + 8 <= b.length; o += 8) out.push(Number(b.readBigUInt64LE(o)));
  return out;
}

/** Writes to several sinks at once (e.g. a file and a HeaderSink that checks it). */
export function tee(...sinks: Sink[]): Sink {
  return {
    async write(chunk) {
      for (const s of sinks) await s.write(chunk);
    },
    async close() {
      for (const s of sinks) await s.close();
    },
    async abort(reason) {
      for (const s of sinks) await s.abort?.(reason);
    },
  };
}
