// Per-entry cost: the cozip CLI, run as a whole process, against Info-ZIP,
// Python's zipfile and `node -e 0` on archives of 20,000 to 1,000,000
// entries (run in turns, A, B, A, B, ...), plus the library's open/write of a
// million entries and its reads over HTTP against unzipit and zip.js.
//
//   npm run bench -- entries                  full size (50 min on 2 cores with BENCH_RUNS=3)
//   BENCH_QUICK=1 npm run bench -- entries    every size a tenth (about 6 minutes)
//
// BENCH_ENTRIES_ONLY=validate,extract,create,convert,ls,startup,index,library,pack,http,
// lookup,remote-validate picks sections.
// BENCH_RUNS sets the timed rounds (default 5, 3 quick), BENCH_WRITE_RUNS the
// library write and HTTP-read runs (3), BENCH_ENTRIES_MAX drops sizes above it
// (default 1,000,000), BENCH_ENTRIES_TIMEOUT bounds each command in seconds
// (default 900: a command past it is killed and shown as "timeout"), and
// BENCH_RSS=gnu-time|python|none chooses how child peak RSS is read.
// Needs zip, unzip and python3 on PATH; /usr/bin/time (package `time`) for RSS.
// The sections are in entries-cli.ts, entries-startup.ts and entries-library.ts;
// what they share (context, pair runner, formatting) in entries-common.ts.
import { rm, stat } from 'node:fs/promises';
import { type BenchConfig, freshTmpDir, log } from './data.js';
import {
  convertSection,
  createSection,
  extractSection,
  indexSection,
  lsSection,
  packSection,
  validateSection,
} from './entries-cli.js';
import type { Ctx, Inputs, Sizes } from './entries-common.js';
import { smallSet, threeEntryZip, tinyArchive } from './entries-data.js';
import {
  httpReadsSection,
  librarySection,
  lookupSection,
  remoteValidateSection,
} from './entries-library.js';
import { startupSection } from './entries-startup.js';
import { mib, num, section, table } from './table.js';

function intEnv(name: string, fallback: number, env = process.env): number {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
  return n;
}

/**
 * BENCH_QUICK=1 divides every size by 10. BENCH_ENTRIES_MAX (default
 * 1,000,000) drops larger sizes; BENCH_ENTRIES_TIMEOUT (seconds, default 900)
 * bounds every command.
 */
function sizesFrom(config: BenchConfig, env = process.env): Sizes {
  const quick = env.BENCH_QUICK === '1';
  const scale = (n: number) => (quick ? n / 10 : n);
  const max = intEnv('BENCH_ENTRIES_MAX', 1_000_000, env);
  const upTo = (list: number[]) => list.map(scale).filter((n) => n <= max);
  return {
    quick,
    runs: config.runs,
    writeRuns: config.writeRuns,
    timeoutMs: intEnv('BENCH_ENTRIES_TIMEOUT', 900, env) * 1000,
    max,
    small: upTo([20_000, 100_000]),
    big: Math.min(scale(1_000_000), max),
    curve: upTo([1000, 10_000, 100_000, 1_000_000]),
    lookup: upTo([200_000, 1_000_000]),
    packFiles: scale(1000),
    httpMembers: scale(10_000),
  };
}

// --- 1. inputs ---

async function inputsSection(inputs: Inputs, sizes: Sizes): Promise<string> {
  const rows: string[][] = [];
  for (const s of inputs.small) {
    rows.push([
      `${num(s.entries)} small files, deflated ZIP`,
      num(s.entries),
      mib((await stat(s.zip)).size),
      mib(s.bytes),
    ]);
  }
  rows.push([
    `${num(sizes.big)} tiny members, stored ZIP`,
    num(sizes.big),
    mib((await stat(inputs.big)).size),
    '–',
  ]);
  return section(
    'Entries: inputs',
    table(['Archive', 'Entries', 'Archive (MiB)', 'Content (MiB)'], rows),
    [
      'Small files: log-like text of 200 B–4 KiB (seeded), named `dN/sN/fN.txt` in 1,000 ' +
        'folders; on disk as a tree, listed in a CSV (path,name), and as a ZIP written by ' +
        "cozip's ZipWriter with every member deflated. A smaller set is the start of a larger one.",
      'Tiny members: 8–40 bytes of text each, stored, same names: the directory-bound rows ' +
        '(listing, indexing, opening, convert per entry).',
      `BENCH_ENTRIES_MAX=${num(sizes.max)}: larger sizes are left out.` +
        (sizes.quick ? ' BENCH_QUICK=1: every size a tenth.' : ''),
      'Everything is in the page cache (each command runs once untimed first).',
    ],
  );
}

// --- the suite ---

export async function runEntries(config: BenchConfig): Promise<string> {
  const sizes = sizesFrom(config);
  log(`entries: sizes ${JSON.stringify(sizes)}`);
  const inputs: Inputs = {
    small: [],
    big: await tinyArchive(sizes.big),
    three: await threeEntryZip(),
  };
  for (const n of sizes.small) inputs.small.push(await smallSet(n));
  const tmp = await freshTmpDir();
  const ctx: Ctx = { sizes, tmp, problems: [] };
  const parts: string[] = [await inputsSection(inputs, sizes)];
  // BENCH_ENTRIES_ONLY=lookup,create runs just those sections.
  const only = process.env.BENCH_ENTRIES_ONLY?.split(',').map((s) => s.trim());
  const want = (name: string) => !only || only.includes(name);
  const small = inputs.small.length > 0;
  try {
    if (small && want('validate')) parts.push(await validateSection(ctx, inputs));
    if (small && want('extract')) parts.push(await extractSection(ctx, inputs));
    if (small && want('create')) parts.push(await createSection(ctx, inputs));
    if (want('convert')) parts.push(await convertSection(ctx, inputs));
    if (want('ls')) parts.push(await lsSection(ctx, inputs));
    if (want('startup')) parts.push(await startupSection(ctx, inputs));
    if (want('index')) parts.push(await indexSection(ctx, inputs));
    if (want('library')) parts.push(await librarySection(ctx, inputs));
    if (want('pack')) parts.push(await packSection(ctx));
    if (small && want('http')) parts.push(await httpReadsSection(ctx, inputs));
    if (want('lookup')) parts.push(await lookupSection(ctx));
    if (small && want('remote-validate')) parts.push(await remoteValidateSection(ctx, inputs));
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  // Missed goals and timeouts are results; a crash or a wrong count fails the run.
  if (ctx.problems.some((p) => !p.includes('timeout ('))) process.exitCode = 1;
  return parts.join('\n');
}
