// Property tests of the zipindex encodings: any list of files (UTF-8 and raw
// byte names, every integer range the format holds, custom metadata)
// survives serialize -> deserializeFiles and findSerialized, in every
// encoding a list of that size gets, and layered indexes round trip too.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  deserializeFiles,
  deserializeLayered,
  type File,
  findSerialized,
  LayeredIndex,
  serialize,
  serializeLayered,
  stringRefSerializer,
} from '../../src/zipindex/index.js';
import { nameBytes, nameFromBytes, nameKey } from '../../src/zipindex/names.js';

const RUNS = { numRuns: 120, seed: 0x21d3 };

const name = fc.oneof(
  fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }).map((name) => ({ name })),
  // Not always UTF-8: stored as bytes.
  fc.uint8Array({ minLength: 1, maxLength: 30 }).map((b) => nameFromBytes(b)),
);

const custom = fc.option(
  fc
    .array(fc.tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 40 })), { maxLength: 4 })
    .map((pairs) => new Map(pairs)),
  { nil: undefined },
);

const file = fc.record({
  named: name,
  compressedSize: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  uncompressedSize: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  offset: fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }),
  crc32: fc.integer({ min: 0, max: 0xffffffff }),
  method: fc.integer({ min: 0, max: 0xffff }),
  flags: fc.integer({ min: 0, max: 0xffff }),
  custom,
});

const files = fc
  .uniqueArray(file, { maxLength: 40, selector: (f) => nameKey(f.named) })
  .map((list) =>
    list.map(
      ({ named, custom, ...rest }): File => ({
        ...named,
        ...rest,
        ...(custom?.size ? { custom } : {}),
      }),
    ),
  );

/** The fields that must survive, names as bytes. */
function facts(f: File) {
  return {
    name: [...nameBytes(f)],
    compressedSize: f.compressedSize,
    uncompressedSize: f.uncompressedSize,
    offset: f.offset,
    crc32: f.crc32,
    method: f.method,
    flags: f.flags,
    custom: f.custom?.size ? [...f.custom].sort(([a], [b]) => (a < b ? -1 : 1)) : [],
  };
}

describe('zipindex encodings round trip (fast-check)', () => {
  it('serialize -> deserializeFiles and findSerialized (types 1, 2 and 3)', async () => {
    await fc.assert(
      fc.asyncProperty(files, async (list) => {
        const b = await serialize(list);
        assert.ok([1, 2, 3].includes(b[0]), `type ${b[0]}`);
        assert.deepEqual(deserializeFiles(b).map(facts), list.map(facts));
        for (const f of list.slice(0, 5)) {
          const found = findSerialized(b, nameBytes(f));
          assert.ok(found, `finds ${f.name}`);
          assert.deepEqual(facts(found), facts(f));
        }
      }),
      RUNS,
    );
  });

  it('layered indexes', async () => {
    await fc.assert(
      fc.asyncProperty(files, files, async (base, top) => {
        const layered = new LayeredIndex<string>();
        layered.addLayer(base, 'base');
        layered.addLayer(top, 'top');
        const back = deserializeLayered(
          await serializeLayered(layered, stringRefSerializer),
          stringRefSerializer,
        );
        assert.equal(back.layerCount, 2);
        const view = (l: LayeredIndex<string>) =>
          l.files().map((f) => ({ ...facts(f.file), ref: f.ref }));
        assert.deepEqual(view(back), view(layered));
      }),
      { ...RUNS, numRuns: 60 },
    );
  });
});
