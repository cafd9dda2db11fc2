// Record codecs against APPNOTE byte layouts, and the small decoders
// (names, times, extra fields) against independent references.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { isCozipError } from '../../src/errors.js';
import { getU16, getU32, putU16, putU32 } from '../../src/zip/bytes.js';
import { decodeCentralHeader, encodeCentralHeader } from '../../src/zip/central-header.js';
import { crc32 } from '../../src/zip/codecs.js';
import { crc32Table } from '../../src/zip/crc32-table.js';
import { decodeDataDescriptor, encodeDataDescriptor } from '../../src/zip/data-descriptor.js';
import { fromDosDateTime, toDosDateTime } from '../../src/zip/dos-time.js';
import {
  decodeZip64Eocd,
  decodeZip64Locator,
  encodeEocd,
  encodeZip64Eocd,
  encodeZip64Locator,
  findEocd,
} from '../../src/zip/end-records.js';
import {
  encodeUnicodePath,
  encodeZip64Extra,
  parseExtraFields,
  readExtendedTimestamp,
  readNtfsTimes,
  readUnicodePath,
  readZip64Extra,
} from '../../src/zip/extra-fields.js';
import { decodeLocalHeader, encodeLocalHeader } from '../../src/zip/local-header.js';
import { decodeCp437, decodeName, encodeUtf8, unsafeNameReason } from '../../src/zip/names.js';
import { seededBytes } from '../helpers/random.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('CRC-32', () => {
  it('the table fallback equals the runtime CRC, incrementally and at once', () => {
    const data = seededBytes(7, 100_003);
    assert.equal(crc32Table(data), crc32(data));
    assert.equal(crc32Table(data.subarray(5000), crc32Table(data.subarray(0, 5000))), crc32(data));
    assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926); // the check value
  });
});

describe('names', () => {
  it('CP437 matches Python for every high byte', () => {
    const high = Uint8Array.from({ length: 128 }, (_, i) => 128 + i);
    const py = execFileSync('python3', [
      '-c',
      'import sys; sys.stdout.buffer.write(bytes(range(128,256)).decode("cp437").encode("utf-8"))',
    ]);
    assert.equal(decodeCp437(high), py.toString('utf8'));
  });
  it('bit 11, Unicode Path, detected UTF-8 and CP437 are told apart', () => {
    const utf8 = encodeUtf8('Straße/日本.txt');
    assert.deepEqual(decodeName(utf8, true, undefined), {
      name: 'Straße/日本.txt',
      encoding: 'utf8',
    });
    assert.deepEqual(decodeName(utf8, false, undefined), {
      name: 'Straße/日本.txt',
      encoding: 'utf8-detected',
    });
    assert.deepEqual(decodeName(Uint8Array.of(0x82, 0x41), false, undefined), {
      name: 'éA',
      encoding: 'cp437',
    });
    assert.deepEqual(decodeName(Uint8Array.of(0x41), false, 'X'), {
      name: 'X',
      encoding: 'unicode-path',
    });
  });
  it('unsafe names are caught', () => {
    for (const n of ['/etc/passwd', 'C:/x', 'c:x', 'a/../../b', '..', 'a\\b', 'a\u0000b', '']) {
      assert.ok(unsafeNameReason(n), n);
    }
    for (const n of ['a/b/c.txt', 'a..b', '.hidden', 'dir/', 'x/./y'])
      assert.equal(unsafeNameReason(n), undefined, n);
  });
  it('a Unicode Path extra whose CRC does not match the header name is ignored', () => {
    const raw = Uint8Array.of(0x41, 0x42);
    const f = encodeUnicodePath('日本', raw);
    assert.equal(readUnicodePath(f.data, raw), '日本');
    assert.equal(readUnicodePath(f.data, Uint8Array.of(0x41, 0x43)), undefined);
  });
});

describe('DOS date and time', () => {
  it('decodes the packed fields', () => {
    // 0x4B5F date, 0xA97D time: 2017-10-31 21:11:58 (from time-win7.zip).
    assert.equal(fromDosDateTime(0x4b5f, 0xa97d).toISOString(), '2017-10-31T21:11:58.000Z');
  });
  it('round-trips at 2-second resolution and clamps out-of-range years', () => {
    const d = new Date('2024-02-29T23:59:59Z');
    const { date, time } = toDosDateTime(d);
    assert.equal(fromDosDateTime(date, time).toISOString(), '2024-02-29T23:59:58.000Z');
    assert.equal(fromDosDateTime(toDosDateTime(new Date(0)).date, 0).getUTCFullYear(), 1980);
  });
});

describe('extra fields', () => {
  it('a field running past the block is BAD_RECORD; short padding is ignored', () => {
    assert.throws(
      () => parseExtraFields(Uint8Array.of(0x01, 0x00, 0x09, 0x00, 1, 2)),
      (e) => isCozipError(e, 'BAD_RECORD'),
    );
    assert.deepEqual(parseExtraFields(Uint8Array.of(0xaa, 0xbb, 0x00, 0x00, 0, 0)).length, 1);
  });
  it('ZIP64: only the sentinel fields, in APPNOTE order', () => {
    const f = encodeZip64Extra({ compressedSize: 2 ** 33, localHeaderOffset: 5 });
    assert.equal(f.id, 1);
    assert.equal(hex(f.data), '0000000002000000' + '0500000000000000');
    const v = readZip64Extra(f.data, {
      uncompressedSize: false,
      compressedSize: true,
      localHeaderOffset: true,
      diskStart: false,
    });
    assert.deepEqual(v, { compressedSize: 2 ** 33, localHeaderOffset: 5 });
    assert.throws(
      () =>
        readZip64Extra(f.data, {
          uncompressedSize: true,
          compressedSize: true,
          localHeaderOffset: true,
          diskStart: false,
        }),
      (e) => isCozipError(e, 'INVALID_ZIP64') && /relative header offset/.test(e.message),
    );
  });
  it('extended timestamp: central copies carry only mtime under the local flags', () => {
    const data = Uint8Array.of(0x03, 0x8d, 0x49, 0xf9, 0x59); // flags mtime|atime, mtime only
    assert.equal(readExtendedTimestamp(data).mtime?.toISOString(), '2017-11-01T04:11:57.000Z');
    assert.equal(readExtendedTimestamp(data).atime, undefined);
  });
  it('NTFS times: 100 ns ticks since 1601', () => {
    const data = new Uint8Array(32);
    putU16(data, 4, 1);
    putU16(data, 6, 24);
    const ticks = 116444736000000000n + 10_000_000n; // 1970-01-01T00:00:01Z
    new DataView(data.buffer).setBigUint64(8, ticks, true);
    assert.equal(readNtfsTimes(data).mtime?.toISOString(), '1970-01-01T00:00:01.000Z');
  });
});

describe('headers and end records', () => {
  it('local header: fields at their APPNOTE offsets, and back', () => {
    const h = {
      versionNeeded: 20,
      flags: 0x0808,
      method: 8,
      dosTime: 0x1234,
      dosDate: 0x5678,
      crc32: 0xdeadbeef,
      compressedSize: 100,
      uncompressedSize: 200,
      rawName: encodeUtf8('a.txt'),
      extra: Uint8Array.of(0xaa, 0xbb, 0, 0),
    };
    const b = encodeLocalHeader(h);
    assert.equal(b.length, 30 + 5 + 4);
    assert.equal(getU32(b, 0), 0x04034b50);
    assert.equal(getU16(b, 6), 0x0808);
    assert.equal(getU32(b, 14), 0xdeadbeef);
    assert.equal(getU16(b, 26), 5);
    assert.equal(getU16(b, 28), 4);
    assert.deepEqual(decodeLocalHeader(b, 0), h);
  });
  it('central header: fields at their APPNOTE offsets, and back', () => {
    const h = {
      versionMadeBy: 0x031e,
      versionNeeded: 45,
      flags: 0x800,
      method: 0,
      dosTime: 1,
      dosDate: 2,
      crc32: 3,
      compressedSize: 0xffffffff,
      uncompressedSize: 0xffffffff,
      diskStart: 0,
      internalAttributes: 1,
      externalAttributes: 0x81a40000,
      localHeaderOffset: 0xffffffff,
      rawName: encodeUtf8('é'),
      extra: encodeZip64Extra({ uncompressedSize: 1, compressedSize: 2, localHeaderOffset: 3 })
        .data,
      rawComment: encodeUtf8('c'),
    };
    const b = encodeCentralHeader(h);
    assert.equal(getU32(b, 0), 0x02014b50);
    assert.equal(getU32(b, 38), 0x81a40000);
    assert.equal(getU32(b, 42), 0xffffffff);
    assert.deepEqual(decodeCentralHeader(b, 0)?.header, h);
    assert.equal(
      decodeCentralHeader(b.subarray(0, b.length - 1), 0),
      undefined,
      'short buffer: read more',
    );
    putU32(b, 0, 0x01014b50);
    assert.throws(
      () => decodeCentralHeader(b, 0),
      (e) => isCozipError(e, 'BAD_SIGNATURE'),
    );
  });
  it('data descriptors: signed, unsigned, ZIP64, and a CRC equal to the signature', () => {
    const d = { crc32: 0x12345678, compressedSize: 10, uncompressedSize: 20 };
    const signed = encodeDataDescriptor(d, false);
    assert.equal(signed.length, 16);
    assert.deepEqual(decodeDataDescriptor(signed, 0, false), { ...d, length: 16, signed: true });
    assert.deepEqual(decodeDataDescriptor(signed.subarray(4), 0, false), {
      ...d,
      length: 12,
      signed: false,
    });
    const big = { ...d, compressedSize: 2 ** 32 + 1 };
    assert.deepEqual(decodeDataDescriptor(encodeDataDescriptor(big, true), 0, true), {
      ...big,
      length: 24,
      signed: true,
    });
    const tricky = encodeDataDescriptor(
      { crc32: 0x08074b50, compressedSize: 1, uncompressedSize: 1 },
      false,
    ).subarray(4);
    assert.equal(decodeDataDescriptor(tricky, 0, false, 0x08074b50)?.signed, false);
  });
  it('EOCD search: nearest the end wins; junk and truncated comments are reported', () => {
    const eocd = encodeEocd({
      diskNumber: 0,
      cdDisk: 0,
      entriesOnDisk: 0,
      entriesTotal: 0,
      cdSize: 0,
      cdOffset: 0,
      comment: encodeUtf8('hi'),
    });
    assert.deepEqual(
      { ...findEocd(eocd, 0, eocd.length), eocd: undefined },
      { offset: 0, eocd: undefined, commentTruncated: false, trailingBytes: 0 },
    );
    const junk = new Uint8Array(eocd.length + 7);
    junk.set(eocd);
    assert.equal(findEocd(junk, 0, junk.length).trailingBytes, 7);
    assert.equal(
      findEocd(eocd.subarray(0, eocd.length - 1), 0, eocd.length - 1).commentTruncated,
      true,
    );
    assert.throws(
      () => findEocd(new Uint8Array(100), 0, 100),
      (e) => isCozipError(e, 'NOT_A_ZIP'),
    );
  });
  it('ZIP64 end record and locator round-trip', () => {
    const r = {
      versionMadeBy: 45,
      versionNeeded: 45,
      diskNumber: 0,
      cdDisk: 0,
      entriesOnDisk: 70000,
      entriesTotal: 70000,
      cdSize: 2 ** 32 + 5,
      cdOffset: 2 ** 33,
      extensible: new Uint8Array(0),
    };
    const b = encodeZip64Eocd(r);
    assert.equal(b.length, 56);
    assert.equal(
      Number(new DataView(b.buffer).getBigUint64(4, true)),
      44,
      'size of the rest of the record',
    );
    assert.deepEqual(decodeZip64Eocd(b, 0), r);
    const l = encodeZip64Locator({ eocdDisk: 0, zip64EocdOffset: 2 ** 40, totalDisks: 1 });
    assert.deepEqual(decodeZip64Locator(l, 0), {
      eocdDisk: 0,
      zip64EocdOffset: 2 ** 40,
      totalDisks: 1,
    });
  });
});
