// Shared by the entries suite's sections: the context each one gets (sizes,
// temp folder, problems so far) and the inputs, the pair runner (cozip against
// a peer, in turns) with its table header and notes, and cell formatting.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { log } from './data.js';
import type { SmallSet } from './entries-data.js';
import {
  alternate,
  type Command,
  describeRssMethod,
  type ProcRun,
  type Side,
  type SideResult,
} from './entries-proc.js';
import { ms, num } from './table.js';

export const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

export interface Sizes {
  quick: boolean;
  runs: number;
  writeRuns: number;
  /** Per-command timeout, ms. */
  timeoutMs: number;
  max: number;
  /** Archives and folders of small deflated members. */
  small: number[];
  /** The large archive for the directory and open rows. */
  big: number;
  curve: number[];
  lookup: number[];
  packFiles: number;
  httpMembers: number;
}

// --- formatting ---

export const ratio = (x: number) => `${num(x, 2)}x`;
export const rssMiB = (kib: number | undefined) => (kib === undefined ? 'n/a' : num(kib / 1024, 1));
export const met = (ok: boolean | undefined) => (ok === undefined ? 'n/a' : ok ? 'yes' : '**no**');
export const timeCell = (side: SideResult) =>
  side.ms === undefined
    ? side.failure?.startsWith('timeout')
      ? 'timeout'
      : 'failed'
    : ms(side.ms);

export function cozip(...args: string[]): Command {
  return { cmd: process.execPath, args: [CLI, '-q', ...args] };
}

const forceFlags = new Map<string, string[]>();

/**
 * `--force` if `cozip COMMAND --help` lists it (the writing commands refuse
 * an existing output without it); outputs are deleted before every run anyway.
 */
export function force(command: string): string[] {
  let flags = forceFlags.get(command);
  if (!flags) {
    const help = spawnSync(process.execPath, [CLI, command, '--help'], { encoding: 'utf8' });
    flags = /^\s+(-\w, )?--force\b/m.test(help.stdout) ? ['--force'] : [];
    forceFlags.set(command, flags);
  }
  return flags;
}

export interface Pair {
  work: string;
  peer: string;
  a: Side;
  b: Side;
  /** Goal on cozip/peer time: at most this. */
  goal: number;
  /** Goal on cozip's peak RSS, MiB. */
  rssGoal?: number;
}

export const PAIR_HEADER = [
  'Work',
  'cozip (ms)',
  'Peer',
  'Peer (ms)',
  'cozip/peer',
  'Goal',
  'Met',
  'cozip RSS (MiB)',
  'Peer RSS (MiB)',
];

export interface Ctx {
  sizes: Sizes;
  tmp: string;
  problems: string[];
}

/** Runs the pairs in turns (A, B, A, B, ...) and makes their table rows. */
export async function pairs(ctx: Ctx, list: Pair[], runs = ctx.sizes.runs): Promise<string[][]> {
  const rows: string[][] = [];
  for (const p of list) {
    log(`entries: ${p.work} vs ${p.peer}`);
    const [a, b] = await alternate([p.a, p.b], {
      runs,
      timeoutMs: ctx.sizes.timeoutMs,
      rssFile: `${ctx.tmp}rss`,
    });
    for (const [who, side] of [
      ['cozip', a],
      [p.peer, b],
    ] as const) {
      if (side.failure) ctx.problems.push(`${p.work}, ${who}: ${side.failure}`);
    }
    const r = a.ms !== undefined && b.ms !== undefined ? a.ms / b.ms : undefined;
    const rssOk =
      p.rssGoal === undefined || a.rssKiB === undefined ? true : a.rssKiB / 1024 <= p.rssGoal;
    const goal = `<= ${num(p.goal, 1)}x${p.rssGoal ? `, RSS <= ${p.rssGoal} MiB` : ''}`;
    rows.push([
      p.work,
      timeCell(a),
      p.peer,
      timeCell(b),
      r === undefined ? 'n/a' : ratio(r),
      goal,
      met(r === undefined ? undefined : r <= p.goal && rssOk),
      rssMiB(a.rssKiB),
      rssMiB(b.rssKiB),
    ]);
  }
  return rows;
}

export function timingNote(ctx: Ctx, runs = ctx.sizes.runs): string {
  return (
    `Whole processes: \`node dist/cli/main.js -q ...\` against the peer, in turns (A, B, A, B, ...), ` +
    `1 warm-up round then ${runs} timed rounds; medians. stdout to /dev/null; ${describeRssMethod()}, ` +
    `the highest of the runs. Timeout ${num(ctx.sizes.timeoutMs / 1000)} s per command.`
  );
}

export const withProblems = (ctx: Ctx, start: number, notes: string[]) => {
  const mine = ctx.problems.slice(start);
  return [
    ...notes,
    mine.length ? `**Problems:** ${mine.join('; ')}` : 'No failures; outputs checked.',
  ];
};

export interface Inputs {
  small: SmallSet[];
  big: string;
  three: string;
}

export function describeRun(run: ProcRun): string {
  return run.timedOut ? 'timeout' : `exit ${run.code}: ${run.stderr.split('\n').slice(-1)[0]}`;
}
