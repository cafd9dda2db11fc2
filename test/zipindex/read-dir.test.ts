// Indexing from the end of a ZIP: NeedMoreData says exactly how many trailing
// bytes are needed, so a remote archive is indexed in at most two requests.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { CozipError, isCozipError } from '../../src/errors.js';
import { bytesSource } from '../../src/io/bytes-source.js';
import { putU16, putU32 } from '../../src/zip/bytes.js';
import { openZip } from '../../src/zip/reader.js';
import { entryMode } from '../../src/zipindex/dir-entry.js';
import {
  type DirEntry,
  defaultFileFilter,
  type File,
  fromSource,
  isNeedMoreData,
  NeedMoreDataError,
  readDir,
  readFile,
  registerDecompressor,
} from '../../src/zipindex/index.js';
import { type RangeServer, startRangeServer } from '../helpers/http-server.js';
import { FIXTURES, makeZip, manyMembers } from './zips.js';

const code = (c: string) => (err: unknown) => isCozipError(err) && err.code === c;
const fixture = (name: string) => new Uint8Array(readFileSync(FIXTURES + name));

/** readDir with `first` trailing bytes, then exactly what it asks for; returns files and rounds. */
function readDirLoop(zip: Uint8Array, first: number) {
  let n = Math.min(first, zip.length);
  const asked: number[] = [];
  for (;;) {
    try {
      return { files: readDir(zip.subarray(zip.length - n), zip.length), asked };
    } catch (err) {
      if (!isNeedMoreData(err)) throw err;
      assert.ok(
        err.fromEnd > n && err.fromEnd <= zip.length,
        `progress: ${err.fromEnd} after ${n}`,
      );
      asked.push(err.fromEnd);
      n = err.fromEnd;
    }
  }
}

describe('readDir and NeedMoreData', () => {
  it('asks for exactly the bytes from the start of the central directory', async () => {
    const zip = await makeZip(manyMembers(2000));
    const archive = await openZip(bytesSource(zip));
    const want = zip.length - archive.cdOffset;
    try {
      readDir(zip.subarray(zip.length - 4096), zip.length);
      assert.fail('4 KiB cannot hold a directory of 2,000 entries');
    } catch (err) {
      assert.ok(err instanceof NeedMoreDataError);
      assert.ok(err instanceof CozipError);
      assert.equal(err.code, 'NEED_MORE_DATA');
      assert.equal(err.fromEnd, want);
      assert.equal(err.details.fromEnd, want);
    }
    assert.throws(
      () => readDir(zip.subarray(zip.length - want + 1), zip.length),
      code('NEED_MORE_DATA'),
    );
    const files = readDir(zip.subarray(zip.length - want), zip.length);
    assert.equal(files.length, 2000);
    assert.deepEqual(files, readDir(zip, zip.length));
    assert.deepEqual(
      files.map((f) => Number(f.offset)),
      archive.entries.map((e) => e.localHeaderOffset),
    );
  });

  it('converges from any tail size in at most one extra round (two with ZIP64)', async () => {
    const plain = await makeZip(manyMembers(300));
    const zip64 = await makeZip(manyMembers(300), { zip64: 'always' });
    const commented = await makeZip(manyMembers(30), { comment: 'c'.repeat(3000) });
    for (const [what, zip, rounds] of [
      ['plain', plain, 1],
      ['zip64', zip64, 2],
      ['comment', commented, 1],
      ['zip64.zip', fixture('zip64.zip'), 2],
      ['test-trailing-junk.zip', fixture('test-trailing-junk.zip'), 1],
    ] as const) {
      const whole = readDir(zip, zip.length);
      for (const first of [1, 22, 40, 98, 200, 1000, 3100, 5000, zip.length]) {
        const { files, asked } = readDirLoop(zip, first);
        assert.deepEqual(files, whole, `${what} from ${first}`);
        assert.ok(asked.length <= rounds, `${what} from ${first}: asked ${asked.join(', ')}`);
      }
    }
  });

  it('a tail without an EOCD asks for the longest end record, then gives up', () => {
    const zip = fixture('test.zip');
    assert.throws(
      () => readDir(zip.subarray(zip.length - 10), zip.length),
      (err) => {
        return isNeedMoreData(err) && err.fromEnd === zip.length;
      },
    );
    const notZip = fixture('readme.notzip');
    assert.throws(() => readDir(notZip, notZip.length), code('NOT_A_ZIP'));
  });

  it('refuses a buffer larger than the zip, and impossible entry counts', () => {
    const zip = fixture('test.zip');
    assert.throws(() => readDir(zip, zip.length - 1), code('INVALID_ARGUMENT'));
    // An EOCD alone declaring 100 entries in a 122-byte file (more than size / 30).
    const fake = new Uint8Array(122);
    const eocd = fake.subarray(100);
    putU32(eocd, 0, 0x06054b50);
    putU16(eocd, 8, 100);
    putU16(eocd, 10, 100);
    putU32(eocd, 12, 100 * 46);
    assert.throws(() => readDir(fake, fake.length), code('BAD_RECORD'));
  });
});

describe('filters', () => {
  it('the default keeps regular files with a registered method', async () => {
    const zip = await makeZip([
      { name: 'dir/', directory: true },
      { name: 'dir/a.txt', data: 'a' },
      { name: 'b.bin', data: 'bb', options: { method: 0 } },
    ]);
    assert.deepEqual(
      readDir(zip, zip.length).map((f) => f.name),
      ['dir/a.txt', 'b.bin'],
    );
    // symlink.zip holds only a symlink; unix.zip has a directory.
    assert.deepEqual(await readFile(`${FIXTURES}symlink.zip`), []);
    const unix = await readFile(`${FIXTURES}unix.zip`);
    assert.ok(unix.every((f) => !f.name.endsWith('/')));
  });

  it('a custom filter sees name, sizes, method, flags, mode and raw extra; keeps and tags', async () => {
    const seen: DirEntry[] = [];
    const files = await readFile(`${FIXTURES}unix.zip`, {
      filter: (file, entry) => {
        seen.push(entry);
        file.custom = new Map([
          ['mode', entry.mode.toString(8)],
          ['extra', String(entry.extra.length)],
        ]);
        return file;
      },
    });
    assert.equal(files.length, seen.length);
    const dir = seen.find((e) => e.name.endsWith('/'));
    assert.ok(dir && !dir.isRegular && (dir.mode & 0o170000) === 0o040000);
    for (const [i, e] of seen.entries()) {
      assert.equal(files[i].name, e.name);
      assert.equal(files[i].compressedSize, BigInt(e.compressedSize));
      assert.equal(files[i].method, e.method);
      assert.equal(files[i].flags, e.flags);
      assert.equal(files[i].custom?.get('extra'), String(e.extra.length));
    }
    const symlink = await readFile(`${FIXTURES}symlink.zip`, {
      filter: (file, entry) => ((entry.mode & 0o170000) === 0o120000 ? file : undefined),
    });
    assert.equal(symlink.length, 1);
  });

  it('the default filter follows the decompressor registry', async () => {
    const zip = fixture('test.zip');
    const stored = readDir(zip, zip.length, {
      filter: (f, e) => {
        f.method = 77; // pretend an unknown method
        return defaultFileFilter(f, { ...e, method: 77 } as DirEntry);
      },
    });
    assert.deepEqual(stored, []);
    registerDecompressor(77, (input) => input);
    const kept = readDir(zip, zip.length, {
      filter: (f, e) => {
        f.method = 77;
        return defaultFileFilter(f, { ...e, method: 77 } as DirEntry);
      },
    });
    assert.equal(kept.length, 2);
  });

  it('modes as Go reads them: Unix/macOS bits, DOS attributes, a trailing slash', () => {
    const name = new TextEncoder().encode('x');
    const dirName = new TextEncoder().encode('x/');
    const unix = (m: number) => entryMode(3 << 8, m << 16, name);
    assert.deepEqual(unix(0o100644), { mode: 0o100644, isRegular: true });
    assert.equal(unix(0o040755).isRegular, false);
    assert.equal(unix(0o120777).isRegular, false);
    assert.equal(unix(0o140777).isRegular, false); // socket
    assert.equal(unix(0o010644).isRegular, false); // pipe
    assert.equal(unix(0o020644).isRegular, false); // char device
    assert.equal(unix(0).isRegular, true); // no type bits
    assert.equal(entryMode(19 << 8, 0o120777 << 16, name).isRegular, false); // macOS
    assert.equal(entryMode(0, 0x10, name).isRegular, false); // FAT directory
    assert.deepEqual(entryMode(11 << 8, 0x01, name), { mode: 0o100444, isRegular: true }); // NTFS, read-only
    assert.equal(entryMode(14 << 8, 0x10, name).isRegular, false); // VFAT
    assert.equal(entryMode(10 << 8, 0x10, name).isRegular, true); // creator 10: mode 0
    assert.equal(entryMode(10 << 8, 0, dirName).isRegular, false);
  });
});

describe('fromSource over HTTP', () => {
  let server: RangeServer;
  let big: Uint8Array;
  before(async () => {
    big = await makeZip(manyMembers(5000));
    server = await startRangeServer({
      objects: { 'big.zip': big, 'small.zip': fixture('smallish.zip') },
    });
  });
  after(() => server.close());

  it('a directory larger than the tail guess: exactly 2 range requests', async () => {
    const files = await fromSource(server.url('big.zip'), { tailSize: 8192 });
    assert.equal(files.length, 5000);
    const requests = server.requestsFor('big.zip');
    assert.equal(requests.length, 2, JSON.stringify(requests.map((r) => r.range)));
    assert.equal(requests[0].range, 'bytes=-8192');
    assert.deepEqual(files, readDir(big, big.length));
  });

  it('a directory inside the first tail: 1 request', async () => {
    const files = await fromSource(server.url('small.zip'));
    assert.equal(files.length, 501);
    assert.equal(server.requestsFor('small.zip').length, 1);
  });

  it('gives up past maxDirectorySize', async () => {
    await assert.rejects(
      fromSource(server.url('big.zip'), { tailSize: 4096, maxDirectorySize: 10_000 }),
      code('LIMIT_EXCEEDED'),
    );
  });

  it('a missing object is NOT_FOUND', async () => {
    await assert.rejects(fromSource(server.url('nope.zip')), code('NOT_FOUND'));
  });
});

describe('readFile', () => {
  it('indexes a file on disk the same as readDir on its bytes', async () => {
    const files: File[] = await readFile(`${FIXTURES}smallish.zip`, { tailSize: 1024 });
    const zip = fixture('smallish.zip');
    assert.deepEqual(files, readDir(zip, zip.length));
  });
});

describe('readDir options: custom values and directory info', () => {
  it('gives every kept file the custom values and reports the directory', async () => {
    const zip = await makeZip([
      ...manyMembers(50),
      { name: 'folder/', directory: true },
      { name: 'tagged.txt', data: 'x' },
    ]);
    const archive = await openZip(bytesSource(zip));
    const info: { entries?: number; directorySize?: number } = {};
    const custom = new Map([['source', 'archive-2026']]);
    const files = readDir(zip, zip.length, { custom, info });
    assert.equal(files.length, 51, 'the directory is left out by the default filter');
    assert.ok(files.every((f) => f.custom?.get('source') === 'archive-2026'));
    assert.deepEqual(info, { entries: 52, directorySize: archive.cdSize });
    // A filter's own values come first; the given ones are added.
    const tagged = readDir(zip, zip.length, {
      custom,
      filter: (file, entry) =>
        entry.name === 'tagged.txt' ? { ...file, custom: new Map([['kind', 'text']]) } : undefined,
    });
    assert.deepEqual(
      tagged.map((f) => [...f.custom!]),
      [
        [
          ['kind', 'text'],
          ['source', 'archive-2026'],
        ],
      ],
    );
  });
});
