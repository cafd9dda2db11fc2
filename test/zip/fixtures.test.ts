// Every archive of the shared corpus is listed and read as an independent
// implementation (Python's zipfile) reads it, or refused with a typed error.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { isCozipError } from '../../src/errors.js';
import { bytesSource } from '../../src/io/bytes-source.js';
import { checkZip } from '../../src/zip/check.js';
import { readEntry } from '../../src/zip/entry-data.js';
import { openZip } from '../../src/zip/reader.js';
import { pythonZipEntries } from '../helpers/tools.js';

const DIR = new URL('../../../shared/fixtures/zips/', import.meta.url).pathname;

const open = (file: string) => openZip(bytesSource(new Uint8Array(readFileSync(DIR + file)), file));
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

// Python 3.11 has no zstd; Python cannot decode the deliberately broken base offset.
const PYTHON_CANNOT_READ = new Set(['zstd-compressed.zip']);

describe('fixture corpus: shared/fixtures/zips', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.zip'));
  assert.ok(files.length >= 30, 'the corpus is present');

  for (const file of files) {
    if (file === 'test-badbase.zip' || file === 'comment-truncated.zip') continue;
    it(`${file}: entries and contents match Python's zipfile`, async () => {
      const archive = await open(file);
      const expected = pythonZipEntries(DIR + file);
      assert.equal(archive.entries.length, expected.length);
      for (const [i, e] of archive.entries.entries()) {
        const py = expected[i];
        assert.equal(Buffer.from(e.rawName).toString('base64'), py.rawName, `raw name of #${i}`);
        if (e.nameEncoding !== 'utf8-detected') assert.equal(e.name, py.name);
        assert.equal(e.uncompressedSize, py.size, `${e.name} size`);
        assert.equal(e.compressedSize, py.compressedSize, `${e.name} compressed size`);
        assert.equal(e.crc32, py.crc, `${e.name} crc`);
        if (e.isDirectory) continue;
        const content = await readEntry(archive, e);
        if (py.sha256) assert.equal(sha256(content), py.sha256, `${e.name} content`);
        else assert.ok(PYTHON_CANNOT_READ.has(file), `python failed on ${file}: ${py.error}`);
      }
      const report = await checkZip(archive);
      // Both carry bytes after the EOCD: readers tolerate it, the strict check reports it.
      if (file === 'test-trailing-junk.zip' || file === 'readme.zip') {
        assert.deepEqual(
          report.problems.map((p) => p.code),
          ['TRAILING_DATA'],
        );
      } else {
        assert.deepEqual(report.problems, [], file);
      }
    });
  }

  it('zstd-compressed.zip: method 93 members decode and pass their CRC', async () => {
    const archive = await open('zstd-compressed.zip');
    const methods = archive.entries.map((e) => e.method);
    assert.ok(methods.includes(93));
    for (const e of archive.entries) {
      const text = new TextDecoder().decode(await readEntry(archive, e));
      assert.ok(text.length === e.uncompressedSize);
    }
  });

  it('test-badbase.zip: a wrong directory size is recovered from, and CRCs still verify', async () => {
    const bad = await open('test-badbase.zip');
    const good = await open('test.zip');
    assert.deepEqual(
      bad.entries.map((e) => e.name),
      good.entries.map((e) => e.name),
    );
    for (const [i, e] of bad.entries.entries()) {
      assert.deepEqual(await readEntry(bad, e), await readEntry(good, good.entries[i]));
    }
  });

  it('comment-truncated.zip: read tolerantly, reported by the integrity check', async () => {
    const archive = await open('comment-truncated.zip');
    assert.equal(archive.commentTruncated, true);
    assert.deepEqual(
      archive.entries.map((e) => e.name),
      ['FILE'],
    );
    const report = await checkZip(archive);
    assert.equal(report.ok, false);
    assert.ok(report.problems.some((p) => p.code === 'TRUNCATED'));
  });

  for (const file of ['readme.notzip', 'gophercolor16x16.png']) {
    it(`${file}: refused as NOT_A_ZIP`, async () => {
      await assert.rejects(
        () => openZip(bytesSource(new Uint8Array(readFileSync(DIR + file)))),
        (err) => isCozipError(err, 'NOT_A_ZIP'),
      );
    });
  }

  it('modification times come from the most precise field each tool wrote', async () => {
    const t = async (file: string) => (await open(file)).entries[0].mtime.toISOString();
    assert.equal(await t('time-go.zip'), '2017-11-01T04:11:57.000Z'); // 0x5455
    assert.equal(await t('time-infozip.zip'), '2017-11-01T04:11:57.000Z'); // 0x5455
    assert.equal(await t('time-osx.zip'), '2017-11-01T04:11:57.000Z'); // 0x5855
    assert.equal(await t('time-win7.zip'), '2017-10-31T21:11:58.000Z'); // DOS only
    assert.equal(await t('time-22738.zip'), '2000-01-01T00:00:00.000Z');
    assert.match(await t('time-7zip.zip'), /^2017-11-01T04:11:57\.\d{3}Z$/); // NTFS
    assert.match(await t('time-winzip.zip'), /^2017-11-01T04:11:57\.\d{3}Z$/);
  });

  it('names: UTF-8 from five tools, with and without bit 11', async () => {
    const names = new Set<string>();
    for (const f of [
      'utf8-7zip.zip',
      'utf8-infozip.zip',
      'utf8-osx.zip',
      'utf8-winrar.zip',
      'utf8-winzip.zip',
    ]) {
      const archive = await open(f);
      names.add(archive.entries[0].name.normalize('NFC'));
      const enc = archive.entries[0].nameEncoding;
      assert.equal(enc, f === 'utf8-osx.zip' ? 'utf8-detected' : 'utf8', f);
    }
    assert.equal(names.size, 1, [...names].join(' | '));
  });

  it('symlink.zip: a Unix symlink entry is recognised', async () => {
    const archive = await open('symlink.zip');
    assert.equal(archive.entries[0].isSymlink, true);
  });

  it('zip64.zip and zip64-2.zip: ZIP64 extras are applied', async () => {
    for (const f of ['zip64.zip', 'zip64-2.zip']) {
      const archive = await open(f);
      assert.ok(archive.zip64 || archive.entries.some((e) => e.zip64), f);
    }
  });
});
