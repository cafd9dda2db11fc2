// The columnar path `index build` takes (records -> columns -> encoder)
// against the File path and against the library encoder it replaces: the
// same bytes, the same entry order, the same limits.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { encode } from '@msgpack/msgpack';
import { columnsFromFiles, filesFromColumns, optimizeColumns } from '../../src/zipindex/columns.js';
import {
  deserializeFiles,
  type File,
  optimizeSize,
  readDir,
  serialize,
} from '../../src/zipindex/index.js';
import { arrayHeader, wire } from '../../src/zipindex/msgpack.js';
import { nameOrder } from '../../src/zipindex/name-order.js';
import { compareBytes, nameBytes, nameFromBytes } from '../../src/zipindex/names.js';
import { packArrayHeader, packBin, packed, packer, packInt } from '../../src/zipindex/pack.js';
import { readDirColumns } from '../../src/zipindex/read-dir.js';
import { serializeColumns } from '../../src/zipindex/serialize.js';
import { chunkSizes } from '../../src/zipindex/type4.js';
import { rng } from '../helpers/random.js';
import { synthetic } from './synthetic.js';
import { FIXTURES, makeZip, manyMembers } from './zips.js';

function packedWith(write: (p: ReturnType<typeof packer>) => void): Uint8Array {
  const p = packer(1);
  write(p);
  return packed(p);
}

/** Go's order for chunking: name bytes, then offset, then list order. */
function goChunkOrder(files: File[]): File[] {
  const byName = files
    .map((f, i) => ({ f, i, name: nameBytes(f) }))
    .sort(
      (a, b) =>
        compareBytes(a.name, b.name) ||
        (a.f.offset < b.f.offset ? -1 : a.f.offset > b.f.offset ? 1 : 0) ||
        a.i - b.i,
    )
    .map((x) => x.f);
  const out: File[] = [];
  let at = 0;
  for (const size of chunkSizes(files.length)) {
    const chunk = byName.slice(at, at + size);
    at += size;
    // Stable: equal offsets stay in name order.
    out.push(...chunk.sort((a, b) => (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0)));
  }
  return out;
}

const key = (f: File) => `${Buffer.from(nameBytes(f)).toString('hex')}@${f.offset}/${f.crc32}`;

describe('msgpack packer', () => {
  it('writes integers as the library writes them through wire()', () => {
    const edges = [
      0,
      1,
      0x7f,
      0x80,
      0xff,
      0x100,
      0xffff,
      0x10000,
      0xffffffff,
      2 ** 32,
      2 ** 53 - 1,
    ];
    const values: (number | bigint)[] = [];
    for (const v of edges) values.push(v, -v, v + 1, -v - 1);
    values.push(-0x20, -0x21, -0x80, -0x81, -0x8000, -0x8001, -0x80000000, -0x80000001);
    values.push((1n << 63n) - 1n, -(1n << 63n), 1n << 53n, -(1n << 53n) - 1n, 5n, -5n);
    const random = rng(17);
    for (let i = 0; i < 2000; i++) {
      const v = Math.floor((random() - 0.5) * 2 ** (1 + Math.floor(random() * 53)));
      values.push(v, BigInt(v) * 1024n);
    }
    for (const v of values) {
      const want = encode(wire(v), { useBigInt64: true });
      assert.deepEqual(
        packedWith((p) => packInt(p, v)),
        want,
        `${v}`,
      );
    }
  });

  it('writes bin and array headers as the library does', () => {
    for (const n of [0, 1, 15, 16, 31, 32, 33, 255, 256, 65535, 65536, 70000]) {
      const data = new Uint8Array(n + 3).map((_, i) => i * 7);
      assert.deepEqual(
        packedWith((p) => packBin(p, data, 3, n + 3)),
        encode(data.subarray(3)),
        `bin ${n}`,
      );
      assert.deepEqual(
        packedWith((p) => packArrayHeader(p, n)),
        arrayHeader(n),
        `array ${n}`,
      );
    }
  });
});

describe('name order', () => {
  it('sorts by bytes (prefixes first), equal names by the tie, like a comparison sort', () => {
    const random = rng(5);
    const alphabet = ['', 'a', 'b', 'ab', '/', 'ü', '\u00ff', 'a/b/', 'zz', '日'];
    for (const count of [0, 1, 2, 17, 300, 5000]) {
      const files: File[] = [];
      for (let i = 0; i < count; i++) {
        const parts = 1 + Math.floor(random() * 4);
        let name = '';
        for (let k = 0; k < parts; k++) name += alphabet[Math.floor(random() * alphabet.length)];
        const f: File = {
          name,
          compressedSize: 1n,
          uncompressedSize: 1n,
          offset: BigInt(Math.floor(random() * 50)),
          crc32: i,
          method: 0,
          flags: 0,
        };
        // Some names that are not UTF-8, and long shared prefixes.
        if (i % 13 === 0) Object.assign(f, nameFromBytes(Uint8Array.of(0x61, 0xff, i & 0xff)));
        if (i % 7 === 0) f.name = `${'p'.repeat(40)}${f.name}`;
        files.push(f);
      }
      const cols = columnsFromFiles(files);
      const got = nameOrder(cols, (a, b) => cols.offset[a] - cols.offset[b] || a - b);
      const want = files
        .map((_, i) => i)
        .sort(
          (a, b) =>
            compareBytes(nameBytes(files[a]), nameBytes(files[b])) ||
            Number(files[a].offset - files[b].offset) ||
            a - b,
        );
      assert.deepEqual(Array.from(got), want, `${count} names`);
    }
  });
});

describe('columns and Files', () => {
  it('a File list serializes to the same bytes through columns and back', async () => {
    const files = synthetic(300, 8, { custom: true, exotic: true });
    const cols = columnsFromFiles(files);
    assert.deepEqual(filesFromColumns(cols), files);
    assert.deepEqual(await serializeColumns(cols), await serialize(files));
  });

  it('readDirColumns + optimizeColumns gives the bytes readDir + optimizeSize gives', async () => {
    const custom = new Map([['source', 'test']]);
    const zips = readdirSync(FIXTURES)
      .filter((n) => n.endsWith('.zip'))
      .map((n): Uint8Array => new Uint8Array(readFileSync(`${FIXTURES}${n}`)));
    zips.push(await makeZip(manyMembers(30_000)));
    for (const zip of zips) {
      for (const options of [{}, { custom }, { filter: (f: File) => f }]) {
        const want = await serialize(optimizeSize(readDir(zip, zip.length, options)));
        const cols = optimizeColumns(readDirColumns(zip, zip.length, options));
        assert.deepEqual(await serializeColumns(cols), want);
      }
    }
  });

  it('chunks in Go order: by name, offset and list order, each chunk by offset', async () => {
    // Offsets rising with the index (a ZIP's usual order), shuffled, and repeated.
    const base = synthetic(60_000, 12, { exotic: true });
    const random = rng(3);
    const shuffled = base
      .map((f) => ({ f, r: random() }))
      .sort((a, b) => a.r - b.r)
      .map((x) => x.f);
    const repeated = base.map((f, i) => ({
      ...f,
      name: i % 3 ? f.name : base[i - (i % 7)].name,
      offset: i % 4 ? f.offset : base[i - (i % 5)].offset,
      crc32: i,
    }));
    for (const files of [base, shuffled, repeated]) {
      const bytes = await serializeColumns(columnsFromFiles(files));
      assert.equal(bytes[0], 4);
      assert.deepEqual(deserializeFiles(bytes).map(key), goChunkOrder(files).map(key));
    }
  });

  it('optimizeColumns sorts by offset only when needed, stably, and strips CRCs', () => {
    const files = synthetic(50, 4);
    files.reverse();
    files[1] = { ...files[1], offset: files[0].offset };
    const want = optimizeSize(files.map((f) => ({ ...f })));
    assert.deepEqual(filesFromColumns(optimizeColumns(columnsFromFiles(files))), want);
  });

  it('bad fields are INVALID_ARGUMENT before anything is written', async () => {
    const files = synthetic(12, 1);
    files[5] = { ...files[5], offset: 1n << 63n };
    await assert.rejects(serialize(files), (err: { code?: string; message: string }) => {
      assert.equal(err.code, 'INVALID_ARGUMENT');
      assert.match(err.message, /file #5 .*offset is not an int64/);
      return true;
    });
  });
});
