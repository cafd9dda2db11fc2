// Random access: ranges decode only the chunks covering them, fetched with
// one request (checked over HTTP), and always equal the full decompression;
// members without an index, stored members and every other ZIP still read.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { openSource } from '../../src/io/open-source.js';
import { readAll } from '../../src/io/stream.js';
import { detectSozip } from '../../src/sozip/detect.js';
import { encodeSozipIndex } from '../../src/sozip/index-record.js';
import type { OffsetTable } from '../../src/sozip/offset-table.js';
import {
  closeSozipMember,
  openSeekable,
  openSozipMember,
  readRange,
  type SozipMember,
  streamRange,
} from '../../src/sozip/random-access.js';
import { validateSozip } from '../../src/sozip/validate.js';
import { SozipWriter } from '../../src/sozip/writer.js';
import { crc32 } from '../../src/zip/codecs.js';
import { encodeUnicodePath } from '../../src/zip/extra-fields.js';
import { openZip } from '../../src/zip/reader.js';
import { bufferSink } from '../../src/zip/sink.js';
import { ZipWriter } from '../../src/zip/writer.js';
import { type RangeServer, startRangeServer } from '../helpers/http-server.js';
import { randomInt, rng, seededBytes } from '../helpers/random.js';
import { MTIME, openBytes, referenceDeflate, textContent } from './helpers.js';

async function sozip(
  name: string,
  data: Uint8Array,
  chunkSize: number,
  extra: Array<{ name: string; data: Uint8Array; method?: 0 | 8 }> = [],
): Promise<Uint8Array> {
  const sink = bufferSink();
  const w = new SozipWriter(sink, { chunkSize, threads: 1, mtime: MTIME, onWarning: () => {} });
  await w.add(name, data);
  for (const e of extra) await w.add(e.name, e.data, { method: e.method });
  await w.finish();
  return sink.bytes();
}

/** `count` random windows, each compared with the same bytes of `data`. */
async function randomWindows(
  member: SozipMember,
  data: Uint8Array,
  count: number,
  seed: number,
  maxLength: number,
): Promise<void> {
  const random = rng(seed);
  for (let i = 0; i < count; i++) {
    const offset = randomInt(random, 0, data.length + 1);
    const length = randomInt(random, 0, maxLength);
    const got = await readRange(member, offset, length);
    const want = data.subarray(offset, Math.min(data.length, offset + length));
    if (!Buffer.from(got).equals(want)) {
      assert.fail(`window ${i}: [${offset}, +${length}) differs`);
    }
  }
}

describe('readRange: 10,000 random windows equal the full decompression', () => {
  // The cache keeps about two chunks, so most windows decode their chunks
  // afresh; with 1 MiB chunks it holds the member (decoding 10,000 windows of
  // 1 MiB chunks would take long), and the uncached windows below decode.
  const cases: Array<[string, number, number, number]> = [
    ['chunk 4096', 4096, 700_001, 2 * 4096],
    ['chunk 32 KiB', 32 * 1024, 2_000_003, 2 * 32 * 1024],
    ['chunk 1 MiB', 1 << 20, 5 * (1 << 20) + 1234, 8 << 20],
    ['exact multiple', 4096, 200 * 4096, 2 * 4096],
  ];
  for (const [label, chunkSize, size, chunkCacheBytes] of cases) {
    it(`${label}, ${size} bytes`, async () => {
      const data = textContent(size, size);
      const zip = await openBytes(await sozip('m.txt', data, chunkSize));
      const member = await openSozipMember(zip, 'm.txt', { chunkCacheBytes });
      assert.equal(member.index?.chunkSize, chunkSize);
      // The full decompression, by zlib in one go, is the reference.
      const e = zip.entries[0];
      const full = inflateRawSync(
        await zip.source.read(member.dataOffset, member.dataOffset + e.compressedSize),
      );
      assert.ok(full.equals(data));
      assert.ok(Buffer.from(await readAll(streamRange(member))).equals(data));
      // 10,000 windows through the chunk cache, and some more decoding every chunk afresh.
      await randomWindows(member, full, 10_000, size, Math.min(2 * chunkSize, 64 * 1024));
      const uncached = await openSozipMember(zip, 'm.txt', { chunkCacheBytes: 0 });
      await randomWindows(uncached, full, 300, size + 1, 3 * chunkSize);
      for (const m of [member, uncached]) {
        assert.equal(m.index?.chunkSize, chunkSize, 'the index stayed in use');
        assert.deepEqual(m.warnings, []);
      }
    });
  }

  it('the first, last and boundary bytes of every chunk', async () => {
    const cs = 4096;
    const data = textContent(7, 20 * cs + 5);
    const m = await openSozipMember(await openBytes(await sozip('m', data, cs)), 'm');
    for (let k = 0; k <= 20; k++) {
      for (const o of [k * cs - 1, k * cs, k * cs + 1]) {
        if (o < 0 || o >= data.length) continue;
        assert.equal((await readRange(m, o, 1))[0], data[o], `byte ${o}`);
      }
    }
    assert.equal((await readRange(m, data.length, 10)).length, 0, 'at the end: nothing');
    await assert.rejects(readRange(m, data.length + 1, 1), { code: 'OUT_OF_RANGE' });
    await assert.rejects(readRange(m, -1, 1), { code: 'INVALID_ARGUMENT' });
  });

  it('never writes into the source bytes (a Buffer, whose slice() is a view)', async () => {
    const data = textContent(16, 300_000);
    const archive = Buffer.from(await sozip('m', data, 4096));
    const pristine = Buffer.from(archive);
    const m = await openSozipMember(await openZip(archive), 'm', { chunkCacheBytes: 0 });
    await randomWindows(m, data, 200, 4, 20_000);
    assert.ok(Buffer.from(await readRange(m, 0, data.length)).equals(data));
    assert.ok(archive.equals(pristine), 'the archive bytes are unchanged');
    const v = await validateSozip(await openZip(archive), { deep: true });
    assert.equal(v.ok, true, JSON.stringify(v.problems));
  });

  it('large ranges decode their chunks in parallel and stay exact', async () => {
    const data = textContent(8, 6 * (1 << 20) + 3);
    const m = await openSozipMember(await openBytes(await sozip('m', data, 32 * 1024)), 'm', {
      decodeConcurrency: 8,
    });
    for (const [o, n] of [
      [0, data.length],
      [12345, 3_000_000],
      [5 * (1 << 20), 2 << 20],
    ]) {
      assert.ok(Buffer.from(await readRange(m, o, n)).equals(data.subarray(o, o + n)));
    }
  });
});

describe('readRange over HTTP', () => {
  let server: RangeServer;
  const data = textContent(9, 3_000_000);
  let zipBytes: Uint8Array;
  before(async () => {
    zipBytes = await sozip('data.txt', data, 32 * 1024, [
      { name: 'other.bin', data: seededBytes(3, 50_000), method: 0 },
    ]);
    server = await startRangeServer({ objects: { 'a.zip': zipBytes } });
  });
  after(() => server.close());

  it('costs one request per call, fetching only the compressed bytes of the chunks needed', async () => {
    const zip = await openZip(server.url('a.zip'), { cacheBytes: 0 });
    const member = await openSozipMember(zip, 'data.txt', { chunkCacheBytes: 0 });
    assert.ok(member.index);
    const random = rng(77);
    for (let i = 0; i < 40; i++) {
      const offset = randomInt(random, 0, data.length);
      const length = randomInt(random, 1, i % 4 === 0 ? 400_000 : 4096);
      const before = server.requests.length;
      const got = await readRange(member, offset, length);
      assert.equal(server.requests.length - before, 1, `call ${i}: one request`);
      const range = server.requests.at(-1)!.range!;
      const [from, to] = range.replace('bytes=', '').split('-').map(Number);
      const cs = 32 * 1024;
      const first = Math.floor(offset / cs);
      const last = Math.floor((Math.min(data.length, offset + length) - 1) / cs);
      const table: OffsetTable = member.index!.table;
      assert.equal(from, member.dataOffset + table.start(first));
      assert.equal(to + 1, member.dataOffset + table.end(last));
      assert.ok(Buffer.from(got).equals(data.subarray(offset, offset + length)));
    }
    await zip.source.close?.();
  });

  it('opening costs the tail read and one round trip for the local header and the index', async () => {
    const before = server.requests.length;
    const member = await openSozipMember(server.url('a.zip'), 'data.txt');
    assert.ok(member.index);
    // Probe + tail (one request when the server answers the suffix probe), then
    // the local header and the index read issued together.
    assert.ok(server.requests.length - before <= 3, `${server.requests.length - before} requests`);
    await closeSozipMember(member);
  });
});

describe('readRange without an index', () => {
  it('reads ordinary deflate members sequentially, continuing forward, restarting backward', async () => {
    const data = textContent(10, 500_000);
    const sink = bufferSink();
    const w = new ZipWriter(sink, { mtime: MTIME });
    await w.add('plain.txt', data);
    await w.add('stored.bin', seededBytes(4, 100_000), { method: 0 });
    await w.finish();
    const zip = await openBytes(sink.bytes());
    const m = await openSozipMember(zip, 'plain.txt');
    assert.equal(m.index, undefined);
    assert.equal(m.indexFound, false);
    await randomWindows(m, data, 300, 1, 20_000);
    // Forward reads in sequence, as a stream reader would do.
    const parts: Uint8Array[] = [];
    const view = openSeekable(m);
    for (;;) {
      const b = await view.read(7777);
      if (b.length === 0) break;
      parts.push(b);
    }
    assert.ok(Buffer.concat(parts).equals(data));
    const s = await openSozipMember(zip, 'stored.bin');
    await randomWindows(s, seededBytes(4, 100_000), 300, 2, 5000);
  });

  it('reads a member compressed with another method (zstd fixture) in sequence', async () => {
    const zip = await openZip(
      new URL('../../../shared/fixtures/zips/zstd-compressed.zip', import.meta.url).pathname,
    );
    assert.ok(zip.entries.some((e) => e.method === 93));
    for (const e of zip.entries.filter((x) => !x.isDirectory)) {
      const m = await openSozipMember(zip, e);
      const all = await readRange(m, 0, e.uncompressedSize);
      assert.equal(crc32(all), e.crc32);
    }
    await zip.source.close?.();
  });
});

describe('seekable and streaming views', () => {
  it('seek, read, readAt and stream agree with the content', async () => {
    const data = textContent(12, 400_000);
    const m = await openSozipMember(await openBytes(await sozip('m', data, 4096)), 'm');
    const f = openSeekable(m);
    assert.equal(f.size, data.length);
    assert.equal(f.seek(1000), 1000);
    assert.ok(Buffer.from(await f.read(5000)).equals(data.subarray(1000, 6000)));
    assert.equal(f.position, 6000);
    f.seek(-10, 'end');
    assert.ok(Buffer.from(await f.read(100)).equals(data.subarray(data.length - 10)));
    assert.equal((await f.read(1)).length, 0);
    f.seek(-100, 'current');
    assert.equal(f.position, data.length - 100);
    assert.ok(Buffer.from(await f.readAt(50, 10)).equals(data.subarray(50, 60)));
    assert.equal(f.position, data.length - 100);
    f.seek(123_456);
    const rest = Buffer.from(await readAll(f.stream()));
    assert.ok(rest.equals(data.subarray(123_456)));
    assert.equal(f.position, data.length);
    const mid = Buffer.from(await readAll(streamRange(m, 4095, 300_001)));
    assert.ok(mid.equals(data.subarray(4095, 300_001)));
    assert.throws(() => f.seek(-1), { code: 'INVALID_ARGUMENT' });
  });
});

describe('finding indexes', () => {
  const data = textContent(13, 100_000);
  const cs = 4096;
  const ref = referenceDeflate(data, cs, 6);
  const index = encodeSozipIndex({
    chunkSize: cs,
    uncompressedSize: data.length,
    compressedSize: ref.bytes.length,
    offsets: ref.offsets,
  });

  async function archive(name: string, indexName: string, extra?: boolean): Promise<Uint8Array> {
    const sink = bufferSink();
    const w = new ZipWriter(sink, { mtime: MTIME });
    await w.addRaw(name, ref.bytes, {
      method: 8,
      crc32: crc32(data),
      compressedSize: ref.bytes.length,
      uncompressedSize: data.length,
    });
    const rawName = new TextEncoder().encode(indexName);
    const expected = `${name.slice(0, name.lastIndexOf('/') + 1)}.${name.slice(name.lastIndexOf('/') + 1)}.sozip.idx`;
    await w.writeHidden(indexName, index, {
      extraFields: extra ? [encodeUnicodePath(expected, rawName)] : [],
    });
    await w.finish();
    return sink.bytes();
  }

  it("uses GDAL's first-slash name for nested members", async () => {
    const zip = await openBytes(await archive('a/b/c.txt', 'a/.b/c.txt.sozip.idx'));
    const d = await detectSozip(zip, zip.entries[0]);
    assert.equal(d.index?.nameStyle, 'gdal');
    const m = await openSozipMember(zip, zip.entries[0]);
    await randomWindows(m, data, 200, 3, 10_000);
  });

  it('finds an index through its Unicode Path extra when the raw name differs', async () => {
    const zip = await openBytes(await archive('dir/f.txt', 'dir/.F-legacy.sozip.idx', true));
    const d = await detectSozip(zip, zip.entries[0]);
    assert.equal(d.index?.nameStyle, 'unicode-path');
    assert.equal(d.index?.name, 'dir/.f.txt.sozip.idx');
  });

  it('ignores a record with another name after the member', async () => {
    const zip = await openBytes(await archive('x.txt', '.y.txt.sozip.idx'));
    const d = await detectSozip(zip, zip.entries[0]);
    assert.equal(d.found, false);
    assert.equal(d.index, undefined);
  });

  it('reads a big offset table in pages when it is over the eager limit', async () => {
    const big = textContent(14, 9000 * 64 + 11);
    const zip = await openBytes(await sozip('paged.txt', big, 64));
    const m = await openSozipMember(zip, 'paged.txt', { eagerIndexBytes: 0, chunkCacheBytes: 0 });
    assert.equal(m.index?.table.complete, false);
    await randomWindows(m, big, 500, 5, 700);
    const whole = await readRange(m, 0, big.length);
    assert.ok(Buffer.from(whole).equals(big));
    assert.equal(m.index?.table.complete, true);
    assert.deepEqual(m.warnings, []);
  });

  it('a member opened from a path or bytes closes what it opened', async () => {
    const bytes = await sozip('m', data, cs);
    const m = await openSozipMember(bytes, 'm');
    assert.ok(m.index);
    await closeSozipMember(m);
    await assert.rejects(openSozipMember(bytes, 'nope'), { code: 'NOT_FOUND' });
    const src = await openSource(bytes);
    const m2 = await openSozipMember(await openZip(src), 'm');
    assert.equal((await readRange(m2, 0, 3)).length, 3);
  });

  it('reads and validates the Annex E ending of an exact multiple (an empty final chunk)', async () => {
    const exact = textContent(15, 25 * cs);
    const annexE = referenceDeflate(exact, cs, 6, undefined, true);
    const tail = annexE.bytes.subarray(-12);
    assert.deepEqual(Array.from(tail), [0, 0, 0, 0xff, 0xff, 0, 0, 0, 0xff, 0xff, 3, 0]);
    const sink = bufferSink();
    const w = new ZipWriter(sink, { mtime: MTIME });
    await w.addRaw('e.txt', annexE.bytes, {
      method: 8,
      crc32: crc32(exact),
      compressedSize: annexE.bytes.length,
      uncompressedSize: exact.length,
    });
    await w.writeHidden(
      '.e.txt.sozip.idx',
      encodeSozipIndex({
        chunkSize: cs,
        uncompressedSize: exact.length,
        compressedSize: annexE.bytes.length,
        offsets: annexE.offsets,
      }),
    );
    await w.finish();
    const zip = await openBytes(sink.bytes());
    const m = await openSozipMember(zip, 'e.txt', { chunkCacheBytes: 0 });
    assert.equal(m.index?.chunks, 25);
    await randomWindows(m, exact, 300, 9, 3 * cs);
    assert.deepEqual(m.warnings, []);
    const v = await validateSozip(zip, { deep: true });
    assert.equal(v.ok, true, JSON.stringify(v.problems));
  });

  it('plain deflate written by zlib in one piece is never mistaken for SOZip', async () => {
    const sink = bufferSink();
    const w = new ZipWriter(sink, { mtime: MTIME });
    const deflated = deflateRawSync(data);
    await w.addRaw('p.txt', deflated, {
      method: 8,
      crc32: crc32(data),
      compressedSize: deflated.length,
      uncompressedSize: data.length,
    });
    await w.finish();
    const d = await detectSozip(
      await openBytes(sink.bytes()),
      (await openBytes(sink.bytes())).entries[0],
    );
    assert.equal(d.found, false);
  });
});
