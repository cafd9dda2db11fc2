// File and Node stream sinks: atomic replacement, cleanup on every failure
// path, positional patches, backpressure, and stdout.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { isCozipError } from '../../src/errors.js';
import { bytesSource } from '../../src/io/bytes-source.js';
import { readEntry } from '../../src/zip/entry-data.js';
import { createFileSink } from '../../src/zip/file-sink.js';
import { nodeStreamSink } from '../../src/zip/node-sink.js';
import { openZip } from '../../src/zip/reader.js';
import { ZipWriter } from '../../src/zip/writer.js';
import { seededBytes } from '../helpers/random.js';
import { assertToolsAccept } from '../helpers/tools.js';

const MTIME = new Date(Date.UTC(2024, 0, 1));

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'cozip-sinks-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

let dirCounter = 0;
/** A fresh empty directory per test, so listings show exactly what a test left. */
async function freshDir(): Promise<string> {
  const d = join(root, `t${dirCounter++}`);
  await mkdir(d);
  return d;
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(isCozipError(err), `expected a CozipError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return true;
  });
}

async function* chunked(data: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.slice(i, i + size);
}

describe('createFileSink', () => {
  it('writes a temp file and renames it over the target on close', async () => {
    const d = await freshDir();
    const target = join(d, 'out.zip');
    const sink = await createFileSink(target);
    assert.notEqual(sink.writingPath, target);
    assert.match(
      sink.writingPath,
      /\/\.out\.zip\.cozip-[0-9a-f]{8}-[1-9][0-9]*-[0-9a-f]{12,20}\.tmp$/,
    );
    await sink.write(new Uint8Array([1, 2, 3]));
    assert.deepEqual(
      await readdir(d),
      [sink.writingPath.slice(d.length + 1)],
      'only the temp file',
    );
    await sink.close();
    assert.deepEqual(await readdir(d), ['out.zip']);
    assert.deepEqual(new Uint8Array(await readFile(target)), new Uint8Array([1, 2, 3]));
  });

  it('replaces an existing target only when the new file is complete', async () => {
    const d = await freshDir();
    const target = join(d, 'out.zip');
    await writeFile(target, 'old contents');
    const sink = await createFileSink(target);
    await sink.write(new TextEncoder().encode('new contents'));
    assert.equal(await readFile(target, 'utf8'), 'old contents', 'untouched while writing');
    await sink.close();
    assert.equal(await readFile(target, 'utf8'), 'new contents');
    assert.deepEqual(await readdir(d), ['out.zip']);
  });

  it('overwrite: false refuses a target that exists, at creation and at close', async () => {
    const d = await freshDir();
    const target = join(d, 'out.zip');
    await writeFile(target, 'old contents');
    await assert.rejects(createFileSink(target, { overwrite: false }), { code: 'FILE_EXISTS' });
    await assert.rejects(createFileSink(target, { overwrite: false, atomic: false }), {
      code: 'FILE_EXISTS',
    });
    assert.equal(await readFile(target, 'utf8'), 'old contents');
    // A file that appears while the archive is written stays; the temp file goes.
    const late = join(d, 'late.zip');
    const sink = await createFileSink(late, { overwrite: false });
    await sink.write(new TextEncoder().encode('new contents'));
    await writeFile(late, 'someone else');
    await assert.rejects(sink.close(), { code: 'FILE_EXISTS' });
    assert.equal(await readFile(late, 'utf8'), 'someone else');
    assert.deepEqual((await readdir(d)).sort(), ['late.zip', 'out.zip']);
    // Nothing there: written and put in place as usual.
    const fresh = join(d, 'fresh.zip');
    const ok = await createFileSink(fresh, { overwrite: false });
    await ok.write(new Uint8Array([1, 2, 3]));
    await ok.close();
    assert.deepEqual(new Uint8Array(await readFile(fresh)), new Uint8Array([1, 2, 3]));
    assert.deepEqual((await readdir(d)).sort(), ['fresh.zip', 'late.zip', 'out.zip']);
  });

  it('gathers small writes into blocks and passes big ones straight through', async () => {
    const d = await freshDir();
    const target = join(d, 'blocks.bin');
    const data = seededBytes(1, 300_000);
    const sink = await createFileSink(target, { blockSize: 4096 });
    // Sizes straddle the block: tiny, exactly one block, several blocks, odd.
    let o = 0;
    for (const n of [1, 7, 4095, 4096, 4097, 3, 20_000, 1, 50_000, 12_345]) {
      await sink.write(data.subarray(o, o + n));
      o += n;
    }
    await sink.write(data.subarray(o));
    assert.equal(sink.size, data.length);
    await sink.close();
    assert.ok((await readFile(target)).equals(data));
  });

  it('writeAt patches bytes on disk, in the block, and across both', async () => {
    const d = await freshDir();
    const target = join(d, 'patched.bin');
    const sink = await createFileSink(target, { blockSize: 100 });
    const data = new Uint8Array(250); // 200 bytes flushed, 50 still in the block
    await sink.write(data);
    await sink.writeAt(10, new Uint8Array([1, 1, 1]));
    await sink.writeAt(210, new Uint8Array([2, 2]));
    await sink.writeAt(198, new Uint8Array([3, 3, 3, 3]));
    await rejectsWith(sink.writeAt(249, new Uint8Array(2)), 'OUT_OF_RANGE');
    await rejectsWith(sink.writeAt(-1, new Uint8Array(1)), 'OUT_OF_RANGE');
    await sink.close();
    const expected = new Uint8Array(250);
    expected.set([1, 1, 1], 10);
    expected.set([2, 2], 210);
    expected.set([3, 3, 3, 3], 198);
    assert.deepEqual(new Uint8Array(await readFile(target)), expected);
  });

  it('abort deletes the temp file and leaves no target', async () => {
    const d = await freshDir();
    const sink = await createFileSink(join(d, 'out.zip'));
    await sink.write(seededBytes(2, 3_000_000));
    await sink.abort();
    await sink.abort(); // idempotent
    assert.deepEqual(await readdir(d), []);
    await rejectsWith(sink.write(new Uint8Array(1)), 'WRITER_STATE');
  });

  it('abort after close leaves the finished file alone', async () => {
    const d = await freshDir();
    const sink = await createFileSink(join(d, 'out.zip'));
    await sink.write(new Uint8Array([9]));
    await sink.close();
    await sink.abort();
    assert.deepEqual(await readdir(d), ['out.zip']);
    await rejectsWith(sink.write(new Uint8Array(1)), 'WRITER_STATE');
    await rejectsWith(sink.close(), 'WRITER_STATE');
  });

  it('a failed close (rename onto a directory) deletes the temp file', async () => {
    const d = await freshDir();
    const target = join(d, 'taken');
    await mkdir(target);
    await writeFile(join(target, 'keep.txt'), 'keep');
    const sink = await createFileSink(target);
    await sink.write(new Uint8Array(10));
    await assert.rejects(sink.close());
    assert.deepEqual(await readdir(d), ['taken'], 'no temp file left');
    assert.deepEqual(await readdir(target), ['keep.txt'], 'the directory is untouched');
    await sink.abort();
  });

  it('a missing directory fails at creation and creates nothing', async () => {
    const d = await freshDir();
    await rejectsWith(createFileSink(join(d, 'no', 'such', 'dir.zip')), 'NOT_FOUND');
    assert.deepEqual(await readdir(d), []);
  });

  it('atomic: false writes in place and abort removes the partial file', async () => {
    const d = await freshDir();
    const target = join(d, 'direct.zip');
    const sink = await createFileSink(target, { atomic: false });
    assert.equal(sink.writingPath, target);
    await sink.write(new Uint8Array(5));
    assert.deepEqual(await readdir(d), ['direct.zip']);
    await sink.abort();
    assert.deepEqual(await readdir(d), []);
    const again = await createFileSink(target, { atomic: false });
    await again.write(new Uint8Array([4, 2]));
    await again.close();
    assert.deepEqual(new Uint8Array(await readFile(target)), new Uint8Array([4, 2]));
  });

  it('a ZipWriter into a file sink: the archive appears only when finished', async (t) => {
    const d = await freshDir();
    const target = join(d, 'archive.zip');
    const data = seededBytes(3, 2_500_000);
    const w = new ZipWriter(await createFileSink(target), { mtime: MTIME });
    await w.add('random.bin', data, { method: 0 });
    await w.add('stream.bin', chunked(data, 100_000));
    assert.equal((await readdir(d)).includes('archive.zip'), false);
    const done = await w.finish();
    assert.deepEqual(await readdir(d), ['archive.zip']);
    const bytes = new Uint8Array(await readFile(target));
    assert.equal(bytes.length, done.size);
    const zip = await openZip(bytesSource(bytes));
    assert.deepEqual(new Uint8Array(await readEntry(zip, zip.entries[1])), data);
    await assertToolsAccept(t, target, [
      { name: 'random.bin', data },
      { name: 'stream.bin', data },
    ]);
  });

  it('a ZipWriter failing half way leaves neither the target nor temp files', async () => {
    const d = await freshDir();
    const w = new ZipWriter(await createFileSink(join(d, 'broken.zip')), { mtime: MTIME });
    await w.add('ok.bin', seededBytes(4, 2_000_000));
    async function* failing() {
      yield seededBytes(5, 1_500_000);
      throw new Error('input went away');
    }
    await assert.rejects(w.add('bad.bin', failing()), /input went away/);
    assert.deepEqual(await readdir(d), []);
  });

  it('a ZipWriter error before any data (duplicate name) also cleans up', async () => {
    const d = await freshDir();
    const w = new ZipWriter(await createFileSink(join(d, 'dup.zip')), { mtime: MTIME });
    await w.add('a', 'a');
    await rejectsWith(w.add('a', 'again'), 'DUPLICATE_NAME');
    assert.deepEqual(await readdir(d), []);
  });

  it('ZipWriter.abort() removes the temp file', async () => {
    const d = await freshDir();
    const w = new ZipWriter(await createFileSink(join(d, 'cancelled.zip')), { mtime: MTIME });
    await w.add('a', seededBytes(6, 100_000));
    await w.abort();
    assert.deepEqual(await readdir(d), []);
  });
});

/** A Writable that takes `delayMs` per chunk and records the largest backlog it saw. */
function slowWritable(highWaterMark: number, delayMs: number) {
  const chunks: Buffer[] = [];
  let maxBacklog = 0;
  const stream = new Writable({
    highWaterMark,
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(Buffer.from(chunk));
      setTimeout(callback, delayMs);
    },
  });
  const origWrite = stream.write.bind(stream);
  stream.write = ((chunk: Uint8Array, ...rest: unknown[]) => {
    const r = (origWrite as (...a: unknown[]) => boolean)(chunk, ...rest);
    maxBacklog = Math.max(maxBacklog, stream.writableLength);
    return r;
  }) as typeof stream.write;
  return { stream, chunks, backlog: () => maxBacklog };
}

describe('nodeStreamSink', () => {
  it('waits for drain, so the backlog stays near the high-water mark', async () => {
    const out = slowWritable(16 * 1024, 1);
    const data = seededBytes(7, 2_000_000);
    const w = new ZipWriter(nodeStreamSink(out.stream), { mtime: MTIME });
    await w.add('big.bin', chunked(data, 8192), { method: 0 });
    await w.finish();
    assert.equal(out.stream.writableFinished, true, 'ended on close');
    // One chunk may land on top of a full buffer, never many.
    assert.ok(out.backlog() <= 16 * 1024 + 8192, `backlog reached ${out.backlog()}`);
    const zip = await openZip(bytesSource(new Uint8Array(Buffer.concat(out.chunks))));
    assert.deepEqual(new Uint8Array(await readEntry(zip, zip.entries[0])), data);
  });

  it('a stream error fails the writer', async () => {
    const stream = new Writable({
      write(_chunk, _encoding, callback) {
        callback(new Error('pipe closed'));
      },
    });
    const w = new ZipWriter(nodeStreamSink(stream), { mtime: MTIME });
    const data = seededBytes(8, 1_000_000);
    await assert.rejects(
      (async () => {
        await w.add('a.bin', chunked(data, 65536), { method: 0 });
        await w.finish();
      })(),
    );
    assert.equal(stream.destroyed, true);
  });

  it('end: false leaves the stream open', async () => {
    const out = slowWritable(1024, 0);
    const sink = nodeStreamSink(out.stream, { end: false });
    await sink.write(new Uint8Array([1, 2, 3]));
    await sink.close();
    assert.equal(out.stream.writableEnded, false);
    assert.equal(Buffer.concat(out.chunks).length, 3);
    out.stream.end();
  });

  it('writes a whole archive to a file stream', async (t) => {
    const d = await freshDir();
    const target = join(d, 'stream.zip');
    const data = seededBytes(9, 500_000);
    const w = new ZipWriter(nodeStreamSink(createWriteStream(target)), { mtime: MTIME });
    await w.add('a.bin', data);
    await w.add('b.bin', chunked(data, 7000), { method: 0 });
    await w.finish();
    await assertToolsAccept(t, target, [
      { name: 'a.bin', data },
      { name: 'b.bin', data },
    ]);
  });

  it('writes an archive to stdout of a child process', async (t) => {
    const d = await freshDir();
    const script = join(d, 'to-stdout.mts');
    const src = (p: string) => pathToFileURL(resolve('src/zip', p)).href;
    await writeFile(
      script,
      [
        `import { nodeStreamSink } from '${src('node-sink.ts')}';`,
        `import { ZipWriter } from '${src('writer.ts')}';`,
        `const w = new ZipWriter(nodeStreamSink(process.stdout), { mtime: new Date(0) });`,
        `await w.add('hello.txt', 'hello from stdout\\n');`,
        `async function* big() { for (let i = 0; i < 64; i++) yield new Uint8Array(65536).fill(i); }`,
        `await w.add('big.bin', big());`,
        `await w.finish();`,
      ].join('\n'),
    );
    const child = spawn(
      process.execPath,
      ['--conditions=cozip-source', '--import', 'tsx', script],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    assert.equal(code, 0, Buffer.concat(err).toString());
    const bytes = Buffer.concat(out);
    const target = join(d, 'stdout.zip');
    await writeFile(target, bytes);
    const big = new Uint8Array(64 * 65536);
    for (let i = 0; i < 64; i++) big.fill(i, i * 65536, (i + 1) * 65536);
    await assertToolsAccept(t, target, [
      { name: 'hello.txt', data: new TextEncoder().encode('hello from stdout\n') },
      { name: 'big.bin', data: big },
    ]);
  });
});
