// `npm run bench [-- read|write ...]`: runs the suites, prints Markdown tables
// and writes them to bench/results.md. BENCH_QUICK=1 for a smoke run.

import { rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { runCozip } from './cozip.js';
import { configFromEnv, log, tmpDir } from './data.js';
import { runEntries } from './entries.js';
import { runSozip } from './sozip.js';
import { num, section, table } from './table.js';
import { runZipRead } from './zip-read.js';
import { runZipWrite } from './zip-write.js';
import { runZipIndex } from './zipindex.js';

const suites = {
  read: runZipRead,
  write: runZipWrite,
  cozip: runCozip,
  zipindex: runZipIndex,
  sozip: runSozip,
  entries: runEntries,
};
type SuiteName = keyof typeof suites;

function machine(): string {
  const cpu = cpus();
  return section(
    'Machine',
    table(
      ['Date', 'CPU', 'Cores', 'RAM', 'Node', 'OS', 'Load (1 min)'],
      [
        [
          `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
          cpu[0]?.model.trim() ?? 'unknown',
          String(cpu.length),
          `${num(totalmem() / 1024 ** 3, 1)} GiB`,
          process.version,
          `${process.platform} ${release()} (${process.arch})`,
          num(loadavg()[0], 2),
        ],
      ],
      7,
    ),
  );
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => !(a in suites));
  if (unknown.length) {
    throw new Error(
      `unknown suite ${unknown.join(', ')}; choose from ${Object.keys(suites).join(', ')}`,
    );
  }
  const selected = (args.length ? args : Object.keys(suites)) as SuiteName[];
  const config = configFromEnv();
  log(`config ${JSON.stringify(config)}`);
  const parts = [`## Benchmarks\n`, machine()];
  try {
    for (const name of selected) parts.push(await suites[name](config));
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
  }
  const markdown = parts.join('\n');
  process.stdout.write(markdown);
  await writeFile(fileURLToPath(new URL('results.md', import.meta.url)), markdown);
}

await main();
