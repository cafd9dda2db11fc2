// Hand-built MessagePack and zstd for byte-level tests: every byte is spelled
// out here from the spec's families, independent of src/zipindex's writer.

export type Bytes = number[] | Uint8Array;

export function cat(...parts: (Bytes | number)[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p);
    else out.push(...p);
  }
  return new Uint8Array(out);
}

const ascii = (s: string) => [...new TextEncoder().encode(s)];
const be = (v: number, width: number) => {
  const out: number[] = [];
  for (let i = width - 1; i >= 0; i--) out.push(Math.floor(v / 2 ** (8 * i)) & 0xff);
  return out;
};
const beBig = (v: bigint, width: number) => {
  const out: number[] = [];
  for (let i = width - 1; i >= 0; i--) out.push(Number((v >> BigInt(8 * i)) & 0xffn));
  return out;
};

export const mp = {
  fixarr: (n: number) => [0x90 | n],
  arr16: (n: number) => [0xdc, ...be(n, 2)],
  arr32: (n: number) => [0xdd, ...be(n, 4)],
  fixmap: (n: number) => [0x80 | n],
  map16: (n: number) => [0xde, ...be(n, 2)],
  /** fixstr of ASCII text. */
  fixstr: (s: string) => [0xa0 | ascii(s).length, ...ascii(s)],
  str8: (b: Bytes) => [0xd9, b.length, ...b],
  str16: (b: Bytes) => [0xda, ...be(b.length, 2), ...b],
  bin8: (b: Bytes | string) => {
    const bytes = typeof b === 'string' ? ascii(b) : [...b];
    return [0xc4, bytes.length, ...bytes];
  },
  bin16: (b: Bytes) => [0xc5, ...be(b.length, 2), ...b],
  bin32: (b: Bytes) => [0xc6, ...be(b.length, 4), ...b],
  /** Positive fixint 0..127. */
  pos: (v: number) => [v],
  /** Negative fixint -32..-1. */
  neg: (v: number) => [v & 0xff],
  u8: (v: number) => [0xcc, v],
  u16: (v: number) => [0xcd, ...be(v, 2)],
  u32: (v: number) => [0xce, ...be(v, 4)],
  u64: (v: bigint) => [0xcf, ...beBig(v, 8)],
  i8: (v: number) => [0xd0, v & 0xff],
  i16: (v: number) => [0xd1, ...be(v & 0xffff, 2)],
  i32: (v: number) => [0xd2, ...be(v >>> 0, 4)],
  i64: (v: bigint) => [0xd3, ...beBig(BigInt.asUintN(64, v), 8)],
  nil: [0xc0],
  true: [0xc3],
  false: [0xc2],
  f64: (v: number) => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v);
    return [0xcb, ...b];
  },
};

/**
 * A zstd frame holding `data` in raw blocks (no compression), with the frame
 * header options the Go encoder's frames can have.
 */
export function zstdRawFrame(
  data: Uint8Array,
  options: { contentSize?: boolean; singleSegment?: boolean; windowLog?: number } = {},
): Uint8Array {
  const { contentSize = true, singleSegment = data.length <= 131072, windowLog = 17 } = options;
  const out: number[] = [0x28, 0xb5, 0x2f, 0xfd];
  let fcsFlag = 0;
  let fcs: number[] = [];
  if (contentSize || singleSegment) {
    const n = data.length;
    if (singleSegment && n < 256) fcs = [n];
    else if (n >= 256 && n < 65536 + 256) {
      fcsFlag = 1;
      fcs = [(n - 256) & 0xff, (n - 256) >> 8];
    } else {
      fcsFlag = 2;
      fcs = [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24];
    }
  }
  out.push((fcsFlag << 6) | (singleSegment ? 0x20 : 0));
  if (!singleSegment) out.push((windowLog - 10) << 3);
  out.push(...fcs);
  const BLOCK = 1 << 16;
  let o = 0;
  do {
    const n = Math.min(BLOCK, data.length - o);
    const last = o + n >= data.length ? 1 : 0;
    const h = (n << 3) | last; // type 0: raw
    out.push(h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff);
    for (let i = 0; i < n; i++) out.push(data[o + i]);
    o += n;
  } while (o < data.length);
  return new Uint8Array(out);
}
