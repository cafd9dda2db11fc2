// Every archive of the shared corpus is indexed (or refused with a typed
// error), and every indexed member, opened through the index - also after a
// serialize/deserialize round trip - equals what the generic ZIP reader reads.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { CozipError } from '../../src/errors.js';
import { bytesSource } from '../../src/io/bytes-source.js';
import { openHttpSource } from '../../src/io/http-source.js';
import { readAll } from '../../src/io/stream.js';
import { getDecompressor } from '../../src/zip/codecs.js';
import { readEntry } from '../../src/zip/entry-data.js';
import { openZip } from '../../src/zip/reader.js';
import {
  defaultFileFilter,
  deserializeFiles,
  type File,
  findSerialized,
  fromSource,
  open,
  optimizeSize,
  readFile,
  serialize,
} from '../../src/zipindex/index.js';
import { type RangeServer, startRangeServer } from '../helpers/http-server.js';
import { FIXTURES } from './zips.js';

/** The content, or the error code when reading fails. */
async function outcome(read: () => Promise<Uint8Array>): Promise<Uint8Array | string> {
  try {
    return await read();
  } catch (err) {
    assert.ok(err instanceof CozipError, `untyped error: ${err}`);
    return err.code;
  }
}

describe('fixture corpus through the index: shared/fixtures/zips', () => {
  const names = readdirSync(FIXTURES).filter((f) => /\.(zip|notzip|png)$/.test(f));
  assert.ok(names.length >= 30, 'the corpus is present');

  for (const name of names) {
    it(name, async () => {
      const path = FIXTURES + name;
      let files: File[];
      try {
        files = await readFile(path);
      } catch (err) {
        assert.ok(err instanceof CozipError, `untyped error: ${err}`);
        // Refused: the generic reader refuses it as well.
        await assert.rejects(openZip(path), CozipError);
        return;
      }
      const zip = new Uint8Array(readFileSync(path));
      // The default filter's fast path (no resolved entry) keeps exactly what
      // the same filter keeps when it is handed every resolved entry.
      const viaEntries = await fromSource(zip, { filter: (f, e) => defaultFileFilter(f, e) });
      assert.deepEqual(files, viaEntries);
      const source = bytesSource(zip, name);
      const archive = await openZip(source);
      // What the default filter keeps: regular files with a known method.
      const expected = archive.entries.filter(
        (e) => !e.isDirectory && !e.isSymlink && getDecompressor(e.method),
      );
      assert.deepEqual(
        files.map((f) => Number(f.offset)),
        expected.map((e) => e.localHeaderOffset),
      );
      for (const [i, f] of files.entries()) {
        const e = expected[i];
        assert.equal(f.compressedSize, BigInt(e.compressedSize));
        assert.equal(f.uncompressedSize, BigInt(e.uncompressedSize));
        assert.equal(f.crc32, e.crc32);
        assert.deepEqual(f.rawName ?? new TextEncoder().encode(f.name), e.rawName);
      }
      // Through the index as stored: optimized, serialized, looked up.
      const stored = optimizeSize(files.map((f) => ({ ...f })));
      const bytes = await serialize(stored);
      assert.equal(deserializeFiles(bytes).length, files.length);
      for (const e of expected) {
        const want = await outcome(() => readEntry(archive, e));
        const f = findSerialized(bytes, e.rawName);
        assert.ok(f, `${e.name} in the serialized index`);
        const got = await outcome(() => readAll(open(f, source)));
        if (typeof want === 'string') {
          assert.equal(typeof got, 'string', `${e.name}: the generic reader fails with ${want}`);
        } else {
          assert.ok(got instanceof Uint8Array && Buffer.from(got).equals(want), e.name);
        }
      }
    });
  }
});

describe('a remote archive through the index', () => {
  let server: RangeServer;
  before(async () => {
    server = await startRangeServer({ objects: { 'big.zip': `${FIXTURES}big.zip` } });
  });
  after(() => server.close());

  it('index in one request, then each member in one request', async () => {
    const bytes = await serialize(optimizeSize(await fromSource(server.url('big.zip'))));
    assert.equal(server.requestsFor('big.zip').length, 1);
    const source = await openHttpSource(server.url('big.zip'), { size: 102692 });
    const local = await openZip(`${FIXTURES}big.zip`);
    for (const n of [3, 500, 999]) {
      const before = server.requestsFor('big.zip').length;
      const f = findSerialized(bytes, `file-${n}.txt`)!;
      const got = await readAll(open(f, source));
      assert.equal(server.requestsFor('big.zip').length - before, 1);
      const e = local.entries.find((x) => x.name === `file-${n}.txt`)!;
      assert.deepEqual(got, await readEntry(local, e));
    }
  });
});
