// Seeded mutations of valid indexes of every type: whatever the bytes,
// deserializeFiles, findSerialized and deserializeLayered return or throw a
// CozipError, never another error (a crash), and never hang. For the
// compressed types the MessagePack payload itself is mutated and recompressed,
// so that the changes reach the decoder rather than the zstd frame.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isCozipError } from '../../src/errors.js';
import {
  deserializeFiles,
  deserializeLayered,
  type File,
  findSerialized,
  LayeredIndex,
  optimizeSize,
  serialize,
  serializeLayered,
  stringRefSerializer,
} from '../../src/zipindex/index.js';
import { zstdCompress, zstdDecompress } from '../../src/zipindex/zstd.js';
import { rng } from '../helpers/random.js';
import { synthetic } from './synthetic.js';

type Random = () => number;

/** One to four random edits: flip a byte, set it to a msgpack type byte, cut, or insert. */
function mutate(b: Uint8Array, random: Random): Uint8Array {
  let out = b.slice();
  const edits = 1 + Math.floor(random() * 4);
  const TYPE_BYTES = [0xc0, 0xc2, 0xc4, 0xcb, 0xcf, 0xd3, 0xd9, 0xdc, 0xdd, 0xde, 0xdf, 0x90, 0x80];
  for (let e = 0; e < edits && out.length > 1; e++) {
    const at = 1 + Math.floor(random() * (out.length - 1));
    const kind = random();
    if (kind < 0.4) out[at] ^= 1 << Math.floor(random() * 8);
    else if (kind < 0.7) out[at] = TYPE_BYTES[Math.floor(random() * TYPE_BYTES.length)];
    else if (kind < 0.85) out = out.subarray(0, at);
    else {
      const grown = new Uint8Array(out.length + 1);
      grown.set(out.subarray(0, at));
      grown[at] = Math.floor(random() * 256);
      grown.set(out.subarray(at), at + 1);
      out = grown;
    }
  }
  return out;
}

function survives(what: string, run: () => unknown): void {
  try {
    run();
  } catch (err) {
    assert.ok(isCozipError(err), `${what}: ${(err as Error)?.stack ?? err}`);
  }
}

/** The decoders on `b`, looking up a name that is there and one that is not. */
function decodeAll(b: Uint8Array, name: string, what: string): void {
  survives(`${what} deserializeFiles`, () => deserializeFiles(b));
  survives(`${what} findSerialized`, () => findSerialized(b, name));
  survives(`${what} findSerialized (absent)`, () => findSerialized(b, 'not/there'));
}

/** The index with its msgpack payload (types 2, 3) mutated, recompressed. */
async function mutatePayload(index: Uint8Array, random: Random): Promise<Uint8Array> {
  const payload = mutate(zstdDecompress(index.subarray(1)), random);
  const frame = await zstdCompress(payload);
  const out = new Uint8Array(1 + frame.length);
  out[0] = index[0];
  out.set(frame, 1);
  return out;
}

describe('mutated indexes fail with typed errors', () => {
  const cases: Array<[string, File[], number]> = [
    ['type 1', synthetic(4, 11), 1],
    ['type 2 (custom data, non-UTF-8 names)', synthetic(9, 12, { custom: true, exotic: true }), 2],
    ['type 3', optimizeSize(synthetic(60, 13, { custom: true, exotic: true })), 3],
    ['type 4', optimizeSize(synthetic(25_000, 14)), 4],
  ];
  for (const [label, files, type] of cases) {
    it(label, async () => {
      const index = await serialize(files);
      assert.equal(index[0], type);
      const random = rng(100 + type);
      const rounds = type === 4 ? 40 : 300;
      const name = files[Math.floor(files.length / 2)].name;
      for (let i = 0; i < rounds; i++) {
        decodeAll(mutate(index, random), name, `${label} #${i}`);
        if (type === 2 || type === 3) {
          decodeAll(await mutatePayload(index, random), name, `${label} payload #${i}`);
        }
      }
    });
  }

  it('layered indexes', async () => {
    const layered = new LayeredIndex<string>();
    layered.addLayer(synthetic(5, 21), 'base');
    layered.addDeleteLayer(synthetic(2, 21), 'gone');
    const bytes = await serializeLayered(layered, stringRefSerializer);
    const random = rng(7);
    for (let i = 0; i < 300; i++) {
      const b = mutate(bytes, random);
      survives(`layered #${i}`, () => deserializeLayered(b, stringRefSerializer));
    }
  });
});
