// 64-bit values as the Go index holds them. Numbers are used while exact;
// anything else goes through BigInt and wraps like Go's uint64 / int64.
const MAX = Number.MAX_SAFE_INTEGER;

/** a + b as uint64 (wrapping). */
export function addU64(a: number | bigint, b: number | bigint): number | bigint {
  if (typeof a === 'number' && typeof b === 'number') {
    const s = a + b;
    if (s >= 0 && s <= MAX) return s;
  }
  return narrow(BigInt.asUintN(64, BigInt(a) + BigInt(b)));
}

/** a + b as int64 (wrapping). */
export function addI64(a: number | bigint, b: number | bigint): number | bigint {
  if (typeof a === 'number' && typeof b === 'number') {
    const s = a + b;
    if (s >= -MAX && s <= MAX) return s;
  }
  return narrow(BigInt.asIntN(64, BigInt(a) + BigInt(b)));
}

/** a - b as int64 (wrapping). */
export function subI64(a: number | bigint, b: number | bigint): number | bigint {
  if (typeof a === 'number' && typeof b === 'number') {
    const s = a - b;
    if (s >= -MAX && s <= MAX) return s;
  }
  return narrow(BigInt.asIntN(64, BigInt(a) - BigInt(b)));
}

/** A uint64 value read from a signed field (Go's `uint64(int64)` conversion). */
export function asU64(v: number | bigint): number | bigint {
  if (typeof v === 'number' && v >= 0) return v;
  return narrow(BigInt.asUintN(64, BigInt(v)));
}

/** An int64 value from a uint64 field (Go's `int64(uint64)` conversion). */
export function asI64(v: number | bigint): number | bigint {
  if (typeof v === 'number' && v <= MAX) return v;
  return narrow(BigInt.asIntN(64, BigInt(v)));
}

export function narrow(b: bigint): number | bigint {
  return b >= -MAX && b <= MAX ? Number(b) : b;
}

/** A bigint field from a number-or-bigint value. */
export function big(v: number | bigint): bigint {
  return typeof v === 'bigint' ? v : BigInt(v);
}

/** A File's bigint as number when exact (the fast path of the encoders). */
export function small(v: bigint): number | bigint {
  // Beyond 2^53 - 1 the conversion is inexact and lands outside the safe range.
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;
}
