// checkZip against local records that disagree with the central directory:
// the local header's CRC-32 and sizes, and a data descriptor's.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getU16, getU32, putU32 } from '../../src/zip/bytes.js';
import { checkZip } from '../../src/zip/check.js';
import { openZip } from '../../src/zip/reader.js';
import { bufferSink } from '../../src/zip/sink.js';
import { ZipWriter } from '../../src/zip/writer.js';

const text = new TextEncoder().encode('hello, local records '.repeat(20));

async function* streamed(): AsyncIterable<Uint8Array> {
  yield text;
}

/** One member written whole (sizes in the local header), one streamed (a data descriptor). */
async function archive(): Promise<Uint8Array> {
  const sink = bufferSink();
  const w = new ZipWriter(sink, { mtime: new Date(0) });
  await w.add('whole.txt', text);
  await w.add('streamed.txt', streamed());
  await w.finish();
  return sink.bytes().slice();
}

async function codes(bytes: Uint8Array): Promise<Array<[string, string | undefined]>> {
  const r = await checkZip(await openZip(bytes));
  return r.problems.map((p) => [p.code, p.entry]);
}

describe('checkZip: local records against the central directory', () => {
  it('a sound archive has none of these problems', async () => {
    const bytes = await archive();
    const zip = await openZip(bytes);
    assert.equal(zip.entries[1].flags & 8, 8, 'the streamed member has a data descriptor');
    assert.deepEqual(await codes(bytes), []);
  });

  it('local header sizes or CRC-32 that differ: SIZE_MISMATCH, CRC_MISMATCH', async () => {
    const sizes = await archive();
    putU32(sizes, 22, getU32(sizes, 22) + 1); // uncompressed size of whole.txt
    assert.deepEqual(await codes(sizes), [['SIZE_MISMATCH', 'whole.txt']]);
    const crc = await archive();
    putU32(crc, 14, getU32(crc, 14) ^ 1);
    assert.deepEqual(await codes(crc), [['CRC_MISMATCH', 'whole.txt']]);
  });

  it('a data descriptor that differs: SIZE_MISMATCH, CRC_MISMATCH', async () => {
    const bytes = await archive();
    const zip = await openZip(bytes);
    const e = zip.entries[1];
    // The descriptor: signature, CRC-32, compressed and uncompressed size (4 bytes each).
    const local = e.localHeaderOffset;
    const at =
      local + 30 + getU16(bytes, local + 26) + getU16(bytes, local + 28) + e.compressedSize;
    assert.equal(getU32(bytes, at), 0x08074b50);
    const sizes = bytes.slice();
    putU32(sizes, at + 12, e.uncompressedSize + 7);
    assert.deepEqual(await codes(sizes), [['SIZE_MISMATCH', 'streamed.txt']]);
    const crc = bytes.slice();
    putU32(crc, at + 4, e.crc32 ^ 0x10);
    assert.deepEqual(await codes(crc), [['CRC_MISMATCH', 'streamed.txt']]);
  });
});
