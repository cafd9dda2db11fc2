// Any ZIP becomes a Flat cozip with the same file contents.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { convertToCozip } from '../../src/cozip/convert.js';
import { readManifest } from '../../src/cozip/manifest.js';
import { openCozip, readMember } from '../../src/cozip/reader.js';
import { validateCozip } from '../../src/cozip/validate.js';
import { isCozipError } from '../../src/errors.js';
import { readEntry } from '../../src/zip/entry-data.js';
import { openZip } from '../../src/zip/reader.js';
import { bufferSink } from '../../src/zip/sink.js';
import { ZipWriter } from '../../src/zip/writer.js';

const dir = mkdtempSync(join(tmpdir(), 'cozip-convert-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const FIXTURES = new URL('../../../shared/fixtures/', import.meta.url).pathname;

describe('convertToCozip', () => {
  for (const file of [
    'zips/smallish.zip',
    'zips/zstd-compressed.zip',
    'zips-yauzl/success/directories.zip',
  ]) {
    it(`${file}: members equal the source's, directories dropped, valid`, async () => {
      const out = join(dir, file.replaceAll('/', '_'));
      await convertToCozip(FIXTURES + file, out);
      const src = await openZip(FIXTURES + file);
      const archive = await openCozip(out);
      const rows = await readManifest(archive);
      const files = src.entries.filter((e) => !e.isDirectory && e.uncompressedSize > 0);
      assert.deepEqual(
        rows.map((r) => r.name),
        files.map((e) => e.name),
      );
      for (const [i, e] of files.entries()) {
        assert.ok(
          Buffer.from(await readMember(archive, rows[i])).equals(await readEntry(src, e)),
          e.name,
        );
        assert.equal((rows[i].mtime as Date).getTime(), e.mtime.getTime());
      }
      assert.deepEqual((await validateCozip(out, { content: true })).problems, []);
      await src.source.close?.();
      await archive.source.close?.();
    });
  }

  it('a member the writer refuses is named in the error (not a row of an array the caller never saw)', async () => {
    const sink = bufferSink();
    const w = new ZipWriter(sink, { allowUnsafeNames: true });
    await w.add('ok.txt', 'one');
    await w.add('x\\y.txt', 'two');
    await w.finish();
    const err = await convertToCozip(sink.bytes().slice(), join(dir, 'refused.zip')).catch(
      (e) => e,
    );
    assert.ok(isCozipError(err, 'INVALID_NAME'), String(err));
    assert.equal(err.message, 'invalid name "x\\\\y.txt": backslash (use / as the separator)');
    assert.equal(err.details.member, 'x\\y.txt');
    assert.ok(isCozipError(err.cause, 'INVALID_NAME'));
  });
});
