// The JS zstd paths stop when the output exceeds what the input could
// encode (or, for a Parquet page, its declared size), and valid zstd,
// including RLE runs at the largest ratio the format allows, still decodes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PARQUET_COMPRESSORS } from '../../src/cozip/manifest-read.js';
import { isCozipError } from '../../src/errors.js';
import { zstdDecompressJs } from '../../src/zip/zstd-js.js';
import { zstdOutputLimit } from '../../src/zip/zstd-limit.js';

/** A frame of `blocks` RLE blocks of 128 KiB each: the format's highest ratio. */
function rleFrame(blocks: number): Uint8Array {
  const out = [0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58]; // no content size, 128 KiB+ window
  for (let i = 0; i < blocks; i++) {
    const h = ((128 * 1024) << 3) | (1 << 1) | (i === blocks - 1 ? 1 : 0);
    out.push(h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff, 0x61);
  }
  return new Uint8Array(out);
}

async function drain(chunks: AsyncIterable<Uint8Array>): Promise<number> {
  let n = 0;
  for await (const c of chunks) n += c.length;
  return n;
}

async function* once(b: Uint8Array) {
  yield b;
}

describe('zstd output bound', () => {
  it('a ZSTD Parquet page that decodes to more or fewer bytes than declared is CORRUPT_DATA', () => {
    const frame = rleFrame(3);
    for (const declared of [3 * 128 * 1024 - 1, 3 * 128 * 1024 + 1, 10]) {
      assert.throws(
        () => PARQUET_COMPRESSORS.ZSTD(frame, declared),
        (err: unknown) => isCozipError(err) && err.code === 'CORRUPT_DATA',
        `declared ${declared}`,
      );
    }
  });

  it('valid RLE runs at the highest ratio still decode, in a stream and as a page', async () => {
    const frame = rleFrame(40);
    assert.ok(40 * 128 * 1024 <= zstdOutputLimit(frame.length));
    assert.equal(await drain(zstdDecompressJs(once(frame))), 40 * 128 * 1024);
    // Fed a byte at a time, the bound follows what has been consumed.
    async function* bytewise() {
      for (const b of frame) yield new Uint8Array([b]);
    }
    assert.equal(await drain(zstdDecompressJs(bytewise())), 40 * 128 * 1024);
    const page = PARQUET_COMPRESSORS.ZSTD(frame, 40 * 128 * 1024);
    assert.equal(page.length, 40 * 128 * 1024);
    assert.ok(page.every((b) => b === 0x61));
  });
});
