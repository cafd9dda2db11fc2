// Entries backed by the directory's bytes read every field exactly as the
// eager decoding of each record does, on every archive of the shared corpus
// and on ZIP64 and chunked directories.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { bytesSource } from '../../src/io/bytes-source.js';
import { CentralEntry } from '../../src/zip/central-entries.js';
import { entryFromCentral, type ZipEntry } from '../../src/zip/entry.js';
import { openZip, visitCentralHeaders } from '../../src/zip/reader.js';
import { bufferSink } from '../../src/zip/sink.js';
import { ZipWriter } from '../../src/zip/writer.js';

const DIR = new URL('../../../shared/fixtures/zips/', import.meta.url).pathname;

/** The same entries decoded eagerly, one plain object per record. */
function eagerEntries(
  bytes: Uint8Array,
  cdOffset: number,
  cdSize: number,
  base: number,
): ZipEntry[] {
  const out: ZipEntry[] = [];
  visitCentralHeaders(bytes.subarray(cdOffset, cdOffset + cdSize), cdOffset, true, (h) =>
    out.push(entryFromCentral(h, out.length, base)),
  );
  return out;
}

function plain(e: ZipEntry): Record<string, unknown> {
  return {
    index: e.index,
    name: e.name,
    rawName: [...e.rawName],
    nameEncoding: e.nameEncoding,
    comment: e.comment,
    versionMadeBy: e.versionMadeBy,
    versionNeeded: e.versionNeeded,
    flags: e.flags,
    method: e.method,
    crc32: e.crc32,
    compressedSize: e.compressedSize,
    uncompressedSize: e.uncompressedSize,
    localHeaderOffset: e.localHeaderOffset,
    diskStart: e.diskStart,
    internalAttributes: e.internalAttributes,
    externalAttributes: e.externalAttributes,
    dosDate: e.dosDate,
    dosTime: e.dosTime,
    mtime: e.mtime.getTime(),
    extra: [...e.extra],
    extraFields: e.extraFields.map((f) => [f.id, [...f.data]]),
    zip64: e.zip64,
    encrypted: e.encrypted,
    isDirectory: e.isDirectory,
    isSymlink: e.isSymlink,
    unixMode: e.unixMode,
  };
}

async function assertSame(bytes: Uint8Array, label: string) {
  const zip = await openZip(bytesSource(bytes, label));
  const eager = eagerEntries(bytes, zip.cdOffset, zip.cdSize, zip.prefixLength);
  assert.equal(zip.entries.length, eager.length, label);
  for (const [i, e] of zip.entries.entries()) {
    assert.ok(e instanceof CentralEntry);
    assert.deepEqual(plain(e), plain(eager[i]), `${label} #${i}`);
  }
  return zip;
}

describe('entries backed by the central directory', () => {
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.zip'))) {
    if (file === 'comment-truncated.zip' || file === 'test-badbase.zip') continue;
    it(`${file}: every field as the eager decoding gives it`, async () => {
      await assertSame(new Uint8Array(readFileSync(DIR + file)), file);
    });
  }

  it('ZIP64 fields, comments, and a directory larger than the tail read', async () => {
    const sink = bufferSink();
    const w = new ZipWriter(sink, { mtime: new Date(Date.UTC(2020, 1, 2)), zip64: 'always' });
    for (let i = 0; i < 3000; i++) {
      await w.add(`d${i % 9}/é-${i}.txt`, `x${i}`, { comment: i % 7 ? undefined : `c${i}` });
    }
    await w.finish();
    const bytes = sink.bytes();
    const zip = await assertSame(bytes, 'zip64-always');
    assert.ok(zip.entries.every((e) => e.zip64));
    // JSON shows the fields, not the backing chunk.
    const json = JSON.parse(JSON.stringify(zip.entries[7]));
    assert.equal(json.name, 'd7/é-7.txt');
    assert.equal(json.comment, 'c7');
    assert.equal(json.chunk, undefined);
  });
});
