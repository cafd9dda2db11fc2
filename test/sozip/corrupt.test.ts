// Indexes that must not be trusted. The reader ignores them (with a warning
// code) and still returns the right bytes; the validator reports them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { constants } from 'node:zlib';
import type { CozipError, ErrorCode } from '../../src/errors.js';
import { bytesSource } from '../../src/io/bytes-source.js';
import { detectSozip } from '../../src/sozip/detect.js';
import { encodeSozipIndex } from '../../src/sozip/index-record.js';
import { openSozipMember, readRange } from '../../src/sozip/random-access.js';
import { validateSozip } from '../../src/sozip/validate.js';
import { getU32, putU32, putU64 } from '../../src/zip/bytes.js';
import { checkZip } from '../../src/zip/check.js';
import { fullOverlapBomb, quotedOverlapBomb } from '../helpers/bombs.js';
import { randomInt, rng } from '../helpers/random.js';
import { assemble, type MemberParts, openBytes, referenceDeflate, textContent } from './helpers.js';

const CS = 4096;
const data = textContent(99, 30 * CS + 123);
const good = referenceDeflate(data, CS, 6);

function indexOf(
  offsets: number[],
  over: { chunkSize?: number; uncompressedSize?: number; compressedSize?: number } = {},
): Uint8Array {
  // Encoded by hand so that any field can lie.
  const b = new Uint8Array(32 + 8 * offsets.length);
  putU32(b, 0, 1);
  putU32(b, 8, over.chunkSize ?? CS);
  putU32(b, 12, 8);
  putU64(b, 16, over.uncompressedSize ?? data.length);
  putU64(b, 24, over.compressedSize ?? good.bytes.length);
  for (const [i, o] of offsets.entries()) putU64(b, 32 + 8 * i, o);
  return b;
}

function member(parts: Partial<MemberParts> = {}): MemberParts {
  return {
    name: 'm.txt',
    content: data,
    deflated: good.bytes,
    index: encodeSozipIndex({
      chunkSize: CS,
      uncompressedSize: data.length,
      compressedSize: good.bytes.length,
      offsets: good.offsets,
    }),
    ...parts,
  };
}

/** The byte offset of the hidden index's content in `bytes`. */
function recordAt(bytes: Uint8Array, name = '.m.txt.sozip.idx'): { header: number; data: number } {
  const at = Buffer.from(bytes).indexOf(Buffer.from(name));
  return { header: at - 30, data: at + name.length };
}

/** Reads must be right whatever the index says; returns the warnings. */
async function readsCorrectly(bytes: Uint8Array): Promise<CozipError[]> {
  const warnings: CozipError[] = [];
  const m = await openSozipMember(await openBytes(bytes), 'm.txt', {
    onWarning: (w) => warnings.push(w),
    chunkCacheBytes: 0,
  });
  const random = rng(3);
  for (let i = 0; i < 60; i++) {
    const o = randomInt(random, 0, data.length);
    const n = randomInt(random, 1, 3 * CS);
    assert.ok(
      Buffer.from(await readRange(m, o, n)).equals(data.subarray(o, o + n)),
      `[${o}, +${n})`,
    );
  }
  assert.equal(m.index, undefined, 'the index is no longer used');
  assert.deepEqual(
    warnings.map((w) => w.code),
    m.warnings.map((w) => w.code),
  );
  return warnings;
}

async function problems(bytes: Uint8Array, deep = false): Promise<ErrorCode[]> {
  const v = await validateSozip(bytesSource(bytes), { deep });
  assert.equal(v.ok, false);
  return v.problems.map((p) => p.code);
}

describe('a sound index (the control)', () => {
  it('is used, and validates deep', async () => {
    const bytes = await assemble([member()]);
    const m = await openSozipMember(await openBytes(bytes), 'm.txt');
    assert.equal(m.index?.chunks, 31);
    assert.deepEqual(m.warnings, []);
    const v = await validateSozip(bytesSource(bytes), { deep: true });
    assert.equal(v.ok, true, JSON.stringify(v.problems));
  });
});

describe('inconsistent indexes are ignored with SOZIP_INVALID_INDEX', () => {
  const cases: Array<[string, () => Promise<Uint8Array>, RegExp]> = [
    [
      'one offset too few',
      () => assemble([member({ index: indexOf(good.offsets.slice(0, -1)) })]),
      /do not hold the 30 offsets/,
    ],
    [
      'one offset too many',
      () => assemble([member({ index: indexOf([...good.offsets, good.bytes.length - 1]) })]),
      /do not hold the 30 offsets/,
    ],
    [
      'offsets not ascending',
      () => {
        const o = [...good.offsets];
        [o[4], o[5]] = [o[5], o[4]];
        return assemble([member({ index: indexOf(o) })]);
      },
      /offset 5 .* not above/,
    ],
    [
      'a repeated offset',
      () => {
        const o = [...good.offsets];
        o[7] = o[6];
        return assemble([member({ index: indexOf(o) })]);
      },
      /offset 7/,
    ],
    [
      'an offset at compress_size',
      () => {
        const o = [...good.offsets];
        o[29] = good.bytes.length;
        return assemble([member({ index: indexOf(o) })]);
      },
      /not below compress_size/,
    ],
    [
      'uncompress_size of another file',
      () =>
        assemble([member({ index: indexOf(good.offsets, { uncompressedSize: data.length + 1 }) })]),
      /uncompress_size/,
    ],
    [
      'compress_size of another file',
      () =>
        assemble([
          member({ index: indexOf(good.offsets, { compressedSize: good.bytes.length + 9 }) }),
        ]),
      /compress_size/,
    ],
    [
      'chunk_size 0',
      () => assemble([member({ index: indexOf([], { chunkSize: 0 }) })]),
      /chunk_size is 0/,
    ],
    [
      'version 2',
      async () => {
        const bytes = await assemble([member()]);
        putU32(bytes, recordAt(bytes).data, 2);
        return bytes;
      },
      /version 2/,
    ],
    [
      'offset_size 4 (which sozipfile accepts)',
      async () => {
        const bytes = await assemble([member()]);
        putU32(bytes, recordAt(bytes).data + 12, 4);
        return bytes;
      },
      /offset_size is 4/,
    ],
    [
      'a CRC-32 that does not match the index bytes',
      async () => {
        const bytes = await assemble([member()]);
        bytes[recordAt(bytes).header + 14] ^= 0xff;
        return bytes;
      },
      /CRC-32/,
    ],
    [
      'a compressed index record',
      async () => {
        const bytes = await assemble([member()]);
        bytes[recordAt(bytes).header + 8] = 8;
        return bytes;
      },
      /compressed/,
    ],
  ];
  for (const [label, build, why] of cases) {
    it(label, async () => {
      const bytes = await build();
      const zip = await openBytes(bytes);
      const d = await detectSozip(zip, zip.entries[0]);
      assert.equal(d.found, true);
      assert.equal(d.index, undefined);
      assert.equal(d.warnings[0]?.code, 'SOZIP_INVALID_INDEX');
      assert.match(d.warnings[0].message, why);
      const warnings = await readsCorrectly(bytes);
      assert.equal(warnings[0]?.code, 'SOZIP_INVALID_INDEX');
      assert.deepEqual(await problems(bytes), ['SOZIP_INVALID_INDEX']);
    });
  }
});

describe('an index listed in the central directory', () => {
  it('is not used, and the validator flags the listed record and the member', async () => {
    const bytes = await assemble([member({ listIndex: true })]);
    const zip = await openBytes(bytes);
    assert.deepEqual(
      zip.entries.map((e) => e.name),
      ['m.txt', '.m.txt.sozip.idx'],
    );
    const d = await detectSozip(zip, zip.entries[0]);
    assert.equal(d.found, true);
    assert.equal(d.index, undefined);
    assert.equal(d.warnings[0].code, 'SOZIP_INDEX_LISTED');
    await readsCorrectly(bytes);
    const v = await validateSozip(bytesSource(bytes));
    assert.equal(v.ok, false);
    assert.deepEqual(
      v.problems.map((p) => [p.code, p.entry]),
      [
        ['SOZIP_INDEX_LISTED', 'm.txt'],
        ['SOZIP_INDEX_LISTED', '.m.txt.sozip.idx'],
      ],
    );
  });
});

describe('chunks that do not decode on their own (SOZIP_BAD_CHUNK)', () => {
  const cases: Array<[string, () => { bytes: Uint8Array; offsets: number[] }]> = [
    // A sync flush alone: the 5-byte full-flush block is missing, and the
    // dictionary carries over.
    [
      'sync flush without the full flush',
      () => referenceDeflate(data, CS, 6, [constants.Z_SYNC_FLUSH]),
    ],
    // Two sync flushes: the trailer bytes look right, but the dictionary was
    // never reset, so chunks refer back into the previous ones.
    [
      'two sync flushes (right trailer, dictionary not reset)',
      () => referenceDeflate(data, CS, 6, [constants.Z_SYNC_FLUSH, constants.Z_SYNC_FLUSH]),
    ],
    // Offsets one byte late: ascending, below compress_size, but wrong.
    [
      'offsets that miss the chunk starts',
      () => ({ bytes: good.bytes, offsets: good.offsets.map((o) => o + 1) }),
    ],
  ];
  for (const [label, make] of cases) {
    it(label, async () => {
      const stream = make();
      const bytes = await assemble([
        member({
          deflated: stream.bytes,
          index: encodeSozipIndex({
            chunkSize: CS,
            uncompressedSize: data.length,
            compressedSize: stream.bytes.length,
            offsets: stream.offsets,
          }),
        }),
      ]);
      // The index itself is consistent: only decoding tells.
      const zip = await openBytes(bytes);
      assert.ok((await detectSozip(zip, zip.entries[0])).index);
      const warnings = await readsCorrectly(bytes);
      assert.equal(warnings[0]?.code, 'SOZIP_BAD_CHUNK');
      const shallow = await validateSozip(bytesSource(bytes));
      assert.equal(shallow.ok, true, 'only a deep validation decodes chunks');
      const codes = await problems(bytes, true);
      assert.ok(codes.length > 0);
      assert.ok(
        codes.every((c) => c === 'SOZIP_BAD_CHUNK'),
        codes.join(),
      );
    });
  }

  it('a chunk whose data was altered fails the CRC-32 or its own decoding', async () => {
    // Flip a bit inside a stored block of a level-0 stream: every chunk still
    // decodes to the right length, only the CRC-32 of the whole can tell.
    const stored = referenceDeflate(data, CS, 0);
    const bytes = stored.bytes.slice();
    bytes[stored.offsets[10] + 100] ^= 0x01;
    const archive = await assemble([
      member({
        deflated: bytes,
        index: encodeSozipIndex({
          chunkSize: CS,
          uncompressedSize: data.length,
          compressedSize: bytes.length,
          offsets: stored.offsets,
        }),
      }),
    ]);
    assert.deepEqual(await problems(archive, true), ['CRC_MISMATCH']);
  });
});

describe('overlapping members', () => {
  it('many central records on one SOZip member: reported, its chunks decoded for none', async () => {
    // The member's one central record, repeated: every copy finds the same
    // index after the same data, and a deep check would decode it per copy.
    const bytes = await assemble([member()]);
    const eocd = bytes.length - 22;
    const cdOffset = getU32(bytes, eocd + 16);
    const record = bytes.slice(cdOffset, eocd);
    const copies = 20;
    const cd = Buffer.concat(Array.from({ length: copies }, () => record));
    const end = Buffer.from(bytes.subarray(eocd));
    end.writeUInt16LE(copies, 8);
    end.writeUInt16LE(copies, 10);
    end.writeUInt32LE(cd.length, 12);
    const bomb = new Uint8Array(Buffer.concat([bytes.subarray(0, cdOffset), cd, end]));
    const zip = await openBytes(bomb);
    const check = await checkZip(zip);
    assert.equal(check.bytesChecked, 0);
    assert.ok(check.problems.some((p) => p.code === 'OVERLAP'));
    const v = await validateSozip(zip, { deep: true });
    assert.equal(v.ok, false);
    const decoded = v.members.reduce((n, m) => n + (m.verifiedChunks ?? 0), 0);
    assert.equal(decoded, 0, 'no chunk of an overlapping member is decoded');
    assert.equal(v.problems.filter((p) => p.code === 'OVERLAP').length, copies);
    // The built-in bombs: full and quoted overlap, nothing inflated.
    for (const b of [fullOverlapBomb(50, 1 << 20), quotedOverlapBomb(20, 1 << 20)]) {
      const r = await checkZip(await openBytes(b));
      assert.equal(r.bytesChecked, 0);
      assert.ok(r.problems.some((p) => p.code === 'OVERLAP'));
    }
  });
});
