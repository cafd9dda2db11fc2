// Hostile indexes: declared lengths the bytes cannot hold, and compression
// bombs. Each is a typed error found before anything large is allocated or
// decompressed; the walker that bounds values agrees with the library on
// every valid value.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { encode as mpEncode } from '@msgpack/msgpack';
import fc from 'fast-check';
import { isCozipError } from '../../src/errors.js';
import { getU16, getU32, putU16 } from '../../src/zip/bytes.js';
import { valueEnd } from '../../src/zipindex/msgpack-bounds.js';
import { deserializeFiles, serialize } from '../../src/zipindex/serialize.js';
import { zstdCompress, zstdDecompress } from '../../src/zipindex/zstd.js';
import { cozip } from '../cli/run.js';
import { synthetic } from './synthetic.js';

const dir = mkdtempSync(join(tmpdir(), 'cozip-hostile-index-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const code = (expected: string) => (err: unknown) => {
  assert.ok(isCozipError(err), String(err));
  assert.equal(err.code, expected, err.message);
  return true;
};

/** A type-1 index whose payload is `payload`. */
const plain = (...payload: number[]) => Uint8Array.from([1, ...payload]);
// 16,777,215 elements: small enough that the decoder would allocate each for real.
const array32 = [0xdd, 0x00, 0xff, 0xff, 0xff];

describe('hostile zipindex input', () => {
  it('172 bytes of nested array32 headers: CORRUPT_INDEX, no 16-million-slot arrays', async () => {
    // One entry, which is an array32 of an array32 of ... 34 deep.
    const bomb = plain(0x91, ...Array.from({ length: 34 }, () => array32).flat());
    assert.equal(bomb.length, 172);
    assert.throws(() => deserializeFiles(bomb), code('CORRUPT_INDEX'));
    // And through the command line in a 48 MiB heap: an allocation would kill it.
    const file = join(dir, 'nested.zipindex');
    writeFileSync(file, bomb);
    const run = await cozip(['index', 'ls', file], undefined, ['--max-old-space-size=48']);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /CORRUPT_INDEX|declared/);
    assert.doesNotMatch(run.stderr, /heap|FATAL/i);
  });

  it('maps, strings and bins that declare more than remains', () => {
    for (const payload of [
      [0x91, 0xdf, 0xff, 0xff, 0xff, 0xff], // one entry: a map32 of 4G pairs
      [0x91, 0xdb, 0xff, 0xff, 0xff, 0xff, 0x41], // a str32 of 4 GiB
      [0x91, 0xc6, 0x7f, 0xff, 0xff, 0xff, 0x00], // a bin32 of 2 GiB
      [0x91, 0xc9, 0x00, 0x10, 0x00, 0x00, 0x01], // an ext32
      [0x91, 0xdc, 0xff, 0xff, 0x01, 0x02], // an array16 of 65,535 with two elements
      [0x91, 0xc1], // the one invalid type byte
    ]) {
      assert.throws(() => deserializeFiles(plain(...payload)), code('CORRUPT_INDEX'));
    }
  });

  it('a zstd bomb (20 MiB of zeros in under a kilobyte) is INDEX_TOO_LARGE', async () => {
    const inner = new Uint8Array(20 << 20);
    inner.set([0x91, 0xc6, 0x01, 0x3f, 0xff, 0xf0]); // looks like the start of a real payload
    const compressed = await zstdCompress(inner);
    assert.ok(compressed.length < 4096, `${compressed.length} bytes`);
    const index = new Uint8Array(1 + compressed.length);
    index[0] = 2;
    index.set(compressed, 1);
    const started = performance.now();
    assert.throws(() => deserializeFiles(index), code('INDEX_TOO_LARGE'));
    assert.ok(performance.now() - started < 5000);
  });

  it('a zstd frame declaring more content than it holds is CORRUPT_INDEX', async () => {
    // A type-3 index (20 entries, one zstd frame): the frame header's content
    // size is raised by 7; the blocks still hold the real payload.
    const index = await serialize(synthetic(20, 5));
    assert.equal(index[0], 3);
    const frame = index.subarray(index.indexOf(0x28, 1));
    assert.equal(getU32(frame, 0), 0xfd2fb528);
    const fhd = frame[4];
    const single = (fhd & 0x20) !== 0;
    const fcsBytes = [single ? 1 : 0, 2, 4, 8][fhd >> 6];
    assert.ok(fcsBytes >= 2, `content size field of ${fcsBytes} bytes`);
    const at = 5 + (single ? 0 : 1) + [0, 1, 2, 4][fhd & 3];
    const lying = index.slice();
    const f = lying.subarray(index.length - frame.length);
    putU16(f, at, getU16(f, at) + 7);
    assert.throws(() => deserializeFiles(lying), code('CORRUPT_INDEX'));
    assert.throws(() => zstdDecompress(f), code('CORRUPT_INDEX'));
    assert.equal(deserializeFiles(index).length, 20);
  });

  it('the bounds walker finds the end of every valid value, as the library encodes it', () => {
    const value = fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.integer(),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
        fc.double(),
        fc.string(),
        fc.uint8Array({ maxLength: 300 }),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('v'), { maxLength: 20 }),
        fc.dictionary(fc.string({ maxLength: 5 }), tie('v'), { maxKeys: 20 }),
      ),
    })).v;
    fc.assert(
      fc.property(value, (v) => {
        const bytes = mpEncode(v, { useBigInt64: true });
        assert.equal(valueEnd(bytes, 0), bytes.length);
        // A value cut short anywhere is refused, never read past its end.
        for (const cut of [1, Math.floor(bytes.length / 2), bytes.length - 1]) {
          if (cut <= 0 || cut >= bytes.length) continue;
          try {
            assert.ok(valueEnd(bytes.subarray(0, cut), 0) <= cut);
          } catch (err) {
            assert.ok(isCozipError(err, 'CORRUPT_INDEX'), String(err));
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('random bytes: a typed error or an index, never a crash', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 200 }),
        fc.constantFrom(1, 3),
        (body, type) => {
          try {
            deserializeFiles(Uint8Array.from([type, ...body]));
          } catch (err) {
            assert.ok(isCozipError(err), String(err));
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
