// Timing helper: warm-up runs, then timed runs; the median is what we report.
import { performance } from 'node:perf_hooks';

export interface MeasureOptions {
  /** Untimed runs first (JIT, page cache). Default 1. */
  warmup?: number;
  /** Timed runs. Default 5. */
  runs?: number;
  /** Runs untimed before every run (e.g. deleting the previous output). */
  before?: () => Promise<void> | void;
}

export interface Measurement<T> {
  /** Median of the timed runs, in milliseconds. */
  ms: number;
  runs: number[];
  /** What the last run returned. */
  result: T;
}

export async function measure<T>(
  fn: () => Promise<T>,
  options: MeasureOptions = {},
): Promise<Measurement<T>> {
  const { warmup = 1, runs = 5, before } = options;
  let result: T | undefined;
  for (let i = 0; i < warmup; i++) {
    await before?.();
    result = await fn();
  }
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    await before?.();
    const t0 = performance.now();
    result = await fn();
    times.push(performance.now() - t0);
  }
  return { ms: median(times), runs: times, result: result as T };
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
