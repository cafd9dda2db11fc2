// ZIP64 at real scale: more than 65,535 entries, and members over 4 GiB that
// are streamed from a generator and never held in memory (nor, for the stored
// ones, written to disk: the header-checking sink parses and discards them).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import { openFileSource } from '../../src/io/file-source.js';
import { openEntry, readEntry } from '../../src/zip/entry-data.js';
import { createFileSink } from '../../src/zip/file-sink.js';
import { openZip } from '../../src/zip/reader.js';
import { ZipWriter } from '../../src/zip/writer.js';
import { HeaderSink, tee } from '../helpers/header-sink.js';
import { seededBytes } from '../helpers/random.js';
import {
  assertToolsAccept,
  type ExpectedEntry,
  pythonZipTest,
  requireTools,
  sevenZipCounts,
  sevenZipTest,
  unzipList,
  unzipTest,
} from '../helpers/tools.js';

const MTIME = new Date(Date.UTC(2024, 0, 1));
const FOUR_GIB = 2 ** 32;
/** Just over 4 GiB, so both 32-bit size fields overflow. */
const BIG = FOUR_GIB + (1 << 20);

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cozip-zip64-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * 1 MiB made of one 4 KiB seeded block: deflate finds matches 4 KiB back,
 * so 4 GiB compresses to a few tens of MB quickly, yet it is not all zeros.
 */
function patternChunk(): Uint8Array {
  const block = seededBytes(99, 4096);
  const chunk = new Uint8Array(1 << 20);
  for (let o = 0; o < chunk.length; o += block.length) chunk.set(block, o);
  return chunk;
}

/** `total` bytes of `chunk` repeated, yielding the same (never mutated) buffer. */
async function* repeated(
  chunk: Uint8Array,
  total: number,
  seen?: { crc: number },
): AsyncIterable<Uint8Array> {
  for (let n = 0; n < total; n += chunk.length) {
    const c = total - n >= chunk.length ? chunk : chunk.subarray(0, total - n);
    if (seen) seen.crc = crc32(c, seen.crc);
    yield c;
  }
}

describe('ZIP64: more than 65,535 entries', () => {
  it('70,000 entries get a ZIP64 end record, and unzip, python and 7z count them all', async (t) => {
    const path = join(dir, 'many.zip');
    const headers = new HeaderSink();
    const w = new ZipWriter(tee(await createFileSink(path), headers), { mtime: MTIME });
    const expected: ExpectedEntry[] = [];
    const enc = new TextEncoder();
    const COUNT = 70_000;
    for (let i = 0; i < COUNT; i++) {
      const name = `d${i % 100}/f${i}.txt`;
      const data = enc.encode(`${i}\n`);
      await w.add(name, data, { method: i % 100 === 0 ? 8 : 0 });
      expected.push({ name, data });
    }
    const done = await w.finish();
    assert.equal(done.entries, COUNT);
    assert.equal(done.zip64, true);

    assert.deepEqual(headers.problems(), []);
    const e = headers.eocd!;
    assert.equal(e.entriesTotal, 0xffff, 'the count overflows: sentinel');
    assert.equal(e.entriesOnDisk, 0xffff);
    assert.notEqual(e.cdSize, 0xffffffff, 'the CD size fits: real value');
    assert.notEqual(e.cdOffset, 0xffffffff, 'the CD offset fits: real value');
    const z = headers.zip64Eocd!;
    assert.equal(z.entriesTotal, COUNT);
    assert.equal(z.entriesOnDisk, COUNT);
    assert.equal(z.cdSize, e.cdSize);
    assert.equal(z.cdOffset, e.cdOffset);
    assert.equal(headers.locator!.zip64EocdOffset, z.offset);
    assert.ok(
      headers.centrals.every((c) => c.zip64Values === undefined),
      'no per-entry ZIP64',
    );

    const source = await openFileSource(path);
    t.after(() => source.close());
    const zip = await openZip(source);
    assert.equal(zip.entries.length, COUNT);
    assert.equal(zip.zip64, true);
    for (const i of [0, 1, 65_534, 65_535, 65_536, COUNT - 1]) {
      const entry = zip.entries[i];
      assert.equal(entry.name, expected[i].name);
      assert.deepEqual(new Uint8Array(await readEntry(zip, entry)), expected[i].data);
    }

    await assertToolsAccept(t, path, expected);
    if (!requireTools(t, 'unzip', '7z')) return;
    const listed = await unzipList(path);
    assert.ok(listed.ok, listed.output);
    assert.equal(listed.names.length, COUNT, 'unzip -Z1 lists every entry');
    const s = await sevenZipTest(path);
    assert.equal(sevenZipCounts(s.output).files, COUNT, '7z counts every file');
  });
});

describe('ZIP64: a member over 4 GiB', () => {
  it('stored, with a size hint: ZIP64 local extra, 8-byte descriptor, offset-only extras after it', async () => {
    const sink = new HeaderSink();
    const w = new ZipWriter(sink, { mtime: MTIME });
    await w.add('before.txt', 'small file before the big one');
    const big = await w.add('big.bin', repeated(patternChunk(), BIG), { method: 0, size: BIG });
    const next = await w.add('after.txt', 'small file after the big one');
    const d = await w.addDirectory('after-dir');
    const done = await w.finish();

    assert.deepEqual(sink.problems(), []);
    assert.equal(big.uncompressedSize, BIG);
    assert.equal(big.compressedSize, BIG);
    assert.equal(big.zip64, true);
    assert.ok(next.offset > FOUR_GIB);

    // Local header of the big member: sizes deferred to a ZIP64-aware descriptor.
    const lb = sink.locals[1];
    assert.equal(lb.flags & 8, 8);
    assert.equal(lb.versionNeeded, 45);
    assert.equal(lb.crc32, 0);
    assert.equal(lb.compressedSize, 0xffffffff);
    assert.equal(lb.uncompressedSize, 0xffffffff);
    assert.deepEqual(lb.zip64Values, [0, 0], 'ZIP64 extra with zero sizes');
    assert.equal(lb.dataLength, BIG);
    assert.deepEqual(lb.descriptor, {
      offset: lb.dataOffset + BIG,
      crc32: big.crc32,
      compressedSize: BIG,
      uncompressedSize: BIG,
      zip64: true,
      length: 24,
    });
    assert.equal(lb.payloadCrc, big.crc32, 'CRC of the bytes the sink saw');

    // Central records: only the sentinel fields are in the ZIP64 extra.
    const [c0, cb, ca, cd] = sink.centrals;
    assert.equal(c0.zip64Values, undefined);
    assert.equal(c0.versionNeeded, 20);
    assert.equal(cb.uncompressedSize, 0xffffffff);
    assert.equal(cb.compressedSize, 0xffffffff);
    assert.notEqual(cb.localHeaderOffset, 0xffffffff);
    assert.deepEqual(cb.zip64Values, [BIG, BIG], 'uncompressed, compressed; the offset fits');
    assert.equal(cb.versionNeeded, 45);
    assert.equal(cb.versionMadeBy, (3 << 8) | 45);
    assert.equal(ca.localHeaderOffset, 0xffffffff);
    assert.notEqual(ca.compressedSize, 0xffffffff);
    assert.deepEqual(ca.zip64Values, [next.offset], 'offset only');
    assert.equal(ca.versionNeeded, 45);
    assert.equal(
      sink.locals[2].zip64Values,
      undefined,
      'the local header needs no ZIP64 for its offset',
    );
    assert.deepEqual(cd.zip64Values, [d.offset]);

    // End records: the CD starts past 4 GiB, so its offset is the only sentinel.
    const e = sink.eocd!;
    const z = sink.zip64Eocd!;
    assert.ok(z, 'ZIP64 end record');
    assert.equal(e.cdOffset, 0xffffffff);
    assert.equal(e.entriesTotal, 4);
    assert.equal(e.cdSize, z.cdSize);
    assert.ok(z.cdOffset > FOUR_GIB);
    assert.equal(z.entriesTotal, 4);
    assert.equal(z.versionNeeded, 45);
    assert.equal(sink.locator!.zip64EocdOffset, z.offset);
    assert.equal(done.zip64, true);
    assert.equal(done.size, sink.size);
  });

  it('stored, without a hint: plain local header, yet an 8-byte descriptor and correct central record', async () => {
    const sink = new HeaderSink();
    const w = new ZipWriter(sink, { mtime: MTIME });
    const big = await w.add('big.bin', repeated(patternChunk(), BIG), { method: 0 });
    await w.add('after.txt', 'after');
    await w.finish();
    assert.deepEqual(sink.problems(), []);
    const l = sink.locals[0];
    assert.equal(l.zip64Values, undefined, 'no ZIP64 extra: the size was not known');
    assert.equal(l.versionNeeded, 10);
    assert.equal(l.compressedSize, 0);
    assert.equal(l.descriptor?.zip64, true);
    assert.equal(l.descriptor?.uncompressedSize, BIG);
    assert.equal(l.payloadCrc, big.crc32);
    const c = sink.centrals[0];
    assert.deepEqual(c.zip64Values, [BIG, BIG]);
    assert.equal(c.versionNeeded, 45);
    assert.equal(big.zip64, true);
  });

  it('deflated from an unhinted stream to a file: unzip, python, 7z and our reader agree', async (t) => {
    const path = join(dir, 'big-deflated.zip');
    const input = { crc: 0 };
    const w = new ZipWriter(await createFileSink(path), { mtime: MTIME });
    const big = await w.add('big.bin', repeated(patternChunk(), BIG, input), { level: 1 });
    const small = await w.add('after.txt', 'after the big one');
    const done = await w.finish();
    assert.equal(big.uncompressedSize, BIG);
    assert.equal(big.crc32, input.crc, 'writer CRC equals the CRC of what the generator yielded');
    assert.ok(big.compressedSize < 64 * 2 ** 20, `compressed to ${big.compressedSize} bytes`);
    assert.equal(big.zip64, true);
    assert.equal(small.zip64, false);
    assert.equal(done.zip64, false, 'the central directory itself needs no ZIP64');

    // The tools and our reader each inflate 4 GiB. unzip is the slowest, so
    // it runs alongside the others, which take turns on the second core.
    const tools = requireTools(t, 'unzip', 'python3', '7z');
    const unzip = tools ? unzipTest(path) : undefined;
    if (tools) {
      const p = await pythonZipTest(path);
      assert.ok(p.ok, `python -m zipfile -t:\n${p.output}`);
      const s = await sevenZipTest(path);
      assert.ok(s.ok, `7z t:\n${s.output}`);
    }
    const source = await openFileSource(path);
    t.after(() => source.close());
    const zip = await openZip(source);
    const [eb, ea] = zip.entries;
    assert.equal(eb.uncompressedSize, BIG);
    assert.equal(eb.zip64, true);
    let n = 0;
    let crc = 0;
    for await (const chunk of openEntry(zip, eb)) {
      n += chunk.length;
      crc = crc32(chunk, crc);
    }
    assert.equal(n, BIG);
    assert.equal(crc, input.crc);
    assert.equal(Buffer.from(await readEntry(zip, ea)).toString(), 'after the big one');
    if (unzip) {
      const u = await unzip;
      assert.ok(u.ok, `unzip -t:\n${u.output}`);
    }
  });
});
