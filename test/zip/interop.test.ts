// Our archives as other implementations see them: Info-ZIP unzip and zip,
// Python's zipfile, 7-Zip and zipdetails. Every test needs the tools; they
// skip locally when one is missing and fail under CI.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { openFileSource } from '../../src/io/file-source.js';
import { openEntryRaw } from '../../src/zip/entry-data.js';
import { createFileSink } from '../../src/zip/file-sink.js';
import { openZip } from '../../src/zip/reader.js';
import { ZipWriter, type ZipWriterOptions } from '../../src/zip/writer.js';
import { seededBytes } from '../helpers/random.js';
import {
  assertToolsAccept,
  type ExpectedEntry,
  pythonBytes,
  pythonRead,
  requireTools,
  sevenZipCounts,
  sevenZipTest,
  unzipPipe,
  zipdetails,
} from '../helpers/tools.js';

const MTIME = new Date(Date.UTC(2023, 6, 14, 12, 30, 44));
const OLD = new Date(Date.UTC(1999, 11, 31, 23, 59, 58));
const enc = new TextEncoder();

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cozip-interop-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function* chunked(data: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.slice(i, i + size);
}

interface Member extends ExpectedEntry {
  mode: number;
  mtime: Date;
  comment?: string;
}

/** An archive using every writer feature, and what it should contain. */
async function richArchive(path: string, options: ZipWriterOptions = {}): Promise<Member[]> {
  const random = seededBytes(21, 150_000);
  const text = enc.encode('The quick brown fox jumps over the lazy dog.\n'.repeat(2000));
  const w = new ZipWriter(await createFileSink(path), {
    mtime: MTIME,
    comment: 'rich archive – written by cozip',
    ...options,
  });
  const members: Member[] = [];
  const file = async (
    name: string,
    data: Uint8Array,
    how: {
      method?: 0 | 8;
      level?: number;
      stream?: boolean;
      mode?: number;
      mtime?: Date;
      comment?: string;
    } = {},
  ) => {
    const { stream, ...rest } = how;
    await w.add(name, stream ? chunked(data, 10_000) : data, rest);
    members.push({
      name,
      data,
      mode: how.mode ?? 0o644,
      mtime: how.mtime ?? MTIME,
      comment: how.comment,
    });
  };
  const folder = async (name: string, mode = 0o755) => {
    await w.addDirectory(name, { mode });
    members.push({ name, mode, mtime: MTIME });
  };
  await folder('docs/');
  await file('docs/readme.txt', text, { comment: 'the readme' });
  await file('docs/stored.txt', text, { method: 0 });
  await file('bin/random.bin', random, { level: 9 });
  await file('bin/streamed.bin', random, { stream: true });
  await file('bin/streamed-stored.bin', random, { stream: true, method: 0 });
  await file('bin/run.sh', enc.encode('#!/bin/sh\necho hi\n'), { mode: 0o750 });
  await file('private.key', enc.encode('secret'), { mode: 0o600, mtime: OLD });
  await file('empty.txt', new Uint8Array(0));
  await file('empty-stream.txt', new Uint8Array(0), { stream: true });
  await folder('ünïcødé/', 0o700);
  await file('ünïcødé/日本語のファイル.txt', enc.encode('こんにちは'), { comment: 'コメント' });
  await file('odd [brackets] and *stars*?.txt', enc.encode('wildcards'));
  await file('spaces in name.txt', enc.encode('spaces'));
  await w.finish();
  return members;
}

function files(members: Member[]) {
  return members.filter((m) => m.data !== undefined);
}

async function checkRich(t: TestContext, options: ZipWriterOptions) {
  if (!requireTools(t, 'unzip', 'python3', '7z', 'zipdetails')) return;
  const path = join(dir, `rich-${options.zip64 ?? 'auto'}.zip`);
  const members = await richArchive(path, options);
  await assertToolsAccept(t, path, members);

  // Python sees the same metadata.
  const py = await pythonRead(path);
  assert.equal(py.comment, 'rich archive – written by cozip');
  for (const m of members) {
    const e = py.entries[m.name];
    assert.ok(e, `python lists ${m.name}`);
    assert.equal(e.mode, (m.data ? 0o100000 : 0o040000) | m.mode, `mode of ${m.name}`);
    const d = m.mtime;
    assert.deepEqual(
      e.dateTime,
      [
        d.getUTCFullYear(),
        d.getUTCMonth() + 1,
        d.getUTCDate(),
        d.getUTCHours(),
        d.getUTCMinutes(),
        d.getUTCSeconds(),
      ],
      `DOS time of ${m.name}`,
    );
    assert.equal(e.comment, m.comment ?? '', `comment of ${m.name}`);
    if (m.data) assert.ok(Buffer.from(pythonBytes(e)).equals(m.data), `python bytes of ${m.name}`);
  }

  // unzip -p, one member at a time, including names with wildcard characters.
  for (const m of files(members)) {
    const got = await unzipPipe(path, m.name);
    assert.ok(got.ok, `unzip -p ${m.name}: ${got.output}`);
    assert.ok(Buffer.from(got.bytes).equals(m.data!), `unzip -p bytes of ${m.name}`);
  }

  // Extraction restores modes and times (from the Unix attributes and the
  // extended timestamp), with unzip and with 7z.
  for (const tool of ['unzip', '7z'] as const) {
    const out = join(dir, `x-${tool}-${options.zip64 ?? 'auto'}`);
    await mkdir(out);
    if (tool === 'unzip') execFileSync('unzip', ['-q', path, '-d', out]);
    else execFileSync('/usr/bin/7z', ['x', `-o${out}`, path], { stdio: 'ignore' });
    for (const m of members) {
      const st = await stat(join(out, m.name));
      assert.equal(st.isDirectory(), m.data === undefined, `${tool}: kind of ${m.name}`);
      assert.equal(st.mode & 0o777, m.mode, `${tool}: mode of ${m.name}`);
      if (m.data) {
        assert.ok(
          (await readFile(join(out, m.name))).equals(m.data),
          `${tool}: bytes of ${m.name}`,
        );
        assert.equal(
          Math.round(st.mtimeMs / 1000),
          m.mtime.getTime() / 1000,
          `${tool}: mtime of ${m.name}`,
        );
      }
    }
  }

  const s = await sevenZipTest(path);
  assert.deepEqual(sevenZipCounts(s.output), {
    files: files(members).length,
    folders: members.length - files(members).length,
  });

  const z = await zipdetails(path);
  assert.ok(z.ok, z.output);
  assert.match(z.output, /END CENTRAL HEADER/);
  if (options.zip64 === 'always') {
    // zipdetails wraps these labels: 'ZIP64 END CENTRAL DIR' / 'RECORD' or 'LOCATOR'.
    assert.match(z.output, /ZIP64 END CENTRAL DIR\s+06064B50\s+RECORD/);
    assert.match(z.output, /ZIP64 END CENTRAL DIR\s+07064B50\s+LOCATOR/);
  }
  assert.doesNotMatch(z.output, /WARNING|Error/i);
}

describe('interop: archives cozip writes', () => {
  it('every feature at once passes unzip, python, 7z and zipdetails with identical bytes', async (t) => {
    await checkRich(t, {});
  });

  it("the same with zip64: 'always'", async (t) => {
    await checkRich(t, { zip64: 'always' });
  });
});

describe('interop: converting an Info-ZIP archive with addRaw', () => {
  it('copies every member of a `zip -r` archive verbatim into a valid archive', async (t) => {
    if (!requireTools(t, 'zip', 'unzip', 'python3', '7z')) return;
    const src = join(dir, 'zip-src');
    await mkdir(join(src, 'tree', 'sub'), { recursive: true });
    const contents: Record<string, Uint8Array> = {
      'tree/a.txt': enc.encode('alpha\n'.repeat(1000)),
      'tree/random.bin': seededBytes(31, 70_000),
      'tree/sub/empty': new Uint8Array(0),
      'tree/sub/b.txt': enc.encode('beta'),
    };
    for (const [name, data] of Object.entries(contents)) {
      await writeFile(join(src, name), data);
      await utimes(join(src, name), OLD, OLD);
    }
    const original = join(dir, 'infozip.zip');
    // -X: no extra attributes, -n .bin: store the random file.
    execFileSync('zip', ['-q', '-r', '-X', '-n', '.bin', original, 'tree'], { cwd: src });

    const source = await openFileSource(original);
    t.after(() => source.close());
    const zip = await openZip(source);
    const copy = join(dir, 'converted.zip');
    const w = new ZipWriter(await createFileSink(copy), { mtime: MTIME });
    const expected: ExpectedEntry[] = [];
    for (const e of zip.entries) {
      if (e.isDirectory) {
        await w.addDirectory(e.name, { mtime: e.mtime });
        expected.push({ name: e.name });
        continue;
      }
      await w.addRaw(e.name, openEntryRaw(zip, e), {
        method: e.method,
        crc32: e.crc32,
        compressedSize: e.compressedSize,
        uncompressedSize: e.uncompressedSize,
        mtime: e.mtime,
        mode: e.unixMode,
      });
      expected.push({ name: e.name, data: contents[e.name] });
    }
    await w.finish();
    assert.ok(
      zip.entries.some((e) => e.method === 0) && zip.entries.some((e) => e.method === 8),
      'both methods were copied',
    );
    await assertToolsAccept(t, copy, expected);
    const py = await pythonRead(copy);
    assert.deepEqual(py.entries['tree/a.txt'].dateTime, [1999, 12, 31, 23, 59, 58]);
  });
});
