// Child processes of the entries suite: library measurements that need their
// own heap (node --expose-gc, one library per process). The parent forks this
// file with a task on the IPC channel and gets one result back.
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import {
  configure,
  type FileEntry,
  HttpRangeReader,
  Uint8ArrayWriter,
  ZipReader,
} from '@zip.js/zip.js';
import { HTTPRangeReader, unzip } from 'unzipit';
import { writeCozip } from '../src/cozip/index.js';
import { runPool } from '../src/io/pool.js';
import { readEntry } from '../src/zip/entry-data.js';
import { openZip } from '../src/zip/reader.js';
import { FIXED_TIME, memberName, tinyBytes } from './entries-data.js';
import { median } from './timing.js';

export type ChildTask =
  | { kind: 'open'; path: string; runs: number }
  | { kind: 'write'; out: string; entries: number; runs: number }
  | {
      kind: 'http-reads';
      lib: 'cozip' | 'unzipit' | 'zipjs';
      url: string;
      names: string[];
      concurrency: number;
    };

export interface ChildResult {
  /** Median ms of the timed runs (open, write), or the read phase (http-reads). */
  ms: number;
  /** http-reads: ms to open the archive and list it. */
  openMs?: number;
  entries?: number;
  /** Heap used after a forced GC before the work, and after it (holding the result). */
  heapBefore: number;
  heapAfter: number;
  /** Highest heap used seen while working (sampled every 20 ms). */
  heapPeak: number;
  /** process.resourceUsage().maxRSS, in KiB. */
  maxRssKiB: number;
  warnings: string[];
  digest?: string;
}

type FromChild = { ok: true; result: ChildResult } | { ok: false; message: string };

const SELF = fileURLToPath(import.meta.url);

/** Runs one task in a fresh `node --expose-gc` process. */
export function runInChild(task: ChildTask, heapMiB?: number): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const execArgv = ['--expose-gc', '--conditions=cozip-source', '--import', 'tsx'];
    if (heapMiB) execArgv.unshift(`--max-old-space-size=${heapMiB}`);
    const child = fork(SELF, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let answer: FromChild | undefined;
    child.on('message', (m: FromChild) => {
      answer = m;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (answer?.ok) resolve(answer.result);
      else if (answer) reject(new Error(answer.message));
      else reject(new Error(`child exited with ${signal ?? code} before answering`));
    });
    child.send(task);
  });
}

// --- the child's side ---

const gc = (): void => {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run with --expose-gc');
  collect();
  collect();
};

const heapUsed = () => getHeapStatistics().used_heap_size;

/** Samples the heap while `work` runs. */
async function sampled<T>(work: () => Promise<T>): Promise<{ value: T; peak: number }> {
  let peak = heapUsed();
  const timer = setInterval(() => {
    peak = Math.max(peak, heapUsed());
  }, 20);
  try {
    const value = await work();
    return { value, peak: Math.max(peak, heapUsed()) };
  } finally {
    clearInterval(timer);
  }
}

const warnings: string[] = [];

/** Opens a ZIP `runs + 1` times (the first untimed) and keeps the last archive. */
async function openTask(task: Extract<ChildTask, { kind: 'open' }>): Promise<ChildResult> {
  gc();
  const heapBefore = heapUsed();
  const times: number[] = [];
  let kept: Awaited<ReturnType<typeof openZip>> | undefined;
  const { peak } = await sampled(async () => {
    for (let i = 0; i <= task.runs; i++) {
      kept = undefined;
      gc();
      const t0 = performance.now();
      const z = await openZip(task.path);
      const ms = performance.now() - t0;
      await z.source.close?.();
      if (i > 0) times.push(ms);
      kept = z;
    }
  });
  gc();
  const heapAfter = heapUsed();
  return {
    ms: median(times),
    entries: kept?.entries.length,
    heapBefore,
    heapAfter,
    heapPeak: peak,
    maxRssKiB: process.resourceUsage().maxRSS,
    warnings,
  };
}

/** Writes a Flat cozip of `entries` tiny in-memory rows `runs + 1` times (the first untimed). */
async function writeTask(task: Extract<ChildTask, { kind: 'write' }>): Promise<ChildResult> {
  const rows = Array.from({ length: task.entries }, (_, i) => ({
    name: memberName(i),
    path: tinyBytes(i),
  }));
  gc();
  const heapBefore = heapUsed();
  const times: number[] = [];
  const { peak } = await sampled(async () => {
    for (let i = 0; i <= task.runs; i++) {
      await rm(task.out, { force: true });
      const t0 = performance.now();
      await writeCozip(task.out, rows, { mtime: FIXED_TIME });
      if (i > 0) times.push(performance.now() - t0);
    }
  });
  await rm(task.out, { force: true });
  gc();
  return {
    ms: median(times),
    entries: rows.length,
    heapBefore,
    heapAfter: heapUsed(),
    heapPeak: peak,
    maxRssKiB: process.resourceUsage().maxRSS,
    warnings,
  };
}

interface OpenedRemote {
  entries: number;
  read: (name: string) => Promise<Uint8Array>;
}

// zip.js in the main thread (Node has no Web Workers), inflating with the
// runtime's DecompressionStream.
configure({ useWebWorkers: false, useCompressionStream: true });

async function openRemote(lib: string, url: string): Promise<OpenedRemote> {
  if (lib === 'cozip') {
    const zip = await openZip(url);
    const byName = new Map(zip.entries.map((e) => [e.name, e]));
    return { entries: zip.entries.length, read: (name) => readEntry(zip, byName.get(name)!) };
  }
  if (lib === 'unzipit') {
    const { entries } = await unzip(new HTTPRangeReader(url));
    return {
      entries: Object.keys(entries).length,
      read: async (name) => new Uint8Array(await entries[name].arrayBuffer()),
    };
  }
  const reader = new ZipReader(new HttpRangeReader(url));
  const all = await reader.getEntries();
  const byName = new Map(all.map((e) => [e.filename, e as FileEntry]));
  return {
    entries: all.length,
    read: (name) => byName.get(name)!.getData(new Uint8ArrayWriter(), { checkCrc32: true }),
  };
}

/** Opens a remote ZIP and reads the named members, `concurrency` at a time. */
async function httpReadsTask(
  task: Extract<ChildTask, { kind: 'http-reads' }>,
): Promise<ChildResult> {
  gc();
  const heapBefore = heapUsed();
  const digests: string[] = new Array(task.names.length);
  let opened: OpenedRemote | undefined;
  let openMs = 0;
  let readMs = 0;
  const { peak } = await sampled(async () => {
    const t0 = performance.now();
    opened = await openRemote(task.lib, task.url);
    const t1 = performance.now();
    await runPool(task.names, task.concurrency, async (name, i) => {
      const bytes = await opened!.read(name);
      digests[i] = createHash('sha256').update(bytes).digest('hex');
    });
    openMs = t1 - t0;
    readMs = performance.now() - t1;
  });
  // The opened archive stays referenced: what the library keeps for it.
  gc();
  const heapAfter = heapUsed();
  const digest = createHash('sha256').update(digests.join('\n')).digest('hex').slice(0, 12);
  const result: ChildResult = {
    ms: readMs,
    openMs,
    entries: opened?.entries,
    heapBefore,
    heapAfter,
    heapPeak: peak,
    maxRssKiB: process.resourceUsage().maxRSS,
    warnings,
    digest,
  };
  opened = undefined;
  return result;
}

async function child(): Promise<void> {
  process.on('warning', (w) => {
    warnings.push(`${w.name}: ${w.message}`);
  });
  const task = await new Promise<ChildTask>((resolve) =>
    process.once('message', (m) => resolve(m as ChildTask)),
  );
  let answer: FromChild;
  try {
    const result =
      task.kind === 'open'
        ? await openTask(task)
        : task.kind === 'write'
          ? await writeTask(task)
          : await httpReadsTask(task);
    // Warnings are emitted on the next tick: let them land before answering.
    await new Promise((resolve) => setTimeout(resolve, 50));
    answer = { ok: true, result };
  } catch (err) {
    const e = err as Error;
    const cause = e.cause instanceof Error ? ` (${e.cause.message})` : '';
    answer = { ok: false, message: `${e.message ?? String(err)}${cause}` };
  }
  await new Promise<void>((resolve) => process.send!(answer, () => resolve()));
  process.disconnect();
  // Keep-alive sockets of the HTTP clients would hold the process open.
  process.exit(0);
}

if (process.argv[1] === SELF && process.send) await child();
