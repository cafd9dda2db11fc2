// serialize -> deserializeFiles round trips at every encoding's sizes, and
// findSerialized agreeing with a linear find, on seeded synthetic indexes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  deserializeFiles,
  type File,
  findFile,
  findSerialized,
  optimizeSize,
  serialize,
} from '../../src/zipindex/index.js';
import { compareNames, nameKey } from '../../src/zipindex/names.js';
import { rng } from '../helpers/random.js';
import { synthetic } from './synthetic.js';

/** Field-by-field equality (deepEqual is slow on a million entries). */
function sameFile(a: File, b: File): boolean {
  if (
    a.name !== b.name ||
    a.compressedSize !== b.compressedSize ||
    a.uncompressedSize !== b.uncompressedSize ||
    a.offset !== b.offset ||
    a.crc32 !== b.crc32 ||
    a.method !== b.method ||
    a.flags !== b.flags
  ) {
    return false;
  }
  if (nameKey(a) !== nameKey(b)) return false;
  const ca = a.custom?.size ? a.custom : undefined;
  const cb = b.custom?.size ? b.custom : undefined;
  if (!ca || !cb) return ca === cb;
  if (ca.size !== cb.size) return false;
  for (const [k, v] of ca) if (cb.get(k) !== v) return false;
  return true;
}

function assertSameList(got: File[], want: File[], what: string): void {
  assert.equal(got.length, want.length, `${what}: count`);
  for (let i = 0; i < want.length; i++) {
    if (!sameFile(got[i], want[i])) {
      assert.deepEqual(got[i], want[i], `${what}: entry ${i}`);
    }
  }
}

const byNameThenOffset = (a: File, b: File) =>
  compareNames(a, b) || (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0);

/** Checks findSerialized against findFile for `samples` present names and some absent ones. */
function checkLookups(bytes: Uint8Array, files: File[], samples: number, seed: number): void {
  const random = rng(seed);
  const names: (string | Uint8Array)[] = ['', 'absent', 'd1/s1/file-', 'zzz/after-everything'];
  for (let i = 0; i < samples && files.length; i++) {
    const f = files[Math.floor(random() * files.length)];
    names.push(f.rawName ?? f.name);
  }
  if (files.length) names.push(files[0].name, files[files.length - 1].name);
  for (const name of names) {
    const want = findFile(files, name);
    const got = findSerialized(bytes, name);
    if (!want) assert.equal(got, undefined, `found absent ${String(name)}`);
    else assert.ok(got && sameFile(got, want), `lookup of ${String(name)}`);
  }
}

async function roundTrip(n: number, custom: boolean, lookups: number) {
  const files = synthetic(n, n + (custom ? 1 : 0), { custom, exotic: n < 100_000 });
  optimizeSize(files);
  const bytes = await serialize(files);
  const back = deserializeFiles(bytes);
  if (bytes[0] === 4) {
    // Chunked: chunk order, offset order inside; compare as sets.
    assertSameList(
      back.slice().sort(byNameThenOffset),
      files.slice().sort(byNameThenOffset),
      `${n}`,
    );
  } else {
    assertSameList(back, files, `${n}`);
  }
  checkLookups(bytes, files, lookups, n);
  return bytes;
}

describe('round trips', () => {
  const sizes: [number, number, number][] = [
    // entries, expected type, lookups
    [0, 1, 0],
    [1, 1, 1],
    [100, 3, 100],
    [30_000, 4, 60],
  ];
  for (const custom of [false, true]) {
    for (const [n, type, lookups] of sizes) {
      it(`${n} entries${custom ? ' with custom data' : ''}: type ${type}`, async () => {
        const bytes = await roundTrip(n, custom, lookups);
        if (n !== 1 || !custom) assert.equal(bytes[0], type);
      });
    }
    it(`1,000,000 entries${custom ? ' with custom data' : ''}: type 4, a few bytes per entry`, async () => {
      const bytes = await roundTrip(1_000_000, custom, 20);
      assert.equal(bytes[0], 4);
      // Random CRCs (4 bytes) and sizes dominate; a central directory record is 46 + ~25 bytes.
      assert.ok(bytes.length / 1_000_000 < (custom ? 24 : 16), `${bytes.length} bytes`);
    });
  }

  it('type 3 for large counts when chunking is off (minio compatible)', async () => {
    const files = optimizeSize(synthetic(50_000, 7, { custom: true }));
    const bytes = await serialize(files, { chunked: false });
    assert.equal(bytes[0], 3);
    assertSameList(deserializeFiles(bytes), files, 'type 3');
    checkLookups(bytes, files, 30, 7);
  });

  it('non-UTF-8 and multi-byte names sort and chunk by bytes, like Go', async () => {
    // 30,000 entries over names whose UTF-16 order differs from their byte order.
    const files = synthetic(30_000, 99, { exotic: true });
    const bytes = await serialize(files);
    const back = deserializeFiles(bytes);
    const firsts = [back[0], back[15_000]].map((f) => f.name);
    assert.ok(firsts.every((n) => typeof n === 'string'));
    for (const f of files.filter((x) => x.rawName || /[^\x00-\x7f]/.test(x.name)).slice(0, 60)) {
      const got = findSerialized(bytes, f.rawName ?? f.name);
      assert.ok(got && sameFile(got, f), f.name);
    }
  });

  it('duplicate names: lookups return the first in index order', async () => {
    const files = synthetic(12, 3);
    files[7].name = files[2].name;
    const bytes = await serialize(files);
    assert.equal(findSerialized(bytes, files[2].name)?.offset, files[2].offset);
    assert.equal(findFile(deserializeFiles(bytes), files[2].name)?.offset, files[2].offset);
  });

  it('repeated lookups in a chunked index reuse decoded chunks and stay exact', async () => {
    // 130,000 entries: 6 chunks, more than findSerialized keeps decoded.
    const files = optimizeSize(synthetic(130_000, 21, { custom: true }));
    files[90_001].name = files[90_000].name; // a duplicate inside a chunk
    const bytes = await serialize(files);
    assert.equal(bytes[0], 4);
    const random = rng(4);
    const picks = Array.from({ length: 150 }, () => files[Math.floor(random() * files.length)]);
    // Each name twice, and chunks visited in turn so some are dropped and decoded again.
    const firstByName = new Map<string, File>();
    for (const f of files) if (!firstByName.has(nameKey(f))) firstByName.set(nameKey(f), f);
    for (const f of [...picks, ...picks.reverse(), files[90_001]]) {
      const want = firstByName.get(nameKey(f))!;
      const got = findSerialized(bytes, f.rawName ?? f.name);
      assert.ok(got && sameFile(got, want), `lookup of ${f.name}`);
    }
    const first = findSerialized(bytes, files[5].name)!;
    first.offset = -1n;
    assert.equal(findSerialized(bytes, files[5].name)!.offset, files[5].offset, 'a copy each time');
  });

  it('values at the int64/uint64 limits survive every encoding', async () => {
    const max = (1n << 64n) - 1n;
    const edge: File[] = [
      {
        name: 'a',
        compressedSize: max,
        uncompressedSize: 0n,
        offset: (1n << 63n) - 1n,
        crc32: 0xffffffff,
        method: 0xffff,
        flags: 0xffff,
      },
      {
        name: 'b',
        compressedSize: 0n,
        uncompressedSize: max,
        offset: -(1n << 63n),
        crc32: 0,
        method: 0,
        flags: 0,
      },
      {
        name: 'c',
        compressedSize: 1n << 53n,
        uncompressedSize: (1n << 53n) + 1n,
        offset: -1n,
        crc32: 1,
        method: 93,
        flags: 8,
      },
    ];
    for (const count of [3, 12, 25_000]) {
      const files = Array.from({ length: count }, (_, i) => ({ ...edge[i % 3], name: `n${i}` }));
      const bytes = await serialize(files);
      const back = deserializeFiles(bytes).sort(byNameThenOffset);
      assertSameList(back, files.slice().sort(byNameThenOffset), `${count}`);
    }
  });
});
