// Whole-process timing for the entries suite: runs a command as a child
// process, with its wall time, its peak RSS and a timeout, and alternates two
// commands (A, B, A, B, ...) so that both see the same machine load.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { median } from './timing.js';

export interface Command {
  cmd: string;
  args: string[];
  cwd?: string;
}

export interface ProcRun {
  /** Wall time from spawn to exit, in milliseconds. */
  ms: number;
  /** Peak resident set size of the command, in KiB (undefined if unmeasured). */
  rssKiB: number | undefined;
  code: number | null;
  timedOut: boolean;
  /** The last few KiB of stderr. */
  stderr: string;
}

/**
 * How peak RSS is read:
 * - 'gnu-time': `/usr/bin/time -f %M -o FILE cmd ...` (Debian package `time`);
 *   the wall time is taken here, around the wrapper (about 1 ms more, for A and B alike).
 * - 'python': `python3` runs the command with subprocess.run and reads
 *   getrusage(RUSAGE_CHILDREN).ru_maxrss; it also times the command itself,
 *   so Python's own start-up is not counted. The child starts as a copy of
 *   Python, so its RSS reads at least Python's own (~14 MiB).
 * - 'none': neither is available; RSS is not reported.
 * BENCH_RSS=gnu-time|python|none forces one.
 */
export type RssMethod = 'gnu-time' | 'python' | 'none';

const GNU_TIME = '/usr/bin/time';

const PY_WRAPPER = [
  'import resource, subprocess, sys, time',
  't = time.perf_counter()',
  'r = subprocess.run(sys.argv[2:])',
  'ms = (time.perf_counter() - t) * 1000',
  "open(sys.argv[1], 'w').write('%d %.3f' % (resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, ms))",
  'sys.exit(r.returncode if r.returncode >= 0 else 128 - r.returncode)',
].join('\n');

function works(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return r.status === 0;
}

let detected: RssMethod | undefined;

export function rssMethod(env = process.env): RssMethod {
  if (detected) return detected;
  const forced = env.BENCH_RSS;
  if (forced === 'gnu-time' || forced === 'python' || forced === 'none') {
    detected = forced;
  } else if (existsSync(GNU_TIME) && works(GNU_TIME, ['-f', '%M', '-o', '/dev/null', 'true'])) {
    detected = 'gnu-time';
  } else if (works('python3', ['-c', 'import resource'])) {
    detected = 'python';
  } else {
    detected = 'none';
  }
  return detected;
}

export function describeRssMethod(): string {
  switch (rssMethod()) {
    case 'gnu-time':
      return 'peak RSS from GNU `/usr/bin/time -f %M` (Debian package `time`) wrapping each command';
    case 'python':
      return (
        'peak RSS from `getrusage(RUSAGE_CHILDREN).ru_maxrss` in a `python3` wrapper ' +
        '(`/usr/bin/time` missing), which also times the command; ~14 MiB at least, as the child ' +
        'starts as a copy of Python'
      );
    default:
      return 'peak RSS not measured (neither `/usr/bin/time` nor `python3` found)';
  }
}

/** Process groups still running, killed if this process exits first. */
const live = new Set<number>();
process.on('exit', () => {
  for (const pid of live) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

let serial = 0;

/**
 * Runs `command` once: stdin and stdout are /dev/null, stderr is kept (the
 * tail). The command runs in its own process group, killed whole on timeout.
 */
export async function runOnce(
  command: Command,
  options: { timeoutMs: number; rssFile: string; env?: NodeJS.ProcessEnv },
): Promise<ProcRun> {
  const method = rssMethod();
  const rssFile = `${options.rssFile}.${process.pid}.${++serial}`;
  let cmd = command.cmd;
  let args = command.args;
  if (method === 'gnu-time') {
    args = ['-f', '%M', '-o', rssFile, cmd, ...args];
    cmd = GNU_TIME;
  } else if (method === 'python') {
    args = ['-c', PY_WRAPPER, rssFile, cmd, ...args];
    cmd = 'python3';
  }
  const t0 = performance.now();
  const child = spawn(cmd, args, {
    cwd: command.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  if (child.pid !== undefined) live.add(child.pid);
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4096);
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }, options.timeoutMs);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c, signal) => resolve(c ?? (signal ? 128 : null)));
  }).finally(() => {
    clearTimeout(timer);
    if (child.pid !== undefined) live.delete(child.pid);
  });
  let ms = performance.now() - t0;
  let rssKiB: number | undefined;
  if (method !== 'none') {
    const text = await readFile(rssFile, 'utf8').catch(() => '');
    await rm(rssFile, { force: true });
    if (method === 'gnu-time') {
      // With a failing command, GNU time writes "Command exited with ..." first.
      const m = /(\d+)\s*$/.exec(text);
      if (m) rssKiB = Number(m[1]);
    } else {
      const m = /^(\d+) ([\d.]+)$/.exec(text.trim());
      if (m) {
        rssKiB = Number(m[1]);
        ms = Number(m[2]);
      }
    }
  }
  return { ms, rssKiB, code, timedOut, stderr: stderr.trim() };
}

export interface SideResult {
  runs: ProcRun[];
  /** Median wall time of the successful timed runs; undefined if none. */
  ms: number | undefined;
  /** Highest peak RSS over the runs, in KiB. */
  rssKiB: number | undefined;
  /** Why the side has no (or partial) result: a timeout or a failure. */
  failure: string | undefined;
}

export interface Side {
  command: Command;
  /** Untimed, before every run of this side (delete an output, make an empty folder). */
  before?: () => Promise<void>;
  /** Checks the result after the last run; returns a problem, or undefined. */
  check?: () => Promise<string | undefined>;
  env?: NodeJS.ProcessEnv;
}

function failureOf(run: ProcRun, timeoutMs: number): string | undefined {
  if (run.timedOut) return `timeout (${Math.round(timeoutMs / 1000)} s)`;
  if (run.code !== 0) return `exit ${run.code}: ${run.stderr.split('\n').slice(-2).join(' ')}`;
  return undefined;
}

function summarize(runs: ProcRun[], failure: string | undefined): SideResult {
  const ok = runs.filter((r) => !r.timedOut && r.code === 0);
  const rss = runs.map((r) => r.rssKiB).filter((v): v is number => v !== undefined);
  return {
    runs,
    ms: ok.length ? median(ok.map((r) => r.ms)) : undefined,
    rssKiB: rss.length ? Math.max(...rss) : undefined,
    failure,
  };
}

/**
 * Runs the sides in turns: `warmup` untimed rounds, then `runs` timed rounds,
 * each round running every side once in order (A, B, A, B, ...). A side that
 * fails or times out is dropped from later rounds; the others go on.
 */
export async function alternate(
  sides: Side[],
  options: { runs: number; warmup?: number; timeoutMs: number; rssFile: string },
): Promise<SideResult[]> {
  const warmup = options.warmup ?? 1;
  const runs: ProcRun[][] = sides.map(() => []);
  const failures: (string | undefined)[] = sides.map(() => undefined);
  for (let round = 0; round < warmup + options.runs; round++) {
    for (let s = 0; s < sides.length; s++) {
      if (failures[s]) continue;
      const side = sides[s];
      await side.before?.();
      const run = await runOnce(side.command, {
        timeoutMs: options.timeoutMs,
        rssFile: options.rssFile,
        env: side.env,
      });
      const failure = failureOf(run, options.timeoutMs);
      if (failure) failures[s] = failure;
      if (round >= warmup || failure) runs[s].push(run);
    }
  }
  const results = sides.map((_, s) => summarize(runs[s], failures[s]));
  for (let s = 0; s < sides.length; s++) {
    if (!failures[s] && sides[s].check) {
      const problem = await sides[s].check!();
      if (problem) results[s].failure = `check failed: ${problem}`;
    }
  }
  return results;
}
