// Writer inputs beyond paths and bytes: whole-content reads (read ahead, CRC
// before the header), known CRCs, local files of a known size, and inputs
// that change under the writer.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileInput } from '../../src/cozip/inputs.js';
import { openCozip, readMember } from '../../src/cozip/reader.js';
import { validateCozip } from '../../src/cozip/validate.js';
import { writeCozip } from '../../src/cozip/writer.js';
import { isCozipError } from '../../src/errors.js';
import { readFileBytes } from '../../src/io/file-source.js';
import { crc32 } from '../../src/zip/codecs.js';
import { openZip } from '../../src/zip/reader.js';
import { seededBytes } from '../helpers/random.js';

const dir = mkdtempSync(join(tmpdir(), 'cozip-inputs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('cozip writer inputs', () => {
  it('reads whole-content inputs a few ahead, in order, with the CRC in the local header', async () => {
    const contents = Array.from({ length: 60 }, (_, i) => seededBytes(i, 100 + i * 37));
    const started: number[] = [];
    let inFlight = 0;
    let most = 0;
    const rows = contents.map((c, i) => ({
      name: `f/${i}.bin`,
      path: {
        size: c.length,
        stream: () => {
          throw new Error('read() is used when given');
        },
        read: async () => {
          started.push(i);
          most = Math.max(most, ++inFlight);
          await new Promise((r) => setTimeout(r, 1));
          inFlight--;
          return c;
        },
      },
    }));
    const out = join(dir, 'ahead.zip');
    await writeCozip(out, rows, { mtime: new Date(0) });
    assert.deepEqual(
      started,
      [...started].sort((a, b) => a - b),
      'started in order',
    );
    assert.ok(most > 1 && most <= 16, `${most} reads in flight at most`);
    const zip = await openZip(out);
    const bytes = readFileSync(out);
    for (const [i, c] of contents.entries()) {
      const e = zip.entries.find((x) => x.name === `f/${i}.bin`)!;
      // Local header CRC (offset 14) is the content's, written before the data.
      const local = new DataView(bytes.buffer, bytes.byteOffset + e.localHeaderOffset + 14, 4);
      assert.equal(local.getUint32(0, true), crc32(c));
    }
    assert.equal((await validateCozip(out, { content: true })).ok, true);
    await zip.source.close?.();
  });

  it('a stream with a known CRC is checked against it', async () => {
    const data = seededBytes(1, 5000);
    const rows = [
      {
        name: 'a.bin',
        path: {
          size: 5000,
          crc32: (crc32(data) ^ 1) >>> 0,
          stream: async function* () {
            yield data;
          },
        },
      },
    ];
    await assert.rejects(writeCozip(join(dir, 'bad-crc.zip'), rows), (err) =>
      isCozipError(err, 'CRC_MISMATCH'),
    );
    const good = [
      {
        name: 'a.bin',
        path: {
          size: 5000,
          crc32: crc32(data),
          stream: async function* () {
            yield data;
          },
        },
      },
    ];
    const written = await writeCozip(join(dir, 'good-crc.zip'), good);
    const archive = await openCozip(join(dir, 'good-crc.zip'));
    assert.deepEqual(await readMember(archive, written.manifest![0]), data);
    await archive.source.close?.();
  });

  it('local files: read whole when small, streamed when large, a changed size fails', async () => {
    const small = join(dir, 'small.bin');
    const large = join(dir, 'large.bin');
    writeFileSync(small, seededBytes(2, 3000));
    writeFileSync(large, seededBytes(3, 3 << 20));
    assert.equal(typeof fileInput(small, 3000).read, 'function');
    assert.equal(fileInput(large, 3 << 20).read, undefined);
    assert.deepEqual(readFileBytes(small, 3000), new Uint8Array(readFileSync(small)));
    for (const expected of [2999, 3001]) {
      assert.throws(
        () => readFileBytes(small, expected),
        (err) => isCozipError(err, 'SIZE_MISMATCH'),
      );
    }
    const out = join(dir, 'files.zip');
    await writeCozip(out, [
      { name: 's.bin', path: small },
      { name: 'l.bin', path: large },
    ]);
    assert.equal((await validateCozip(out, { content: true })).ok, true);
    // The file grows after the plan: the write fails and leaves no archive.
    const rows = [{ name: 's.bin', path: fileInput(small, 3000) }];
    writeFileSync(small, seededBytes(2, 3100));
    const changed = join(dir, 'changed.zip');
    await assert.rejects(writeCozip(changed, rows), (err) => isCozipError(err, 'SIZE_MISMATCH'));
    assert.throws(() => readFileSync(changed), /ENOENT/);
  });
});
