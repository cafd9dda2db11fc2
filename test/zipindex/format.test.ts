// Byte-level tests of the serialized format against shared/specs/zipindex.md:
// every index here is MessagePack (and zstd) built by hand in the test, then
// decoded by src/zipindex; and what we encode is checked byte for byte where
// the spec fixes the bytes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeMulti, decode as mpDecode } from '@msgpack/msgpack';
import { isCozipError } from '../../src/errors.js';
import {
  deserializeFiles,
  type File,
  findSerialized,
  MAX_FILES,
  MAX_INDEX_SIZE,
  serialize,
} from '../../src/zipindex/index.js';
import { chunkSizes } from '../../src/zipindex/type4.js';
import { zstdCompress, zstdDecompress } from '../../src/zipindex/zstd.js';
import { cat, mp, zstdRawFrame } from './mp.js';

const code = (c: string) => (err: unknown) => isCozipError(err) && err.code === c;
const enc = (s: string) => new TextEncoder().encode(s);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function file(name: string, fields: Partial<File> = {}): File {
  return {
    name,
    compressedSize: 0n,
    uncompressedSize: 0n,
    offset: 0n,
    crc32: 0,
    method: 0,
    flags: 0,
    ...fields,
  };
}

/** One type-1/2 entry: [name str, csize, usize, offset, crc, method, flags, custom]. */
function entry(name: string, rest: number[][], custom: number[] = mp.fixmap(0)) {
  return cat(mp.fixarr(8), mp.fixstr(name), ...rest, custom);
}

const TWO_FILES = {
  bytes: cat(
    1,
    mp.fixarr(2),
    mp.fixarr(8),
    mp.fixstr('test.txt'),
    [0x19, 0x1a, 0x00],
    mp.u32(0xc3edd7c0),
    [0x08, 0x00],
    mp.fixmap(0),
    mp.fixarr(8),
    mp.fixstr('gophercolor16x16.png'),
    mp.u16(0x311),
    mp.u16(0x311),
    [0x5b],
    mp.u32(0x54d531fe),
    [0x00, 0x00],
    mp.fixmap(0),
  ),
  files: [
    file('test.txt', {
      compressedSize: 25n,
      uncompressedSize: 26n,
      crc32: 0xc3edd7c0,
      method: 8,
    }),
    file('gophercolor16x16.png', {
      compressedSize: 785n,
      uncompressedSize: 785n,
      offset: 91n,
      crc32: 0x54d531fe,
    }),
  ],
};

/** The spec's type-3 worked example: f0..f9, C=i, U=2i, O=100i, method 8, flags 8. */
function workedExamplePayload(): Uint8Array {
  const names: number[][] = [];
  for (let i = 0; i < 10; i++) names.push(mp.bin8(`f${i}`));
  return cat(
    mp.fixarr(8),
    mp.fixarr(10),
    ...names,
    mp.fixarr(10),
    [0, 1, 1, 1, 1, 1, 1, 1, 1, 1],
    mp.fixarr(10),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    mp.fixarr(10),
    [0x00, 0x34, 0x33, 0x32, 0x31, 0x30, 0x2f, 0x2e, 0x2d, 0x2c],
    mp.fixarr(10),
    [8, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    mp.fixarr(10),
    [8, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    mp.bin8(new Uint8Array(40)),
    mp.fixarr(10),
    ...Array.from({ length: 10 }, () => mp.bin8('')),
  );
}

const workedExampleFiles = () =>
  Array.from({ length: 10 }, (_, i) =>
    file(`f${i}`, {
      compressedSize: BigInt(i),
      uncompressedSize: BigInt(2 * i),
      offset: BigInt(100 * i),
      method: 8,
      flags: 8,
    }),
  );

describe('container (section 1)', () => {
  it('empty input is an error; unknown type bytes are UNKNOWN_INDEX_TYPE', () => {
    assert.throws(() => deserializeFiles(new Uint8Array(0)), code('CORRUPT_INDEX'));
    for (const t of [0, 5, 42, 255]) {
      assert.throws(() => deserializeFiles(cat(t, mp.fixarr(0))), code('UNKNOWN_INDEX_TYPE'));
      assert.throws(() => findSerialized(cat(t, mp.fixarr(0)), 'x'), code('UNKNOWN_INDEX_TYPE'));
    }
  });

  it('input over 128 MiB is refused before decoding, for type 1 too', () => {
    const big = new Uint8Array(MAX_INDEX_SIZE + 1);
    big[0] = 1;
    big[1] = 0x90;
    assert.throws(() => deserializeFiles(big), code('INDEX_TOO_LARGE'));
    assert.throws(() => findSerialized(big, 'a'), code('INDEX_TOO_LARGE'));
    // Exactly the limit is fine (trailing bytes after the array are ignored).
    assert.deepEqual(deserializeFiles(big.subarray(0, MAX_INDEX_SIZE)), []);
  });
});

describe('type 1: array of entries (section 3)', () => {
  it("decodes the spec's two-entry example, and we write exactly those bytes", async () => {
    assert.deepEqual(deserializeFiles(TWO_FILES.bytes), TWO_FILES.files);
    assert.equal(hex(await serialize(TWO_FILES.files)), hex(TWO_FILES.bytes));
    assert.deepEqual(findSerialized(TWO_FILES.bytes, 'gophercolor16x16.png'), TWO_FILES.files[1]);
    assert.equal(findSerialized(TWO_FILES.bytes, 'missing'), undefined);
  });

  it('accepts every integer family where the value fits', () => {
    const bytes = cat(
      1,
      mp.fixarr(1),
      entry('a', [
        mp.i16(300), // uint64 field in a signed family
        mp.u64(1n << 60n),
        mp.u8(200), // int64 field in an unsigned family
        mp.i64(0xfffffffen), // uint32 CRC as int64
        mp.i32(93),
        mp.u16(0xffff),
      ]),
    );
    assert.deepEqual(deserializeFiles(bytes), [
      file('a', {
        compressedSize: 300n,
        uncompressedSize: 1n << 60n,
        offset: 200n,
        crc32: 0xfffffffe,
        method: 93,
        flags: 0xffff,
      }),
    ]);
  });

  it('offsets are int64: negative and 2^63-1 decode; 0xcf above 2^63-1 does not', () => {
    const at = (offset: number[]) =>
      cat(1, mp.fixarr(1), entry('a', [[0], [0], offset, [0], [0], [0]]));
    assert.equal(deserializeFiles(at(mp.neg(-5)))[0].offset, -5n);
    assert.equal(deserializeFiles(at(mp.u64((1n << 63n) - 1n)))[0].offset, (1n << 63n) - 1n);
    assert.throws(() => deserializeFiles(at(mp.u64(1n << 63n))), code('CORRUPT_INDEX'));
  });

  it('rejects values that do not fit, floats, and mistyped fields', () => {
    const bad = (rest: number[][], custom?: number[], name = mp.fixstr('a')) =>
      cat(1, mp.fixarr(1), mp.fixarr(8), name, ...rest, custom ?? mp.fixmap(0));
    const ok = [[0], [0], [0], [0], [0], [0]];
    const swap = (i: number, v: number[]) => ok.map((x, j) => (j === i ? v : x));
    const cases: Uint8Array[] = [
      bad(swap(0, mp.neg(-1))), // negative uint64
      bad(swap(4, mp.u32(70000))), // 70000 overflows uint16
      bad(swap(3, mp.u64(1n << 32n))), // overflows uint32
      bad(swap(1, mp.f64(1.5))), // a fraction is not an integer
      bad(ok, mp.nil), // nil custom map
      bad(ok, mp.fixarr(0)), // custom is a map, not an array
      bad(ok, [...cat(mp.fixmap(1), mp.fixstr('k'), mp.pos(1))]), // custom values are str
      bad(ok, [...cat(mp.fixmap(1), mp.pos(1), mp.fixstr('v'))]), // custom keys are str
      bad(ok, undefined, mp.nil), // nil name
      cat(1, mp.fixarr(1), mp.fixarr(7), mp.fixstr('a'), ...ok), // 7 fields
      cat(1, mp.fixarr(1), mp.fixarr(8), mp.fixstr('a'), [0, 0]), // cut short
    ];
    for (const b of cases) assert.throws(() => deserializeFiles(b), code('CORRUPT_INDEX'), hex(b));
  });

  it('where Go is stricter, values that lose nothing are accepted: str/bin swapped, integral floats', () => {
    // Go's msgp wants str for type-1 names and bin for type-3 names, and no
    // floats for integers; the decoder hands both string kinds over as bytes.
    const bytes = cat(
      1,
      mp.fixarr(1),
      mp.fixarr(8),
      mp.bin8('a'),
      mp.f64(7),
      [0, 0, 0, 0, 0],
      [...cat(mp.fixmap(1), mp.fixstr('k'), mp.bin8('v'))],
    );
    assert.deepEqual(deserializeFiles(bytes), [
      file('a', { compressedSize: 7n, custom: new Map([['k', 'v']]) }),
    ]);
    const payload = cat(
      mp.fixarr(8),
      cat(mp.fixarr(1), mp.fixstr('b')),
      cat(mp.fixarr(1), [3]),
      cat(mp.fixarr(1), [1]),
      cat(mp.fixarr(1), [0]),
      cat(mp.fixarr(1), [8]),
      cat(mp.fixarr(1), [0]),
      mp.bin8(new Uint8Array(4)),
      cat(mp.fixarr(1), mp.bin8('')),
    );
    assert.deepEqual(deserializeFiles(cat(3, zstdRawFrame(payload))), [
      file('b', { compressedSize: 3n, uncompressedSize: 4n, method: 8 }),
    ]);
  });

  it('limits: more than 100 entries; more than 1000 custom pairs', () => {
    const many = (n: number) => {
      const parts: Uint8Array[] = [];
      for (let i = 0; i < n; i++) parts.push(entry(`f${i}`, [[0], [0], [0], [0], [0], [0]]));
      return cat(1, mp.arr16(n), ...parts);
    };
    assert.equal(deserializeFiles(many(100)).length, 100);
    assert.throws(() => deserializeFiles(many(101)), code('TOO_MANY_FILES'));
    assert.throws(() => findSerialized(many(101), 'f0'), code('TOO_MANY_FILES'));
    const custom = (n: number) => {
      const pairs: number[][] = [];
      for (let i = 0; i < n; i++) pairs.push(mp.fixstr(`k${i}`), mp.fixstr('v'));
      return cat(
        1,
        mp.fixarr(1),
        entry('a', [[0], [0], [0], [0], [0], [0]], [...cat(mp.map16(n), ...pairs)]),
      );
    };
    assert.equal(deserializeFiles(custom(1000))[0].custom?.size, 1000);
    assert.throws(() => deserializeFiles(custom(1001)), code('TOO_MANY_CUSTOM_ENTRIES'));
  });

  it('custom map: duplicate keys (last wins), empty map is no custom data, trailing bytes ignored', () => {
    const custom = [
      ...mp.fixmap(2),
      ...mp.fixstr('k'),
      ...mp.fixstr('1'),
      ...mp.fixstr('k'),
      ...mp.fixstr('2'),
    ];
    const bytes = cat(
      1,
      mp.fixarr(1),
      entry('a', [[0], [0], [0], [0], [0], [0]], custom),
      [0xc1, 0xff],
    );
    const [f] = deserializeFiles(bytes);
    assert.deepEqual(f.custom, new Map([['k', '2']]));
    assert.equal(deserializeFiles(TWO_FILES.bytes)[0].custom, undefined);
    assert.deepEqual(deserializeFiles(cat(1, mp.fixarr(0))), []);
  });

  it('lookup stops at the first match: corruption after it goes unnoticed', () => {
    const bytes = cat(
      1,
      mp.fixarr(3),
      entry('a', [[1], [2], [3], [4], [5], [6]]),
      entry('a', [[9], [9], [9], [9], [9], [9]]),
      [0xc1],
    );
    assert.equal(findSerialized(bytes, 'a')?.compressedSize, 1n);
    assert.throws(() => deserializeFiles(bytes), code('CORRUPT_INDEX'));
  });

  it('names are raw bytes: non-UTF-8 names survive and are found by their bytes', async () => {
    const raw = new Uint8Array([0x66, 0x80, 0xff]);
    const bytes = cat(
      1,
      mp.fixarr(1),
      mp.fixarr(8),
      [0xa3, ...raw],
      [0, 0, 0, 0, 0, 0],
      mp.fixmap(0),
    );
    const [f] = deserializeFiles(bytes);
    assert.deepEqual(f.rawName, raw);
    assert.equal(hex(await serialize([f])), hex(bytes));
    assert.deepEqual(findSerialized(bytes, raw), f);
  });
});

describe('type 2 and zstd framing (sections 3, 6)', () => {
  const payload = TWO_FILES.bytes.subarray(1);

  it('decodes frames as Go writes them: with or without content size, single segment or not', () => {
    for (const options of [
      {},
      { contentSize: false, singleSegment: false },
      { contentSize: true, singleSegment: false },
      { singleSegment: true },
    ]) {
      const b = cat(2, zstdRawFrame(payload, options));
      assert.deepEqual(deserializeFiles(b), TWO_FILES.files, JSON.stringify(options));
      assert.deepEqual(findSerialized(b, 'test.txt'), TWO_FILES.files[0]);
    }
  });

  it('joins several frames and skips skippable frames', () => {
    const skippable = cat([0x5a, 0x2a, 0x4d, 0x18], [3, 0, 0, 0], [1, 2, 3]);
    const b = cat(
      2,
      skippable,
      zstdRawFrame(payload.subarray(0, 10)),
      zstdRawFrame(payload.subarray(10), { contentSize: false, singleSegment: false }),
      skippable,
    );
    assert.deepEqual(deserializeFiles(b), TWO_FILES.files);
  });

  it('refuses junk after the frames, cut frames, and an empty body', () => {
    const frame = zstdRawFrame(payload);
    for (const b of [
      cat(2, frame, [0x28, 0xb5]),
      cat(2, frame, [1, 2, 3, 4, 5]),
      cat(2, frame.subarray(0, frame.length - 3)),
      cat(2),
    ]) {
      assert.throws(() => deserializeFiles(b), code('CORRUPT_INDEX'), hex(b.subarray(0, 16)));
    }
  });

  it('enforces the 8 MiB window and the 128 MiB output limits from the frame header', () => {
    const header = (fhd: number, rest: number[]) =>
      cat(2, [0x28, 0xb5, 0x2f, 0xfd, fhd], rest, [1, 0, 0]); // then one empty raw last block
    // Window descriptor 0x68: 2^(10+13) = 8 MiB exactly is accepted (empty payload: msgpack fails).
    assert.throws(() => deserializeFiles(header(0x00, [0x68])), code('CORRUPT_INDEX'));
    // 0x69: 8 MiB + 1 MiB.
    assert.throws(() => deserializeFiles(header(0x00, [0x69])), code('INDEX_TOO_LARGE'));
    // Single segment: the window is the content size (4-byte FCS).
    const fcs = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24];
    assert.throws(
      () => deserializeFiles(header(0xa0, fcs((8 << 20) + 1))),
      code('INDEX_TOO_LARGE'),
    );
    // A declared size over 128 MiB with a small window.
    assert.throws(
      () => deserializeFiles(header(0x80, [0x38, ...fcs((128 << 20) + 1)])),
      code('INDEX_TOO_LARGE'),
    );
  });

  it("our frames stay within the limits of Go's decoder (window <= 8 MiB, also single-segment)", async () => {
    for (const size of [100, 5000, 3 << 20, 10 << 20]) {
      const data = new Uint8Array(size).map((_, i) => (i * 31) ^ (i >> 9));
      const frame = await zstdCompress(data);
      assert.equal(hex(frame.subarray(0, 4)), '28b52ffd');
      const fhd = frame[4];
      const window = fhd & 0x20 ? size : 2 ** (10 + (frame[5] >> 3)) * (1 + (frame[5] & 7) / 8);
      assert.ok(window <= 8 << 20, `${size}: window ${window}`);
      assert.deepEqual(zstdDecompress(frame), data);
    }
  });

  it('we write type 2 from 200 msgpack bytes on, type 1 below (the 199/200 boundary)', async () => {
    // One entry: 1 (array) + 1 (fixarray 8) + 2 + L (str8 name) + 7 = 11 + L bytes.
    const t199 = await serialize([file('x'.repeat(188))]);
    const t200 = await serialize([file('x'.repeat(189))]);
    assert.equal(t199[0], 1);
    assert.equal(t199.length, 200);
    assert.equal(t200[0], 2);
    assert.deepEqual(deserializeFiles(t200), [file('x'.repeat(189))]);
    assert.deepEqual(zstdDecompress(t200.subarray(1)).length, 200);
  });
});

describe('type 3: struct of arrays (section 4)', () => {
  it("decodes the spec's worked example, and our payload for it is byte-identical", async () => {
    const payload = workedExamplePayload();
    const b = cat(3, zstdRawFrame(payload));
    assert.deepEqual(deserializeFiles(b), workedExampleFiles());
    for (const f of workedExampleFiles()) assert.deepEqual(findSerialized(b, f.name), f);
    const ours = await serialize(workedExampleFiles());
    assert.equal(ours[0], 3);
    assert.deepEqual(hex(ours.subarray(1, 5)), '28b52ffd');
    assert.equal(hex(zstdDecompress(ours.subarray(1))), hex(payload));
  });

  /** A type-3 payload from explicit column bytes. */
  const structs = (columns: number[][]) => cat(mp.fixarr(8), ...columns);
  const names = (...list: (string | Uint8Array)[]) =>
    cat(mp.fixarr(list.length), ...list.map((n) => mp.bin8(typeof n === 'string' ? enc(n) : n)));
  const ints = (...values: number[][]) => cat(mp.fixarr(values.length), ...values);
  const empties = (n: number) => cat(mp.fixarr(n), ...Array.from({ length: n }, () => mp.bin8('')));

  it('deltas wrap at 64 bits; sizes up to 2^64-1, offsets beyond 2^53 stay exact', () => {
    const max = (1n << 64n) - 1n;
    // C = [2^64-1, 5]: stored -1 (int64 of 2^64-1), then 5 - (2^64-1) = 6 (mod 2^64).
    // U = [2^64-1, 2^63]: U-C = 0, 2^63 - 5.
    // O = [2^62, 2^62 + 7]: second delta = 7 - (C0 + 46 + len("a")) wraps too.
    const o0 = 1n << 62n;
    const delta = BigInt.asIntN(64, 7n - (max + 46n + 1n));
    const payload = structs([
      [...names('a', 'b')],
      [...ints(mp.neg(-1), mp.pos(6))],
      [...ints(mp.pos(0), mp.i64((1n << 63n) - 5n))],
      [...ints(mp.i64(o0), mp.i64(delta))],
      [...ints(mp.pos(8), mp.pos(8))],
      [...ints(mp.pos(0), mp.pos(8))],
      mp.bin8(new Uint8Array(8)),
      [...empties(2)],
    ]);
    const got = deserializeFiles(cat(3, zstdRawFrame(payload)));
    assert.deepEqual(
      got.map((f) => [f.compressedSize, f.uncompressedSize, f.offset, f.method, f.flags]),
      [
        [max, max, o0, 8, 0],
        [5n, 1n << 63n, o0 + 7n, 0, 8],
      ],
    );
    assert.deepEqual(findSerialized(cat(3, zstdRawFrame(payload)), 'b'), got[1]);
  });

  it('the offset predictor uses the previous name BYTE length, and accepts any delta sign', () => {
    // "ü" is 2 bytes: O1 = d1 + O0 + C0 + 46 + 2.
    const payload = structs([
      [...names('ü', 'b', 'c')],
      [...ints(mp.pos(10), mp.pos(0), mp.neg(-10))],
      [...ints(mp.pos(0), mp.pos(0), mp.pos(3))],
      [...ints(mp.u16(1000), mp.neg(-16), mp.i32(-5000))],
      [...ints(mp.pos(0), mp.pos(0), mp.pos(0))],
      [...ints(mp.pos(0), mp.pos(0), mp.pos(0))],
      mp.bin8([1, 0, 0, 0, 2, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]),
      [...empties(3)],
    ]);
    const got = deserializeFiles(cat(3, zstdRawFrame(payload)));
    assert.deepEqual(
      got.map((f) => [f.name, f.compressedSize, f.uncompressedSize, f.offset, f.crc32]),
      [
        ['ü', 10n, 10n, 1000n, 1],
        ['b', 10n, 10n, 1000n + 10n + 46n + 2n - 16n, 2],
        ['c', 0n, 3n, 1042n + 10n + 46n + 1n - 5000n, 0xffffffff],
      ],
    );
  });

  it('methods and flags are XOR-chained', () => {
    const payload = structs([
      [...names('a', 'b', 'c', 'd')],
      [...ints([0], [0], [0], [0])],
      [...ints([0], [0], [0], [0])],
      [...ints([0], [0], [0], [0])],
      [...ints([0], [8], [0], [8 ^ 93])],
      [...ints(mp.u16(0x808), [0], [8], [0])],
      mp.bin8(new Uint8Array(16)),
      [...empties(4)],
    ]);
    const got = deserializeFiles(cat(3, zstdRawFrame(payload)));
    assert.deepEqual(
      got.map((f) => [f.method, f.flags]),
      [
        [0, 0x808],
        [8, 0x808],
        [8, 0x800],
        [93, 0x800],
      ],
    );
  });

  it('custom data is a bin holding a msgpack map (bytes after the map ignored)', () => {
    const map = cat(mp.fixmap(1), mp.fixstr('etag'), mp.fixstr('abc'), [0xc1, 0xc1]);
    const payload = structs([
      [...names('a', 'b')],
      [...ints([0], [0])],
      [...ints([0], [0])],
      [...ints([0], [0])],
      [...ints([0], [0])],
      [...ints([0], [0])],
      mp.bin8(new Uint8Array(8)),
      [...cat(mp.fixarr(2), mp.bin8(''), mp.bin8(map))],
    ]);
    const b = cat(3, zstdRawFrame(payload));
    const got = deserializeFiles(b);
    assert.equal(got[0].custom, undefined);
    assert.deepEqual(got[1].custom, new Map([['etag', 'abc']]));
    assert.deepEqual(findSerialized(b, 'b')?.custom, new Map([['etag', 'abc']]));
  });

  it('column length mismatches, CRC blocks of the wrong size and str names are refused', () => {
    const base = () => [
      [...names('a', 'b')],
      [...ints([0], [0])],
      [...ints([0], [0])],
      [...ints([0], [0])],
      [...ints([0], [0])],
      [...ints([0], [0])],
      mp.bin8(new Uint8Array(8)),
      [...empties(2)],
    ];
    const variants: [string, number[][]][] = [];
    const v = (why: string, i: number, col: number[]) => {
      const cols = base();
      cols[i] = col;
      variants.push([why, cols]);
    };
    v('csizes short', 1, [...ints([0])]);
    v('flags long', 5, [...ints([0], [0], [0])]);
    v('custom short', 7, [...empties(1)]);
    v('crc short', 6, mp.bin8(new Uint8Array(7)));
    v('crc long', 6, mp.bin8(new Uint8Array(9)));
    v('names as ints', 0, [...cat(mp.fixarr(2), [1], [2])]);
    v('custom as nil', 7, [...cat(mp.fixarr(2), mp.nil, mp.nil)]);
    v('method overflow', 4, [...ints(mp.u32(70000), [0])]);
    for (const [why, cols] of variants) {
      const b = cat(3, zstdRawFrame(structs(cols)));
      assert.throws(() => deserializeFiles(b), code('CORRUPT_INDEX'), why);
      assert.throws(() => findSerialized(b, 'b'), code('CORRUPT_INDEX'), why);
    }
    // Seven columns instead of eight.
    const seven = cat(3, zstdRawFrame(cat(mp.fixarr(7), ...base().slice(0, 7))));
    assert.throws(() => deserializeFiles(seven), code('CORRUPT_INDEX'));
  });

  it('lookup of an absent name reads only the names column', () => {
    const b = cat(3, zstdRawFrame(cat(mp.fixarr(8), names('a', 'b'), [0xc1])));
    assert.equal(findSerialized(b, 'zzz'), undefined);
    assert.throws(() => findSerialized(b, 'a'), code('CORRUPT_INDEX'));
  });

  it('a decoder accepts any type for any count (type 3 with 3 entries, type 1 with 50)', async () => {
    const three = workedExampleFiles().slice(0, 3);
    const ours = await serialize(workedExampleFiles());
    const all = deserializeFiles(ours);
    assert.deepEqual(all.slice(0, 3), three);
    const fifty = Array.from({ length: 50 }, (_, i) =>
      entry(`n${i}`, [[i], [i], [i], [0], [0], [0]]),
    );
    assert.equal(deserializeFiles(cat(1, mp.fixarr(0), [])).length, 0);
    assert.equal(deserializeFiles(cat(1, mp.arr16(50), ...fifty)).length, 50);
  });
});

describe('type 4: chunked (section 5)', () => {
  /** A type-3 blob (03 + zstd frame) of entries named `names`, offsets 1000*i. */
  const blob = (list: string[], base = 0) => {
    const n = list.length;
    const col = (v: number) => cat(mp.fixarr(n), ...Array.from({ length: n }, () => [v]));
    const offsets = cat(
      mp.fixarr(n),
      mp.u16(base),
      ...list.slice(1).map((_, i) => mp.i16(1000 - (46 + enc(list[i]).length))),
    );
    const payload = cat(
      mp.fixarr(8),
      mp.fixarr(n),
      ...list.map((s) => mp.bin8(enc(s))),
      col(0),
      col(0),
      offsets,
      col(0),
      col(0),
      mp.bin8(new Uint8Array(4 * n)),
      mp.fixarr(n),
      ...list.map(() => mp.bin8('')),
    );
    return cat(3, zstdRawFrame(payload));
  };
  const chunk = (first: string, last: string, payload: Uint8Array, n: number) =>
    cat(
      mp.fixmap(4),
      mp.fixstr('Files'),
      [n],
      mp.fixstr('First'),
      mp.fixstr(first),
      mp.fixstr('Last'),
      mp.fixstr(last),
      mp.fixstr('Payload'),
      mp.bin16(payload),
    );

  it('decodes concatenated chunk maps in chunk order; lookup trusts First/Last', () => {
    const b = cat(
      4,
      chunk('a', 'c', blob(['a', 'b', 'c']), 3),
      chunk('d', 'f', blob(['e', 'd', 'f', 'zz'], 5000), 4),
    );
    const got = deserializeFiles(b);
    assert.deepEqual(
      got.map((f) => [f.name, Number(f.offset)]),
      [
        ['a', 0],
        ['b', 1000],
        ['c', 2000],
        ['e', 5000],
        ['d', 6000],
        ['f', 7000],
        ['zz', 8000],
      ],
    );
    assert.equal(findSerialized(b, 'd')?.offset, 6000n);
    assert.equal(findSerialized(b, 'b')?.offset, 1000n);
    // Outside every First/Last range: decodes, but cannot be found.
    assert.equal(findSerialized(b, 'zz'), undefined);
    assert.equal(findSerialized(b, 'cc'), undefined);
    assert.equal(findSerialized(b, '0'), undefined);
  });

  it('stops at the first chunk whose First is after the name', () => {
    // The second chunk claims "b" but the walk stops at the first one (First "c" > "b").
    const b = cat(4, chunk('c', 'd', blob(['c', 'd']), 2), chunk('a', 'b', blob(['a', 'b']), 2));
    assert.equal(findSerialized(b, 'b'), undefined);
    assert.equal(deserializeFiles(b).length, 4);
  });

  it('a chunk whose First is after its Last: CORRUPT_INDEX from both the full read and a lookup', () => {
    // Lookups walk by First/Last: "b" < First "d" stops the walk, though a
    // full read lists "b". The index is refused by both, whatever is looked up.
    const b = cat(
      4,
      chunk('0', '1', blob(['0', '1']), 2),
      chunk('d', 'a', blob(['a', 'b', 'd']), 3),
    );
    assert.throws(() => deserializeFiles(b), code('CORRUPT_INDEX'));
    assert.throws(() => findSerialized(b, 'b'), code('CORRUPT_INDEX'));
    assert.throws(() => findSerialized(b.slice(), '0'), code('CORRUPT_INDEX'));
  });

  it('keys in any order, str or bin, unknown keys skipped', () => {
    const payload = blob(['x', 'y']);
    const b = cat(
      4,
      mp.fixmap(5),
      mp.bin8('Payload'),
      mp.bin16(payload),
      mp.fixstr('Extra'),
      [...cat(mp.fixarr(2), mp.fixmap(1), mp.fixstr('k'), mp.f64(1.5), mp.bin8('zz'))],
      mp.fixstr('Last'),
      mp.fixstr('y'),
      mp.bin8('First'),
      mp.fixstr('x'),
      mp.fixstr('Files'),
      mp.i64(2n),
    );
    assert.deepEqual(
      deserializeFiles(b).map((f) => f.name),
      ['x', 'y'],
    );
    assert.equal(findSerialized(b, 'y')?.offset, 1000n);
  });

  it('no chunks: zero entries; bad payloads are refused', () => {
    assert.deepEqual(deserializeFiles(cat(4)), []);
    assert.equal(findSerialized(cat(4), 'a'), undefined);
    const noPayload = cat(
      4,
      mp.fixmap(2),
      mp.fixstr('First'),
      mp.fixstr('a'),
      mp.fixstr('Last'),
      mp.fixstr('b'),
    );
    assert.throws(() => deserializeFiles(noPayload), code('CORRUPT_INDEX'));
    assert.throws(() => findSerialized(noPayload, 'a'), code('CORRUPT_INDEX'));
    const emptyPayload = chunk('a', 'b', new Uint8Array(0), 0);
    assert.throws(() => deserializeFiles(cat(4, emptyPayload)), code('CORRUPT_INDEX'));
    const type1Payload = chunk('a', 'b', cat(1, mp.fixarr(0)), 0);
    assert.throws(() => deserializeFiles(cat(4, type1Payload)), code('UNKNOWN_INDEX_TYPE'));
    assert.throws(() => findSerialized(cat(4, type1Payload), 'a'), code('UNKNOWN_INDEX_TYPE'));
  });

  it('chunk sizes follow the reference: <=25,000 whole, halves below 50,000', () => {
    assert.deepEqual(chunkSizes(25_000), [25_000]);
    assert.deepEqual(chunkSizes(30_000), [15_000, 15_000]);
    assert.deepEqual(chunkSizes(50_000), [25_000, 25_000]);
    assert.deepEqual(chunkSizes(55_000), [25_000, 15_000, 15_000]);
    assert.deepEqual(chunkSizes(49_999), [24_999, 25_000]);
  });

  it('our type 4: maps of Files/First/Last/Payload in that order, name ranges ascending', async () => {
    // 30,000 entries in reverse name order, offsets ascending with the index.
    const files = Array.from({ length: 30_000 }, (_, i) =>
      file(`n${String(29_999 - i).padStart(5, '0')}`, { offset: BigInt(i * 100) }),
    );
    const b = await serialize(files);
    assert.equal(b[0], 4);
    assert.equal(files[0].name, 'n29999', 'the caller’s array is not reordered');
    const chunks = [...decodeMulti(b.subarray(1), { useBigInt64: true })] as Record<
      string,
      unknown
    >[];
    assert.deepEqual(
      chunks.map((c) => [Object.keys(c), c.Files, c.First, c.Last]),
      [
        [['Files', 'First', 'Last', 'Payload'], 15_000, 'n00000', 'n14999'],
        [['Files', 'First', 'Last', 'Payload'], 15_000, 'n15000', 'n29999'],
      ],
    );
    // The fixmap header and key bytes, and a payload that is a type-3 blob.
    assert.equal(hex(b.subarray(1, 8)), `84a5${hex(enc('Files'))}`);
    // Files: 15000 in the smallest family (cd 3a 98; Go writes d1 3a 98, and reads either).
    assert.equal(hex(b.subarray(8, 11)), 'cd3a98');
    for (const c of chunks)
      assert.equal(hex((c.Payload as Uint8Array).subarray(0, 5)), '0328b52ffd');
    // Inside a chunk, entries are in offset order.
    const got = deserializeFiles(b);
    assert.equal(got[0].name, 'n14999');
    assert.equal(got[14_999].name, 'n00000');
    assert.equal(got[15_000].name, 'n29999');
  });
});

describe('what we write, read by an independent msgpack decoder', () => {
  it('type 1: names as str, each integer in its smallest family (Go reads any family)', async () => {
    const b = await serialize([
      file('a', {
        compressedSize: 200n,
        uncompressedSize: 70000n,
        offset: 200n,
        crc32: 1,
        method: 8,
        flags: 0x808,
      }),
    ]);
    // 01, array(1), array(8), "a", cc c8, ce 00011170, cc c8, 01, 08, cd 0808, map(0)
    assert.equal(hex(b), '019198a161ccc8ce00011170ccc80108cd080880');
    const decoded = mpDecode(b.subarray(1)) as unknown[][];
    assert.deepEqual(decoded, [['a', 200, 70000, 200, 1, 8, 0x808, {}]]);
  });

  it('type 3: columns as the spec lists them', async () => {
    const files = workedExampleFiles().map((f, i) => ({
      ...f,
      crc32: i,
      custom: i === 3 ? new Map([['k', 'v']]) : undefined,
    }));
    const b = await serialize(files);
    const cols = mpDecode(zstdDecompress(b.subarray(1))) as unknown[];
    assert.equal(cols.length, 8);
    assert.deepEqual(
      (cols[0] as Uint8Array[]).map((n) => new TextDecoder().decode(n)),
      files.map((f) => f.name),
    );
    assert.deepEqual(cols[1], [0, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    assert.deepEqual(cols[3], [0, 52, 51, 50, 49, 48, 47, 46, 45, 44]);
    const crcs = cols[6] as Uint8Array;
    assert.equal(crcs.length, 40);
    assert.equal(new DataView(crcs.buffer, crcs.byteOffset).getUint32(12, true), 3);
    const custom = cols[7] as Uint8Array[];
    assert.equal(custom[0].length, 0);
    assert.deepEqual(mpDecode(custom[3]), { k: 'v' });
  });
});

describe('encoder type choice and limits (sections 1, 7)', () => {
  it('<10 entries: types 1/2; 10..24,999: type 3; 25,000+: type 4 unless chunked is false', async () => {
    const n = (k: number) =>
      Array.from({ length: k }, (_, i) => file(`f${i}`, { offset: BigInt(i) }));
    assert.equal((await serialize(n(0)))[0], 1);
    assert.equal(hex(await serialize(n(0))), '0190');
    assert.equal((await serialize(n(9)))[0], 1);
    assert.equal((await serialize(n(10)))[0], 3);
    assert.equal((await serialize(n(24_999)))[0], 3);
    assert.equal((await serialize(n(25_000)))[0], 4);
    assert.equal((await serialize(n(25_000), { chunked: false }))[0], 3);
  });

  it('refuses more than MAX_FILES entries and more than 1000 custom pairs', async () => {
    const huge: File[] = [];
    huge.length = MAX_FILES + 1;
    await assert.rejects(serialize(huge), code('TOO_MANY_FILES'));
    const custom = new Map(
      Array.from({ length: 1001 }, (_, i) => [`k${i}`, 'v'] as [string, string]),
    );
    await assert.rejects(serialize([file('a', { custom })]), code('TOO_MANY_CUSTOM_ENTRIES'));
    const many = Array.from({ length: 12 }, (_, i) => file(`f${i}`));
    many[5].custom = custom;
    await assert.rejects(serialize(many), code('TOO_MANY_CUSTOM_ENTRIES'));
    await assert.rejects(serialize([file('a', { method: 70000 })]), code('INVALID_ARGUMENT'));
    // The msgpack decoder refuses this key, so it is refused on the way in, and
    // an index from elsewhere that holds it fails as corrupt, not as a crash.
    const proto = new Map([['__proto__', 'x']]);
    await assert.rejects(serialize([file('a', { custom: proto })]), code('INVALID_ARGUMENT'));
    const foreign = cat(
      1,
      mp.fixarr(1),
      entry(
        'a',
        [[0], [0], [0], [0], [0], [0]],
        [...cat(mp.fixmap(1), mp.fixstr('__proto__'), mp.fixstr('x'))],
      ),
    );
    assert.throws(() => deserializeFiles(foreign), code('CORRUPT_INDEX'));
    await assert.rejects(serialize([file('a', { compressedSize: -1n })]), code('INVALID_ARGUMENT'));
  });
});
