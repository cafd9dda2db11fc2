// The SOZip writer: which members become SOZip, the hidden index right after
// the data, interop (unzip, python, 7z read the archives and never see the
// indexes), our deep validator, threads, streams, sinks, ZIP64, options.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { crc32, inflateRawSync } from 'node:zlib';
import type { CozipError } from '../../src/errors.js';
import { bytesSource } from '../../src/io/bytes-source.js';
import { compressJob } from '../../src/sozip/chunk-deflate.js';
import { CompressPool, sharedPool } from '../../src/sozip/compress-pool.js';
import { detectSozip } from '../../src/sozip/detect.js';
import { openSozipMember, readRange } from '../../src/sozip/random-access.js';
import { validateSozip } from '../../src/sozip/validate.js';
import {
  createSozipWriter,
  type SozipEntryOptions,
  SozipWriter,
  type SozipWriterOptions,
  type SozipWrittenEntry,
} from '../../src/sozip/writer.js';
import { EXTRA_UNICODE_PATH, EXTRA_ZIP64 } from '../../src/zip/constants.js';
import { readLocalRecord } from '../../src/zip/entry-data.js';
import {
  encodeUnicodePath,
  findExtra,
  parseExtraFields,
  readUnicodePath,
} from '../../src/zip/extra-fields.js';
import { decodeLocalHeader } from '../../src/zip/local-header.js';
import { openZip } from '../../src/zip/reader.js';
import { bufferSink, writableStreamSink } from '../../src/zip/sink.js';
import type { ZipInput } from '../../src/zip/writer.js';
import { seededBytes } from '../helpers/random.js';
import { SparseSink } from '../helpers/sparse-sink.js';
import {
  assertToolsAccept,
  requireTools,
  sevenZipCounts,
  sevenZipTest,
  unzipList,
} from '../helpers/tools.js';
import { MTIME, openBytes, saveTo, tempDir, textContent } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
before(async () => {
  ({ dir, done: cleanup } = await tempDir('cozip-sozip-writer-'));
});
after(async () => cleanup());

interface Item {
  name: string;
  data?: ZipInput;
  options?: SozipEntryOptions;
}

async function write(
  items: Item[],
  options: SozipWriterOptions = {},
): Promise<{ bytes: Uint8Array; written: SozipWrittenEntry[] }> {
  const sink = bufferSink();
  const w = new SozipWriter(sink, { mtime: MTIME, threads: 1, ...options });
  const written: SozipWrittenEntry[] = [];
  for (const it of items) {
    written.push(
      it.data === undefined
        ? await w.addDirectory(it.name)
        : await w.add(it.name, it.data, it.options),
    );
  }
  await w.finish();
  return { bytes: sink.bytes(), written };
}

async function* pieces(data: Uint8Array, size = 50_000): AsyncIterable<Uint8Array> {
  for (let o = 0; o < data.length; o += size) yield data.subarray(o, o + size);
}

const K32 = 32 * 1024;

describe('SozipWriter: which members become SOZip', () => {
  const big = textContent(1, 100_000);
  const exact = textContent(2, 2 * K32);
  const small = textContent(3, 1000);
  const oneChunk = textContent(4, K32);
  const stored = seededBytes(5, 100_000);
  const nested = textContent(6, 70_000);
  const items: Item[] = [
    { name: 'big.txt', data: big },
    { name: 'exact.txt', data: exact },
    { name: 'small.txt', data: small },
    { name: 'one-chunk.txt', data: oneChunk },
    { name: 'stored.bin', data: stored, options: { method: 0 } },
    { name: 'dir', data: undefined },
    { name: 'dir/sub/nested.txt', data: nested },
  ];

  it('larger than the chunk size and deflated: SOZip; the rest: ordinary members', async () => {
    const { bytes, written } = await write(items);
    const sozip = written.filter((w) => w.sozip).map((w) => w.name);
    assert.deepEqual(sozip, ['big.txt', 'exact.txt', 'dir/sub/nested.txt']);
    const byName = new Map(written.map((w) => [w.name, w]));
    assert.equal(byName.get('big.txt')!.chunks, 4);
    assert.equal(byName.get('exact.txt')!.chunks, 2);
    assert.equal(byName.get('one-chunk.txt')!.method, 8);
    assert.equal(byName.get('stored.bin')!.method, 0);
    assert.equal(byName.get('dir/sub/nested.txt')!.index?.name, 'dir/sub/.nested.txt.sozip.idx');
    // The index is right after the member's data: no descriptor, no gap.
    for (const w of written.filter((x) => x.sozip)) {
      assert.equal(w.dataDescriptor, false);
      assert.equal(w.index!.offset, w.dataOffset + w.compressedSize, w.name);
    }
    // Our validator, deep: every chunk decodes on its own, the CRC-32 matches.
    const v = await validateSozip(bytesSource(bytes), { deep: true });
    assert.equal(v.ok, true, JSON.stringify(v.problems));
    assert.equal(v.sozipMembers, 3);
    assert.deepEqual(
      v.members.filter((m) => m.sozip).map((m) => [m.name, m.chunkSize, m.verifiedChunks]),
      [
        ['big.txt', K32, 4],
        ['exact.txt', K32, 2],
        ['dir/sub/nested.txt', K32, 3],
      ],
    );
    // The Deflate stream is one valid stream for everyone else.
    const zip = await openBytes(bytes);
    const e = zip.entries.find((x) => x.name === 'big.txt')!;
    const { payloadOffset } = await readLocalRecord(zip, e);
    const inflated = inflateRawSync(
      bytes.subarray(payloadOffset, payloadOffset + e.compressedSize),
    );
    assert.ok(inflated.equals(big));
  });

  it('minSize: members up to it stay ordinary Deflate, as bytes, known-size and unknown-size streams', async () => {
    async function* stream(b: Uint8Array) {
      yield b.subarray(0, 5000);
      yield b.subarray(5000);
    }
    const minSize = 2 * K32 + 1; // exact.txt (2 chunks) is within it, big.txt is not
    const { bytes, written } = await write(
      [
        { name: 'big.txt', data: big },
        { name: 'exact.txt', data: exact },
        { name: 'exact-sized.txt', data: stream(exact), options: { size: exact.length } },
        { name: 'exact-stream.txt', data: stream(exact) },
        { name: 'big-stream.txt', data: stream(big) },
      ],
      { minSize },
    );
    assert.deepEqual(
      written.map((w) => [w.name, w.sozip]),
      [
        ['big.txt', true],
        ['exact.txt', false],
        ['exact-sized.txt', false],
        ['exact-stream.txt', false],
        ['big-stream.txt', true],
      ],
    );
    const v = await validateSozip(bytesSource(bytes), { deep: true });
    assert.equal(v.ok, true, JSON.stringify(v.problems));
    assert.throws(() => new SozipWriter(bufferSink(), { minSize: -1 }), /minSize/);
  });

  it('passes unzip -t, python -m zipfile -t and 7z t; they extract the same bytes and never see an index', async (t) => {
    const { bytes } = await write(items);
    const path = await saveTo(dir, 'kinds.zip', bytes);
    await assertToolsAccept(t, path, [
      { name: 'big.txt', data: big },
      { name: 'exact.txt', data: exact },
      { name: 'small.txt', data: small },
      { name: 'one-chunk.txt', data: oneChunk },
      { name: 'stored.bin', data: stored },
      { name: 'dir/' },
      { name: 'dir/sub/nested.txt', data: nested },
    ]);
    if (!requireTools(t, 'unzip', '7z')) return;
    const listed = await unzipList(path);
    assert.ok(listed.ok, listed.output);
    assert.ok(!listed.names.some((n) => n.includes('sozip.idx')), listed.names.join(', '));
    const seven = await sevenZipTest(path);
    assert.deepEqual(sevenZipCounts(seven.output), { files: 6, folders: 1 });
    assert.ok(!seven.output.includes('sozip.idx'));
  });
});

describe('SozipWriter: chunk sizes', () => {
  const cases: Array<[string, number, number]> = [
    ['4096', 4096, 300_000 + 17],
    ['32 KiB', K32, 600_000 + 5],
    ['1 MiB', 1 << 20, 3 * (1 << 20) + 4321],
    ['exact multiple (8 x 32 KiB)', K32, 8 * K32],
    ['exact multiple (3 x 1 MiB)', 1 << 20, 3 * (1 << 20)],
  ];
  for (const [label, chunkSize, size] of cases) {
    it(`${label}: ${size} bytes`, async (t) => {
      const data = textContent(size, size);
      const { bytes, written } = await write([{ name: 'data.txt', data }], { chunkSize });
      assert.equal(written[0].chunks, Math.ceil(size / chunkSize));
      const zip = await openBytes(bytes);
      const d = await detectSozip(zip, zip.entries[0]);
      assert.equal(d.index?.chunkSize, chunkSize);
      assert.equal(d.index?.table.count, Math.floor((size - 1) / chunkSize));
      const v = await validateSozip(zip, { deep: true });
      assert.equal(v.ok, true, JSON.stringify(v.problems));
      const path = await saveTo(dir, `chunks-${chunkSize}-${size}.zip`, bytes);
      await assertToolsAccept(t, path, [{ name: 'data.txt', data }]);
    });
  }
});

describe('SozipWriter: inputs, sinks and threads', () => {
  const data = textContent(11, 3 * (1 << 20) + 999);

  it('threads and window do not change a byte: bytes and streams, 1 thread vs 2', async () => {
    const outputs: string[] = [];
    for (const [threads, window] of [
      [1, undefined],
      [2, undefined],
      [2, 1],
    ] as const) {
      const { bytes } = await write(
        [
          { name: 'bytes.txt', data },
          { name: 'stream.txt', data: pieces(data, 77_777), options: { size: data.length } },
        ],
        { threads, window },
      );
      outputs.push(Buffer.from(bytes).toString('base64'));
    }
    assert.equal(outputs[1], outputs[0]);
    assert.equal(outputs[2], outputs[0]);
  });

  it('a path output with overwrite: false refuses an existing file and leaves it', async () => {
    const { dir, done } = await tempDir('cozip-sozip-keep-');
    try {
      const out = join(dir, 'out.zip');
      await writeFile(out, 'precious');
      await assert.rejects(createSozipWriter(out, { overwrite: false }), { code: 'FILE_EXISTS' });
      assert.equal(await readFile(out, 'utf8'), 'precious');
      assert.deepEqual(await readdir(dir), ['out.zip']);
    } finally {
      await done();
    }
  });

  it('a stream of known size gets its header patched: no descriptor, index right after', async () => {
    const { bytes, written } = await write([
      { name: 'a.txt', data: pieces(data), options: { size: data.length } },
    ]);
    assert.equal(written[0].dataDescriptor, false);
    const zip = await openBytes(bytes);
    const local = (await readLocalRecord(zip, zip.entries[0])).header;
    assert.equal(local.crc32, crc32(data));
    assert.equal(local.compressedSize, written[0].compressedSize);
    const d = await detectSozip(zip, zip.entries[0]);
    assert.equal(d.index?.afterDescriptor, false);
  });

  it('a stream of unknown size: a data descriptor, then the index (which readers find)', async (t) => {
    const { bytes, written } = await write([{ name: 'u.txt', data: pieces(data) }]);
    assert.equal(written[0].dataDescriptor, true);
    assert.equal(written[0].sozip, true);
    assert.equal(written[0].index!.offset, written[0].dataOffset + written[0].compressedSize + 16);
    const zip = await openBytes(bytes);
    const d = await detectSozip(zip, zip.entries[0]);
    assert.equal(d.index?.afterDescriptor, true);
    assert.equal((await validateSozip(zip, { deep: true })).ok, true);
    await assertToolsAccept(t, await saveTo(dir, 'unknown-size.zip', bytes), [
      { name: 'u.txt', data },
    ]);
  });

  it('a stream that turns out to fit one chunk becomes an ordinary member', async () => {
    const small = textContent(12, K32);
    const { written } = await write([{ name: 's.txt', data: pieces(small, 1000) }]);
    assert.equal(written[0].sozip, false);
    assert.equal(written[0].dataDescriptor, false);
  });

  it('a non-seekable sink gets a descriptor and still a valid SOZip member', async () => {
    const chunks: Uint8Array[] = [];
    const stream = new WritableStream<Uint8Array>({
      write(c) {
        chunks.push(c.slice());
      },
    });
    const w = new SozipWriter(writableStreamSink(stream), { mtime: MTIME, threads: 1 });
    const r = await w.add('n.txt', pieces(data), { size: data.length });
    await w.finish();
    assert.equal(r.dataDescriptor, true);
    const v = await validateSozip(bytesSource(Buffer.concat(chunks)), { deep: true });
    assert.equal(v.ok, true, JSON.stringify(v.problems));
    assert.equal(v.sozipMembers, 1);
  });

  it('Blobs and strings are inputs too', async () => {
    const text = new TextDecoder().decode(textContent(13, 80_000));
    const { bytes, written } = await write([
      { name: 'blob.txt', data: new Blob([data]) },
      { name: 'string.txt', data: text },
    ]);
    assert.deepEqual(
      written.map((w) => w.sozip),
      [true, true],
    );
    assert.equal((await validateSozip(bytesSource(bytes), { deep: true })).ok, true);
  });

  it('addFile streams a file with its size, mtime and mode', async () => {
    const path = await saveTo(dir, 'input.txt', data);
    const sink = bufferSink();
    const w = new SozipWriter(sink, { threads: 2 });
    const r = await w.addFile('from-file.txt', path);
    await w.finish();
    assert.equal(r.sozip, true);
    assert.equal(r.dataDescriptor, false);
    const zip = await openBytes(sink.bytes());
    const m = await openSozipMember(zip, 'from-file.txt');
    assert.ok(
      Buffer.from(await readRange(m, 1_000_000, 500_000)).equals(
        data.subarray(1_000_000, 1_500_000),
      ),
    );
  });
});

describe('SozipWriter: headers', () => {
  it('with unicodePath, the member and its index both carry the Info-ZIP Unicode Path extra', async () => {
    const name = 'données/été.txt';
    const data = textContent(21, 90_000);
    const { bytes, written } = await write([{ name, data, options: { unicodePath: true } }]);
    const indexName = 'données/.été.txt.sozip.idx';
    assert.equal(written[0].index?.name, indexName);
    const member = decodeLocalHeader(bytes, written[0].offset);
    const index = decodeLocalHeader(bytes, written[0].index!.offset);
    const memberPath = findExtra(parseExtraFields(member.extra), EXTRA_UNICODE_PATH);
    const indexPath = findExtra(parseExtraFields(index.extra), EXTRA_UNICODE_PATH);
    assert.equal(readUnicodePath(memberPath!, member.rawName), name);
    assert.equal(readUnicodePath(indexPath!, index.rawName), indexName);
    assert.equal(index.flags & 0x800, 0x800, 'UTF-8 flag, like the member');
    const zip = await openBytes(bytes);
    assert.equal(zip.entries[0].name, name);
    assert.equal((await validateSozip(zip, { deep: true })).sozipMembers, 1);
  });

  it('a Unicode Path extra given by the caller also puts one on the index', async () => {
    const name = 'ä.txt';
    const raw = new TextEncoder().encode(name);
    const { bytes, written } = await write([
      {
        name,
        data: textContent(23, 90_000),
        options: { extraFields: [encodeUnicodePath(name, raw)] },
      },
    ]);
    const member = decodeLocalHeader(bytes, written[0].offset);
    const index = decodeLocalHeader(bytes, written[0].index!.offset);
    const count = (extra: Uint8Array) =>
      parseExtraFields(extra).filter((f) => f.id === EXTRA_UNICODE_PATH).length;
    assert.equal(count(member.extra), 1, 'not doubled');
    assert.equal(count(index.extra), 1);
  });

  it('without it, neither carries one', async () => {
    const { bytes, written } = await write([{ name: 'é.txt', data: textContent(22, 90_000) }]);
    const index = decodeLocalHeader(bytes, written[0].index!.offset);
    assert.equal(index.extra.length, 0);
  });

  it('ZIP64 for a member over 4 GiB: local and central extras, index found, ends readable', async () => {
    const block = seededBytes(99, 4096);
    const piece = new Uint8Array(1 << 20);
    for (let o = 0; o < piece.length; o += block.length) piece.set(block, o);
    const total = 2 ** 32 + (1 << 20) + 77;
    async function* gen() {
      for (let n = 0; n < total; n += piece.length) {
        yield total - n >= piece.length ? piece : piece.subarray(0, total - n);
      }
    }
    const sink = new SparseSink(1 << 20, 4 << 20);
    const w = new SozipWriter(sink, { chunkSize: 1 << 20, level: 1, threads: 1, mtime: MTIME });
    const r = await w.add('big.bin', gen(), { size: total });
    await w.finish();
    assert.equal(r.zip64, true);
    assert.equal(r.sozip, true);
    const zip = await openZip(sink.source());
    const e = zip.entries[0];
    assert.equal(e.uncompressedSize, total);
    assert.ok(findExtra(e.extraFields, EXTRA_ZIP64), 'central ZIP64 extra');
    const local = (await readLocalRecord(zip, e)).header;
    assert.equal(local.compressedSize, 0xffffffff);
    assert.ok(findExtra(parseExtraFields(local.extra), EXTRA_ZIP64), 'local ZIP64 extra');
    const m = await openSozipMember(zip, e);
    assert.equal(m.index?.chunks, 4098);
    const at = total - 5000;
    const tail = await readRange(m, at, 5000);
    for (let i = 0; i < tail.length; i += 97) assert.equal(tail[i], block[(at + i) % 4096]);
    const head = await readRange(m, 4000, 200);
    assert.deepEqual(
      Array.from(head),
      Array.from(block.subarray(4000, 4096)).concat(Array.from(block.subarray(0, 104))),
    );
  });
});

describe('SozipWriter: options and lifecycle', () => {
  it('warns once below 4096, refuses chunk sizes and threads out of range', async () => {
    const warnings: CozipError[] = [];
    const { written } = await write(
      [
        { name: 'a.txt', data: textContent(31, 10_000) },
        { name: 'b.txt', data: textContent(32, 10_000) },
      ],
      { chunkSize: 2048, onWarning: (w) => warnings.push(w) },
    );
    assert.equal(warnings.length, 1);
    assert.match(warnings[0].message, /2048/);
    assert.equal(written[0].chunks, 5);
    for (const chunkSize of [0, -1, 1.5, 2 ** 32]) {
      assert.throws(() => new SozipWriter(bufferSink(), { chunkSize }), {
        code: 'INVALID_ARGUMENT',
      });
    }
    assert.throws(() => new SozipWriter(bufferSink(), { threads: 0 }), {
      code: 'INVALID_ARGUMENT',
    });
    assert.throws(() => new SozipWriter(bufferSink(), { level: 10 }), { code: 'INVALID_ARGUMENT' });
    const w = new SozipWriter(bufferSink());
    await assert.rejects(w.add('x', 'y', { chunkSize: 0 }), { code: 'INVALID_ARGUMENT' });
  });

  it('reports progress, and writes atomically: nothing at the path until finish', async () => {
    const data = textContent(41, 1 << 20);
    const path = join(dir, 'atomic.zip');
    const seen: number[] = [];
    const w = await createSozipWriter(path, {
      threads: 1,
      onProgress: (p) => seen.push(p.bytesIn),
    });
    await w.add('a.txt', pieces(data), { size: data.length });
    assert.equal(existsSync(path), false, 'still a temp file');
    const done = await w.finish();
    assert.equal(existsSync(path), true);
    assert.equal(done.size, (await readFile(path)).length);
    assert.ok(seen.length > 3, 'progress while compressing');
    assert.equal(seen.at(-1), data.length);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i] >= seen[i - 1]);
    // An aborted writer leaves nothing behind.
    const before = (await readdir(dir)).length;
    const w2 = await createSozipWriter(join(dir, 'aborted.zip'), { threads: 2 });
    await w2.add('a.txt', data);
    await w2.abort();
    assert.equal(existsSync(join(dir, 'aborted.zip')), false);
    assert.equal((await readdir(dir)).length, before);
  });

  it('a failing input abandons the archive', async () => {
    const path = join(dir, 'failed.zip');
    const w = await createSozipWriter(path, { threads: 2 });
    async function* broken() {
      yield textContent(51, 3 << 20);
      throw new Error('disk on fire');
    }
    await assert.rejects(w.add('x.txt', broken(), { size: 4 << 20 }), /disk on fire/);
    await assert.rejects(w.add('y.txt', 'y'), { code: 'WRITER_STATE' });
    assert.equal(existsSync(path), false);
  });

  it('compression workers are shared, stop when idle and come back on demand', async () => {
    const pool = new CompressPool(2, 50);
    const job = (id: number, last: boolean) => ({
      id,
      data: textContent(70 + id, 3 * K32),
      chunkSize: K32,
      level: 6,
      last,
    });
    const first = await pool.run(job(1, true));
    assert.equal(pool.workers, 1);
    assert.deepEqual(first, compressJob(job(1, true)));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(pool.workers, 0, 'idle workers stopped');
    const again = await Promise.all([pool.run(job(2, false)), pool.run(job(3, true))]);
    assert.deepEqual(again[0].sizes, compressJob(job(2, false)).sizes);
    assert.equal(pool.workers, 2);
    await pool.close();
    assert.equal(sharedPool(3), sharedPool(3));
  });

  it('the index name is reserved: a visible member may not take it', async () => {
    const w = new SozipWriter(bufferSink(), { threads: 1 });
    await w.add('a.txt', textContent(61, 50_000));
    await assert.rejects(w.add('.a.txt.sozip.idx', 'x'), { code: 'DUPLICATE_NAME' });
  });
});
