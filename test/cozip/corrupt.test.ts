// Every canonical error code of the spec, triggered by a crafted archive.
// Most corruptions are "re-sealed" (index CRC and integrity hash fixed up
// afterwards) so that the check under test, not an earlier one, fires.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { integrityHash } from '../../src/cozip/hash.js';
import { openCozip } from '../../src/cozip/reader.js';
import { validateCozip } from '../../src/cozip/validate.js';
import { writeCozip } from '../../src/cozip/writer.js';
import { isCozipError } from '../../src/errors.js';
import { getU16, getU32, putU16, putU32 } from '../../src/zip/bytes.js';
import { crc32, registerDecompressor } from '../../src/zip/codecs.js';
import { bufferSink } from '../../src/zip/sink.js';
import { seededBytes } from '../helpers/random.js';

const enc = new TextEncoder();

async function build(profile: 'flat' | 'none' = 'flat'): Promise<Uint8Array> {
  const sink = bufferSink();
  await writeCozip(
    sink,
    [
      { name: 'a', path: seededBytes(1, 3000) },
      { name: 'b', path: seededBytes(2, 4000) },
    ],
    { profile, priority: profile === 'none' ? ['a', 'b'] : undefined, mtime: new Date(0) },
  );
  return sink.bytes().slice();
}

/** Recomputes the index CRC and the integrity hash after an edit. */
function reseal(b: Uint8Array): Uint8Array {
  const n = getU32(b, 18);
  const payload = b.subarray(51, 51 + n);
  putU32(b, 14, crc32(payload));
  b.set(integrityHash(payload, b.subarray(b.length - 32768), b.length), 43);
  return b;
}

const payloadAt = 51;

async function opens(b: Uint8Array, code: string, options = {}) {
  await assert.rejects(
    openCozip(b, { verifyHash: true, ...options }),
    (e) => isCozipError(e) && e.code === code,
  );
}

async function validates(b: Uint8Array, code: string) {
  const report = await validateCozip(b);
  assert.equal(report.ok, false);
  assert.ok(
    report.problems.some((p) => p.code === code),
    `expected ${code}, got ${JSON.stringify(report.problems)}`,
  );
}

describe('corrupt cozips: each canonical error code', () => {
  it('a clean archive opens and validates', async () => {
    const b = await build();
    assert.equal((await openCozip(b, { verifyHash: true })).hashVerified, true);
    assert.deepEqual((await validateCozip(b)).problems, []);
  });

  it('INVALID_LFH: byte 0 is not a cozip index header (a plain ZIP, a renamed entry, a bad CRC)', async () => {
    const b = await build();
    const sig = b.slice();
    sig[0] = 0x51;
    await opens(sig, 'INVALID_LFH');
    const name = b.slice();
    name[32] = 0x78; // "__xozip__"
    await opens(name, 'INVALID_LFH');
    const method = b.slice();
    putU16(method, 8, 8);
    await opens(method, 'INVALID_LFH');
    const crc = b.slice();
    crc[payloadAt + 20] ^= 1; // payload changed, CRC not
    await opens(crc, 'INVALID_LFH');
  });

  it('INVALID_MAGIC, UNSUPPORTED_VERSION', async () => {
    const magic = await build();
    magic[payloadAt] = 0x44;
    await opens(reseal(magic), 'INVALID_MAGIC');
    const version = await build();
    putU16(version, payloadAt + 4, 2);
    await opens(reseal(version), 'UNSUPPORTED_VERSION');
  });

  it('UNKNOWN_PROFILE only when the caller requires known profiles', async () => {
    const b = await build('none');
    b[payloadAt + 6] = 9;
    reseal(b);
    const cz = await openCozip(b, { verifyHash: true });
    assert.equal(cz.profileName, undefined);
    assert.deepEqual(
      cz.index.map((e) => e.name),
      ['a', 'b'],
    );
    await opens(b, 'UNKNOWN_PROFILE', { profiles: ['flat', 'none', 'taco'] });
  });

  it('HASH_MISMATCH: a byte of the hashed tail changed', async () => {
    const b = await build();
    b[b.length - 30] ^= 0xff; // inside the central directory
    await opens(b, 'HASH_MISMATCH');
    const zeroed = await build();
    zeroed.fill(0, 43, 51); // a writer that never patched the hash
    await opens(zeroed, 'HASH_MISMATCH');
  });

  it('ARCHIVE_TOO_SMALL: under 32,819 bytes', async () => {
    const b = await build();
    await opens(b.slice(0, 20_000), 'ARCHIVE_TOO_SMALL');
  });

  it('TRUNCATED_INDEX: the declared entries do not fit the index', async () => {
    const b = await build();
    putU32(b, 18, 20);
    putU32(b, 22, 20);
    await opens(reseal(b), 'TRUNCATED_INDEX');
  });

  it('DUPLICATE_NAME and INVALID_NAME in the index', async () => {
    const dup = await build('none');
    // names "a" then "b" follow the 11-byte header and two u16 lengths
    dup[payloadAt + 11 + 4 + 1] = 0x61;
    await opens(reseal(dup), 'DUPLICATE_NAME');
    const bad = await build('none');
    bad[payloadAt + 11 + 4] = 0xff;
    await opens(reseal(bad), 'INVALID_NAME');
  });

  it('INVALID_OFFSET: an indexed range past the archive end', async () => {
    const b = await build('none');
    const offsets = payloadAt + 11 + 4 + 2;
    putU32(b, offsets, b.length);
    await opens(reseal(b), 'INVALID_OFFSET');
  });

  it('MISSING_ENTRY: a Flat index without __metadata__, an index naming no entry, offsets that disagree', async () => {
    const flat = await build();
    flat[payloadAt + 11 + 2 + 5] = 0x4d; // "__Metadata__"
    await opens(reseal(flat), 'MISSING_ENTRY');
    const none = await build('none');
    none[payloadAt + 11 + 4 + 1] = 0x7a; // "b" -> "z"
    await validates(reseal(none), 'MISSING_ENTRY');
    const moved = await build('none');
    const offsets = payloadAt + 11 + 4 + 2;
    putU32(moved, offsets, getU32(moved, offsets) + 1);
    await validates(reseal(moved), 'MISSING_ENTRY');
  });

  it('INVALID_ZIP_STRUCTURE: a non-empty EOCD comment, a compressed entry', async () => {
    const b = await build();
    const commented = new Uint8Array(b.length + 3);
    commented.set(b);
    commented.set(enc.encode('hi!'), b.length);
    putU16(commented, b.length - 2, 3);
    await validates(reseal(commented), 'INVALID_ZIP_STRUCTURE');
    const deflated = await build();
    // the central record of "a" is the second one; set its method to deflate
    const cd = deflated.length - 22 - getU32(deflated, deflated.length - 22 + 12);
    const second = cd + 46 + getU16(deflated, cd + 28);
    putU16(deflated, second + 10, 8);
    await validates(reseal(deflated), 'INVALID_ZIP_STRUCTURE');
  });

  it('INVALID_ZIP64: a ZIP64 sentinel with no ZIP64 extra behind it', async () => {
    const b = await build();
    const cd = b.length - 22 - getU32(b, b.length - 22 + 12);
    const second = cd + 46 + getU16(b, cd + 28);
    putU32(b, second + 20, 0xffffffff);
    await validates(reseal(b), 'INVALID_ZIP64');
  });
});

describe('corrupt cozips: overlapping members', () => {
  it('OVERLAP: central records sharing one member are reported, and none is decoded', async () => {
    // 40 members of 40 KB, then every central record but the index's is
    // made the first member's (name included, as its local header has it),
    // with a method whose decoder counts what it is given: a content check
    // that decodes per record decodes 40 times what the archive holds.
    const sink = bufferSink();
    const files = Array.from({ length: 40 }, (_, i) => ({
      name: `m${String(i).padStart(2, '0')}`,
      path: seededBytes(i + 1, 40_000),
    }));
    await writeCozip(sink, files, { profile: 'none', mtime: new Date(0) });
    const b = sink.bytes().slice();
    const eocd = b.length - 22;
    let at = getU32(b, eocd + 16);
    const records: number[] = [];
    for (let i = 0; i < getU16(b, eocd + 10); i++) {
      records.push(at);
      at += 46 + getU16(b, at + 28) + getU16(b, at + 30) + getU16(b, at + 32);
    }
    const name = (r: number) =>
      new TextDecoder().decode(b.subarray(r + 46, r + 46 + getU16(b, r + 28)));
    const members = records.filter((r) => /^m\d+$/.test(name(r)));
    const first = members.find((r) => name(r) === 'm00')!;
    const COUNTING = 0x7e7e;
    for (const r of members) {
      for (const field of [16, 20, 24, 42]) putU32(b, r + field, getU32(b, first + field));
      b.copyWithin(r + 46, first + 46, first + 49);
      putU16(b, r + 10, COUNTING);
    }
    putU16(b, getU32(b, first + 42) + 8, COUNTING);
    reseal(b);
    let decoded = 0;
    registerDecompressor(COUNTING, async function* (input) {
      for await (const chunk of input) {
        decoded += chunk.length;
        yield chunk;
      }
    });
    const report = await validateCozip(b, { content: true });
    assert.equal(report.ok, false);
    assert.equal(decoded, 0, 'overlapping members are not decoded');
    assert.ok(
      report.problems.some((p) => p.code === 'OVERLAP'),
      JSON.stringify(report.problems),
    );
  });
});
