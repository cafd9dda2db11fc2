// Opening members through index records: one ranged read per member, CRC
// checks from the record or the data descriptor, raw access, the registry.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { isCozipError } from '../../src/errors.js';
import { bytesSource } from '../../src/io/bytes-source.js';
import { readAll, readStream } from '../../src/io/stream.js';
import { openEntryRaw, readEntry } from '../../src/zip/entry-data.js';
import { openZip } from '../../src/zip/reader.js';
import {
  type File,
  findFile,
  open,
  openRaw,
  optimizeSize,
  readDir,
  registerDecompressor,
  stripCRC,
} from '../../src/zipindex/index.js';
import { FIXTURES, makeZip, manyMembers } from './zips.js';

const code = (c: string) => (err: unknown) => isCozipError(err) && err.code === c;
const fixture = (name: string) => new Uint8Array(readFileSync(FIXTURES + name));
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const index = (zip: Uint8Array) => readDir(zip, zip.length);

describe('open', () => {
  it('one range read per member, content equal to the generic reader', async () => {
    const zip = await makeZip(manyMembers(200));
    const files = index(zip);
    const archive = await openZip(bytesSource(zip));
    const source = bytesSource(zip);
    for (const i of [0, 1, 57, 199]) {
      const before = source.stats.requests;
      const got = await readAll(open(files[i], source));
      assert.equal(source.stats.requests - before, 1, `requests for #${i}`);
      assert.deepEqual(got, await readEntry(archive, archive.entries[i]));
    }
  });

  it('from a stream positioned at the local header', async () => {
    const zip = await makeZip(manyMembers(20));
    const source = bytesSource(zip);
    for (const f of index(zip)) {
      const got = await readAll(
        open(f, readStream(source, Number(f.offset), zip.length, { chunkSize: 7 })),
      );
      assert.match(text(got), /^line \d+\n/);
    }
  });

  it('data descriptors: a stripped CRC is taken from the descriptor, with or without signature', async () => {
    for (const name of [
      'dd.zip',
      'go-with-datadesc-sig.zip',
      'go-no-datadesc-sig.zip',
      'crc32-not-streamed.zip',
    ]) {
      const zip = fixture(name);
      const archive = await openZip(bytesSource(zip));
      const files = optimizeSize(index(zip));
      for (const f of files) {
        if (f.flags & 8) assert.equal(f.crc32, 0, `${name}: stripped`);
        const entry = archive.entries.find((e) => e.localHeaderOffset === Number(f.offset))!;
        assert.deepEqual(
          await readAll(open(f, bytesSource(zip))),
          await readEntry(archive, entry),
          name,
        );
      }
    }
  });

  it('streamed members written by cozip (descriptor after the data) verify', async () => {
    const zip = await makeZip([
      { name: 'a.txt', data: 'alpha\n'.repeat(1000), stream: true },
      { name: 'b.bin', data: 'beta', stream: true, options: { method: 0 } },
    ]);
    const files = optimizeSize(index(zip));
    assert.ok(files.every((f) => f.flags & 8 && f.crc32 === 0));
    assert.equal(text(await readAll(open(files[0], bytesSource(zip)))), 'alpha\n'.repeat(1000));
    assert.equal(text(await readAll(open(files[1], bytesSource(zip)))), 'beta');
  });

  it('CRC mismatches: content, descriptor vs record; a zero CRC without descriptor is not checked', async () => {
    const zip = await makeZip([
      { name: 'a.txt', data: 'hello hello hello', options: { method: 0 } },
    ]);
    const [f] = index(zip);
    await assert.rejects(
      readAll(open({ ...f, crc32: f.crc32 ^ 1 }, bytesSource(zip))),
      code('CRC_MISMATCH'),
    );
    const [unchecked] = stripCRC([{ ...f }], true);
    const corrupt = zip.slice();
    corrupt[Buffer.from(zip).indexOf('hello hello') + 5] ^= 0x68; // ' ' -> 'H', in the stored data
    assert.equal(text(await readAll(open(unchecked, bytesSource(corrupt)))), 'helloHhello hello');
    await assert.rejects(readAll(open(f, bytesSource(corrupt))), code('CRC_MISMATCH'));

    const dd = await makeZip([
      { name: 's.txt', data: 'streamed', stream: true, options: { method: 0 } },
    ]);
    const [s] = index(dd);
    // A record CRC that disagrees with the descriptor.
    await assert.rejects(
      readAll(open({ ...s, crc32: s.crc32 ^ 1 }, bytesSource(dd))),
      code('CRC_MISMATCH'),
    );
    // Stripped CRC, corrupt data: the descriptor's CRC catches it.
    const bad = dd.slice();
    bad[Buffer.from(dd).indexOf('streamed') + 2] ^= 1;
    await assert.rejects(readAll(open({ ...s, crc32: 0 }, bytesSource(bad))), code('CRC_MISMATCH'));
  });

  it('sizes and headers are checked', async () => {
    const zip = await makeZip([{ name: 'a.txt', data: 'x'.repeat(5000) }]);
    const [f] = index(zip);
    await assert.rejects(
      readAll(open({ ...f, uncompressedSize: 4999n }, bytesSource(zip))),
      code('SIZE_MISMATCH'),
    );
    await assert.rejects(
      readAll(open({ ...f, uncompressedSize: 5001n }, bytesSource(zip))),
      code('SIZE_MISMATCH'),
    );
    await assert.rejects(
      readAll(open({ ...f, offset: f.offset + 1n }, bytesSource(zip))),
      code('BAD_SIGNATURE'),
    );
    await assert.rejects(
      readAll(open({ ...f, offset: BigInt(zip.length) }, bytesSource(zip))),
      code('BAD_RECORD'),
    );
    await assert.rejects(
      readAll(open({ ...f, offset: 1n << 60n }, bytesSource(zip))),
      code('TOO_LARGE'),
    );
    await assert.rejects(
      readAll(open({ ...f, method: 1 }, bytesSource(zip))),
      code('UNSUPPORTED_METHOD'),
    );
    await assert.rejects(readAll(open({ ...f, flags: 1 }, bytesSource(zip))), code('ENCRYPTED'));
    // Data cut short by the end of the stream.
    const cut = readStream(bytesSource(zip), Number(f.offset), Number(f.offset) + 40);
    await assert.rejects(readAll(open(f, cut)), code('TRUNCATED'));
  });

  it('a local extra field longer than the guess costs one more read', async () => {
    const extra = { id: 0xcafe, data: new Uint8Array(1000).fill(7) };
    const zip = await makeZip([
      { name: 'a.txt', data: 'with a long extra', options: { extraFields: [extra] } },
      { name: 'b.txt', data: 'after it' },
    ]);
    const source = bytesSource(zip);
    const [a, b] = index(zip);
    assert.equal(text(await readAll(open(a, source))), 'with a long extra');
    assert.equal(source.stats.requests, 2);
    assert.equal(text(await readAll(open(b, source))), 'after it');
  });

  it('zstd (method 93) members', async () => {
    const zip = fixture('zstd-compressed.zip');
    const archive = await openZip(bytesSource(zip));
    const files = index(zip);
    assert.ok(files.some((f) => f.method === 93));
    for (const [i, f] of files.entries()) {
      assert.deepEqual(
        await readAll(open(f, bytesSource(zip))),
        await readEntry(archive, archive.entries[i]),
      );
    }
  });
});

describe('openRaw and the registry', () => {
  it('openRaw returns the stored bytes', async () => {
    const zip = await makeZip(manyMembers(10));
    const archive = await openZip(bytesSource(zip));
    for (const [i, f] of index(zip).entries()) {
      assert.deepEqual(
        await readAll(openRaw(f, bytesSource(zip))),
        await readAll(openEntryRaw(archive, archive.entries[i])),
      );
    }
  });

  it('a registered decompressor is used for its method', async () => {
    const zip = await makeZip([{ name: 'a.txt', data: 'abc', options: { method: 0 } }]);
    const [f] = index(zip);
    registerDecompressor(201, async function* (input) {
      for await (const chunk of input) yield chunk.map((c) => c - 32);
    });
    const upper: File = { ...f, method: 201, crc32: 0 };
    assert.equal(text(await readAll(open(upper, bytesSource(zip)))), 'ABC');
    assert.equal(findFile([upper], 'a.txt')?.method, 201);
  });
});
