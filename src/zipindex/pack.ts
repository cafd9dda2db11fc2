// MessagePack written straight into one growing buffer, for the type-3
// columns: no array of values per column. The bytes are those the library
// encoder writes for the same values given through `wire` (msgpack.ts):
// integers in the 32-bit range take the shortest form of their sign (uint
// families for >= 0, int families below), the others a full 64-bit one.

export interface Packer {
  bytes: Uint8Array;
  view: DataView;
  pos: number;
}

export function packer(capacity: number): Packer {
  const bytes = new Uint8Array(Math.max(64, capacity));
  return { bytes, view: new DataView(bytes.buffer), pos: 0 };
}

function ensure(p: Packer, n: number): void {
  if (p.pos + n <= p.bytes.length) return;
  const bytes = new Uint8Array(Math.max(p.pos + n, p.bytes.length * 2));
  bytes.set(p.bytes.subarray(0, p.pos));
  p.bytes = bytes;
  p.view = new DataView(bytes.buffer);
}

/** Empties `p` for a new value of up to `capacity` bytes (the buffer is reused). */
export function restart(p: Packer, capacity: number): void {
  p.pos = 0;
  ensure(p, capacity);
}

/** What was written (a view of the buffer). */
export function packed(p: Packer): Uint8Array {
  return p.bytes.subarray(0, p.pos);
}

/** A length header: bin 8/16/32 from `head8` on, or (head8 0) array 16/32. */
function lengthHeader(p: Packer, n: number, head8: number): void {
  ensure(p, 5);
  if (n < 0x100 && head8) {
    p.bytes[p.pos++] = head8;
    p.bytes[p.pos++] = n;
  } else if (n < 0x10000) {
    p.bytes[p.pos] = head8 ? head8 + 1 : 0xdc;
    p.view.setUint16(p.pos + 1, n);
    p.pos += 3;
  } else {
    p.bytes[p.pos] = head8 ? head8 + 2 : 0xdd;
    p.view.setUint32(p.pos + 1, n);
    p.pos += 5;
  }
}

export function packArrayHeader(p: Packer, n: number): void {
  if (n < 16) {
    ensure(p, 1);
    p.bytes[p.pos++] = 0x90 | n;
  } else lengthHeader(p, n, 0);
}

/** A bin of `src[start, end)`. */
export function packBin(p: Packer, src: Uint8Array, start = 0, end = src.length): void {
  const n = end - start;
  lengthHeader(p, n, 0xc4);
  ensure(p, n);
  const b = p.bytes;
  let pos = p.pos;
  // A loop beats set() on a fresh subarray for the short names that dominate.
  if (n <= 32) for (let k = start; k < end; k++) b[pos++] = src[k];
  else {
    b.set(src.subarray(start, end), pos);
    pos += n;
  }
  p.pos = pos;
}

/** An integer field (int64 or uint64 range), as `encode(wire(v))` writes it. */
export function packInt(p: Packer, v: number | bigint): void {
  ensure(p, 9);
  const b = p.bytes;
  if (typeof v === 'bigint') {
    if (v >= -0x80000000n && v <= 0xffffffffn) v = Number(v);
    else {
      b[p.pos] = v >= 0n ? 0xcf : 0xd3;
      if (v >= 0n) p.view.setBigUint64(p.pos + 1, v);
      else p.view.setBigInt64(p.pos + 1, v);
      p.pos += 9;
      return;
    }
  }
  if (v >= 0) {
    if (v < 0x80) b[p.pos++] = v;
    else if (v < 0x100) {
      b[p.pos++] = 0xcc;
      b[p.pos++] = v;
    } else if (v < 0x10000) {
      b[p.pos] = 0xcd;
      p.view.setUint16(p.pos + 1, v);
      p.pos += 3;
    } else if (v <= 0xffffffff) {
      b[p.pos] = 0xce;
      p.view.setUint32(p.pos + 1, v);
      p.pos += 5;
    } else packInt(p, BigInt(v));
  } else if (v >= -0x20) b[p.pos++] = 0xe0 | (v + 0x20);
  else if (v >= -0x80) {
    b[p.pos] = 0xd0;
    p.view.setInt8(p.pos + 1, v);
    p.pos += 2;
  } else if (v >= -0x8000) {
    b[p.pos] = 0xd1;
    p.view.setInt16(p.pos + 1, v);
    p.pos += 3;
  } else if (v >= -0x80000000) {
    b[p.pos] = 0xd2;
    p.view.setInt32(p.pos + 1, v);
    p.pos += 5;
  } else packInt(p, BigInt(v));
}

/** Bytes as they are (an already encoded value). */
export function packRaw(p: Packer, src: Uint8Array): void {
  ensure(p, src.length);
  p.bytes.set(src, p.pos);
  p.pos += src.length;
}
