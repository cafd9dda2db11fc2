// The entries suite's whole-process CLI sections: cozip validate, extract,
// create, convert, ls and index build against Info-ZIP and Python, and packing
// large files against zip.
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { openZip } from '../src/zip/reader.js';
import { log } from './data.js';
import {
  type Ctx,
  cozip,
  describeRun,
  force,
  type Inputs,
  met,
  PAIR_HEADER,
  type Pair,
  pairs,
  rssMiB,
  timeCell,
  timingNote,
  withProblems,
} from './entries-common.js';
import { randomFiles, type SmallSet, tinyArchive } from './entries-data.js';
import { serveFile, summarizeLog } from './entries-http.js';
import { alternate, runOnce } from './entries-proc.js';
import { mib, ms, num, section, table } from './table.js';

/** Names the cozip writer adds besides the data entries. */
const COZIP_OWN = new Set(['__cozip__', '__metadata__', '__cozip_padding__']);

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

// --- 2-6. the CLI against Info-ZIP and Python ---

export async function validateSection(ctx: Ctx, inputs: Inputs): Promise<string> {
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

export async function extractSection(ctx: Ctx, inputs: Inputs): Promise<string> {
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

export async function createSection(ctx: Ctx, inputs: Inputs): Promise<string> {
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

export async function convertSection(ctx: Ctx, inputs: Inputs): Promise<string> {
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

export async function lsSection(ctx: Ctx, inputs: Inputs): Promise<string> {
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

// --- 8. index build ---

export async function indexSection(ctx: Ctx, inputs: Inputs): Promise<string> {
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

// --- 10. packing large files ---

export async function packSection(ctx: Ctx): Promise<string> {
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
