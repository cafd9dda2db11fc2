// The fuzz runner: shards each target's inputs over fenced child processes
// (a heap cap, an RSS cap and a per-input watchdog), classifies every
// outcome, and saves each finding with what it takes to replay it.
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from './generate.js';
import { knownItem } from './known.js';
import type { ChildMessage, ErrorInfo, ParentMessage } from './protocol.js';
import { targetByName } from './targets.js';

export type FindingKind = 'untyped' | 'crash' | 'hang' | 'oom';

export interface Finding {
  target: string;
  seed: number;
  index: number;
  kind: FindingKind;
  message: string;
  stack?: string;
  seedLabel?: string;
  steps?: string[];
  /** The known, pending issue this finding is (not counted as new). */
  known?: string;
  /** Where the input was saved. */
  file?: string;
}

export interface TargetReport {
  target: string;
  inputs: number;
  ok: number;
  typed: number;
  codes: Record<string, number>;
  findings: Finding[];
  known: Finding[];
  ms: number;
}

export interface FuzzOptions {
  targets: string[];
  /** Inputs per target (the time budget may stop earlier). */
  count: number;
  seed: number;
  /** Total wall-clock budget for the run in ms (default: none). */
  timeMs?: number;
  /** Child processes at once (default 2). */
  jobs?: number;
  /** Per-input time fence (default 5 s). */
  inputTimeoutMs?: number;
  /** V8 heap cap per child (default 256 MB). */
  heapMb?: number;
  /** Resident memory a child may grow above its resting size (default 256 MB). */
  rssMb?: number;
  /** Save findings here (default: not saved). */
  findingsDir?: string;
  log?: (line: string) => void;
}

const CHILD = new URL('./child.ts', import.meta.url).pathname;

interface Fence {
  inputTimeoutMs: number;
  heapMb: number;
  rssMb: number;
}

function spawnChild(fence: Fence): { child: ChildProcess; stderr: () => string } {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  delete env.NODE_OPTIONS;
  const child = fork(CHILD, [], {
    execArgv: [
      '--conditions=cozip-source',
      '--import',
      'tsx',
      `--max-old-space-size=${fence.heapMb}`,
      '--stack-size=984',
    ],
    env,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'advanced',
  });
  let tail = '';
  child.stderr?.on('data', (d: Buffer) => {
    tail = (tail + d.toString()).slice(-8192);
  });
  return { child, stderr: () => tail };
}

function rssOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const pages = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
    return pages * 4096;
  } catch {
    return undefined;
  }
}

interface ShardResult {
  /** The next index to run (the shard stopped there), or undefined when finished. */
  resumeAt: number | undefined;
  finding?: Finding;
}

/**
 * Runs [start, end) in one child until it ends, the time is up, or the child
 * has to be killed (hang, memory) or dies (crash): then returns where to resume.
 */
function runShard(
  target: string,
  seed: number,
  start: number,
  end: number,
  timeMs: number,
  fence: Fence,
  report: TargetReport,
  onFinding: (f: Finding) => void,
): Promise<ShardResult> {
  return new Promise((resolve) => {
    const { child, stderr } = spawnChild(fence);
    let current: number | undefined;
    let startedAt = 0;
    let last = start - 1;
    let baseline: number | undefined;
    let killedFor: { kind: FindingKind; message: string } | undefined;
    let done = false;
    let settled = false;
    const readyBy = Date.now() + 120_000;
    const settle = (r: ShardResult) => {
      if (settled) return;
      settled = true;
      clearInterval(watch);
      resolve(r);
    };
    const kill = (kind: FindingKind, message: string) => {
      if (killedFor) return;
      killedFor = { kind, message };
      child.kill('SIGKILL');
    };
    const watch = setInterval(() => {
      if (baseline === undefined) {
        if (Date.now() > readyBy) kill('crash', 'the child did not start in 120 s');
        return;
      }
      if (current !== undefined && Date.now() - startedAt > fence.inputTimeoutMs) {
        kill('hang', `no result after ${fence.inputTimeoutMs} ms`);
      }
      const rss = rssOf(child.pid);
      if (rss !== undefined && current !== undefined && rss > baseline + fence.rssMb * 2 ** 20) {
        kill(
          'oom',
          `resident memory ${Math.round(rss / 2 ** 20)} MB (rest ${Math.round(baseline / 2 ** 20)} MB + ${fence.rssMb} MB)`,
        );
      }
    }, 50);
    child.on('message', (m: ChildMessage) => {
      switch (m.t) {
        case 'ready':
          baseline = rssOf(child.pid) ?? 0;
          break;
        case 'start':
          current = m.i;
          startedAt = Date.now();
          break;
        case 'result': {
          current = undefined;
          last = m.i;
          report.inputs++;
          if (m.outcome === 'ok') report.ok++;
          else if (m.outcome === 'typed') {
            report.typed++;
            for (const c of m.codes) report.codes[c] = (report.codes[c] ?? 0) + 1;
          } else {
            onFinding(findingOf(target, seed, m.i, 'untyped', m.error!, m.seedLabel, m.steps));
          }
          break;
        }
        case 'crash':
          onFinding(findingOf(target, seed, m.i, 'crash', m.error, undefined, undefined, m.how));
          break;
        case 'done':
          done = true;
          break;
      }
    });
    child.on('exit', (code, signal) => {
      // A child exits 0 only after its last input (the 'done' message may still be queued).
      if (!killedFor && (done || (code === 0 && current === undefined))) {
        settle({ resumeAt: undefined });
        return;
      }
      // The input that was running (or, between inputs, the next one) is the culprit.
      const index = current ?? last + 1;
      let kind: FindingKind;
      let message: string;
      if (killedFor) ({ kind, message } = killedFor);
      else if (/heap out of memory|Allocation failed|out of memory/i.test(stderr())) {
        kind = 'oom';
        message = `the child ran out of memory (${fence.heapMb} MB heap)`;
      } else {
        kind = 'crash';
        message = `the child exited (code ${code}, signal ${signal})`;
      }
      if (current !== undefined) report.inputs++;
      const f: Finding = {
        target,
        seed,
        index,
        kind,
        message,
        stack: stderr().slice(-2000) || undefined,
      };
      // A hang is confirmed before it counts (a loaded machine can stall one input).
      if (kind !== 'hang') onFinding(f);
      settle({ resumeAt: index + 1 < end ? index + 1 : undefined, finding: f });
    });
    const msg: ParentMessage = { kind: 'run', target, seed, start, end, timeMs };
    child.send(msg);
  });
}

function findingOf(
  target: string,
  seed: number,
  index: number,
  kind: FindingKind,
  error: ErrorInfo,
  seedLabel?: string,
  steps?: string[],
  how?: string,
): Finding {
  return {
    target,
    seed,
    index,
    kind,
    message: `${how ? `${how}: ` : ''}${error.name}: ${error.message}`,
    stack: error.stack,
    seedLabel,
    steps,
  };
}

/** Rebuilds a finding's input (seed label and mutation steps for findings a kill cut short). */
async function rebuild(f: Finding): Promise<Uint8Array> {
  const target = targetByName(f.target);
  const g = await generate(target, await target.seeds(), f.seed, f.index);
  f.seedLabel ??= g.seed.label;
  f.steps ??= g.steps;
  return g.bytes;
}

/** Saves a finding: JSON with the input in base64 and the replay command, and the raw bytes. */
function saveFinding(f: Finding, bytes: Uint8Array, dir: string): void {
  const folder = join(dir, f.known ? 'known' : 'new', f.target);
  mkdirSync(folder, { recursive: true });
  const base = join(folder, `${f.kind}-seed${f.seed}-${f.index}`);
  f.file = `${base}.json`;
  writeFileSync(`${base}.bin`, bytes);
  const replay = `npm run fuzz -- --replay ${f.file}`;
  const input = Buffer.from(bytes).toString('base64');
  writeFileSync(f.file, `${JSON.stringify({ ...f, replay, input }, null, 2)}\n`);
}

export interface FuzzReport {
  seed: number;
  targets: TargetReport[];
  /** New findings (not known, pending issues). */
  findings: Finding[];
  known: Finding[];
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const jobs = Math.max(1, options.jobs ?? 2);
  const fence: Fence = {
    inputTimeoutMs: options.inputTimeoutMs ?? 5000,
    heapMb: options.heapMb ?? 256,
    rssMb: options.rssMb ?? 256,
  };
  const log = options.log ?? (() => {});
  for (const t of options.targets) targetByName(t);
  const reports = new Map<string, TargetReport>();
  // Each target is cut into enough shards to keep every job busy.
  const perTarget = Math.max(1, Math.ceil(jobs / options.targets.length));
  const shards: Array<{ target: string; start: number; end: number; timeMs: number }> = [];
  const shareMs =
    options.timeMs === undefined
      ? Number.POSITIVE_INFINITY
      : (options.timeMs * jobs) / (options.targets.length * perTarget);
  for (const target of options.targets) {
    reports.set(target, {
      target,
      inputs: 0,
      ok: 0,
      typed: 0,
      codes: {},
      findings: [],
      known: [],
      ms: 0,
    });
    const step = Math.ceil(options.count / perTarget);
    for (let k = 0; k < perTarget; k++) {
      const start = k * step;
      const end = Math.min(options.count, start + step);
      if (start < end) shards.push({ target, start, end, timeMs: shareMs });
    }
  }
  const saving: Promise<void>[] = [];
  const onFinding = (f: Finding) => {
    saving.push(
      rebuild(f).then((bytes) => {
        const r = reports.get(f.target)!;
        f.known = knownItem(f);
        (f.known ? r.known : r.findings).push(f);
        if (options.findingsDir) saveFinding(f, bytes, options.findingsDir);
        const note = f.known ? ` (${f.known})` : '';
        log(
          `${f.known ? 'known' : 'FINDING'} ${f.target} #${f.index} ${f.kind}: ${f.message}${note}`,
        );
      }),
    );
  };
  // Once more, alone in a fresh child: only a hang that repeats is a finding.
  const confirmHang = async (target: string, f: Finding, r: TargetReport) => {
    const scratch: TargetReport = {
      ...r,
      inputs: 0,
      ok: 0,
      typed: 0,
      codes: {},
      findings: [],
      known: [],
    };
    const again = await runShard(
      target,
      options.seed,
      f.index,
      f.index + 1,
      3 * fence.inputTimeoutMs,
      fence,
      scratch,
      () => {},
    );
    if (again.finding?.kind === 'hang') onFinding(f);
    else
      log(`${target} #${f.index}: a timeout that did not repeat alone (machine load), not counted`);
  };
  const work = async () => {
    for (let shard = shards.shift(); shard; shard = shards.shift()) {
      const r = reports.get(shard.target)!;
      let start = shard.start;
      const began = Date.now();
      for (;;) {
        const left = shard.timeMs - (Date.now() - began);
        if (left <= 0) break;
        const res = await runShard(
          shard.target,
          options.seed,
          start,
          shard.end,
          left,
          fence,
          r,
          onFinding,
        );
        if (res.finding?.kind === 'hang') await confirmHang(shard.target, res.finding, r);
        if (res.resumeAt === undefined) break;
        start = res.resumeAt;
      }
      r.ms += Date.now() - began;
      log(`${shard.target} [${shard.start}, ${shard.end}): ${r.inputs} inputs so far`);
    }
  };
  await Promise.all(Array.from({ length: jobs }, work));
  await Promise.all(saving);
  const targets = [...reports.values()];
  return {
    seed: options.seed,
    targets,
    findings: targets.flatMap((t) => t.findings),
    known: targets.flatMap((t) => t.known),
  };
}

export interface ReplayResult {
  outcome: string;
  codes: string[];
  error?: ErrorInfo;
}

/** Runs one saved finding again, behind the same fence. */
export function replay(file: string, fence: Partial<Fence> = {}): Promise<ReplayResult> {
  const saved = JSON.parse(readFileSync(file, 'utf8')) as Finding & { input: string };
  const f: Fence = { inputTimeoutMs: 5000, heapMb: 256, rssMb: 256, ...fence };
  return new Promise((resolve) => {
    const { child, stderr } = spawnChild(f);
    let result: ReplayResult | undefined;
    let startedAt: number | undefined;
    const watch = setInterval(() => {
      if (startedAt !== undefined && Date.now() - startedAt > f.inputTimeoutMs) {
        result = { outcome: 'hang', codes: [] };
        child.kill('SIGKILL');
      }
    }, 50);
    child.on('message', (m: ChildMessage) => {
      if (m.t === 'start') startedAt = Date.now();
      if (m.t === 'result') result = { outcome: m.outcome, codes: m.codes, error: m.error };
      if (m.t === 'crash') result = { outcome: 'crash', codes: [], error: m.error };
    });
    child.on('exit', (code, signal) => {
      clearInterval(watch);
      if (!result) {
        const oom = /out of memory|Allocation failed/i.test(stderr());
        result = {
          outcome: oom ? 'oom' : 'crash',
          codes: [],
          error: { name: 'exit', message: `code ${code}, signal ${signal}`, stack: stderr() },
        };
      }
      resolve(result);
    });
    const msg: ParentMessage = {
      kind: 'replay',
      target: saved.target,
      seedLabel: saved.seedLabel ?? '',
      input: saved.input,
    };
    child.send(msg);
  });
}
