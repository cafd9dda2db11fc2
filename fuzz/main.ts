// npm run fuzz -- [--targets zip,cozip] [--count N] [--seed S] [--time SECONDS]
//                 [--jobs N] [--timeout MS] [--heap MB] [--rss MB] [--findings DIR]
// npm run fuzz -- --replay fuzz/findings/new/zip/untyped-seed1-42.json
// npm run fuzz -- --list
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { replay, runFuzz } from './runner.js';
import { TARGETS } from './targets.js';

const { values } = parseArgs({
  options: {
    targets: { type: 'string' },
    count: { type: 'string' },
    seed: { type: 'string', default: '1' },
    time: { type: 'string' },
    jobs: { type: 'string', default: '2' },
    timeout: { type: 'string', default: '5000' },
    heap: { type: 'string', default: '256' },
    rss: { type: 'string', default: '256' },
    findings: { type: 'string', default: fileURLToPath(new URL('./findings', import.meta.url)) },
    replay: { type: 'string' },
    list: { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
  },
});

const int = (name: string, v: string | undefined, fallback: number): number => {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) {
    console.error(`--${name} must be a non-negative integer, not ${v}`);
    process.exit(2);
  }
  return n;
};

async function main(): Promise<number> {
  const fence = {
    inputTimeoutMs: int('timeout', values.timeout, 5000),
    heapMb: int('heap', values.heap, 256),
    rssMb: int('rss', values.rss, 256),
  };
  if (values.list) {
    for (const t of TARGETS) console.log(`${t.name.padEnd(16)} ${t.what}`);
    return 0;
  }
  if (values.replay) {
    const r = await replay(values.replay, fence);
    console.log(`outcome: ${r.outcome}${r.codes.length ? ` (codes ${r.codes.join(', ')})` : ''}`);
    if (r.error) console.log(r.error.stack);
    return r.outcome === 'ok' || r.outcome === 'typed' ? 0 : 1;
  }
  const targets = values.targets ? values.targets.split(',') : TARGETS.map((t) => t.name);
  const time = values.time === undefined ? undefined : int('time', values.time, 0) * 1000;
  const count = int('count', values.count, time === undefined ? 2000 : Number.MAX_SAFE_INTEGER);
  const seed = int('seed', values.seed, 1);
  const started = Date.now();
  const report = await runFuzz({
    targets,
    count,
    seed,
    timeMs: time,
    jobs: Math.max(1, int('jobs', values.jobs, 2)),
    ...fence,
    findingsDir: values.findings,
    log: values.quiet ? undefined : (line) => console.log(line),
  });
  console.log(`\nseed ${seed}, ${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log('target            inputs      ok   typed  findings  known  inputs/s');
  for (const t of report.targets) {
    const rate = t.ms ? ((t.inputs * 1000) / t.ms).toFixed(0) : '-';
    console.log(
      `${t.target.padEnd(16)} ${String(t.inputs).padStart(7)} ${String(t.ok).padStart(7)} ${String(t.typed).padStart(7)} ${String(t.findings.length).padStart(9)} ${String(t.known.length).padStart(6)} ${rate.padStart(9)}`,
    );
  }
  for (const t of report.targets) {
    const codes = Object.entries(t.codes)
      .sort((a, b) => b[1] - a[1])
      .map(([c, n]) => `${c} ${n}`)
      .join(', ');
    console.log(`${t.target} codes: ${codes || '-'}`);
  }
  for (const f of [...report.findings, ...report.known]) {
    console.log(
      `\n${f.known ? `known (${f.known})` : 'NEW'} ${f.kind} ${f.target} seed ${f.seed} #${f.index}: ${f.message}`,
    );
    if (f.file) console.log(`  replay: npm run fuzz -- --replay ${f.file}`);
  }
  return report.findings.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(2);
  },
);
