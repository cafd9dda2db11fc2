// The cozip byte layout, checked against the spec's tables: the 51-byte
// index header, the index payload, padding, and the integrity hash
// recomputed here with an independent (BigInt) FNV-1a.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Fnv1a64 } from '../../src/cozip/fnv.js';
import { writeCozip } from '../../src/cozip/writer.js';
import { getU16, getU32 } from '../../src/zip/bytes.js';
import { crc32 } from '../../src/zip/codecs.js';
import { payloadOffset } from '../../src/zip/entry-data.js';
import { openZip } from '../../src/zip/reader.js';
import { bufferSink } from '../../src/zip/sink.js';
import { seededBytes } from '../helpers/random.js';

/** FNV-1a 64 written the obvious way, to check the limb arithmetic against. */
function fnvReference(bytes: Uint8Array): bigint {
  let h = 0xcbf29ce484222325n;
  for (const b of bytes) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return h;
}

/** The spec's hash input: [51, 51 + n) and the last 32 KiB, overlap counted once. */
function referenceHash(archive: Uint8Array, indexSize: number): bigint {
  const covered = new Uint8Array(archive.length);
  covered.fill(1, 51, 51 + indexSize);
  covered.fill(1, Math.max(0, archive.length - 32768));
  return fnvReference(archive.filter((_, i) => covered[i] === 1));
}

const readU64 = (b: Uint8Array, o: number) =>
  new DataView(b.buffer, b.byteOffset).getBigUint64(o, true);

async function build(
  rows: Array<{ name: string; path: Uint8Array; [k: string]: unknown }>,
  options = {},
) {
  const sink = bufferSink();
  const result = await writeCozip(sink, rows, {
    mtime: new Date('2026-03-04T05:06:08Z'),
    ...options,
  });
  return { bytes: sink.bytes(), result };
}

describe('FNV-1a 64', () => {
  it('matches the BigInt definition on known and random input', () => {
    assert.equal(new Fnv1a64().bigint(), 0xcbf29ce484222325n);
    assert.equal(new Fnv1a64().update(new TextEncoder().encode('a')).bigint(), 0xaf63dc4c8601ec8cn);
    for (const n of [1, 7, 1000, 65_537]) {
      const data = seededBytes(n, n);
      assert.equal(new Fnv1a64().update(data).bigint(), fnvReference(data));
      // Incremental updates give the same hash.
      const h = new Fnv1a64().update(data.subarray(0, n >> 1)).update(data.subarray(n >> 1));
      assert.equal(h.bigint(), fnvReference(data));
    }
  });
});

describe('cozip byte layout', () => {
  const enc = new TextEncoder();

  it('the first 51 bytes are the __cozip__ local header of the spec', async () => {
    const { bytes, result } = await build([{ name: 'a.txt', path: enc.encode('alpha') }]);
    const indexSize = getU32(bytes, 18);
    assert.equal(getU32(bytes, 0), 0x04034b50);
    assert.equal(getU16(bytes, 6) & 0b0010_0000_0100_1001, 0, 'flags 0, 3, 6, 13 clear');
    assert.equal(getU16(bytes, 8), 0, 'STORE');
    assert.equal(getU32(bytes, 22), indexSize);
    assert.equal(getU16(bytes, 26), 9);
    assert.equal(getU16(bytes, 28), 12);
    assert.equal(new TextDecoder().decode(bytes.subarray(30, 39)), '__cozip__');
    assert.equal(getU16(bytes, 39), 0xca0c);
    assert.equal(getU16(bytes, 41), 8);
    assert.equal(
      getU32(bytes, 14),
      crc32(bytes.subarray(51, 51 + indexSize)),
      'CRC of the index payload',
    );
    assert.equal(readU64(bytes, 43), referenceHash(bytes, indexSize), 'integrity hash');
    assert.equal(result.size, bytes.length);
  });

  it('the index payload: header, name lengths, names, u64 offsets, u64 sizes', async () => {
    // Big enough to need no padding (which would follow __metadata__).
    const { bytes, result } = await build([{ name: 'x.bin', path: seededBytes(1, 40_000) }]);
    assert.equal(result.padded, false);
    const p = bytes.subarray(51, 51 + getU32(bytes, 18));
    assert.deepEqual([...p.subarray(0, 4)], [0x43, 0x5a, 0x49, 0x50], '"CZIP"');
    assert.equal(getU16(p, 4), 1, 'version');
    assert.equal(p[6], 1, 'profile Flat');
    assert.equal(getU32(p, 7), 1, 'one priority file');
    assert.equal(getU16(p, 11), 12);
    assert.equal(new TextDecoder().decode(p.subarray(13, 25)), '__metadata__');
    const offset = Number(readU64(p, 25));
    const size = Number(readU64(p, 33));
    assert.equal(p.length, 41);
    assert.deepEqual(result.index, [{ name: '__metadata__', offset, size }]);
    // The offset is where the __metadata__ payload really starts; parquet magic at both ends.
    assert.equal(new TextDecoder().decode(bytes.subarray(offset, offset + 4)), 'PAR1');
    assert.equal(
      new TextDecoder().decode(bytes.subarray(offset + size - 4, offset + size)),
      'PAR1',
    );
    // And __metadata__ is the last entry before the central directory.
    const zip = await openZip(bytes);
    const last = zip.entries.reduce((a, b) => (a.localHeaderOffset > b.localHeaderOffset ? a : b));
    assert.equal(last.name, '__metadata__');
    assert.equal(offset + size, zip.cdOffset);
  });

  /** Entry names in archive order, and the padding payload when there is one. */
  async function layoutOf(bytes: Uint8Array) {
    const zip = await openZip(bytes);
    const sorted = zip.entries.slice().sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
    const pad = sorted.find((e) => e.name === '__cozip_padding__');
    // Straight from the local header's bytes: 30 + name length + extra length.
    const lh = pad ? pad.localHeaderOffset : 0;
    const at = lh + 30 + getU16(bytes, lh + 26) + getU16(bytes, lh + 28);
    return {
      order: sorted.map((e) => e.name),
      padding: pad ? bytes.subarray(at, at + pad.compressedSize) : undefined,
    };
  }

  it('revision 0.1.0 padding: a tiny Flat archive is exactly 32,819 bytes, 0x5A padding last', async () => {
    const { bytes, result } = await build([{ name: 'one.txt', path: enc.encode('1') }]);
    assert.equal(bytes.length, 32819);
    assert.equal(result.padded, true);
    const { order, padding } = await layoutOf(bytes);
    assert.deepEqual(order, ['__cozip__', 'one.txt', '__metadata__', '__cozip_padding__']);
    assert.ok(padding!.length > 30_000 && padding!.every((b) => b === 0x5a), 'filled with Z');
    assert.equal(
      getU16(bytes, bytes.length - 2),
      0,
      'EOCD comment length 0: the EOCD is the last 22 bytes',
    );
    assert.equal(getU32(bytes, bytes.length - 22), 0x06054b50);
  });

  it("revision 0.1.0 padding: a shortfall below the entry's own bytes gives a 1-byte padding", async () => {
    const build1 = (n: number) =>
      build([{ name: 'a.bin', path: new Uint8Array(n) }], { profile: 'none' });
    const base = await build1(30_000);
    const { order } = await layoutOf(base.bytes);
    assert.deepEqual(order, ['__cozip__', 'a.bin', '__cozip_padding__'], 'None: padding last');
    // Shrink the member from a size that needs no padding until the archive first
    // needs some: the shortfall is then 1 byte, below the padding entry's own
    // 30 + 17 + 46 + 17 = 110 bytes, so the padding is 1 byte and the archive a little over.
    let n = 32_819;
    let built = await build1(n);
    assert.equal(built.result.padded, false);
    while (!built.result.padded) built = await build1(--n);
    const { padding } = await layoutOf(built.bytes);
    assert.equal(padding!.length, 1);
    assert.equal(built.bytes.length, 32_819 + 110, `${built.bytes.length} bytes`);
  });

  it('revision 0.1.0 padding: TACO puts it right before the priority block', async () => {
    const collection = enc.encode('{"type":"Collection"}');
    const { bytes } = await build(
      [
        { name: 'COLLECTION.json', path: collection },
        { name: 'data/x.tif', path: enc.encode('tiff') },
      ],
      { profile: 'taco' },
    );
    assert.equal(bytes.length, 32819);
    const { order, padding } = await layoutOf(bytes);
    assert.deepEqual(order, ['__cozip__', 'data/x.tif', '__cozip_padding__', 'COLLECTION.json']);
    assert.ok(padding!.every((b) => b === 0x5a));
  });

  it('entries: STORE, bit 11, no data descriptor, no extra fields, payload offsets as planned', async () => {
    const rows = [
      { name: 'plain.txt', path: seededBytes(2, 5000) },
      { name: 'ünïcødé/名前.bin', path: seededBytes(3, 40_000) },
    ];
    const { bytes, result } = await build(rows, { escapeNames: true });
    const zip = await openZip(bytes);
    // Revision 0.1.0: ASCII names only, the escaped form stored, the original kept.
    assert.deepEqual(
      result.manifest!.map((r) => [r.name, r.source_name]),
      [
        ['plain.txt', 'plain.txt'],
        ['%C3%BCn%C3%AFc%C3%B8d%C3%A9/%E5%90%8D%E5%89%8D.bin', 'ünïcødé/名前.bin'],
      ],
    );
    for (const e of zip.entries)
      assert.ok(
        e.rawName.every((b) => b > 0 && b < 0x80),
        e.name,
      );
    for (const e of zip.entries) {
      assert.equal(e.method, 0, e.name);
      assert.equal(e.flags, 0x800, e.name);
      assert.equal(e.extra.length, 0, e.name);
      assert.equal(e.compressedSize, e.uncompressedSize);
    }
    for (const row of result.manifest!) {
      const e = zip.entries.find((x) => x.name === row.name)!;
      assert.equal(await payloadOffset(zip, e), row.offset);
      assert.equal(e.uncompressedSize, row.size);
      const src = rows.find((r) => r.name === row.source_name)!.path;
      assert.deepEqual(
        bytes.subarray(row.offset as number, (row.offset as number) + src.length),
        src,
      );
    }
  });

  it('reproducible: the same input and mtime give identical bytes', async () => {
    const rows = () => [{ name: 'r.bin', path: seededBytes(9, 70_000), tag: 'x' }];
    const a = await build(rows());
    const b = await build(rows());
    assert.deepEqual(a.bytes, b.bytes);
  });

  it('reads the reference writer’s fixtures byte for byte the same way', () => {
    // The reference's layout facts this writer follows: version needed 10 for
    // the index, bit 11 set, the hash over index + tail.
    const ref = new Uint8Array(
      readFileSync(new URL('../../../shared/fixtures/cozip/flat_simple.cozip', import.meta.url)),
    );
    const indexSize = getU32(ref, 18);
    assert.equal(readU64(ref, 43), referenceHash(ref, indexSize));
    assert.equal(getU16(ref, 4), 10);
    assert.equal(getU16(ref, 6), 0x800);
  });
});
