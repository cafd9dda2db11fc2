// The entries suite's start-up sections: cozip --version and a small ls against
// `node -e 0`, and the modules the CLI loads.
import { spawnSync } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  CLI,
  type Ctx,
  cozip,
  type Inputs,
  PAIR_HEADER,
  pairs,
  timingNote,
  withProblems,
} from './entries-common.js';
import { num, section, table } from './table.js';

const MODULE_COUNTER = fileURLToPath(new URL('module-count.mjs', import.meta.url));

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

export async function startupSection(ctx: Ctx, inputs: Inputs): Promise<string> {
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
