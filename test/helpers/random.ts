/**
 * Deterministic test data: a xorshift32 generator, so every run (and every
 * failure) sees the same bytes.
 */
function xorshift32(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9; // zero is a fixed point of xorshift
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/** Uniform floats in [0, 1), seeded. */
export function rng(seed: number): () => number {
  const next = xorshift32(seed);
  return () => next() / 0x1_0000_0000;
}

/** An integer in [min, max), drawn from `random`. */
export function randomInt(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min));
}

/** `n` pseudo-random bytes; the same seed always gives the same bytes. */
export function seededBytes(seed: number, n: number): Uint8Array<ArrayBuffer> {
  const next = xorshift32(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 4) {
    const word = next();
    for (let k = 0; k < 4 && i + k < n; k++) out[i + k] = (word >>> (8 * k)) & 0xff;
  }
  return out;
}
