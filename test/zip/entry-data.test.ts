// readEntry holds a whole member in memory: bounded by maxBytes (256 MiB by
// default), refused before anything is read or allocated.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isCozipError } from '../../src/errors.js';
import type { RangeSource } from '../../src/io/source.js';
import { getU32, putU32 } from '../../src/zip/bytes.js';
import { READ_ENTRY_LIMIT, readEntry } from '../../src/zip/entry-data.js';
import { openZip } from '../../src/zip/reader.js';
import { bufferSink } from '../../src/zip/sink.js';
import { ZipWriter } from '../../src/zip/writer.js';

async function zipOf(files: Record<string, Uint8Array>): Promise<Uint8Array> {
  const sink = bufferSink();
  const w = new ZipWriter(sink, { mtime: new Date(0) });
  for (const [name, data] of Object.entries(files)) await w.add(name, data);
  await w.finish();
  return sink.bytes().slice();
}

/** A source over `bytes` that counts the bytes read after `armed` is set. */
function counting(bytes: Uint8Array): RangeSource & { armed: boolean; read_: number } {
  return {
    size: bytes.length,
    name: 'mem.zip',
    armed: false,
    read_: 0,
    async read(start, end) {
      if (this.armed) this.read_ += end - start;
      return bytes.slice(start, end);
    },
  };
}

describe('readEntry: bounded in-memory reads', () => {
  it('a member declaring more than the limit is LIMIT_EXCEEDED before any byte is read', async () => {
    const bytes = await zipOf({ 'small.txt': new TextEncoder().encode('hello '.repeat(100)) });
    // The central record says 300 MiB (a lie the data cannot back).
    const cd = getU32(bytes, bytes.length - 22 + 16);
    putU32(bytes, cd + 24, 300 * 1024 * 1024);
    const source = counting(bytes);
    const zip = await openZip(source);
    source.armed = true;
    await assert.rejects(
      readEntry(zip, zip.entries[0]),
      (e) =>
        isCozipError(e, 'LIMIT_EXCEEDED') &&
        e.details.limit === READ_ENTRY_LIMIT &&
        /openEntry/.test(e.message),
    );
    assert.equal(source.read_, 0, 'nothing read');
    // Raised, the read goes ahead and the lie is found.
    await assert.rejects(readEntry(zip, zip.entries[0], { maxBytes: 512 * 1024 * 1024 }), (e) =>
      isCozipError(e, 'SIZE_MISMATCH'),
    );
  });

  it('maxBytes lowers the limit; at or under it the member is read whole', async () => {
    const data = new Uint8Array(5000).map((_, i) => i % 251);
    const zip = await openZip(await zipOf({ 'a.bin': data }));
    await assert.rejects(readEntry(zip, zip.entries[0], { maxBytes: 4999 }), (e) =>
      isCozipError(e, 'LIMIT_EXCEEDED'),
    );
    const out = await readEntry(zip, zip.entries[0], { maxBytes: 5000 });
    assert.ok(Buffer.from(out).equals(data));
  });

  it('a member larger than one decode call is read into one buffer of its size', async () => {
    // 80 MiB of zeros deflates to 80 KB; it takes the streamed path.
    const size = 80 * 1024 * 1024;
    const zip = await openZip(await zipOf({ 'zeros.bin': new Uint8Array(size) }));
    const out = await readEntry(zip, zip.entries[0]);
    assert.equal(out.length, size);
    assert.equal(out.buffer.byteLength, size, 'no larger buffer behind it');
    assert.ok(out.every((b) => b === 0));
  });
});
