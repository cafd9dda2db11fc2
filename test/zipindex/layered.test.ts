// LayeredIndex: override by path, delete layers, emptied directories, the
// bookkeeping methods, and serialization (round trips and the byte layout).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isCozipError } from '../../src/errors.js';
import {
  deserializeFiles,
  deserializeLayered,
  type File,
  LayeredIndex,
  type RefSerializer,
  serialize,
  serializeLayered,
  stringRefSerializer,
} from '../../src/zipindex/index.js';
import { nameFromBytes } from '../../src/zipindex/names.js';
import { rng } from '../helpers/random.js';
import { cat, mp } from './mp.js';
import { synthetic } from './synthetic.js';

const code = (c: string) => (err: unknown) => isCozipError(err) && err.code === c;

let nextOffset = 0;
function f(name: string, fields: Partial<File> = {}): File {
  return {
    name,
    compressedSize: 10n,
    uncompressedSize: 20n,
    offset: BigInt(nextOffset++ * 100),
    crc32: 1,
    method: 8,
    flags: 0,
    ...fields,
  };
}
const names = <T>(l: LayeredIndex<T>) => l.files().map((x) => x.file.name);
const refs = <T>(l: LayeredIndex<T>) => l.files().map((x) => [x.file.name, x.ref]);

describe('LayeredIndex', () => {
  it('newer layers override by path; find returns the file and its layer', () => {
    const l = new LayeredIndex<string>();
    l.addLayer([f('b.txt'), f('a.txt', { crc32: 1 })], 'v1');
    l.addLayer([f('a.txt', { crc32: 2 }), f('c.txt')], 'v2');
    assert.deepEqual(refs(l), [
      ['a.txt', 'v2'],
      ['b.txt', 'v1'],
      ['c.txt', 'v2'],
    ]);
    assert.equal(l.find('a.txt')?.file.crc32, 2);
    assert.equal(l.find('a.txt')?.ref, 'v2');
    assert.equal(l.find('b.txt')?.ref, 'v1');
    assert.equal(l.find('nope'), undefined);
    assert.equal(l.findInLayer('a.txt', 'v1')?.crc32, 1);
    assert.equal(l.findInLayer('c.txt', 'v1'), undefined);
    assert.equal(l.findInLayer('a.txt', 'v9'), undefined);
    assert.ok(l.hasFile('c.txt'));
  });

  it('a reference can be used once (delete layers too)', () => {
    const l = new LayeredIndex<number>();
    l.addLayer([f('a')], 1);
    assert.throws(() => l.addLayer([f('b')], 1), code('DUPLICATE_LAYER'));
    assert.throws(() => l.addDeleteLayer([f('a')], 1), code('DUPLICATE_LAYER'));
    assert.equal(l.layerCount, 1);
  });

  it('delete layers remove only what earlier layers had', () => {
    const l = new LayeredIndex<string>();
    l.addLayer([f('keep.txt'), f('old.txt')], 'base');
    l.addDeleteLayer([f('old.txt'), f('new.txt'), f('never.txt')], 'rm');
    l.addLayer([f('new.txt')], 'later');
    assert.deepEqual(names(l), ['keep.txt', 'new.txt']);
    assert.equal(l.find('old.txt'), undefined);
    assert.equal(l.find('new.txt')?.ref, 'later');
    assert.ok(!l.hasFile('never.txt'));
    // Re-adding after a delete brings it back.
    l.addLayer([f('old.txt')], 'again');
    assert.equal(l.find('old.txt')?.ref, 'again');
  });

  it('emptied parent directories disappear; a directory stays while it holds files', () => {
    const l = new LayeredIndex<string>();
    l.addLayer(
      ['a/', 'a/b/', 'a/b/c.txt', 'a/d.txt', 'e/', 'e/f.txt', 'empty/', 'x/', 'x/y/z.txt'].map(
        (n) => f(n),
      ),
      'base',
    );
    l.addDeleteLayer([f('a/b/c.txt'), f('x/y/z.txt')], 'rm1');
    assert.deepEqual(names(l), ['a/', 'a/d.txt', 'e/', 'e/f.txt', 'empty/']);
    assert.equal(l.find('a/b/'), undefined);
    assert.equal(l.find('x/'), undefined, 'emptied through a deeper file');
    assert.equal(l.find('a/')?.ref, 'base');
    assert.equal(l.find('empty/')?.ref, 'base', 'a directory that was already empty stays');
    l.addDeleteLayer([f('a/d.txt')], 'rm2');
    assert.deepEqual(names(l), ['e/', 'e/f.txt', 'empty/']);
    // Deleting a directory entry itself leaves its files.
    l.addDeleteLayer([f('e/')], 'rm3');
    assert.deepEqual(names(l), ['e/f.txt', 'empty/']);
  });

  it('a directory kept alive by a later layer, and files added under a deleted directory', () => {
    const l = new LayeredIndex<string>();
    l.addLayer([f('d/'), f('d/1')], 'base');
    l.addLayer([f('d/2')], 'more');
    l.addDeleteLayer([f('d/1')], 'rm');
    assert.deepEqual(names(l), ['d/', 'd/2']);
    l.addDeleteLayer([f('d/2')], 'rm2');
    assert.deepEqual(names(l), []);
    l.addLayer([f('d/3')], 'new');
    assert.deepEqual(names(l), ['d/3']);
  });

  it('layer bookkeeping: remove by index and by ref, clear, counts, single index', () => {
    const l = new LayeredIndex<string>();
    const base = [f('z'), f('y'), f('x')];
    l.addLayer(base, 'a');
    assert.deepEqual(
      base.map((x) => x.name),
      ['z', 'y', 'x'],
      'the caller’s array is not reordered',
    );
    l.addLayer([f('w')], 'b');
    l.addDeleteLayer([f('x')], 'c');
    assert.equal(l.layerCount, 3);
    assert.equal(l.getLayerRef(2), 'c');
    assert.equal(l.getLayerRef(3), undefined);
    assert.equal(l.fileCount, 3);
    assert.deepEqual(
      l.toSingleIndex().map((x) => x.name),
      ['w', 'y', 'z'],
    );
    assert.deepEqual(
      [...l].map((x) => x.ref),
      ['b', 'a', 'a'],
    );
    l.removeLayer(2);
    assert.equal(l.fileCount, 4);
    assert.throws(() => l.removeLayer(2), code('INVALID_ARGUMENT'));
    assert.throws(() => l.removeLayer(-1), code('INVALID_ARGUMENT'));
    assert.equal(l.removeLayerByRef('a'), 1);
    assert.equal(l.removeLayerByRef('a'), 0);
    assert.deepEqual(names(l), ['w']);
    assert.ok(!l.isEmpty);
    l.clear();
    assert.equal(l.layerCount, 0);
    assert.ok(l.isEmpty);
    assert.equal(l.fileCount, 0);
  });

  it('names are bytes: order is byte order, non-UTF-8 names are found by their bytes', () => {
    const raw = new Uint8Array([0x61, 0xff, 0x2f, 0x62]);
    const l = new LayeredIndex<string>();
    l.addLayer([f('\uffff'), f('😀'), f('z'), { ...f(''), ...nameFromBytes(raw) }], 'v');
    assert.deepEqual(
      l.files().map((x) => x.file.rawName ?? x.file.name),
      [raw, 'z', '\uffff', '😀'],
    );
    assert.equal(l.find(raw)?.ref, 'v');
    assert.equal(l.findInLayer(raw, 'v')?.rawName, l.find(raw)?.file.rawName);
  });

  it('find agrees with the merged view on random layer stacks', () => {
    const random = rng(42);
    const pool = ['r/', 'r/a', 'r/b/', 'r/b/c', 'r/b/d', 's/', 's/t/', 's/t/u', 'v', 'w/'];
    for (let round = 0; round < 200; round++) {
      const l = new LayeredIndex<number>();
      const layers = 1 + Math.floor(random() * 5);
      for (let i = 0; i < layers; i++) {
        const pick = pool.filter(() => random() < 0.4).map((n) => f(n));
        if (random() < 0.4) l.addDeleteLayer(pick, i);
        else l.addLayer(pick, i);
      }
      const merged = new Map(l.files().map((x) => [x.file.name, x]));
      for (const n of pool) {
        assert.deepEqual(l.find(n), merged.get(n), `round ${round}: ${n}`);
      }
      // And with the merged view cached.
      for (const n of pool) assert.deepEqual(l.find(n), merged.get(n));
    }
  });
});

describe('serializeLayered / deserializeLayered', () => {
  const numberRefs: RefSerializer<number> = {
    marshal: (n) => new TextEncoder().encode(String(n)),
    unmarshal: (b) => Number(new TextDecoder().decode(b)),
  };

  it('round trips every layer, its reference and its kind', async () => {
    const l = new LayeredIndex<number>();
    const base = synthetic(30_000, 1, { custom: true });
    const [first, second, third] = base.map((x) => x.name);
    l.addLayer(base, 1);
    l.addLayer([f(first, { crc32: 99 }), f('extra.txt')], 2);
    l.addDeleteLayer([f(second), f(third)], 3);
    const bytes = await serializeLayered(l, numberRefs);
    const back = deserializeLayered(bytes, numberRefs);
    assert.equal(back.layerCount, 3);
    assert.deepEqual(
      [0, 1, 2].map((i) => back.getLayerRef(i)),
      [1, 2, 3],
    );
    assert.equal(back.fileCount, 30_000 - 2 + 1);
    assert.equal(back.find(first)?.ref, 2);
    assert.equal(back.find(first)?.file.crc32, 99);
    assert.equal(back.find(second), undefined);
    assert.deepEqual(back.files(), l.files());
    assert.deepEqual(back.getLayers(), l.getLayers());
  });

  it('empty: no layers', async () => {
    const bytes = await serializeLayered(new LayeredIndex<string>(), stringRefSerializer);
    assert.deepEqual([...bytes], [1, 0]);
    assert.equal(deserializeLayered(bytes, stringRefSerializer).layerCount, 0);
  });

  it('byte layout: version 1, count, then per layer bin ref, bool, bin index', async () => {
    const base = [f('a.txt')];
    const gone = [f('a.txt')];
    const ia = await serialize(base);
    const ib = await serialize(gone);
    const handmade = cat(
      [0x01],
      [0x02],
      mp.bin8('v1'),
      mp.false,
      mp.bin8(ia),
      mp.bin8('rm'),
      mp.true,
      mp.bin8(ib),
    );
    const l = deserializeLayered(handmade, stringRefSerializer);
    assert.deepEqual([l.getLayerRef(0), l.getLayerRef(1)], ['v1', 'rm']);
    assert.deepEqual(l.getLayers()[0].files, deserializeFiles(ia));
    assert.ok(l.getLayers()[1].isDelete);
    assert.ok(l.isEmpty);
    // And we write exactly that.
    const ours = new LayeredIndex<string>();
    ours.addLayer(base, 'v1');
    ours.addDeleteLayer(gone, 'rm');
    assert.deepEqual(await serializeLayered(ours, stringRefSerializer), handmade);
    // A layer count as uint32 (0xce) decodes too.
    const wide = cat([0x01], mp.u32(1), mp.bin8('v1'), mp.false, mp.bin8(ia));
    assert.equal(deserializeLayered(wide, stringRefSerializer).fileCount, 1);
  });

  it('refuses other versions and cut input', () => {
    assert.throws(
      () => deserializeLayered(cat([0x02], [0x00]), stringRefSerializer),
      code('UNSUPPORTED_VERSION'),
    );
    assert.throws(
      () => deserializeLayered(cat([0x01], [0x01], mp.bin8('v')), stringRefSerializer),
      code('CORRUPT_INDEX'),
    );
    assert.throws(
      () => deserializeLayered(cat([0x01], [0x05]), stringRefSerializer),
      code('CORRUPT_INDEX'),
    );
  });
});
