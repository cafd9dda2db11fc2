// The SOZip format against the specification: the index record and names,
// the spec's Annex H archive read, validated and rebuilt byte for byte, and
// the chunked Deflate compared with one zlib stream doing what Annex E does.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { inflateRawSync } from 'node:zlib';
import { bytesSource } from '../../src/io/bytes-source.js';
import { deflateChunk } from '../../src/sozip/chunk-deflate.js';
import { detectSozip } from '../../src/sozip/detect.js';
import {
  indexNameCandidates,
  sozipIndexName,
  sozipIndexRawName,
} from '../../src/sozip/index-name.js';
import {
  decodeIndexHeader,
  encodeSozipIndex,
  headerProblem,
  offsetCount,
  offsetsProblem,
} from '../../src/sozip/index-record.js';
import { listSozip } from '../../src/sozip/list.js';
import { openSozipMember, readRange } from '../../src/sozip/random-access.js';
import { validateSozip } from '../../src/sozip/validate.js';
import { SozipWriter } from '../../src/sozip/writer.js';
import { decodeCentralHeader } from '../../src/zip/central-header.js';
import { decodeEocd } from '../../src/zip/end-records.js';
import { readEntry } from '../../src/zip/entry-data.js';
import { bufferSink } from '../../src/zip/sink.js';
import { seededBytes } from '../helpers/random.js';
import { openBytes, referenceDeflate, textContent } from './helpers.js';

const FOO = '/work/shared/fixtures/sozip/foo.zip';
const fixture = async () => new Uint8Array(await readFile(FOO));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
/** Annex H's DOS time 32168 and date 22053, as the UTC date our writer encodes them from. */
const ANNEX_H_TIME = new Date(Date.UTC(2023, 0, 5, 15, 45, 16));

describe('index names', () => {
  it('puts the dot before the file name, after the last slash', () => {
    assert.equal(sozipIndexName('rivers.gpkg'), '.rivers.gpkg.sozip.idx');
    assert.equal(sozipIndexName('my_dir/rivers.gpkg'), 'my_dir/.rivers.gpkg.sozip.idx');
    assert.equal(sozipIndexName('a/b/c'), 'a/b/.c.sozip.idx');
  });

  it("knows GDAL's first-slash variant, and tries the specified name first", () => {
    assert.equal(sozipIndexName('a/b/c', 'gdal'), 'a/.b/c.sozip.idx');
    assert.deepEqual(indexNameCandidates('a/b/c'), ['a/b/.c.sozip.idx', 'a/.b/c.sozip.idx']);
    assert.deepEqual(indexNameCandidates('a/c'), ['a/.c.sozip.idx']);
  });

  it('works on raw header bytes of any encoding', () => {
    const raw = Uint8Array.of(0x64, 0x2f, 0x82, 0x2f, 0x66); // d/é(CP437)/f
    assert.deepEqual(Array.from(sozipIndexRawName(raw)), [
      0x64,
      0x2f,
      0x82,
      0x2f,
      0x2e,
      0x66,
      ...new TextEncoder().encode('.sozip.idx'),
    ]);
  });
});

describe('index record', () => {
  it('encodes the 32-byte header and (size - 1) / chunk_size offsets', () => {
    const b = encodeSozipIndex({
      chunkSize: 2,
      uncompressedSize: 3,
      compressedSize: 16,
      offsets: [13],
    });
    // Bytes 93..133 of Annex H's dump.
    assert.equal(
      hex(b),
      '01000000000000000200000008000000030000000000000010000000000000000d00000000000000',
    );
    assert.deepEqual(decodeIndexHeader(b), {
      version: 1,
      skipBytes: 0,
      chunkSize: 2,
      offsetSize: 8,
      uncompressedSize: 3,
      compressedSize: 16,
    });
  });

  it('counts offsets with floor rounding: an exact multiple has no offset for an empty chunk', () => {
    assert.equal(offsetCount(3, 2), 1);
    assert.equal(offsetCount(4, 2), 1);
    assert.equal(offsetCount(5, 2), 2);
    assert.equal(offsetCount(65536, 32768), 1);
    assert.throws(
      () =>
        encodeSozipIndex({ chunkSize: 2, uncompressedSize: 5, compressedSize: 9, offsets: [1] }),
      { code: 'INVALID_ARGUMENT' },
    );
  });

  it('states why a header or offsets cannot be trusted', () => {
    const good = decodeIndexHeader(
      encodeSozipIndex({ chunkSize: 2, uncompressedSize: 3, compressedSize: 16, offsets: [13] }),
    );
    const member = { uncompressedSize: 3, compressedSize: 16 };
    assert.equal(headerProblem(good, member), undefined);
    assert.match(headerProblem({ ...good, version: 2 }, member)!, /version 2/);
    assert.match(headerProblem({ ...good, offsetSize: 4 }, member)!, /offset_size/);
    assert.match(headerProblem({ ...good, chunkSize: 0 }, member)!, /chunk_size is 0/);
    assert.match(headerProblem({ ...good, uncompressedSize: 4 }, member)!, /uncompress_size/);
    assert.match(headerProblem({ ...good, compressedSize: 15 }, member)!, /compress_size/);
    assert.match(headerProblem({ ...good, chunkSize: 3 }, member)!, /not greater/);
    assert.equal(offsetsProblem([5, 9, 12], 16), undefined);
    assert.match(offsetsProblem([5, 5, 12], 16)!, /offset 1/);
    assert.match(offsetsProblem([0, 9], 16)!, /offset 0/);
    assert.match(offsetsProblem([5, 16], 16)!, /below compress_size/);
  });
});

describe('Annex H: foo.zip', () => {
  it('is read: the index is found and every range decodes', async () => {
    const zip = await openBytes(await fixture());
    assert.deepEqual(
      zip.entries.map((e) => e.name),
      ['foo'],
      'the hidden index is not an entry',
    );
    const d = await detectSozip(zip, zip.entries[0]);
    assert.equal(d.found, true);
    assert.equal(d.index?.name, '.foo.sozip.idx');
    assert.equal(d.index?.offset, 49);
    assert.equal(d.index?.chunkSize, 2);
    assert.equal(d.index?.recordSize, 40, 'the errata: 40 bytes, not 36');
    assert.deepEqual(Array.from(await d.index!.table.all()), [13]);
    const m = await openSozipMember(zip, 'foo');
    const text = new TextDecoder();
    for (let o = 0; o <= 3; o++) {
      for (let n = 0; n <= 3 - o; n++) {
        assert.equal(text.decode(await readRange(m, o, n)), 'foo'.slice(o, o + n));
      }
    }
    assert.equal(text.decode(await readEntry(zip, zip.entries[0])), 'foo');
  });

  it('is validated, deep, and listed as SOZip with chunk size 2', async () => {
    const v = await validateSozip(bytesSource(await fixture()), { deep: true });
    assert.equal(v.ok, true, JSON.stringify(v.problems));
    assert.equal(v.sozipMembers, 1);
    assert.equal(v.members[0].verifiedChunks, 2);
    const rows = await listSozip(bytesSource(await fixture()));
    assert.deepEqual(
      rows.map((r) => [
        r.name,
        r.uncompressedSize,
        r.compressedSize,
        r.method,
        r.sozip,
        r.chunkSize,
      ]),
      [['foo', 3, 16, 'deflate', true, 2]],
    );
  });

  it('is rebuilt byte for byte where our writer decides: local records, chunks, index', async () => {
    const foo = await fixture();
    const sink = bufferSink();
    const w = new SozipWriter(sink, {
      chunkSize: 2,
      mtime: ANNEX_H_TIME,
      extendedTimestamp: false,
      onWarning: () => {},
    });
    const written = await w.add('foo', 'foo');
    await w.finish();
    const ours = sink.bytes();
    assert.equal(written.sozip, true);
    assert.deepEqual(written.index, { name: '.foo.sozip.idx', offset: 49, size: 84 });
    // 0..33 local header, 33..49 the two chunks, 49..133 the index record.
    assert.equal(hex(ours.subarray(0, 33)), hex(foo.subarray(0, 33)), 'local header');
    assert.equal(hex(ours.subarray(33, 49)), '4acb07000000ffff000000ffffcb0700', 'chunks');
    assert.equal(hex(ours.subarray(33, 49)), hex(foo.subarray(33, 49)));
    assert.equal(hex(ours.subarray(49, 133)), hex(foo.subarray(49, 133)), 'index record');
    // Annex H table values, field by field.
    const dv = new DataView(ours.buffer, ours.byteOffset);
    assert.equal(dv.getUint16(4, true), 20);
    assert.equal(dv.getUint16(8, true), 8);
    assert.equal(dv.getUint16(10, true), 32168);
    assert.equal(dv.getUint16(12, true), 22053);
    assert.equal(dv.getUint32(14, true), 0x8c736521);
    assert.equal(dv.getUint32(18, true), 16);
    assert.equal(dv.getUint32(22, true), 3);
    assert.equal(dv.getUint16(57, true), 0, 'index stored');
    assert.equal(dv.getUint32(63, true), 0x56fec86c, 'index CRC-32');
    assert.equal(dv.getUint32(67, true), 40);
    assert.equal(dv.getUint32(125, true), 13, 'second chunk at 33 + 13 = 46');
    // The central directory says the same things (version made by is ours to choose).
    const cd = decodeCentralHeader(ours, 133)!.header;
    const theirs = decodeCentralHeader(foo, 133)!.header;
    for (const k of ['versionNeeded', 'flags', 'method', 'dosTime', 'dosDate', 'crc32'] as const) {
      assert.equal(cd[k], theirs[k], k);
    }
    assert.equal(cd.compressedSize, 16);
    assert.equal(cd.uncompressedSize, 3);
    assert.equal(cd.localHeaderOffset, 0);
    assert.equal(cd.extra.length, 0);
    const eocd = decodeEocd(ours, ours.length - 22);
    assert.equal(eocd.entriesTotal, 1);
    assert.equal(eocd.cdOffset, 133);
    assert.equal(eocd.cdSize, 49);
  });
});

describe('chunked Deflate', () => {
  it('is byte-identical to one zlib stream with SYNC + FULL flushes per chunk', () => {
    const cases: Array<[number, number]> = [];
    for (const cs of [2, 100, 4096, 32768]) {
      for (const n of [cs + 1, 2 * cs + 1, 3 * cs + 7, Math.min(150_000, 40 * cs) + 3]) {
        cases.push([cs, n]);
      }
    }
    for (const level of [0, 1, 6, 9]) {
      for (const [cs, n] of cases) {
        const data = level % 2 ? seededBytes(level * 31 + n, n) : textContent(level * 7 + cs, n);
        const ref = referenceDeflate(data, cs, level);
        const parts: Uint8Array[] = [];
        const offsets: number[] = [];
        let o = 0;
        for (let at = 0; at < n; at += cs) {
          if (at > 0) offsets.push(o);
          const part = deflateChunk(data.subarray(at, at + cs), level, at + cs >= n);
          parts.push(part);
          o += part.length;
        }
        const ours = Buffer.concat(parts);
        assert.deepEqual(offsets, ref.offsets, `offsets, level ${level}, chunk ${cs}, ${n} bytes`);
        assert.ok(ours.equals(ref.bytes), `bytes, level ${level}, chunk ${cs}, ${n} bytes`);
        assert.ok(inflateRawSync(ours).equals(data));
      }
    }
  });

  it('ends an exact multiple of the chunk size with Z_FINISH on the last full chunk', () => {
    // Annex E instead flushes the last full chunk and finishes an empty one
    // (2 more bytes); both are valid, and both have (n - 1) / cs offsets.
    const data = textContent(5, 3 * 4096);
    const last = deflateChunk(data.subarray(2 * 4096), 6, true);
    assert.notDeepEqual(Array.from(last.subarray(-5)), [0, 0, 0, 0xff, 0xff]);
    const mid = deflateChunk(data.subarray(0, 4096), 6, false);
    assert.deepEqual(Array.from(mid.subarray(-9)), [0, 0, 0xff, 0xff, 0, 0, 0, 0xff, 0xff]);
  });
});
