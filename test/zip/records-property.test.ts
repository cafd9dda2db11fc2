// Property tests of the ZIP record codecs: decode(encode(x)) = x for every
// field value the format can carry, at any position in a larger buffer.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeCentralHeader, encodeCentralHeader } from '../../src/zip/central-header.js';
import { decodeDataDescriptor, encodeDataDescriptor } from '../../src/zip/data-descriptor.js';
import { fromDosDateTime, toDosDateTime } from '../../src/zip/dos-time.js';
import {
  decodeEocd,
  decodeZip64Eocd,
  decodeZip64Locator,
  encodeEocd,
  encodeZip64Eocd,
  encodeZip64Locator,
} from '../../src/zip/end-records.js';
import {
  encodeExtraFields,
  encodeZip64Extra,
  parseExtraFields,
  readZip64Extra,
} from '../../src/zip/extra-fields.js';
import { decodeLocalHeader, encodeLocalHeader } from '../../src/zip/local-header.js';

const RUNS = { numRuns: 300, seed: 0x5eed };
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u64 = fc.maxSafeNat();
const bytes = (max: number) => fc.uint8Array({ maxLength: max });

/** `record` placed after `before` bytes and followed by `after` bytes of noise. */
function embed(record: Uint8Array, before: number, after: number): Uint8Array {
  const b = new Uint8Array(before + record.length + after).fill(0xa5);
  b.set(record, before);
  return b;
}

const plain = <T extends object>(x: T) =>
  Object.fromEntries(
    Object.entries(x).map(([k, v]) => [k, v instanceof Uint8Array ? [...v] : v]),
  ) as Record<string, unknown>;

describe('ZIP record codecs round trip (fast-check)', () => {
  it('local file header', () => {
    const header = fc.record({
      versionNeeded: u16,
      flags: u16,
      method: u16,
      dosTime: u16,
      dosDate: u16,
      crc32: u32,
      compressedSize: u32,
      uncompressedSize: u32,
      rawName: bytes(300),
      extra: bytes(300),
    });
    fc.assert(
      fc.property(header, fc.nat(64), fc.nat(64), (h, before, after) => {
        const b = embed(encodeLocalHeader(h), before, after);
        assert.deepEqual(plain(decodeLocalHeader(b, before)), plain(h));
      }),
      RUNS,
    );
  });

  it('central directory header', () => {
    const header = fc.record({
      versionMadeBy: u16,
      versionNeeded: u16,
      flags: u16,
      method: u16,
      dosTime: u16,
      dosDate: u16,
      crc32: u32,
      compressedSize: u32,
      uncompressedSize: u32,
      diskStart: u16,
      internalAttributes: u16,
      externalAttributes: u32,
      localHeaderOffset: u32,
      rawName: bytes(300),
      extra: bytes(300),
      rawComment: bytes(300),
    });
    fc.assert(
      fc.property(header, fc.nat(64), fc.nat(64), (h, before, after) => {
        const encoded = encodeCentralHeader(h);
        const got = decodeCentralHeader(embed(encoded, before, after), before);
        assert.ok(got);
        assert.equal(got.length, encoded.length);
        assert.deepEqual(plain(got.header), plain(h));
        // One byte short is "need more", never a wrong record.
        assert.equal(decodeCentralHeader(encoded.subarray(0, encoded.length - 1), 0), undefined);
      }),
      RUNS,
    );
  });

  it('end of central directory record', () => {
    const eocd = fc.record({
      diskNumber: u16,
      cdDisk: u16,
      entriesOnDisk: u16,
      entriesTotal: u16,
      cdSize: u32,
      cdOffset: u32,
      comment: bytes(2000),
    });
    fc.assert(
      fc.property(eocd, fc.nat(64), (e, before) => {
        const b = embed(encodeEocd(e), before, 0);
        assert.deepEqual(plain(decodeEocd(b, before)), plain(e));
      }),
      RUNS,
    );
  });

  it('ZIP64 end of central directory record and locator', () => {
    const z = fc.record({
      versionMadeBy: u16,
      versionNeeded: u16,
      diskNumber: u32,
      cdDisk: u32,
      entriesOnDisk: u64,
      entriesTotal: u64,
      cdSize: u64,
      cdOffset: u64,
      extensible: bytes(100),
    });
    const loc = fc.record({ eocdDisk: u32, zip64EocdOffset: u64, totalDisks: u32 });
    fc.assert(
      fc.property(z, loc, fc.nat(64), (e, l, before) => {
        const b = embed(encodeZip64Eocd(e), before, 7);
        // The extensible data sector is skipped by the decoder.
        assert.deepEqual(
          plain(decodeZip64Eocd(b, before)),
          plain({ ...e, extensible: new Uint8Array() }),
        );
        const lb = embed(encodeZip64Locator(l), before, 3);
        assert.deepEqual(decodeZip64Locator(lb, before), { ...l });
      }),
      RUNS,
    );
  });

  it('data descriptor, 32- and 64-bit', () => {
    fc.assert(
      fc.property(u32, u64, u64, fc.boolean(), (crc32, c, u, zip64) => {
        const d = {
          crc32,
          compressedSize: zip64 ? c : c % 0x1_0000_0000,
          uncompressedSize: zip64 ? u : u % 0x1_0000_0000,
        };
        const encoded = encodeDataDescriptor(d, zip64);
        const got = decodeDataDescriptor(embed(encoded, 0, 5), 0, zip64, crc32);
        assert.ok(got);
        assert.deepEqual(
          {
            crc32: got.crc32,
            compressedSize: got.compressedSize,
            uncompressedSize: got.uncompressedSize,
          },
          d,
        );
        assert.equal(got.length, encoded.length);
        assert.equal(got.signed, true);
      }),
      RUNS,
    );
  });

  it('extra fields and the ZIP64 extra', () => {
    const fields = fc.array(fc.record({ id: u16, data: bytes(200) }), { maxLength: 12 });
    fc.assert(
      fc.property(fields, (fs) => {
        const parsed = parseExtraFields(encodeExtraFields(fs));
        assert.deepEqual(parsed.map(plain), fs.map(plain));
      }),
      RUNS,
    );
    const values = fc.record(
      {
        uncompressedSize: u64,
        compressedSize: u64,
        localHeaderOffset: u64,
        diskStart: u32,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(values, (v) => {
        const need = {
          uncompressedSize: v.uncompressedSize !== undefined,
          compressedSize: v.compressedSize !== undefined,
          localHeaderOffset: v.localHeaderOffset !== undefined,
          diskStart: v.diskStart !== undefined,
        };
        assert.deepEqual(readZip64Extra(encodeZip64Extra(v).data, need), { ...v });
      }),
      RUNS,
    );
  });

  it('DOS date and time (2-second resolution, 1980..2107)', () => {
    const when = fc
      .date({
        min: new Date(Date.UTC(1980, 0, 1)),
        max: new Date(Date.UTC(2107, 11, 31, 23, 59, 58)),
        noInvalidDate: true,
      })
      .map((d) => new Date(Math.floor(d.getTime() / 2000) * 2000));
    fc.assert(
      fc.property(when, (d) => {
        const { date, time } = toDosDateTime(d);
        assert.equal(fromDosDateTime(date, time).getTime(), d.getTime());
      }),
      RUNS,
    );
  });
});
