import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { isCozipError } from '../../src/errors.js';
import { bytesSource } from '../../src/io/bytes-source.js';
import { openEntryRaw, payloadOffset, readEntry } from '../../src/zip/entry-data.js';
import { openZip, type ZipArchive } from '../../src/zip/reader.js';
import { bufferSink, type Sink } from '../../src/zip/sink.js';
import { type WrittenEntry, ZipWriter, type ZipWriterOptions } from '../../src/zip/writer.js';
import { HeaderSink, tee } from '../helpers/header-sink.js';
import { rng, seededBytes } from '../helpers/random.js';
import {
  assertToolsAccept,
  type ExpectedEntry,
  pythonRead,
  requireTools,
} from '../helpers/tools.js';

const MTIME = new Date(Date.UTC(2024, 4, 6, 7, 8, 10));
const enc = new TextEncoder();

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cozip-writer-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

let fileCounter = 0;
/** Writes `bytes` to a fresh file in the test directory. */
async function save(bytes: Uint8Array, name = 'a'): Promise<string> {
  const path = join(dir, `${name}-${fileCounter++}.zip`);
  await writeFile(path, bytes);
  return path;
}

async function build(
  fill: (w: ZipWriter) => Promise<unknown>,
  options: ZipWriterOptions = {},
): Promise<Uint8Array> {
  const sink = bufferSink();
  const w = new ZipWriter(sink, { mtime: MTIME, ...options });
  await fill(w);
  await w.finish();
  return sink.bytes();
}

async function readBack(
  bytes: Uint8Array,
): Promise<{ zip: ZipArchive; files: Map<string, Uint8Array> }> {
  const zip = await openZip(bytesSource(bytes));
  const files = new Map<string, Uint8Array>();
  for (const e of zip.entries) {
    // Inflated members come back as Buffers; compare plain views.
    const b = await readEntry(zip, e);
    files.set(e.name, new Uint8Array(b.buffer, b.byteOffset, b.length));
  }
  return { zip, files };
}

async function* chunked(data: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.slice(i, i + size);
}

/** A WHATWG ReadableStream of `data` in chunks of `size` bytes. */
function webStream(data: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i >= data.length) {
        controller.close();
        return;
      }
      controller.enqueue(data.slice(i, i + size));
      i += size;
    },
  });
}

const u16 = (b: Uint8Array, o: number) => b[o] | (b[o + 1] << 8);
const u32 = (b: Uint8Array, o: number) =>
  (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
const text = (b: Uint8Array, o: number, n: number) =>
  Buffer.from(b.subarray(o, o + n)).toString('utf8');

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(isCozipError(err), `expected a CozipError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return true;
  });
}

describe('ZipWriter byte layout', () => {
  it('writes local header, central header and EOCD exactly as APPNOTE lays them out', async (t) => {
    const bytes = await build((w) => w.add('a.txt', 'hello', { method: 0, mode: 0o640 }), {
      comment: 'c',
    });
    // Independent expectations: DOS fields from the formula, CRC from zlib.
    const dosTime = (7 << 11) | (8 << 5) | (10 >> 1);
    const dosDate = ((2024 - 1980) << 9) | (5 << 5) | 6;
    const crc = zlibCrc32('hello');
    const unixTime = MTIME.getTime() / 1000;

    // Local file header (4.3.7).
    assert.equal(u32(bytes, 0), 0x04034b50, 'local signature');
    assert.equal(u16(bytes, 4), 10, 'version needed: 1.0 for stored');
    assert.equal(u16(bytes, 6), 0, 'flags: no descriptor, ASCII name');
    assert.equal(u16(bytes, 8), 0, 'method: store');
    assert.equal(u16(bytes, 10), dosTime, 'DOS time');
    assert.equal(u16(bytes, 12), dosDate, 'DOS date');
    assert.equal(u32(bytes, 14), crc, 'crc-32');
    assert.equal(u32(bytes, 18), 5, 'compressed size');
    assert.equal(u32(bytes, 22), 5, 'uncompressed size');
    assert.equal(u16(bytes, 26), 5, 'name length');
    assert.equal(u16(bytes, 28), 9, 'extra length: one extended timestamp');
    assert.equal(text(bytes, 30, 5), 'a.txt');
    // Extended timestamp (Info-ZIP 0x5455): id, size 5, flags 1 (mtime), u32 seconds.
    assert.equal(u16(bytes, 35), 0x5455);
    assert.equal(u16(bytes, 37), 5);
    assert.equal(bytes[39], 1);
    assert.equal(u32(bytes, 40), unixTime);
    assert.equal(text(bytes, 44, 5), 'hello');

    // Central directory header (4.3.12).
    const c = 49;
    assert.equal(u32(bytes, c), 0x02014b50, 'central signature');
    assert.equal(u16(bytes, c + 4), (3 << 8) | 10, 'version made by: Unix, 1.0');
    assert.equal(u16(bytes, c + 6), 10, 'version needed');
    assert.equal(u16(bytes, c + 8), 0, 'flags');
    assert.equal(u16(bytes, c + 10), 0, 'method');
    assert.equal(u16(bytes, c + 12), dosTime);
    assert.equal(u16(bytes, c + 14), dosDate);
    assert.equal(u32(bytes, c + 16), crc);
    assert.equal(u32(bytes, c + 20), 5);
    assert.equal(u32(bytes, c + 24), 5);
    assert.equal(u16(bytes, c + 28), 5, 'name length');
    assert.equal(u16(bytes, c + 30), 9, 'extra length');
    assert.equal(u16(bytes, c + 32), 0, 'comment length');
    assert.equal(u16(bytes, c + 34), 0, 'disk number start');
    assert.equal(u16(bytes, c + 36), 0, 'internal attributes');
    assert.equal(u32(bytes, c + 38), (0o100640 * 0x10000) >>> 0, 'external: S_IFREG | 0640 << 16');
    assert.equal(u32(bytes, c + 42), 0, 'local header offset');
    assert.equal(text(bytes, c + 46, 5), 'a.txt');
    assert.equal(u16(bytes, c + 51), 0x5455);
    assert.equal(u32(bytes, c + 56), unixTime);

    // End of central directory (4.3.16).
    const e = c + 60;
    assert.equal(u32(bytes, e), 0x06054b50, 'EOCD signature');
    assert.equal(u16(bytes, e + 4), 0, 'this disk');
    assert.equal(u16(bytes, e + 6), 0, 'disk with the CD');
    assert.equal(u16(bytes, e + 8), 1, 'entries on this disk');
    assert.equal(u16(bytes, e + 10), 1, 'entries');
    assert.equal(u32(bytes, e + 12), 60, 'CD size');
    assert.equal(u32(bytes, e + 16), 49, 'CD offset');
    assert.equal(u16(bytes, e + 20), 1, 'comment length');
    assert.equal(text(bytes, e + 22, 1), 'c');
    assert.equal(bytes.length, e + 23);

    await assertToolsAccept(t, await save(bytes), [{ name: 'a.txt', data: enc.encode('hello') }]);
  });

  it('streams get flag bit 3, zero local fields and a signed 16-byte descriptor', async (t) => {
    const data = enc.encode('streamed content, streamed content');
    let written: WrittenEntry | undefined;
    const bytes = await build(async (w) => {
      written = await w.add('s.txt', chunked(data, 7));
    });
    assert.equal(u16(bytes, 4), 20, 'version needed 2.0 for deflate');
    assert.equal(u16(bytes, 6), 0x0008, 'flags: bit 3');
    assert.equal(u16(bytes, 8), 8, 'deflate');
    assert.equal(u32(bytes, 14), 0, 'crc deferred');
    assert.equal(u32(bytes, 18), 0, 'compressed size deferred');
    assert.equal(u32(bytes, 22), 0, 'uncompressed size deferred');
    assert.equal(u16(bytes, 28), 9, 'no ZIP64 extra without a large size hint');
    const w = written!;
    const d = w.dataOffset + w.compressedSize;
    assert.equal(u32(bytes, d), 0x08074b50, 'descriptor signature');
    assert.equal(u32(bytes, d + 4), zlibCrc32(data));
    assert.equal(u32(bytes, d + 8), w.compressedSize);
    assert.equal(u32(bytes, d + 12), data.length);
    assert.equal(u32(bytes, d + 16), 0x02014b50, 'central directory right after the descriptor');
    assert.equal(u16(bytes, d + 16 + 8), 0x0008, 'central flags keep bit 3');
    assert.equal(u32(bytes, d + 16 + 16), zlibCrc32(data), 'central crc');
    assert.equal(u32(bytes, d + 16 + 20), w.compressedSize);
    assert.equal(u32(bytes, d + 16 + 24), data.length);
    await assertToolsAccept(t, await save(bytes), [{ name: 's.txt', data }]);
  });

  it("zip64: 'always' gives every file ZIP64 sizes and writes the ZIP64 end records", async (t) => {
    const a = seededBytes(1, 3000);
    const sink = new HeaderSink();
    const mem = bufferSink();
    const w = new ZipWriter(tee(sink, mem), { mtime: MTIME, zip64: 'always' });
    await w.add('a.bin', a, { method: 0 });
    await w.add('b.bin', chunked(a, 1000));
    await w.addDirectory('d');
    const done = await w.finish();
    assert.deepEqual(sink.problems(), []);
    assert.equal(done.zip64, true);

    const [la, lb, ld] = sink.locals;
    assert.equal(la.versionNeeded, 45);
    assert.equal(la.compressedSize, 0xffffffff);
    assert.equal(la.uncompressedSize, 0xffffffff);
    assert.deepEqual(la.zip64Values, [3000, 3000], 'local ZIP64 extra: uncompressed, compressed');
    assert.equal(lb.flags & 8, 8);
    assert.deepEqual(lb.zip64Values, [0, 0], 'streamed: zeros until the descriptor');
    assert.equal(lb.descriptor?.zip64, true, 'descriptor with 8-byte sizes');
    assert.equal(ld.zip64Values, undefined, 'directories have no data to be 64-bit about');

    const [ca, cb, cd] = sink.centrals;
    for (const c of [ca, cb]) {
      assert.equal(c.versionNeeded, 45);
      assert.equal(c.versionMadeBy, (3 << 8) | 45);
      assert.equal(c.compressedSize, 0xffffffff);
      assert.equal(c.uncompressedSize, 0xffffffff);
      assert.equal(c.zip64Values?.length, 2, 'sizes only: the offset fits');
    }
    assert.equal(cd.zip64Values, undefined);
    assert.equal(cd.versionNeeded, 20);

    const z = sink.zip64Eocd!;
    assert.ok(z, 'ZIP64 end record');
    assert.equal(z.recordSize, 44);
    assert.equal(z.versionNeeded, 45);
    assert.equal(z.entriesTotal, 3);
    assert.equal(sink.locator?.zip64EocdOffset, z.offset);
    assert.equal(sink.locator?.totalDisks, 1);
    const e = sink.eocd!;
    assert.equal(e.entriesTotal, 3, 'EOCD keeps the values that fit');
    assert.equal(e.cdSize, z.cdSize);
    assert.equal(e.cdOffset, z.cdOffset);

    const { zip, files } = await readBack(mem.bytes());
    assert.equal(zip.zip64, true);
    assert.deepEqual(files.get('a.bin'), a);
    assert.deepEqual(files.get('b.bin'), a);
    await assertToolsAccept(t, await save(mem.bytes()), [
      { name: 'a.bin', data: a },
      { name: 'b.bin', data: a },
      { name: 'd/' },
    ]);
  });
});

describe('ZipWriter round trips', () => {
  it('store, deflate, empty files, directories and streams read back through our reader', async (t) => {
    const small = enc.encode('small text, small text, small text');
    const random = seededBytes(7, 200_000);
    const text = 'line of text\n'.repeat(5000);
    const written: WrittenEntry[] = [];
    const bytes = await build(async (w) => {
      written.push(await w.add('stored.txt', small, { method: 0 }));
      written.push(await w.add('deflated.txt', text));
      written.push(await w.add('random.bin', random, { level: 9 }));
      written.push(await w.add('empty-stored', new Uint8Array(0), { method: 0 }));
      written.push(await w.add('empty-deflated', ''));
      written.push(await w.addDirectory('dir'));
      written.push(await w.addDirectory('dir/sub/'));
      written.push(await w.add('dir/sub/stream.bin', chunked(random, 65536)));
      written.push(await w.add('dir/stored-stream.bin', chunked(random, 1000), { method: 0 }));
      written.push(await w.add('empty-stream', chunked(new Uint8Array(0), 1)));
    });
    const { zip, files } = await readBack(bytes);
    assert.deepEqual(
      zip.entries.map((e) => e.name),
      written.map((e) => e.name),
    );
    assert.deepEqual(files.get('stored.txt'), small);
    assert.equal(Buffer.from(files.get('deflated.txt')!).toString(), text);
    assert.deepEqual(files.get('random.bin'), random);
    assert.equal(files.get('empty-stored')!.length, 0);
    assert.equal(files.get('empty-deflated')!.length, 0);
    assert.deepEqual(files.get('dir/sub/stream.bin'), random);
    assert.deepEqual(files.get('dir/stored-stream.bin'), random);
    assert.equal(files.get('empty-stream')!.length, 0);

    for (const [i, e] of zip.entries.entries()) {
      const w = written[i];
      assert.equal(e.localHeaderOffset, w.offset, `${e.name} offset`);
      assert.equal(await payloadOffset(zip, e), w.dataOffset, `${e.name} data offset`);
      assert.equal(e.compressedSize, w.compressedSize);
      assert.equal(e.uncompressedSize, w.uncompressedSize);
      assert.equal(e.crc32, w.crc32);
      assert.equal(e.method, w.method);
      assert.equal(e.isDirectory, w.isDirectory);
      assert.equal(e.mtime.getTime(), MTIME.getTime(), 'mtime from the extended timestamp');
      assert.equal(e.zip64, false);
    }
    const byName = new Map(zip.entries.map((e) => [e.name, e]));
    assert.equal(byName.get('stored.txt')!.method, 0);
    assert.equal(byName.get('stored.txt')!.versionNeeded, 10);
    assert.equal(byName.get('deflated.txt')!.method, 8);
    assert.equal(byName.get('deflated.txt')!.versionNeeded, 20);
    assert.ok(byName.get('deflated.txt')!.compressedSize < text.length / 20);
    assert.equal(byName.get('dir/')!.unixMode, 0o040755);
    assert.equal(byName.get('dir/')!.versionNeeded, 20);
    assert.equal(byName.get('dir/')!.externalAttributes & 0x10, 0x10, 'MS-DOS directory bit');
    assert.equal(byName.get('stored.txt')!.unixMode, 0o100644);
    assert.equal(byName.get('dir/sub/stream.bin')!.flags & 8, 8);
    assert.equal(byName.get('random.bin')!.flags & 8, 0);

    await assertToolsAccept(
      t,
      await save(bytes),
      written.map((w) => ({ name: w.name, data: w.isDirectory ? undefined : files.get(w.name) })),
    );
  });

  it('sets bit 11 for non-ASCII names and comments, and keeps comments', async (t) => {
    const bytes = await build(
      async (w) => {
        await w.add('ascii.txt', 'a');
        await w.add('café/日本語.txt', 'b');
        await w.add('plain-name.txt', 'c', { comment: 'commentaire: déjà vu' });
        await w.add('ascii-comment.txt', 'd', { comment: 'just ascii' });
        await w.addDirectory('répertoire');
      },
      { comment: 'archive comment – ünïcode' },
    );
    const { zip } = await readBack(bytes);
    const flags = new Map(zip.entries.map((e) => [e.name, e.flags & 0x800]));
    assert.equal(flags.get('ascii.txt'), 0);
    assert.equal(flags.get('café/日本語.txt'), 0x800);
    assert.equal(flags.get('plain-name.txt'), 0x800, 'non-ASCII comment alone sets bit 11');
    assert.equal(flags.get('ascii-comment.txt'), 0);
    assert.equal(flags.get('répertoire/'), 0x800);
    assert.equal(zip.entries[1].nameEncoding, 'utf8');
    assert.equal(zip.entries[2].comment, 'commentaire: déjà vu');
    assert.equal(zip.entries[3].comment, 'just ascii');
    assert.equal(zip.comment, 'archive comment – ünïcode');
    // The local header carries the same flag as the central one.
    const local = zip.entries[1].localHeaderOffset;
    assert.equal(u16(bytes, local + 6) & 0x800, 0x800);

    const path = await save(bytes);
    await assertToolsAccept(t, path, [
      { name: 'ascii.txt', data: enc.encode('a') },
      { name: 'café/日本語.txt', data: enc.encode('b') },
      { name: 'plain-name.txt', data: enc.encode('c') },
      { name: 'ascii-comment.txt', data: enc.encode('d') },
      { name: 'répertoire/' },
    ]);
  });

  it('a fixed mtime gives byte-identical output', async () => {
    const random = seededBytes(3, 50_000);
    const make = () =>
      build(async (w) => {
        await w.add('a.bin', random);
        await w.add('b.bin', chunked(random, 4096));
        await w.add('c.bin', chunked(random, 4096), { method: 0 });
        await w.addDirectory('d');
        await w.add('d/e.txt', 'e', { mtime: new Date(Date.UTC(2001, 1, 2, 3, 4, 5)) });
      });
    const one = await make();
    const two = await make();
    assert.ok(Buffer.from(one).equals(two));
  });

  it('per-entry mtime and mode: DOS fields, extended timestamp and Unix mode', async (t) => {
    const when = new Date(Date.UTC(2010, 11, 31, 23, 59, 58));
    const bytes = await build(async (w) => {
      await w.add('x.sh', '#!/bin/sh\n', { mode: 0o755, mtime: when });
      await w.add('ro.txt', 'r', { mode: 0o444 });
      await w.addDirectory('private', { mode: 0o700 });
      await w.add('typed.txt', 't', { mode: 0o100600 });
    });
    const { zip } = await readBack(bytes);
    const [x, ro, priv, typed] = zip.entries;
    assert.equal(x.unixMode, 0o100755);
    assert.equal(x.mtime.getTime(), when.getTime());
    assert.equal(x.dosDate, ((2010 - 1980) << 9) | (12 << 5) | 31);
    assert.equal(x.dosTime, (23 << 11) | (59 << 5) | 29);
    assert.equal(ro.unixMode, 0o100444);
    assert.equal(ro.externalAttributes & 1, 1, 'MS-DOS read-only bit without owner write');
    assert.equal(priv.unixMode, 0o040700);
    assert.equal(typed.unixMode, 0o100600, 'type bits in `mode` are replaced by the entry kind');
    assert.equal(x.versionMadeBy >> 8, 3, 'made on Unix');

    const path = await save(bytes);
    await assertToolsAccept(t, path, await expectedFrom(zip));
    if (!requireTools(t, 'python3')) return;
    const py = await pythonRead(path);
    assert.equal(py.entries['x.sh'].mode, 0o100755);
    assert.deepEqual(py.entries['x.sh'].dateTime, [2010, 12, 31, 23, 59, 58]);
    assert.equal(py.entries['private/'].mode, 0o040700);
  });

  it('bytes, strings, async iterables, ReadableStreams, Blobs and Node streams give the same members', async (t) => {
    const data = seededBytes(11, 100_000);
    const str = 'ünïcödé text\n'.repeat(1000);
    const written: WrittenEntry[] = [];
    const bytes = await build(async (w) => {
      written.push(await w.add('bytes', data));
      written.push(await w.add('iterable', chunked(data, 3333)));
      written.push(await w.add('web-stream', webStream(data, 5000)));
      written.push(
        await w.add('blob', new Blob([data.subarray(0, 50_000), data.subarray(50_000)])),
      );
      written.push(await w.add('node-stream', Readable.from(chunked(data, 2048))));
      written.push(await w.add('hinted', chunked(data, 10_000), { size: data.length }));
      written.push(await w.add('string', str));
      written.push(await w.add('string-stored', str, { method: 0 }));
    });
    const { files } = await readBack(bytes);
    for (const name of ['bytes', 'iterable', 'web-stream', 'blob', 'node-stream', 'hinted']) {
      assert.deepEqual(files.get(name), data, name);
    }
    assert.equal(Buffer.from(files.get('string')!).toString('utf8'), str);
    assert.equal(Buffer.from(files.get('string-stored')!).toString('utf8'), str);
    assert.deepEqual(
      written.map((w) => w.dataDescriptor),
      [false, true, true, true, true, true, false, false],
    );
    for (const w of written.slice(0, 6)) assert.equal(w.crc32, zlibCrc32(data));
    await assertToolsAccept(
      t,
      await save(bytes),
      written.map((w) => ({ name: w.name, data: files.get(w.name) })),
    );
  });

  it('addRaw copies precompressed data verbatim with sizes in the local header', async (t) => {
    const content = enc.encode('raw member content '.repeat(200));
    const source = await readBack(await build((w) => w.add('src.txt', content)));
    const entry = source.zip.entries[0];
    const rawChunks: Uint8Array[] = [];
    for await (const c of openEntryRaw(source.zip, entry)) rawChunks.push(c);
    const raw = Buffer.concat(rawChunks);
    const info = {
      method: entry.method,
      crc32: entry.crc32,
      compressedSize: entry.compressedSize,
      uncompressedSize: entry.uncompressedSize,
    };
    const sink = new HeaderSink();
    const mem = bufferSink();
    const w = new ZipWriter(tee(sink, mem), { mtime: MTIME });
    const a = await w.addRaw('copy-bytes.txt', new Uint8Array(raw), info);
    const b = await w.addRaw('copy-stream.txt', chunked(raw, 100), { ...info, mode: 0o600 });
    const s = await w.addRaw('stored.txt', content, {
      method: 0,
      crc32: zlibCrc32(content),
      compressedSize: content.length,
      uncompressedSize: content.length,
    });
    await w.finish();
    assert.deepEqual(sink.problems(), []);
    for (const l of sink.locals) {
      assert.equal(l.flags & 8, 0, `${l.name}: no descriptor`);
      assert.equal(l.descriptor, undefined);
    }
    assert.equal(sink.locals[1].crc32, entry.crc32, 'CRC in the local header');
    assert.equal(sink.locals[1].compressedSize, entry.compressedSize);
    assert.equal(a.compressedSize, raw.length);
    assert.equal(b.dataDescriptor, false);
    assert.equal(s.method, 0);
    const { files } = await readBack(mem.bytes());
    for (const name of ['copy-bytes.txt', 'copy-stream.txt', 'stored.txt']) {
      assert.deepEqual(files.get(name), content, name);
    }
    await assertToolsAccept(t, await save(mem.bytes()), [
      { name: 'copy-bytes.txt', data: content },
      { name: 'copy-stream.txt', data: content },
      { name: 'stored.txt', data: content },
    ]);
  });

  it('reports progress and the offset', async () => {
    const seen: { entries: number; bytesIn: number; bytesOut: number }[] = [];
    const sink = bufferSink();
    const w = new ZipWriter(sink, { mtime: MTIME, onProgress: (p) => seen.push({ ...p }) });
    assert.equal(w.offset, 0);
    await w.add('a', seededBytes(1, 1000));
    const afterA = w.offset;
    assert.ok(afterA > 0);
    await w.add('b', chunked(seededBytes(2, 300_000), 65536), { method: 0 });
    await w.addDirectory('c');
    const done = await w.finish();
    assert.equal(done.size, sink.bytes().length);
    assert.equal(w.offset, done.size);
    assert.equal(done.entries, 3);
    assert.equal(done.zip64, false);
    for (let i = 1; i < seen.length; i++) {
      assert.ok(seen[i].bytesOut >= seen[i - 1].bytesOut, 'bytesOut never goes back');
      assert.ok(seen[i].bytesIn >= seen[i - 1].bytesIn);
      assert.ok(seen[i].entries >= seen[i - 1].entries);
    }
    assert.ok(seen.length > 5, 'progress while the stream is written');
    const last = seen[seen.length - 1];
    assert.deepEqual(last, { entries: 3, bytesIn: 301_000, bytesOut: done.size });
    assert.ok(seen.some((p) => p.entries === 1 && p.bytesOut === afterA));
  });

  it('1,000 entries of mixed sizes and methods', async (t) => {
    const random = rng(42);
    const expected: ExpectedEntry[] = [];
    const bytes = await build(async (w) => {
      for (let i = 0; i < 1000; i++) {
        const name = `dir-${i % 17}/file-${i}.bin`;
        const n = Math.floor(random() * 3000);
        // Half random, half repetitive, so both methods see real work.
        const data =
          i % 2 ? seededBytes(i, n) : enc.encode(`entry ${i} `.repeat(n / 8 + 1)).subarray(0, n);
        const method = i % 3 === 0 ? 0 : 8;
        if (i % 10 === 0) await w.add(name, chunked(data, 512), { method });
        else await w.add(name, data, { method });
        expected.push({ name, data });
      }
    });
    const { zip, files } = await readBack(bytes);
    assert.equal(zip.entries.length, 1000);
    assert.equal(zip.zip64, false);
    for (const e of expected) assert.deepEqual(files.get(e.name), e.data, e.name);
    await assertToolsAccept(t, await save(bytes), expected);
  });
});

/** What our reader found, as the tools should find it too. */
async function expectedFrom(zip: ZipArchive): Promise<ExpectedEntry[]> {
  const out: ExpectedEntry[] = [];
  for (const e of zip.entries) {
    out.push({ name: e.name, data: e.isDirectory ? undefined : await readEntry(zip, e) });
  }
  return out;
}

describe('ZipWriter errors', () => {
  /** A writer over a HeaderSink, to see whether the sink was aborted. */
  function writer(options: ZipWriterOptions = {}) {
    const sink = new HeaderSink();
    return { sink, w: new ZipWriter(sink, { mtime: MTIME, ...options }) };
  }

  it('rejects a duplicate name and aborts the sink', async () => {
    const { sink, w } = writer();
    await w.add('a.txt', 'one');
    await rejectsWith(w.add('a.txt', 'two'), 'DUPLICATE_NAME');
    assert.equal(sink.aborted, true);
    await rejectsWith(w.add('b.txt', 'three'), 'WRITER_STATE');
    await rejectsWith(w.finish(), 'WRITER_STATE');
  });

  it('a directory name is a duplicate with or without its slash', async () => {
    const { w } = writer();
    await w.addDirectory('d');
    await rejectsWith(w.addDirectory('d/'), 'DUPLICATE_NAME');
  });

  for (const name of ['../evil', 'a/../../b', '/etc/passwd', 'C:/x', 'a\\b', 'nul\u0000byte', '']) {
    it(`rejects the unsafe name ${JSON.stringify(name)}`, async () => {
      const { sink, w } = writer();
      await rejectsWith(w.add(name, 'x'), 'INVALID_NAME');
      assert.equal(sink.aborted, true);
    });
  }

  it('allowUnsafeNames lets them through (but never an empty name)', async () => {
    const sink = bufferSink();
    const w = new ZipWriter(sink, { mtime: MTIME, allowUnsafeNames: true });
    await w.add('../up.txt', 'x');
    await w.add('/abs.txt', 'y');
    await rejectsWith(w.add('', 'z'), 'INVALID_NAME');
    const other = new ZipWriter(bufferSink(), { allowUnsafeNames: true });
    await other.add('../up.txt', 'x');
    await other.finish();
  });

  it('a file name ending in / must go through addDirectory', async () => {
    const { w } = writer();
    await rejectsWith(w.add('dir/', 'x'), 'INVALID_NAME');
  });

  it('a second add while one is in progress fails with WRITER_STATE', async () => {
    const { sink, w } = writer();
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    async function* slow() {
      yield enc.encode('first part');
      await gate;
      yield enc.encode('second part');
    }
    const first = w.add('slow.txt', slow());
    await rejectsWith(w.add('other.txt', 'x'), 'WRITER_STATE');
    await rejectsWith(w.addDirectory('d'), 'WRITER_STATE');
    release();
    await rejectsWith(first, 'ABORTED');
    assert.equal(sink.aborted, true);
  });

  it('a stream longer or shorter than its size hint fails with SIZE_MISMATCH', async () => {
    const data = seededBytes(5, 10_000);
    for (const method of [0, 8] as const) {
      for (const size of [9_999, 10_001, 0]) {
        const { sink, w } = writer();
        await rejectsWith(w.add('x.bin', chunked(data, 1000), { size, method }), 'SIZE_MISMATCH');
        assert.equal(sink.aborted, true, `method ${method}, size ${size}`);
      }
    }
    const { w } = writer();
    await rejectsWith(w.add('x.bin', data, { size: 10 }), 'SIZE_MISMATCH');
  });

  it('addRaw checks the compressed size, and the CRC of stored data', async () => {
    const info = { method: 8, crc32: 1, compressedSize: 10, uncompressedSize: 100 };
    const a = writer();
    await rejectsWith(a.w.addRaw('x', new Uint8Array(9), info), 'SIZE_MISMATCH');
    const b = writer();
    await rejectsWith(b.w.addRaw('x', chunked(new Uint8Array(11), 4), info), 'SIZE_MISMATCH');
    const c = writer();
    await rejectsWith(c.w.addRaw('x', chunked(new Uint8Array(9), 4), info), 'SIZE_MISMATCH');
    const d = writer();
    await rejectsWith(
      d.w.addRaw('x', new Uint8Array(5), { ...info, method: 0, compressedSize: 5 }),
      'INVALID_ARGUMENT',
    );
    // Stored bytes are the content, so their CRC is checked too.
    const stored = { method: 0, crc32: 1, compressedSize: 5, uncompressedSize: 5 };
    const e = writer();
    await rejectsWith(e.w.addRaw('x', new Uint8Array(5), stored), 'CRC_MISMATCH');
    assert.equal(e.sink.aborted, true);
    const f = writer();
    await rejectsWith(f.w.addRaw('x', chunked(new Uint8Array(5), 2), stored), 'CRC_MISMATCH');
  });

  it('an error from the input stream is passed on and aborts the sink', async () => {
    const { sink, w } = writer();
    const boom = new Error('source failed');
    async function* failing() {
      yield enc.encode('some bytes');
      throw boom;
    }
    await assert.rejects(w.add('x', failing(), { method: 0 }), (err) => err === boom);
    assert.equal(sink.aborted, true);
    assert.equal(sink.abortReason, boom);
    const other = writer();
    await assert.rejects(other.w.add('x', failing()), (err) => err === boom);
    assert.equal(other.sink.aborted, true);
  });

  it('rejects bad options', async () => {
    assert.throws(() => new ZipWriter(bufferSink(), { comment: 'x'.repeat(65536) }), /65,535/);
    assert.throws(() => new ZipWriter(bufferSink(), { comment: 'PK\u0005\u0006' }), /EOCD/);
    assert.throws(() => new ZipWriter(bufferSink(), { mtime: new Date(Number.NaN) }), /Date/);
    await rejectsWith(writer().w.add('x', 'x', { method: 12 as 8 }), 'UNSUPPORTED_METHOD');
    await rejectsWith(writer().w.add('x', 'x', { level: 10 }), 'INVALID_ARGUMENT');
    await rejectsWith(writer().w.add('x', 'x', { size: -1 }), 'INVALID_ARGUMENT');
    await rejectsWith(writer().w.add('x', 'x', { comment: 'c'.repeat(70000) }), 'INVALID_ARGUMENT');
    await rejectsWith(writer().w.add('x', 42 as unknown as string), 'INVALID_ARGUMENT');
    await rejectsWith(writer().w.add('x', Readable.from(['text'])), 'INVALID_ARGUMENT');
  });

  it('after finish: calls fail, the finished sink is left alone', async () => {
    const { sink, w } = writer();
    await w.add('a', 'a');
    await w.finish();
    await rejectsWith(w.add('b', 'b'), 'WRITER_STATE');
    await rejectsWith(w.finish(), 'WRITER_STATE');
    await w.abort();
    assert.equal(sink.aborted, false);
    assert.equal(sink.closed, true);
  });

  it('abort() aborts the sink, fails an add in flight and every later call', async () => {
    const { sink, w } = writer();
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    async function* slow() {
      yield enc.encode('part');
      await gate;
      yield enc.encode('more');
    }
    const inFlight = w.add('slow', slow());
    await new Promise((r) => setImmediate(r));
    await w.abort(new Error('user cancelled'));
    assert.equal(sink.aborted, true);
    release();
    await rejectsWith(inFlight, 'ABORTED');
    await rejectsWith(w.add('x', 'x'), 'WRITER_STATE');
    await w.abort();
  });

  it('a failing sink write fails the add and aborts', async () => {
    let aborted = false;
    const sink: Sink = {
      async write() {
        throw new Error('disk full');
      },
      async close() {},
      async abort() {
        aborted = true;
      },
    };
    const w = new ZipWriter(sink);
    await assert.rejects(w.add('a', 'a'), /disk full/);
    assert.equal(aborted, true);
  });
});
