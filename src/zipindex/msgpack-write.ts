// The MessagePack subset the index is written in, with the families Go's msgp
// `Append*` helpers choose: unsigned fields in the unsigned families, signed
// fields in the signed ones (200 as an int is d1 00 c8), bin never as str.
import { utf8Length } from './names.js';

const utf8 = new TextEncoder();

const TWO_63 = 1n << 63n;
const TWO_64 = 1n << 64n;

export class MsgWriter {
  buf: Uint8Array;
  view: DataView;
  length = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
    this.view = new DataView(this.buf.buffer);
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** The bytes written so far (a view: copy it before writing more). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.length++] = b;
  }

  raw(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  private head(tag: number, width: number, v: number): void {
    this.reserve(1 + width);
    const o = this.length;
    this.buf[o] = tag;
    if (width === 1) this.buf[o + 1] = v;
    else if (width === 2) this.view.setUint16(o + 1, v);
    else this.view.setUint32(o + 1, v);
    this.length = o + 1 + width;
  }

  /** An unsigned value (uint8..uint64 fields). */
  uint(v: number | bigint): void {
    if (typeof v === 'number' && v >= 0 && v <= 0xffffffff && Number.isInteger(v)) {
      if (v < 0x80) this.byte(v);
      else if (v < 0x100) this.head(0xcc, 1, v);
      else if (v < 0x10000) this.head(0xcd, 2, v);
      else this.head(0xce, 4, v);
      return;
    }
    const b = BigInt(v);
    if (b < 0n || b >= TWO_64) throw new RangeError(`${v} is not a uint64`);
    if (b <= 0xffffffffn) {
      this.uint(Number(b));
      return;
    }
    this.reserve(9);
    this.buf[this.length] = 0xcf;
    this.view.setBigUint64(this.length + 1, b);
    this.length += 9;
  }

  /** A signed value (int64 fields): fixint, negative fixint, then d0..d3. */
  int(v: number | bigint): void {
    if (typeof v === 'number' && Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff) {
      if (v >= 0 && v < 0x80) this.byte(v);
      else if (v < 0 && v >= -32) this.byte(v & 0xff);
      else if (v >= -0x80 && v < 0x80) this.head(0xd0, 1, v & 0xff);
      else if (v >= -0x8000 && v < 0x8000) this.head(0xd1, 2, v & 0xffff);
      else this.head(0xd2, 4, v >>> 0);
      return;
    }
    const b = BigInt(v);
    if (b < -TWO_63 || b >= TWO_63) throw new RangeError(`${v} is not an int64`);
    if (b >= -0x80000000n && b <= 0x7fffffffn) {
      this.int(Number(b));
      return;
    }
    this.reserve(9);
    this.buf[this.length] = 0xd3;
    this.view.setBigInt64(this.length + 1, b);
    this.length += 9;
  }

  bool(v: boolean): void {
    this.byte(v ? 0xc3 : 0xc2);
  }

  arrayHeader(n: number): void {
    if (n < 16) this.byte(0x90 | n);
    else if (n < 0x10000) this.head(0xdc, 2, n);
    else this.head(0xdd, 4, n);
  }

  mapHeader(n: number): void {
    if (n < 16) this.byte(0x80 | n);
    else if (n < 0x10000) this.head(0xde, 2, n);
    else this.head(0xdf, 4, n);
  }

  strHeader(n: number): void {
    if (n < 32) this.byte(0xa0 | n);
    else if (n < 0x100) this.head(0xd9, 1, n);
    else if (n < 0x10000) this.head(0xda, 2, n);
    else this.head(0xdb, 4, n);
  }

  binHeader(n: number): void {
    if (n < 0x100) this.head(0xc4, 1, n);
    else if (n < 0x10000) this.head(0xc5, 2, n);
    else this.head(0xc6, 4, n);
  }

  strBytes(b: Uint8Array): void {
    this.strHeader(b.length);
    this.raw(b);
  }

  binBytes(b: Uint8Array): void {
    this.binHeader(b.length);
    this.raw(b);
  }

  /** `s` as UTF-8 bytes with a str or bin header; `byteLength` must be its UTF-8 length. */
  utf8(s: string, byteLength: number, asBin: boolean): void {
    if (asBin) this.binHeader(byteLength);
    else this.strHeader(byteLength);
    this.reserve(byteLength);
    if (byteLength === s.length) {
      // ASCII: no encoder call.
      const buf = this.buf;
      let o = this.length;
      for (let i = 0; i < s.length; i++) buf[o++] = s.charCodeAt(i);
    } else {
      utf8.encodeInto(s, this.buf.subarray(this.length, this.length + byteLength));
    }
    this.length += byteLength;
  }

  str(s: string): void {
    this.utf8(s, utf8Length(s), false);
  }
}
