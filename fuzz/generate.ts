// Input `index` of a target under a run seed: always the same bytes, so a
// finding can be rebuilt from (target, seed, index) alone.
import { inputRandom, mutate } from './mutate.js';
import type { Seed, Target } from './targets.js';

export interface Generated {
  bytes: Uint8Array;
  seed: Seed;
  steps: string[];
}

const inners = new WeakMap<Seed, Uint8Array | null>();

function innerOf(target: Target, seed: Seed): Uint8Array | undefined {
  if (!target.inner) return undefined;
  let v = inners.get(seed);
  if (v === undefined) {
    try {
      v = target.inner.unwrap(seed.bytes) ?? null;
    } catch {
      v = null;
    }
    inners.set(seed, v);
  }
  return v ?? undefined;
}

export async function generate(
  target: Target,
  seeds: Seed[],
  runSeed: number,
  index: number,
): Promise<Generated> {
  const random = inputRandom(runSeed, target.name, index);
  const total = seeds.reduce((s, x) => s + (x.weight ?? 1), 0);
  let r = random() * total;
  let seed = seeds[seeds.length - 1];
  for (const s of seeds) {
    r -= s.weight ?? 1;
    if (r < 0) {
      seed = s;
      break;
    }
  }
  const others = seeds.map((s) => s.bytes);
  const inner = innerOf(target, seed);
  let bytes: Uint8Array;
  let steps: string[];
  if (inner && target.inner && random() < 0.5) {
    const m = mutate(inner, random, { fields: [], dictionary: target.dictionary, others: [] });
    bytes = await target.inner.wrap(m.bytes, seed.bytes);
    steps = m.steps.map((s) => `inner: ${s}`);
  } else {
    const m = mutate(seed.bytes, random, {
      fields: seed.fields,
      dictionary: target.dictionary,
      others,
    });
    bytes = m.bytes;
    steps = m.steps;
  }
  if (target.reseal && random() < 0.5) {
    bytes = target.reseal(bytes);
    steps.push('resealed (index CRC and integrity hash recomputed)');
  }
  return { bytes, seed, steps };
}
