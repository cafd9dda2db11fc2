// Per-entry cost: the cozip CLI, run as a whole process, against Info-ZIP,
// Python's zipfile and `node -e 0` on archives of 20,000 to 1,000,000
// entries (run in turns, A, B, A, B, ...), plus the library's open/write of a
// million entries and its reads over HTTP against unzipit and zip.js.
//
//   npm run bench -- entries                  full size (50 min on 2 cores with BENCH_RUNS=3)
//   BENCH_QUICK=1 npm run bench -- entries    every size a tenth (about 6 minutes)
//
// BENCH_RUNS sets the timed rounds (default 5, 3 quick), BENCH_WRITE_RUNS the
// library write and HTTP-read runs (3), BENCH_ENTRIES_MAX drops sizes above it
// (default 1,000,000), BENCH_ENTRIES_TIMEOUT bounds each command in seconds
// (default 900: a command past it is killed and shown as "timeout"), and
// BENCH_RSS=gnu-time|python|none chooses how child peak RSS is read.
// Needs zip, unzip and python3 on PATH; /usr/bin/time (package `time`) for RSS.
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { openCozip, readManifest, readMember } from '../src/cozip/index.js';
import { openZip } from '../src/zip/reader.js';
import { type BenchConfig, freshTmpDir, log, prng } from './data.js';
import { type ChildResult, runInChild } from './entries-child.js';
import {
  memberName,
  randomFiles,
  type SmallSet,
  smallSet,
  threeEntryZip,
  tileBytes,
  tileCozip,
  tileName,
  tinyArchive,
} from './entries-data.js';
import { type LogSummary, serveFile, summarizeLog } from './entries-http.js';
import {
  alternate,
  type Command,
  describeRssMethod,
  type ProcRun,
  runOnce,
  type Side,
  type SideResult,
} from './entries-proc.js';
import { MiB, mib, ms, num, section, table } from './table.js';
import { median } from './timing.js';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const MODULE_COUNTER = fileURLToPath(new URL('module-count.mjs', import.meta.url));
/** Names the cozip writer adds besides the data entries. */
const COZIP_OWN = new Set(['__cozip__', '__metadata__', '__cozip_padding__']);

interface Sizes {
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

// --- formatting ---

const ratio = (x: number) => `${num(x, 2)}x`;
const rssMiB = (kib: number | undefined) => (kib === undefined ? 'n/a' : num(kib / 1024, 1));
const met = (ok: boolean | undefined) => (ok === undefined ? 'n/a' : ok ? 'yes' : '**no**');
const timeCell = (side: SideResult) =>
  side.ms === undefined
    ? side.failure?.startsWith('timeout')
      ? 'timeout'
      : 'failed'
    : ms(side.ms);

function cozip(...args: string[]): Command {
  return { cmd: process.execPath, args: [CLI, '-q', ...args] };
}

const forceFlags = new Map<string, string[]>();

/**
 * `--force` if `cozip COMMAND --help` lists it (today neither create nor
 * convert does: they replace their output); outputs are deleted before every run anyway.
 */
function force(command: string): string[] {
  let flags = forceFlags.get(command);
  if (!flags) {
    const help = spawnSync(process.execPath, [CLI, command, '--help'], { encoding: 'utf8' });
    flags = /^\s+(-\w, )?--force\b/m.test(help.stdout) ? ['--force'] : [];
    forceFlags.set(command, flags);
  }
  return flags;
}

interface Pair {
  work: string;
  peer: string;
  a: Side;
  b: Side;
  /** Goal on cozip/peer time: at most this. */
  goal: number;
  /** Goal on cozip's peak RSS, MiB. */
  rssGoal?: number;
}

const PAIR_HEADER = [
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

interface Ctx {
  sizes: Sizes;
  tmp: string;
  problems: string[];
}

/** Runs the pairs in turns (A, B, A, B, ...) and makes their table rows. */
async function pairs(ctx: Ctx, list: Pair[], runs = ctx.sizes.runs): Promise<string[][]> {
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

function timingNote(ctx: Ctx, runs = ctx.sizes.runs): string {
  return (
    `Whole processes: \`node dist/cli/main.js -q ...\` against the peer, in turns (A, B, A, B, ...), ` +
    `1 warm-up round then ${runs} timed rounds; medians. stdout to /dev/null; ${describeRssMethod()}, ` +
    `the highest of the runs. Timeout ${num(ctx.sizes.timeoutMs / 1000)} s per command.`
  );
}

async function countFiles(dir: string): Promise<number> {
  const all = await readdir(dir, { recursive: true, withFileTypes: true });
  return all.filter((d) => d.isFile()).length;
}

/** Data entries of a ZIP written by cozip (its own entries left out) or zip -r (folders left out). */
async function dataEntries(path: string): Promise<number> {
  const z = await openZip(path);
  await z.source.close?.();
  return z.entries.filter((e) => !COZIP_OWN.has(e.name) && !e.name.endsWith('/')).length;
}

const expectCount = (what: string, count: () => Promise<number>, want: number) => async () => {
  const n = await count();
  return n === want ? undefined : `${what}: ${num(n)} entries, expected ${num(want)}`;
};

const withProblems = (ctx: Ctx, start: number, notes: string[]) => {
  const mine = ctx.problems.slice(start);
  return [
    ...notes,
    mine.length ? `**Problems:** ${mine.join('; ')}` : 'No failures; outputs checked.',
  ];
};

// --- 1. inputs ---

interface Inputs {
  small: SmallSet[];
  big: string;
  three: string;
}

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

// --- 2-6. the CLI against Info-ZIP and Python ---

async function validateSection(ctx: Ctx, inputs: Inputs): Promise<string> {
  const start = ctx.problems.length;
  const list: Pair[] = inputs.small.map((s) => ({
    work: `validate --content, ${num(s.entries)} entries`,
    peer: '`unzip -tq`',
    a: { command: cozip('validate', '--content', s.zip) },
    b: { command: { cmd: 'unzip', args: ['-tq', s.zip] } },
    goal: 2,
  }));
  const rows = await pairs(ctx, list);
  return section(
    'Entries: `cozip validate --content` vs `unzip -tq`',
    table(PAIR_HEADER, rows),
    withProblems(ctx, start, [
      timingNote(ctx),
      'Both read and inflate every member and check its CRC-32.',
    ]),
  );
}

async function extractSection(ctx: Ctx, inputs: Inputs): Promise<string> {
  const start = ctx.problems.length;
  const fresh = (dir: string) => async () => {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
  };
  const list: Pair[] = inputs.small.map((s) => {
    const mine = `${ctx.tmp}extract-cozip`;
    const theirs = `${ctx.tmp}extract-unzip`;
    return {
      work: `extract, ${num(s.entries)} files`,
      peer: '`unzip -q -d`',
      a: {
        command: cozip('extract', s.zip, '-o', mine),
        before: fresh(mine),
        check: expectCount('cozip extract', () => countFiles(mine), s.entries),
      },
      b: {
        command: { cmd: 'unzip', args: ['-q', s.zip, '-d', theirs] },
        before: fresh(theirs),
        check: expectCount('unzip', () => countFiles(theirs), s.entries),
      },
      goal: 1.5,
    };
  });
  const rows = await pairs(ctx, list);
  await rm(`${ctx.tmp}extract-cozip`, { recursive: true, force: true });
  await rm(`${ctx.tmp}extract-unzip`, { recursive: true, force: true });
  return section(
    'Entries: `cozip extract -o DIR` vs `unzip -q -d DIR`',
    table(PAIR_HEADER, rows),
    withProblems(ctx, start, [
      timingNote(ctx),
      'Into a new empty folder every run (made untimed). cozip writes each file to a temp ' +
        'name and renames it, refuses unsafe names and ZIP bombs; the file count is checked after the runs.',
    ]),
  );
}

async function createSection(ctx: Ctx, inputs: Inputs): Promise<string> {
  const start = ctx.problems.length;
  const mine = `${ctx.tmp}create-cozip.zip`;
  const theirs = `${ctx.tmp}create-zip.zip`;
  const zipSide = (s: SmallSet) => ({
    // zip adds to an existing archive: every run starts without one.
    command: { cmd: 'zip', args: ['-0', '-q', '-r', theirs, '.'], cwd: s.dir },
    before: () => rm(theirs, { force: true }),
    check: expectCount('zip -r', () => dataEntries(theirs), s.entries),
  });
  const list: Pair[] = inputs.small.flatMap((s) => [
    {
      work: `create DIR, ${num(s.entries)} files`,
      peer: '`zip -0 -q -r`',
      a: {
        command: cozip('create', ...force('create'), mine, s.dir),
        before: () => rm(mine, { force: true }),
        check: expectCount('cozip create DIR', () => dataEntries(mine), s.entries),
      },
      b: zipSide(s),
      goal: 1,
    },
    {
      work: `create --from CSV, ${num(s.entries)} files`,
      peer: '`zip -0 -q -r`',
      a: {
        command: cozip('create', ...force('create'), mine, '--from', s.csv),
        before: () => rm(mine, { force: true }),
        check: expectCount('cozip create --from', () => dataEntries(mine), s.entries),
      },
      b: zipSide(s),
      goal: 1,
    },
  ]);
  const rows = await pairs(ctx, list);
  await rm(mine, { force: true });
  await rm(theirs, { force: true });
  return section(
    'Entries: `cozip create` vs `zip -0 -q -r`',
    table(PAIR_HEADER, rows),
    withProblems(ctx, start, [
      timingNote(ctx),
      '`zip -0 -q -r OUT .` runs in the folder (names without a prefix, plus an entry per folder); ' +
        '`cozip create OUT DIR` and `cozip create OUT --from table.csv` (columns path,name, paths ' +
        'relative to the CSV) store every file too. The output is deleted before every run; ' +
        `\`--force\` ${force('create').length ? 'passed, as `create --help` lists it' : 'not passed: `create --help` does not list it'}. ` +
        'cozip writes a temp file, fsyncs it and renames it.',
    ]),
  );
}

async function convertSection(ctx: Ctx, inputs: Inputs): Promise<string> {
  const start = ctx.problems.length;
  const out = `${ctx.tmp}convert.zip`;
  const list: Pair[] = inputs.small.map((s) => ({
    work: `convert, ${num(s.entries)} entries`,
    peer: '`unzip -tq`',
    a: {
      command: cozip('convert', ...force('convert'), s.zip, out),
      before: () => rm(out, { force: true }),
      check: expectCount('cozip convert', () => dataEntries(out), s.entries),
    },
    b: { command: { cmd: 'unzip', args: ['-tq', s.zip] } },
    goal: 3,
  }));
  const rows = await pairs(ctx, list);

  // The curve: cozip alone, tiny stored members, 1,000 to 1,000,000 entries.
  const curve: string[][] = [];
  let previous: { n: number; ms: number } | undefined;
  let firstMarginal: number | undefined;
  for (const n of ctx.sizes.curve) {
    const path = await tinyArchive(n);
    const largest = n === ctx.sizes.curve[ctx.sizes.curve.length - 1] && n >= 100_000;
    const runs = largest ? 1 : ctx.sizes.runs;
    log(`entries: convert curve, ${num(n)} entries (${runs} run${runs > 1 ? 's' : ''})`);
    const [side] = await alternate(
      [
        {
          command: cozip('convert', ...force('convert'), path, out),
          before: () => rm(out, { force: true }),
          check: expectCount('cozip convert', () => dataEntries(out), n),
        },
      ],
      { runs, warmup: largest ? 0 : 1, timeoutMs: ctx.sizes.timeoutMs, rssFile: `${ctx.tmp}rss` },
    );
    await rm(out, { force: true });
    if (side.failure) ctx.problems.push(`convert ${num(n)} entries: ${side.failure}`);
    if (side.ms === undefined) {
      curve.push([num(n), timeCell(side), 'n/a', 'n/a', 'n/a', rssMiB(side.rssKiB)]);
      previous = undefined;
      continue;
    }
    const perEntry = (side.ms * 1000) / n;
    let marginal: number | undefined;
    if (previous) {
      marginal = ((side.ms - previous.ms) * 1000) / (n - previous.n);
      firstMarginal ??= marginal;
    }
    curve.push([
      num(n),
      ms(side.ms),
      num(perEntry, 2),
      marginal === undefined ? '–' : num(marginal, 2),
      marginal === undefined || firstMarginal === undefined
        ? '–'
        : met(marginal <= 1.5 * firstMarginal),
      rssMiB(side.rssKiB),
    ]);
    previous = { n, ms: side.ms };
  }
  return [
    section(
      'Entries: `cozip convert` vs `unzip -tq`',
      table(PAIR_HEADER, rows),
      withProblems(ctx, start, [
        timingNote(ctx),
        '`convert` inflates and CRC-checks every member and writes them stored as a Flat cozip ' +
          '(manifest, index, hash); `unzip -tq` only inflates and checks. The output is deleted before every run.',
      ]),
    ),
    section(
      'Entries: `cozip convert` per entry, 1,000 to 1,000,000 tiny members',
      table(
        ['Entries', 'Median (ms)', 'µs/entry', 'Marginal µs/entry', 'Flat', 'RSS (MiB)'],
        curve,
      ),
      [
        `Tiny stored members (8–40 bytes). Median of ${ctx.sizes.runs} runs after 1 warm-up; the ` +
          'largest size (when 100,000 or more) one run without warm-up.',
        'Marginal µs/entry: the time added per entry since the previous size, so process start-up ' +
          'drops out. Goal flat: "Flat" is yes while it stays within 1.5x of the first step.',
      ],
    ),
  ].join('\n');
}

async function lsSection(ctx: Ctx, inputs: Inputs): Promise<string> {
  const start = ctx.problems.length;
  const archives = [
    ...inputs.small.map((s) => ({ entries: s.entries, path: s.zip })),
    { entries: ctx.sizes.big, path: inputs.big },
  ];
  const list: Pair[] = archives.map(({ entries, path }) => ({
    work: `ls --json, ${num(entries)} entries`,
    peer: '`python3 -m zipfile -l`',
    a: { command: cozip('ls', '--json', path) },
    b: { command: { cmd: 'python3', args: ['-m', 'zipfile', '-l', path] } },
    goal: 1,
  }));
  const rows = await pairs(ctx, list);
  const py = spawnSync('python3', ['--version'], { encoding: 'utf8' }).stdout.trim();
  return section(
    'Entries: `cozip ls --json` vs `python3 -m zipfile -l`',
    table(PAIR_HEADER, rows),
    withProblems(ctx, start, [timingNote(ctx), `${py}; both write their listing to /dev/null.`]),
  );
}

// --- 7. start-up ---

interface ModuleCount {
  files: number;
  own: number;
  builtins: number;
  packages: Map<string, number>;
}

/** Runs the CLI once with the module-count preload; see bench/module-count.mjs. */
async function countModules(ctx: Ctx, args: string[]): Promise<ModuleCount> {
  const out = `${ctx.tmp}modules-${process.pid}.txt`;
  await rm(out, { force: true });
  const run = spawnSync(process.execPath, ['--import', MODULE_COUNTER, CLI, ...args], {
    env: { ...process.env, MODULE_COUNT_FILE: out },
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`cozip ${args.join(' ')}: ${run.stderr}`);
  const urls = new Set((await readFile(out, 'utf8')).split('\n').filter(Boolean));
  await rm(out, { force: true });
  const count: ModuleCount = { files: 0, own: 0, builtins: 0, packages: new Map() };
  for (const url of urls) {
    if (url.startsWith('node:')) {
      count.builtins++;
      continue;
    }
    count.files++;
    const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (m) count.packages.set(m[1], (count.packages.get(m[1]) ?? 0) + 1);
    else count.own++;
  }
  return count;
}

async function startupSection(ctx: Ctx, inputs: Inputs): Promise<string> {
  const start = ctx.problems.length;
  const runs = ctx.sizes.runs * 2;
  const node = { command: { cmd: process.execPath, args: ['-e', '0'] } };
  const rows = await pairs(
    ctx,
    [
      {
        work: 'cozip --version',
        peer: '`node -e 0`',
        a: { command: cozip('--version') },
        b: node,
        goal: 1.6,
      },
      {
        work: 'cozip ls (3-entry ZIP)',
        peer: '`node -e 0`',
        a: { command: cozip('ls', inputs.three) },
        b: node,
        goal: Number.POSITIVE_INFINITY,
      },
    ],
    runs,
  );
  rows[1][5] = '(none)';
  rows[1][6] = '–';
  const watched = ['hyparquet-writer', 'aws4fetch', '@hpcc-js/wasm-zstd', 'hyparquet'];
  const moduleRows: string[][] = [];
  for (const [label, args] of [
    ['--version', ['--version']],
    ['ls (3-entry ZIP)', ['ls', inputs.three]],
  ] as const) {
    try {
      const c = await countModules(ctx, [...args]);
      const packages = [...c.packages.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([p, n]) => `${p} ${n}`)
        .join(', ');
      moduleRows.push([
        label,
        num(c.files),
        num(c.own),
        num(c.files - c.own),
        num(c.builtins),
        ...watched.map((w) => (c.packages.has(w) ? `yes (${c.packages.get(w)})` : 'no')),
        packages,
      ]);
    } catch (err) {
      ctx.problems.push(`module count ${label}: ${(err as Error).message}`);
    }
  }
  return [
    section(
      'Entries: start-up',
      table(PAIR_HEADER, rows),
      withProblems(ctx, start, [
        timingNote(ctx, runs),
        `${process.version}. The 3-entry ZIP holds ~300-byte deflated text files; no goal given for it.`,
      ]),
    ),
    section(
      'Entries: modules the CLI loads',
      table(
        [
          'Command',
          'Modules',
          'cozip',
          'Packages',
          'Built-ins',
          ...watched.map((w) => `${w}?`),
          'By package',
        ],
        moduleRows,
        1,
      ),
      [
        'Counted by `node --import bench/module-count.mjs dist/cli/main.js ...`: a `module.register` ' +
          'load hook appends the URL of every module loaded through the ESM loader (including CommonJS ' +
          'reached by `import`), and an exit handler adds `require.cache` (CommonJS loaded by `require`); ' +
          'deduplicated. Modules: files (cozip’s dist/ plus packages); built-ins (`node:`) apart.',
      ],
    ),
  ].join('\n');
}

// --- 8. index build ---

async function indexSection(ctx: Ctx, inputs: Inputs): Promise<string> {
  const start = ctx.problems.length;
  const out = `${ctx.tmp}big.zipindex`;
  const rows = await pairs(ctx, [
    {
      work: `index build, ${num(ctx.sizes.big)} entries`,
      peer: '`unzip -l`',
      a: {
        command: cozip('index', 'build', inputs.big, '-o', out),
        before: () => rm(out, { force: true }),
      },
      b: { command: { cmd: 'unzip', args: ['-l', inputs.big] } },
      goal: 2,
      rssGoal: 400,
    },
  ]);
  const indexSize = (await stat(out).catch(() => undefined))?.size;
  await rm(out, { force: true });

  log('entries: index build over HTTP');
  const server = await serveFile(inputs.big);
  let httpRows: string[][];
  try {
    const run = await runOnce(cozip('index', 'build', server.url, '-o', out), {
      timeoutMs: ctx.sizes.timeoutMs,
      rssFile: `${ctx.tmp}rss`,
    });
    const s = summarizeLog(server.log);
    if (run.code !== 0) ctx.problems.push(`index build over HTTP: ${describeRun(run)}`);
    httpRows = [
      [
        `index build http://…, ${num(ctx.sizes.big)} entries`,
        run.code === 0 ? ms(run.ms) : describeRun(run),
        num(s.requests),
        mib(s.bytes),
        `${num((100 * s.bytes) / server.size, 1)} %`,
        '<= 2 requests',
        met(run.code === 0 ? s.requests <= 2 : undefined),
        rssMiB(run.rssKiB),
      ],
    ];
  } finally {
    await server.close();
    await rm(out, { force: true });
  }
  return [
    section(
      'Entries: `cozip index build` vs `unzip -l`',
      table(PAIR_HEADER, rows),
      withProblems(ctx, start, [
        timingNote(ctx),
        `The ${num(ctx.sizes.big)}-entry stored ZIP (tiny members); both read the central directory ` +
          `only. The zipindex written: ${indexSize === undefined ? 'n/a' : `${mib(indexSize)} MiB`}.`,
      ]),
    ),
    section(
      'Entries: `cozip index build` over HTTP',
      table(
        [
          'Work',
          'Time (ms)',
          'Requests',
          'Fetched (MiB)',
          'Of archive',
          'Goal',
          'Met',
          'RSS (MiB)',
        ],
        httpRows,
      ),
      [
        'One run, served by bench/entries-http.ts on 127.0.0.1 (HTTP/1.1, single ranges, ETag); ' +
          'every request counted, HEAD included.',
      ],
    ),
  ].join('\n');
}

function describeRun(run: ProcRun): string {
  return run.timedOut ? 'timeout' : `exit ${run.code}: ${run.stderr.split('\n').slice(-1)[0]}`;
}

// --- 9. the library: open and write a million entries ---

async function librarySection(ctx: Ctx, inputs: Inputs): Promise<string> {
  const start = ctx.problems.length;
  const n = ctx.sizes.big;
  const rows: string[][] = [];
  const goalMs = (n / 1_000_000) * 1500;
  log(`entries: openZip of ${num(n)} entries in a child process`);
  try {
    const r = await runInChild({ kind: 'open', path: inputs.big, runs: ctx.sizes.runs });
    if (r.entries !== n) ctx.problems.push(`openZip listed ${r.entries} of ${n}`);
    rows.push([
      `\`openZip\`, ${num(n)} entries`,
      ms(r.ms),
      `<= ${ms(goalMs)} ms, heap <= ${num((n / 1_000_000) * 300)} MiB`,
      met(r.ms <= goalMs && r.heapAfter / MiB <= (n / 1_000_000) * 300),
      mib(r.heapAfter),
      mib(r.heapAfter - r.heapBefore),
      mib(r.heapPeak),
      rssMiB(r.maxRssKiB),
    ]);
  } catch (err) {
    ctx.problems.push(`openZip: ${(err as Error).message}`);
  }
  log(`entries: writeCozip of ${num(n)} in-memory rows in a child process`);
  const wGoal = (n / 1_000_000) * 3000;
  try {
    const r = await runInChild({
      kind: 'write',
      out: `${ctx.tmp}write.zip`,
      entries: n,
      runs: ctx.sizes.writeRuns,
    });
    rows.push([
      `\`writeCozip\`, ${num(n)} in-memory rows`,
      ms(r.ms),
      `<= ${ms(wGoal)} ms`,
      met(r.ms <= wGoal),
      mib(r.heapAfter),
      '–',
      mib(r.heapPeak),
      rssMiB(r.maxRssKiB),
    ]);
  } catch (err) {
    ctx.problems.push(`writeCozip: ${(err as Error).message}`);
  }
  return section(
    `Entries: the library, ${num(n)} entries`,
    table(
      [
        'Work',
        'Median (ms)',
        'Goal',
        'Met',
        'Heap after GC (MiB)',
        'Of which kept',
        'Peak heap (MiB)',
        'RSS (MiB)',
      ],
      rows,
    ),
    withProblems(ctx, start, [
      'Each in its own `node --expose-gc` child (tsx, source build). `openZip`: the stored tiny-member ' +
        `ZIP from a path, median of ${ctx.sizes.runs} runs after 1 warm-up; heap after GC holding the ` +
        'last archive (kept = minus the heap before). `writeCozip`: rows `{ name, path: Uint8Array }` of ' +
        `8–40 bytes to a file (temp file, fsync, rename), median of ${ctx.sizes.writeRuns} runs after 1 ` +
        'warm-up; heap after GC holding the rows. Peak heap sampled every 20 ms.',
      'Goals scale with the entry count (1.5 s, 300 MiB and 3 s are for 1,000,000).',
    ]),
  );
}

// --- 10. packing large files ---

async function packSection(ctx: Ctx): Promise<string> {
  const start = ctx.problems.length;
  const files = ctx.sizes.packFiles;
  const dir = await randomFiles(files, 512 * 1024);
  const mine = `${ctx.tmp}pack-cozip.zip`;
  const theirs = `${ctx.tmp}pack-zip.zip`;
  const rows = await pairs(ctx, [
    {
      work: `create DIR, ${num(files)} files of 512 KiB`,
      peer: '`zip -0 -q -r`',
      a: {
        command: cozip('create', ...force('create'), mine, dir),
        before: () => rm(mine, { force: true }),
        check: expectCount('cozip create', () => dataEntries(mine), files),
      },
      b: {
        command: { cmd: 'zip', args: ['-0', '-q', '-r', theirs, '.'], cwd: dir },
        before: () => rm(theirs, { force: true }),
        check: expectCount('zip -r', () => dataEntries(theirs), files),
      },
      goal: 0.6,
    },
  ]);
  await rm(mine, { force: true });
  await rm(theirs, { force: true });
  return section(
    `Entries: packing ${num(files)} files of 512 KiB (${mib(files * 512 * 1024)} MiB)`,
    table(PAIR_HEADER, rows),
    withProblems(ctx, start, [
      timingNote(ctx),
      'Seeded random bytes, one folder; both store. cozip fsyncs its output, zip does not.',
    ]),
  );
}

// --- 11. random members over HTTP ---

/** `count` distinct indices below `n`, in a fixed random order. */
function pick(n: number, count: number, seed: number): number[] {
  const next = prng(seed);
  const all = Array.from({ length: n }, (_, i) => i);
  const k = Math.min(count, n);
  for (let i = 0; i < k; i++) {
    const j = i + (next() % (n - i));
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, k);
}

async function httpReadsSection(ctx: Ctx, inputs: Inputs): Promise<string> {
  const start = ctx.problems.length;
  const set = inputs.small[inputs.small.length - 1];
  const names = pick(set.entries, ctx.sizes.httpMembers, 11).map(memberName);
  const libs = [
    { lib: 'cozip', label: 'cozip `openZip` + `readEntry`' },
    { lib: 'unzipit', label: 'unzipit `HTTPRangeReader` + `arrayBuffer()`' },
    { lib: 'zipjs', label: 'zip.js `HttpRangeReader` + `getData`' },
  ] as const;
  const results = libs.map(() => [] as Array<ChildResult & { requests: number }>);
  const failed = libs.map(() => undefined as string | undefined);
  const runs = ctx.sizes.writeRuns;
  const server = await serveFile(set.zip);
  try {
    // Round 0 is a warm-up; every library runs once per round, in turns.
    for (let round = 0; round <= runs; round++) {
      for (let l = 0; l < libs.length; l++) {
        if (failed[l]) continue;
        log(`entries: ${num(names.length)} members over HTTP, ${libs[l].lib}, round ${round}`);
        server.log.length = 0;
        try {
          const r = await runInChild({
            kind: 'http-reads',
            lib: libs[l].lib,
            url: server.url,
            names,
            concurrency: 32,
          });
          if (round > 0) results[l].push({ ...r, requests: server.log.length });
        } catch (err) {
          failed[l] = (err as Error).message;
          ctx.problems.push(`${libs[l].lib}: ${failed[l]}`);
        }
      }
    }
  } finally {
    await server.close();
  }
  const perSecond = results.map((rs) =>
    rs.length ? names.length / (median(rs.map((r) => r.ms)) / 1000) : undefined,
  );
  const digests = new Set(results.flatMap((rs) => rs.map((r) => r.digest)));
  if (digests.size > 1) ctx.problems.push(`content digests differ: ${[...digests].join(', ')}`);
  const goals = [undefined, 2, 5];
  const rows = libs.map((l, i) => {
    const rs = results[i];
    if (!rs.length) return [l.label, failed[i] ? 'failed' : 'n/a'];
    const mine = perSecond[0];
    const theirs = perSecond[i];
    const r = i > 0 && mine !== undefined && theirs !== undefined ? mine / theirs : undefined;
    const warnings = [...new Set(rs.flatMap((x) => x.warnings.map((w) => w.split(':')[0])))];
    return [
      l.label,
      ms(median(rs.map((x) => x.openMs ?? 0))),
      ms(median(rs.map((x) => x.ms))),
      num(theirs ?? 0),
      i === 0 ? '–' : r === undefined ? 'n/a' : ratio(r),
      i === 0 ? '–' : `cozip >= ${goals[i]}x`,
      i === 0 ? '–' : met(r === undefined ? undefined : r >= goals[i]!),
      num(rs[rs.length - 1].requests),
      num(Math.max(...rs.map((x) => x.maxRssKiB)) / 1024, 1),
      mib(Math.max(...rs.map((x) => x.heapPeak))),
      mib(median(rs.map((x) => x.heapAfter - x.heapBefore))),
      warnings.length ? warnings.join(', ') : 'none',
      rs[0].digest ?? '',
    ];
  });
  return section(
    `Entries: ${num(names.length)} random members over HTTP, 32 in flight, from ${num(set.entries)} entries`,
    table(
      [
        'Library',
        'Open (ms)',
        'Reads (ms)',
        'Members/s',
        'cozip vs this',
        'Goal',
        'Met',
        'Requests',
        'Peak RSS (MiB)',
        'Peak heap (MiB)',
        'Heap kept (MiB)',
        'Warnings',
        'Digest',
      ],
      rows,
    ),
    withProblems(ctx, start, [
      `The ${num(set.entries)}-entry deflated ZIP served by bench/entries-http.ts on 127.0.0.1. Each ` +
        'library runs in its own `node --expose-gc` child: open the URL (list the directory), then read ' +
        `the same ${num(names.length)} members (seeded pick) with 32 reads in flight; each child hashes every ` +
        'member, and the digests of all runs of all three must agree.',
      `Libraries in turns, 1 warm-up round then ${runs} timed rounds; medians. Members/s over the reads ` +
        'only. Peak RSS: `process.resourceUsage().maxRSS`; peak heap sampled every 20 ms; heap kept: ' +
        'after a forced GC with the opened archive still referenced, minus the heap before opening. ' +
        "Warnings: names of `process.on('warning')` events. Requests: the server's count for the last run.",
      'zip.js without Web Workers (`useCompressionStream`, `checkCrc32: true`); unzipit 2 in Node (no workers).',
    ]),
  );
}

// --- 12. remote lookup in a Flat cozip ---

async function lookupSection(ctx: Ctx): Promise<string> {
  const start = ctx.problems.length;
  const rows: string[][] = [];
  for (const n of ctx.sizes.lookup) {
    const path = await tileCozip(n);
    const target = Math.floor(n * 0.7654321);
    const name = tileName(target);
    const expected = tileBytes(target);
    const server = await serveFile(path);
    log(`entries: lookup of ${name} in ${num(n)} tiles over HTTP`);
    try {
      const times: number[] = [];
      let summary: LogSummary | undefined;
      for (let i = 0; i <= ctx.sizes.runs; i++) {
        server.log.length = 0;
        const t0 = performance.now();
        const archive = await openCozip(server.url);
        const found = await readManifest(archive, { filter: { name } });
        if (found.length !== 1) throw new Error(`manifest filter found ${found.length} rows`);
        const bytes = await readMember(archive, found[0]);
        const elapsed = performance.now() - t0;
        await archive.source.close?.();
        if (bytes.length !== expected.length || !bytes.every((b, k) => b === expected[k]))
          throw new Error('wrong member bytes');
        if (i > 0) times.push(elapsed);
        summary = summarizeLog(server.log);
      }
      const s = summary!;
      const besides = s.bytes - expected.length;
      rows.push([
        `${num(n)} entries (${mib(server.size)} MiB)`,
        ms(median(times)),
        num(s.requests),
        num(s.rounds),
        num(besides / 1024, 1),
        '<= 4 rounds, <= 128 KiB',
        met(s.rounds <= 4 && besides <= 128 * 1024),
      ]);
    } catch (err) {
      ctx.problems.push(`lookup in ${num(n)}: ${(err as Error).message}`);
      rows.push([`${num(n)} entries`, 'failed']);
    } finally {
      await server.close();
    }
  }
  return section(
    'Entries: one member of a Flat cozip over HTTP',
    table(
      ['Archive', 'Median (ms)', 'Requests', 'Rounds', 'KiB besides the member', 'Goal', 'Met'],
      rows,
    ),
    withProblems(ctx, start, [
      'Flat cozips of 32–256-byte random members named `tiles/z/x/y.png` (zoom order), written by ' +
        '`writeCozip` from in-memory rows. In this process: `openCozip(url)` (integrity hash checked), ' +
        '`readManifest(archive, { filter: { name } })`, `readMember`; the member at 76.5 % of the names. ' +
        `Median of ${ctx.sizes.runs} runs after 1 warm-up, from nothing each run.`,
      'Rounds: from the server log, a request that arrived after another had finished is one round deeper; ' +
        'requests in flight together share one. KiB besides the member: body bytes served minus the member.',
    ]),
  );
}

// --- 13. validate --content over HTTP ---

async function remoteValidateSection(ctx: Ctx, inputs: Inputs): Promise<string> {
  const start = ctx.problems.length;
  const set = inputs.small[inputs.small.length - 1];
  const server = await serveFile(set.zip);
  log(`entries: validate --content over HTTP, ${num(set.entries)} entries`);
  let row: string[];
  let ranges = '';
  try {
    const run = await runOnce(cozip('validate', '--content', server.url), {
      timeoutMs: ctx.sizes.timeoutMs,
      rssFile: `${ctx.tmp}rss`,
    });
    if (run.code !== 0) ctx.problems.push(`validate over HTTP: ${describeRun(run)}`);
    const s = summarizeLog(server.log);
    const share = s.bytes / server.size;
    row = [
      `validate --content http://…, ${num(set.entries)} entries`,
      run.code === 0 ? ms(run.ms) : describeRun(run),
      num(s.requests),
      mib(s.bytes),
      `${num(share, 3)}x`,
      `${num(s.repeatedBytes)} B in ${num(s.repeatedRequests)} requests`,
      '<= 1.05x, none twice',
      met(run.code === 0 ? share <= 1.05 && s.repeatedBytes === 0 : undefined),
      rssMiB(run.rssKiB),
    ];
    const served = server.log.map((r) => r.range ?? `${r.method} (no Range)`);
    ranges =
      `Range headers served, in order: ${served.slice(0, 8).join(', ')}` +
      `${served.length > 8 ? `, … (${num(served.length)} in all)` : ''}.` +
      (s.firstRepeat
        ? ` First overlap: \`${s.firstRepeat[0]}\` overlaps \`${s.firstRepeat[1]}\`.`
        : '');
  } finally {
    await server.close();
  }
  return section(
    'Entries: `cozip validate --content` over HTTP',
    table(
      [
        'Work',
        'Time (ms)',
        'Requests',
        'Fetched (MiB)',
        'Of archive',
        'Fetched twice',
        'Goal',
        'Met',
        'RSS (MiB)',
      ],
      [row],
    ),
    withProblems(ctx, start, [
      `One run against the ${num(set.entries)}-entry deflated ZIP (${mib(server.size)} MiB) on 127.0.0.1. ` +
        'Fetched twice: bytes served by more than one request (overlapping ranges).',
      ranges,
    ]),
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
  try {
    if (inputs.small.length) {
      parts.push(await validateSection(ctx, inputs));
      parts.push(await extractSection(ctx, inputs));
      parts.push(await createSection(ctx, inputs));
    }
    parts.push(await convertSection(ctx, inputs));
    parts.push(await lsSection(ctx, inputs));
    parts.push(await startupSection(ctx, inputs));
    parts.push(await indexSection(ctx, inputs));
    parts.push(await librarySection(ctx, inputs));
    parts.push(await packSection(ctx));
    if (inputs.small.length) parts.push(await httpReadsSection(ctx, inputs));
    parts.push(await lookupSection(ctx));
    if (inputs.small.length) parts.push(await remoteValidateSection(ctx, inputs));
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  // Missed goals and timeouts are results; a crash or a wrong count fails the run.
  if (ctx.problems.some((p) => !p.includes('timeout ('))) process.exitCode = 1;
  return parts.join('\n');
}
