// FNV-1a 64-bit, the cozip integrity hash. 64-bit products do not fit a JS
// number, so the state is four 16-bit limbs; BigInt would be ~20x slower.
//   h = 0xCBF29CE484222325; per byte: h ^= b; h = h * 0x100000001B3 mod 2^64
// The prime is 2^40 + 0x1B3, so h * prime = (h << 40) + h * 0x1B3.

export class Fnv1a64 {
  // Little-endian 16-bit limbs of the offset basis 0xCBF29CE484222325.
  private h0 = 0x2325;
  private h1 = 0x8422;
  private h2 = 0x9ce4;
  private h3 = 0xcbf2;

  update(bytes: Uint8Array): this {
    let { h0, h1, h2, h3 } = this;
    for (let i = 0; i < bytes.length; i++) {
      h0 ^= bytes[i];
      const t0 = h0 * 0x1b3;
      const t1 = h1 * 0x1b3 + (t0 >>> 16);
      // h << 40 adds h0 << 8 to limb 2 and h1 << 8 to limb 3 (the rest overflows).
      const t2 = h2 * 0x1b3 + (h0 << 8) + (t1 >>> 16);
      const t3 = h3 * 0x1b3 + (h1 << 8) + (t2 >>> 16);
      h0 = t0 & 0xffff;
      h1 = t1 & 0xffff;
      h2 = t2 & 0xffff;
      h3 = t3 & 0xffff;
    }
    this.h0 = h0;
    this.h1 = h1;
    this.h2 = h2;
    this.h3 = h3;
    return this;
  }

  /** The hash as 8 little-endian bytes, as stored at archive bytes 43..50. */
  bytes(): Uint8Array {
    const { h0, h1, h2, h3 } = this;
    return Uint8Array.of(
      h0 & 0xff,
      h0 >>> 8,
      h1 & 0xff,
      h1 >>> 8,
      h2 & 0xff,
      h2 >>> 8,
      h3 & 0xff,
      h3 >>> 8,
    );
  }

  bigint(): bigint {
    return (
      (BigInt(this.h3) << 48n) |
      (BigInt(this.h2) << 32n) |
      (BigInt(this.h1) << 16n) |
      BigInt(this.h0)
    );
  }
}
