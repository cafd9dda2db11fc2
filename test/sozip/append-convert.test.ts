// Appending in place (existing members and hidden indexes untouched, failures
// rolled back) and converting any ZIP to SOZip (big Deflate members
// recompressed, everything else copied verbatim).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { bytesSource } from '../../src/io/bytes-source.js';
import { readAll } from '../../src/io/stream.js';
import { appendSozip } from '../../src/sozip/append.js';
import { convertToSozip } from '../../src/sozip/convert.js';
import { openSozipMember, readRange } from '../../src/sozip/random-access.js';
import { validateSozip } from '../../src/sozip/validate.js';
import { createSozipWriter } from '../../src/sozip/writer.js';
import { crc32 } from '../../src/zip/codecs.js';
import { openEntryRaw, readEntry } from '../../src/zip/entry-data.js';
import { openZip } from '../../src/zip/reader.js';
import { bufferSink } from '../../src/zip/sink.js';
import { ZipWriter } from '../../src/zip/writer.js';
import { type RangeServer, startRangeServer } from '../helpers/http-server.js';
import { seededBytes } from '../helpers/random.js';
import { assertToolsAccept, requireTools } from '../helpers/tools.js';
import { MTIME, openBytes, tempDir, textContent } from './helpers.js';

const run = promisify(execFile);

let dir: string;
let cleanup: () => Promise<void>;
before(async () => {
  ({ dir, done: cleanup } = await tempDir('cozip-sozip-append-'));
});
after(async () => cleanup());

const a = textContent(1, 200_000);
const b = textContent(2, 500);
const c = textContent(3, 150_000);
const d = seededBytes(4, 70_000);

async function original(name: string): Promise<{ path: string; bytes: Uint8Array }> {
  const path = join(dir, name);
  const w = await createSozipWriter(path, { threads: 1, mtime: MTIME, comment: 'kept' });
  await w.add('a.txt', a);
  await w.add('b.txt', b);
  await w.finish();
  return { path, bytes: new Uint8Array(await readFile(path)) };
}

async function contents(path: string): Promise<Map<string, Uint8Array>> {
  const zip = await openZip(path);
  const out = new Map<string, Uint8Array>();
  for (const e of zip.entries) out.set(e.name, await readEntry(zip, e));
  await zip.source.close?.();
  return out;
}

describe('appendSozip', () => {
  it('adds members after the last one; existing members and hidden indexes stay byte for byte', async (t) => {
    const { path, bytes } = await original('append.zip');
    const before = await openBytes(bytes);
    const w = await appendSozip(path, { threads: 1, mtime: MTIME });
    const added = await w.add('c.txt', c);
    await w.add('d.bin', d, { method: 0 });
    const done = await w.finish();
    const after = new Uint8Array(await readFile(path));
    assert.equal(done.size, after.length);
    assert.equal(added.offset, before.cdOffset, 'new members start where the directory was');
    assert.ok(
      Buffer.from(after.subarray(0, before.cdOffset)).equals(bytes.subarray(0, before.cdOffset)),
    );
    const zip = await openBytes(after);
    assert.deepEqual(
      zip.entries.map((e) => e.name),
      ['a.txt', 'b.txt', 'c.txt', 'd.bin'],
    );
    assert.equal(zip.comment, 'kept');
    const v = await validateSozip(zip, { deep: true });
    assert.equal(v.ok, true, JSON.stringify(v.problems));
    assert.deepEqual(
      v.members.filter((m) => m.sozip).map((m) => m.name),
      ['a.txt', 'c.txt'],
    );
    await assertToolsAccept(t, path, [
      { name: 'a.txt', data: a },
      { name: 'b.txt', data: b },
      { name: 'c.txt', data: c },
      { name: 'd.bin', data: d },
    ]);
  });

  it('keeps the Annex H archive optimized when appending to it', async () => {
    const path = join(dir, 'foo.zip');
    await copyFile('/work/shared/fixtures/sozip/foo.zip', path);
    const w = await appendSozip(path, { threads: 1, mtime: MTIME });
    await w.add('bar.txt', c);
    await w.finish();
    const v = await validateSozip(path, { deep: true });
    assert.equal(v.ok, true, JSON.stringify(v.problems));
    assert.deepEqual(
      v.members.map((m) => [m.name, m.sozip, m.chunkSize]),
      [
        ['foo', true, 2],
        ['bar.txt', true, 32 * 1024],
      ],
    );
  });

  it('a failed append leaves the file exactly as it was', async () => {
    const { path, bytes } = await original('rollback.zip');
    const w = await appendSozip(path, { threads: 1 });
    await w.add('c.txt', c);
    // A duplicate name fails the writer, which puts the original bytes back.
    await assert.rejects(w.add('a.txt', 'again'), { code: 'DUPLICATE_NAME' });
    assert.ok(Buffer.from(await readFile(path)).equals(bytes));
    const w2 = await appendSozip(path, { threads: 1 });
    await w2.add('c.txt', c);
    await w2.abort();
    assert.ok(Buffer.from(await readFile(path)).equals(bytes));
    assert.deepEqual([...(await contents(path)).keys()], ['a.txt', 'b.txt']);
  });

  it('with copy: the original is untouched until finish, then replaced', async () => {
    const { path, bytes } = await original('copy.zip');
    const w = await appendSozip(path, { threads: 1, copy: true });
    await w.add('c.txt', c);
    assert.ok(Buffer.from(await readFile(path)).equals(bytes));
    await w.finish();
    const got = await contents(path);
    assert.deepEqual([...got.keys()], ['a.txt', 'b.txt', 'c.txt']);
    assert.ok(Buffer.from(got.get('c.txt')!).equals(c));
  });
});

describe('convertToSozip', () => {
  const big = textContent(5, 300_000);
  const small = textContent(6, 2000);
  const storedBig = seededBytes(7, 100_000);
  const dirNested = textContent(8, 90_000);
  let input: Uint8Array;
  let server: RangeServer;

  before(async () => {
    const sink = bufferSink();
    const w = new ZipWriter(sink, { mtime: MTIME, comment: 'source archive' });
    await w.add('big.txt', big, { level: 9, mode: 0o600, comment: 'a comment' });
    await w.add('small.txt', small);
    await w.add('stored.bin', storedBig, { method: 0 });
    await w.addDirectory('dir');
    await w.add('dir/nested.txt', dirNested);
    await w.finish();
    input = sink.bytes();
    server = await startRangeServer({ objects: { 'in.zip': input } });
  });
  after(() => server.close());

  it('minSize: Deflate members up to it are copied as they are', async () => {
    const out = join(dir, 'converted-min.zip');
    // big.txt (300 kB) is above, dir/nested.txt (90 kB) within 100,000 bytes.
    const result = await convertToSozip(bytesSource(input), out, { threads: 1, minSize: 100_000 });
    assert.deepEqual([result.converted, result.reused, result.copied], [1, 0, 3]);
    const v = await validateSozip(out, { deep: true });
    assert.equal(v.ok, true, JSON.stringify(v.problems));
    assert.deepEqual(
      v.members.filter((m) => m.sozip).map((m) => m.name),
      ['big.txt'],
    );
  });

  it('recompresses big Deflate members as SOZip and copies the rest verbatim', async (t) => {
    const out = join(dir, 'converted.zip');
    const result = await convertToSozip(bytesSource(input), out, { threads: 1 });
    assert.deepEqual(
      [result.converted, result.reused, result.copied, result.entries],
      [2, 0, 2, 5],
    );
    const src = await openBytes(input);
    const dst = await openZip(out);
    assert.deepEqual(
      dst.entries.map((e) => e.name),
      src.entries.map((e) => e.name),
    );
    for (const [i, e] of dst.entries.entries()) {
      const s = src.entries[i];
      assert.equal(e.crc32, s.crc32, e.name);
      assert.equal(e.mtime.getTime(), s.mtime.getTime(), e.name);
      assert.equal(e.unixMode, s.unixMode, e.name);
      assert.equal(e.comment, s.comment, e.name);
      if (e.name === 'small.txt' || e.name === 'stored.bin') {
        const raw = await readAll(openEntryRaw(dst, e));
        const was = await readAll(openEntryRaw(src, s));
        assert.ok(Buffer.from(raw).equals(was), `${e.name} copied verbatim`);
      }
    }
    const v = await validateSozip(dst, { deep: true });
    assert.equal(v.ok, true, JSON.stringify(v.problems));
    assert.deepEqual(
      v.members.filter((m) => m.sozip).map((m) => m.name),
      ['big.txt', 'dir/nested.txt'],
    );
    await dst.source.close?.();
    await assertToolsAccept(t, out, [
      { name: 'big.txt', data: big },
      { name: 'small.txt', data: small },
      { name: 'stored.bin', data: storedBig },
      { name: 'dir/' },
      { name: 'dir/nested.txt', data: dirNested },
    ]);
  });

  it('reads its input over HTTP, and reuses indexes of the same chunk size when converting again', async () => {
    const once = bufferSink();
    await convertToSozip(server.url('in.zip'), once, { threads: 1 });
    const first = once.bytes();
    const again = bufferSink();
    const result = await convertToSozip(bytesSource(first), again, { threads: 1 });
    assert.deepEqual([result.converted, result.reused, result.copied], [0, 2, 2]);
    assert.ok(Buffer.from(again.bytes()).equals(first), 'the same archive, byte for byte');
    const other = bufferSink();
    const rechunked = await convertToSozip(bytesSource(first), other, {
      threads: 1,
      chunkSize: 4096,
    });
    assert.deepEqual([rechunked.converted, rechunked.reused], [2, 0]);
    const m = await openSozipMember(await openBytes(other.bytes()), 'big.txt');
    assert.equal(m.index?.chunkSize, 4096);
    assert.ok(
      Buffer.from(await readRange(m, 100_000, 9000)).equals(big.subarray(100_000, 109_000)),
    );
  });

  it('converts an Info-ZIP archive; refuses encrypted members without writing anything', async (t) => {
    if (!requireTools(t, 'zip')) return;
    const src = join(dir, 'zip-src');
    await mkdir(join(src, 'sub'), { recursive: true });
    await writeFile(join(src, 'one.txt'), big);
    await writeFile(join(src, 'sub', 'two.txt'), small);
    const plain = join(dir, 'infozip.zip');
    await run('zip', ['-q', '-r', plain, '.'], { cwd: src });
    const out = join(dir, 'infozip-sozip.zip');
    const r = await convertToSozip(plain, out, { threads: 1 });
    assert.equal(r.converted, 1);
    const v = await validateSozip(out, { deep: true });
    assert.equal(v.ok, true, JSON.stringify(v.problems));
    const got = await contents(out);
    assert.ok(Buffer.from(got.get('one.txt')!).equals(big));
    assert.equal(crc32(got.get('sub/two.txt')!), crc32(small));

    const secret = join(dir, 'secret.zip');
    await run('zip', ['-q', '-P', 'pw', secret, 'one.txt'], { cwd: src });
    const target = join(dir, 'secret-sozip.zip');
    await assert.rejects(convertToSozip(secret, target), { code: 'ENCRYPTED' });
    await assert.rejects(readFile(target), { code: 'ENOENT' });
  });
});
