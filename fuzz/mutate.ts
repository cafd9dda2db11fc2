// Seeded byte-level mutators: bit flips, interesting bytes, boundary integers
// written at record field offsets, truncations, splices, duplications,
// deletions and dictionary tokens. Every edit is described in words so a
// finding says what was done to which seed.
import { rng } from '../test/helpers/random.js';

export type Random = () => number;

/** A numeric field of a record inside an input: where it is and how wide. */
export interface Field {
  at: number;
  width: 1 | 2 | 4 | 8;
  /** Big-endian (MessagePack, Thrift-less Parquet footers are little-endian). */
  bigEndian?: boolean;
  name: string;
}

export interface MutationContext {
  /** Record fields of the seed (boundary integers go there). */
  fields: Field[];
  /** Tokens worth inserting: signatures, type bytes, separators. */
  dictionary: Uint8Array[];
  /** Other seeds of the target, for cross-seed splices. */
  others: Uint8Array[];
}

export interface Mutated {
  bytes: Uint8Array;
  steps: string[];
}

const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0x40, 0x20];

/** Boundary values for a field of `width` bytes, plus a few relative to the input. */
function boundaries(width: number, size: number, old: bigint): bigint[] {
  const max = (1n << BigInt(8 * width)) - 1n;
  const half = 1n << BigInt(8 * width - 1);
  const out = [0n, 1n, 2n, max, max - 1n, half, half - 1n, old + 1n, old - 1n, old * 2n];
  out.push(BigInt(size), BigInt(size) + 1n, BigInt(Math.max(0, size - 1)));
  if (width >= 2) out.push(0xffffn, 0xfffen, 0x8000n);
  if (width >= 4) out.push(0xffffffffn, 0xfffffffen, 0x80000000n, 0x7fffffffn);
  if (width === 8) out.push(1n << 53n, (1n << 53n) + 1n, 1n << 63n, (1n << 40n) + 3n);
  return out.map((v) => ((v % (max + 1n)) + (max + 1n)) % (max + 1n));
}

function readInt(b: Uint8Array, f: Field): bigint {
  let v = 0n;
  for (let k = 0; k < f.width; k++) {
    const byte = b[f.at + (f.bigEndian ? k : f.width - 1 - k)] ?? 0;
    v = (v << 8n) | BigInt(byte);
  }
  return v;
}

function writeInt(b: Uint8Array, f: Field, v: bigint): void {
  for (let k = 0; k < f.width; k++) {
    const at = f.at + (f.bigEndian ? f.width - 1 - k : k);
    if (at < b.length) b[at] = Number((v >> BigInt(8 * k)) & 0xffn);
  }
}

const pick = <T>(random: Random, xs: T[]): T => xs[Math.floor(random() * xs.length)];
const below = (random: Random, n: number): number => Math.floor(random() * n);

/** A length biased towards small ranges: most splices move a few bytes. */
function rangeLength(random: Random, limit: number): number {
  if (limit <= 1) return limit;
  const r = random();
  const cap = r < 0.6 ? 16 : r < 0.9 ? 512 : limit;
  return 1 + below(random, Math.min(cap, limit));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

type Mutator = (b: Uint8Array, random: Random, ctx: MutationContext) => [Uint8Array, string];

const flip: Mutator = (b, random) => {
  const out = b.slice();
  const n = 1 + below(random, 8);
  const at: number[] = [];
  for (let k = 0; k < n && out.length > 0; k++) {
    const i = below(random, out.length);
    out[i] ^= 1 << below(random, 8);
    at.push(i);
  }
  return [out, `flip bits at ${at.join(',')}`];
};

const setByte: Mutator = (b, random) => {
  if (b.length === 0) return [b, 'set byte (empty)'];
  const out = b.slice();
  const i = below(random, out.length);
  const v = random() < 0.7 ? pick(random, INTERESTING_BYTES) : below(random, 256);
  out[i] = v;
  return [out, `byte ${i} = 0x${v.toString(16)}`];
};

const boundary: Mutator = (b, random, ctx) => {
  const out = b.slice();
  let f: Field;
  if (ctx.fields.length > 0 && random() < 0.85) f = pick(random, ctx.fields);
  else {
    const width = pick(random, [1, 2, 4, 8] as const);
    f = { at: below(random, Math.max(1, b.length)), width, bigEndian: random() < 0.3, name: 'any' };
  }
  const old = readInt(out, f);
  const v = pick(random, boundaries(f.width, b.length, old));
  writeInt(out, f, v);
  return [out, `${f.name}@${f.at} (u${8 * f.width}${f.bigEndian ? 'be' : ''}) ${old} -> ${v}`];
};

const truncate: Mutator = (b, random) => {
  const r = random();
  // Mostly near the end (cutting end records), sometimes anywhere.
  const n = r < 0.5 ? Math.max(0, b.length - 1 - below(random, 64)) : below(random, b.length + 1);
  return [b.subarray(0, n), `truncate to ${n} of ${b.length}`];
};

const splice: Mutator = (b, random, ctx) => {
  if (b.length === 0) return [b, 'splice (empty)'];
  const from = ctx.others.length > 0 && random() < 0.3 ? pick(random, ctx.others) : b;
  if (from.length === 0) return [b, 'splice (empty source)'];
  const len = rangeLength(random, from.length);
  const src = below(random, from.length - len + 1);
  const dst = below(random, b.length);
  const out = b.slice();
  out.set(from.subarray(src, src + Math.min(len, out.length - dst)), dst);
  return [
    out,
    `splice ${len} bytes from ${from === b ? 'self' : 'other seed'}@${src} over @${dst}`,
  ];
};

const duplicate: Mutator = (b, random) => {
  if (b.length === 0) return [b, 'duplicate (empty)'];
  const len = rangeLength(random, b.length);
  const src = below(random, b.length - len + 1);
  const dst = below(random, b.length + 1);
  const copies = random() < 0.8 ? 1 : 2 + below(random, 8);
  const piece = b.subarray(src, src + len);
  const parts = [b.subarray(0, dst)];
  for (let k = 0; k < copies; k++) parts.push(piece);
  parts.push(b.subarray(dst));
  return [concat(...parts), `insert ${copies}x copy of [${src}, ${src + len}) at ${dst}`];
};

const remove: Mutator = (b, random) => {
  if (b.length === 0) return [b, 'delete (empty)'];
  const len = rangeLength(random, b.length);
  const at = below(random, b.length - len + 1);
  return [concat(b.subarray(0, at), b.subarray(at + len)), `delete [${at}, ${at + len})`];
};

const token: Mutator = (b, random, ctx) => {
  if (ctx.dictionary.length === 0) return flip(b, random, ctx);
  const t = pick(random, ctx.dictionary);
  const at = below(random, b.length + 1);
  const label = JSON.stringify(Buffer.from(t).toString('latin1'));
  if (random() < 0.5) {
    const out = b.slice();
    out.set(t.subarray(0, Math.max(0, out.length - at)), at);
    return [out, `overwrite token ${label} at ${at}`];
  }
  return [concat(b.subarray(0, at), t, b.subarray(at)), `insert token ${label} at ${at}`];
};

const MUTATORS: Array<[Mutator, number]> = [
  [flip, 3],
  [setByte, 2],
  [boundary, 5],
  [truncate, 1],
  [splice, 2],
  [duplicate, 1],
  [remove, 1],
  [token, 2],
];
const TOTAL = MUTATORS.reduce((s, [, w]) => s + w, 0);

/** One to four stacked edits of `input`. */
export function mutate(input: Uint8Array, random: Random, ctx: MutationContext): Mutated {
  let bytes = input;
  const steps: string[] = [];
  const edits = 1 + Math.floor(random() ** 2 * 4);
  for (let e = 0; e < edits; e++) {
    let r = random() * TOTAL;
    let m = MUTATORS[0][0];
    for (const [fn, w] of MUTATORS) {
      r -= w;
      if (r < 0) {
        m = fn;
        break;
      }
    }
    const [out, step] = m(bytes, random, ctx);
    bytes = out;
    steps.push(step);
  }
  return { bytes, steps };
}

/** FNV-1a of a string: mixes the target name into the per-input seed. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The generator for input `index` of `target` under run seed `seed`. */
export function inputRandom(seed: number, target: string, index: number): Random {
  const mixed =
    (Math.imul(seed ^ hashString(target), 0x9e3779b1) + Math.imul(index + 1, 0x85ebca6b)) >>> 0;
  // A few draws to spread nearby seeds apart.
  const r = rng(mixed);
  r();
  r();
  return r;
}
