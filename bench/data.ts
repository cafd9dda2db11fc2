// Deterministic inputs: a seeded PRNG, text-like and random content, and the
// cache folder (.bench-data/, gitignored) where generated inputs are kept.
import { mkdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const dataDir = fileURLToPath(new URL('../.bench-data/', import.meta.url));
/** Scratch outputs of one run; removed when the run ends. */
export const tmpDir = `${dataDir}tmp/`;

export async function freshTmpDir(): Promise<string> {
  await rm(tmpDir, { recursive: true, force: true });
  await mkdir(tmpDir, { recursive: true });
  return tmpDir;
}

/** mulberry32: a small, fast 32-bit PRNG; same seed, same sequence. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** `count` distinct indices below `n`, in a fixed random order (a partial Fisher-Yates shuffle). */
export function pickDistinct(n: number, count: number, seed: number): number[] {
  const next = prng(seed);
  const all = Array.from({ length: n }, (_, i) => i);
  const k = Math.min(count, n);
  for (let i = 0; i < k; i++) {
    const j = i + (next() % (n - i));
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, k);
}

/** An integer in [lo, hi]. */
export function between(next: () => number, lo: number, hi: number): number {
  return lo + (next() % (hi - lo + 1));
}

export function randomBytes(next: () => number, size: number): Uint8Array {
  const words = new Uint32Array(Math.ceil(size / 4));
  for (let i = 0; i < words.length; i++) words[i] = next();
  return new Uint8Array(words.buffer, 0, size);
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'ze', 'an', 'or', 'el'];
const LEVELS = ['INFO', 'DEBUG', 'WARN', 'INFO', 'ERROR', 'INFO'];
let vocabulary: string[] | undefined;

function words(): string[] {
  if (!vocabulary) {
    const next = prng(1);
    vocabulary = Array.from({ length: 512 }, () => {
      const n = between(next, 1, 4);
      let w = '';
      for (let i = 0; i < n; i++) w += SYLLABLES[next() % SYLLABLES.length];
      return w;
    });
  }
  return vocabulary;
}

/** Log-like text (compresses about 3-4x with deflate), exactly `size` bytes. */
export function textBytes(next: () => number, size: number): Uint8Array {
  const vocab = words();
  const lines: string[] = [];
  let length = 0;
  while (length < size) {
    const n = between(next, 4, 14);
    const parts = [
      `2024-05-${String(between(next, 10, 28))}T12:${String(next() % 60).padStart(2, '0')}`,
    ];
    parts.push(LEVELS[next() % LEVELS.length]);
    for (let i = 0; i < n; i++) parts.push(vocab[next() % vocab.length]);
    parts.push(`id=${next() % 100_000}`);
    const line = `${parts.join(' ')}\n`;
    lines.push(line);
    length += line.length;
  }
  return new TextEncoder().encode(lines.join('')).subarray(0, size);
}

export interface BenchConfig {
  /** Entries of the archive the read suite lists. */
  entries: number;
  /** Members the read suite reads in full. */
  members: number;
  /** Files the write suite archives. */
  files: number;
  /** Timed runs per read measurement (after one warm-up). */
  runs: number;
  /** Timed runs per write measurement (after one warm-up); writes take seconds each. */
  writeRuns: number;
}

/**
 * Sizes from the environment: BENCH_QUICK=1 for a smoke run; BENCH_ENTRIES,
 * BENCH_MEMBERS, BENCH_FILES, BENCH_RUNS and BENCH_WRITE_RUNS override one size.
 */
export function configFromEnv(env = process.env): BenchConfig {
  const quick = env.BENCH_QUICK === '1';
  const int = (name: string, fallback: number) => {
    const v = env[name];
    if (v === undefined || v === '') return fallback;
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
    return n;
  };
  return {
    entries: int('BENCH_ENTRIES', quick ? 10_000 : 100_000),
    members: int('BENCH_MEMBERS', 1000),
    files: int('BENCH_FILES', quick ? 200 : 2000),
    runs: int('BENCH_RUNS', quick ? 3 : 5),
    writeRuns: int('BENCH_WRITE_RUNS', 3),
  };
}

/** Logs progress on stderr, so stdout holds only the tables. */
export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}
