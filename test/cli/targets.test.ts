// The CLI's wording of the extractor's FILE_EXISTS (a file that appears
// after the up-front check): the command's flag, not the library's option.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { withFlagHint } from '../../src/cli/targets.js';
import { CozipError, isCozipError } from '../../src/errors.js';
import { extractZip } from '../../src/zip/extract.js';
import { openZip } from '../../src/zip/reader.js';
import { bufferSink } from '../../src/zip/sink.js';
import { ZipWriter } from '../../src/zip/writer.js';

describe('withFlagHint', () => {
  it("rewords the extractor's FILE_EXISTS with --overwrite and keeps the rest", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cozip-hint-'));
    try {
      const sink = bufferSink();
      const w = new ZipWriter(sink, { mtime: new Date(0) });
      await w.add('x.txt', 'new\n');
      await w.finish();
      const archive = sink.bytes().slice();
      const out = join(dir, 'out');
      await extractZip(await openZip(archive), out);
      writeFileSync(join(out, 'x.txt'), 'precious\n');
      const err = await extractZip(await openZip(archive), out).catch((e) => e);
      assert.ok(isCozipError(err, 'FILE_EXISTS'), String(err));
      const told = withFlagHint(err);
      assert.ok(isCozipError(told, 'FILE_EXISTS'));
      assert.equal(
        told.message,
        `${join(out, 'x.txt')} already exists (pass --overwrite to replace it)`,
      );
      assert.deepEqual(told.details, err.details);
      assert.equal(told.cause, err);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves every other error as it is', () => {
    const other = new CozipError(
      'FILE_EXISTS',
      'out.zip already exists (pass --force to replace it)',
    );
    assert.equal(withFlagHint(other), other);
    const plain = new Error('x');
    assert.equal(withFlagHint(plain), plain);
  });
});
