// Reading the MessagePack the index is written in, as strictly as Go's msgp
// `Read*Bytes` helpers: any integer family is accepted where the value fits,
// str and bin are not interchangeable, nil is never a container or a string.
// Values are read in place; nothing is allocated from a declared length.
import { CozipError } from '../errors.js';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = -MAX_SAFE;

export function corrupt(message: string, details: Record<string, unknown> = {}): CozipError {
  return new CozipError('CORRUPT_INDEX', `zipindex: ${message}`, { details });
}

/** A bigint as a number when that is exact. */
function narrow(b: bigint): number | bigint {
  return b >= MIN_SAFE && b <= MAX_SAFE ? Number(b) : b;
}

export class MsgReader {
  readonly buf: Uint8Array;
  pos: number;
  readonly end: number;
  private readonly view: DataView;

  constructor(buf: Uint8Array, pos = 0, end = buf.length) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): void {
    if (this.end - this.pos < n) {
      throw corrupt('msgpack: too few bytes left to read object', { offset: this.pos });
    }
  }

  private tag(): number {
    this.need(1);
    return this.buf[this.pos++];
  }

  private wrongType(tag: number, want: string): CozipError {
    return corrupt(`msgpack: attempted to decode type ${typeName(tag)} with method for ${want}`, {
      offset: this.pos - 1,
    });
  }

  private u8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }

  private u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }

  private u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  arrayHeader(): number {
    const t = this.tag();
    if (t >= 0x90 && t <= 0x9f) return t & 0x0f;
    if (t === 0xdc) return this.u16();
    if (t === 0xdd) return this.u32();
    throw this.wrongType(t, 'array');
  }

  mapHeader(): number {
    const t = this.tag();
    if (t >= 0x80 && t <= 0x8f) return t & 0x0f;
    if (t === 0xde) return this.u16();
    if (t === 0xdf) return this.u32();
    throw this.wrongType(t, 'map');
  }

  private take(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  private strLength(t: number): number {
    if (t >= 0xa0 && t <= 0xbf) return t & 0x1f;
    if (t === 0xd9) return this.u8();
    if (t === 0xda) return this.u16();
    if (t === 0xdb) return this.u32();
    return -1;
  }

  private binLength(t: number): number {
    if (t === 0xc4) return this.u8();
    if (t === 0xc5) return this.u16();
    if (t === 0xc6) return this.u32();
    return -1;
  }

  /** A str's bytes (a view into the input). */
  str(): Uint8Array {
    const t = this.tag();
    const n = this.strLength(t);
    if (n < 0) throw this.wrongType(t, 'str');
    return this.take(n);
  }

  /** A bin's bytes (a view into the input). */
  bin(): Uint8Array {
    const t = this.tag();
    const n = this.binLength(t);
    if (n < 0) throw this.wrongType(t, 'bin');
    return this.take(n);
  }

  /**
   * A bin's header: returns its length with `pos` at its first byte (the
   * caller steps over it). Lets a scan compare or skip without a view per value.
   */
  binHeader(): number {
    const t = this.tag();
    const n = this.binLength(t);
    if (n < 0) throw this.wrongType(t, 'bin');
    this.need(n);
    return n;
  }

  /** Steps over a bin without making a view of it. */
  skipBin(): void {
    const n = this.binHeader();
    this.pos += n;
  }

  /** A str or a bin (type-4 chunk keys may be either). */
  strOrBin(): Uint8Array {
    const t = this.tag();
    let n = this.strLength(t);
    if (n < 0) n = this.binLength(t);
    if (n < 0) throw this.wrongType(t, 'str');
    return this.take(n);
  }

  bool(): boolean {
    const t = this.tag();
    if (t === 0xc2) return false;
    if (t === 0xc3) return true;
    throw this.wrongType(t, 'bool');
  }

  /** Any integer encoding; a number when exact, else a bigint. */
  integer(): number | bigint {
    const t = this.tag();
    if (t < 0x80) return t;
    if (t >= 0xe0) return t - 0x100;
    let v: number | bigint;
    switch (t) {
      case 0xcc:
        return this.u8();
      case 0xcd:
        return this.u16();
      case 0xce:
        return this.u32();
      case 0xcf:
        this.need(8);
        v = narrow(this.view.getBigUint64(this.pos));
        this.pos += 8;
        return v;
      case 0xd0:
        this.need(1);
        return this.view.getInt8(this.pos++);
      case 0xd1:
        this.need(2);
        v = this.view.getInt16(this.pos);
        this.pos += 2;
        return v;
      case 0xd2:
        this.need(4);
        v = this.view.getInt32(this.pos);
        this.pos += 4;
        return v;
      case 0xd3:
        this.need(8);
        v = narrow(this.view.getBigInt64(this.pos));
        this.pos += 8;
        return v;
      default:
        throw this.wrongType(t, 'int');
    }
  }

  /** An unsigned field of `bits` (8, 16 or 32) bits. */
  uint(bits: 8 | 16 | 32): number {
    const at = this.pos;
    const v = this.integer();
    if (typeof v === 'bigint' || v < 0 || v >= 2 ** bits) {
      throw corrupt(
        v < 0
          ? `msgpack: attempted to cast int ${v} to unsigned`
          : `msgpack: ${v} overflows uint${bits}`,
        { offset: at },
      );
    }
    return v;
  }

  /** A uint64 field: a number when exact, else a bigint. */
  uint64(): number | bigint {
    const at = this.pos;
    const v = this.integer();
    if (v < 0) throw corrupt(`msgpack: attempted to cast int ${v} to unsigned`, { offset: at });
    return v;
  }

  /** An int64 field: a number when exact, else a bigint. */
  int64(): number | bigint {
    const at = this.pos;
    const v = this.integer();
    if (typeof v === 'bigint' && v >= 1n << 63n) {
      throw corrupt(`msgpack: ${v} overflows int64`, { offset: at });
    }
    return v;
  }

  /** Skips one value of any type (iteratively: nesting depth cannot overflow the stack). */
  skip(): void {
    let values = 1;
    while (values > 0) {
      values--;
      const t = this.tag();
      if (t < 0x80 || t >= 0xe0 || t === 0xc0 || t === 0xc2 || t === 0xc3) continue;
      if (t <= 0x8f) values += (t & 0x0f) * 2;
      else if (t <= 0x9f) values += t & 0x0f;
      else if (t <= 0xbf) this.take(t & 0x1f);
      else if (t === 0xdc) values += this.u16();
      else if (t === 0xdd) values += this.u32();
      else if (t === 0xde) values += this.u16() * 2;
      else if (t === 0xdf) values += this.u32() * 2;
      else this.take(this.scalarLength(t));
    }
  }

  /** Bytes after the tag of a str, bin, ext, float or int (reads their length fields). */
  private scalarLength(t: number): number {
    switch (t) {
      case 0xc4:
      case 0xc5:
      case 0xc6:
        return this.binLength(t);
      case 0xd9:
      case 0xda:
      case 0xdb:
        return this.strLength(t);
      case 0xc7:
        return this.u8() + 1;
      case 0xc8:
        return this.u16() + 1;
      case 0xc9:
        return this.u32() + 1;
      case 0xcc:
      case 0xd0:
        return 1;
      case 0xcd:
      case 0xd1:
        return 2;
      case 0xca:
      case 0xce:
      case 0xd2:
        return 4;
      case 0xcb:
      case 0xcf:
      case 0xd3:
        return 8;
      case 0xd4:
        return 2;
      case 0xd5:
        return 3;
      case 0xd6:
        return 5;
      case 0xd7:
        return 9;
      case 0xd8:
        return 17;
      default:
        throw corrupt(`msgpack: invalid type byte 0x${t.toString(16)}`, { offset: this.pos - 1 });
    }
  }
}

function typeName(t: number): string {
  if (t < 0x80 || t >= 0xe0 || (t >= 0xcc && t <= 0xd3)) return 'int';
  if (t <= 0x8f || t === 0xde || t === 0xdf) return 'map';
  if (t <= 0x9f || t === 0xdc || t === 0xdd) return 'array';
  if (t <= 0xbf || (t >= 0xd9 && t <= 0xdb)) return 'str';
  if (t === 0xc0) return 'nil';
  if (t === 0xc2 || t === 0xc3) return 'bool';
  if (t >= 0xc4 && t <= 0xc6) return 'bin';
  if (t === 0xca || t === 0xcb) return 'float';
  if (t === 0xc1) return 'invalid';
  return 'ext';
}
