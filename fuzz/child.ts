// One fenced fuzz process: runs a range of one target's inputs and reports
// each to the parent, which watches time and memory and kills it on a hang.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CozipError } from '../src/errors.js';
import { generate } from './generate.js';
import type { ChildMessage, ParentMessage } from './protocol.js';
import { prepareDir, type RunContext, type Seed, type Target, targetByName } from './targets.js';

const send = (m: ChildMessage) => {
  if (process.connected) process.send?.(m);
};
const dir = mkdtempSync(join(tmpdir(), 'cozip-fuzz-'));
prepareDir(dir);
let current = -1;

process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
// An unhandled rejection is a finding of the input that was running.
process.on('unhandledRejection', (err) => {
  send({ t: 'crash', i: current, error: describe(err), how: 'unhandled rejection' });
});

function describe(err: unknown): { name: string; message: string; stack: string } {
  if (err instanceof Error) {
    return { name: err.name, message: err.message, stack: err.stack ?? String(err) };
  }
  return { name: typeof err, message: String(err), stack: String(err) };
}

interface Outcome {
  outcome: 'ok' | 'typed' | 'untyped';
  codes: string[];
  error?: { name: string; message: string; stack: string };
}

async function runOne(target: Target, bytes: Uint8Array, seed: Seed): Promise<Outcome> {
  const codes: string[] = [];
  const ctx: RunContext = {
    dir,
    note: (c) => codes.push(...c),
    async step(fn) {
      try {
        return await fn();
      } catch (err) {
        if (!(err instanceof CozipError)) throw err;
        codes.push(err.code);
        return undefined;
      }
    },
  };
  try {
    await target.run(bytes, seed, ctx);
  } catch (err) {
    return { outcome: 'untyped', codes, error: describe(err) };
  }
  return { outcome: codes.length ? 'typed' : 'ok', codes };
}

async function runRange(m: Extract<ParentMessage, { kind: 'run' }>): Promise<void> {
  const target = targetByName(m.target);
  const seeds = await target.seeds();
  send({ t: 'ready', seeds: seeds.length });
  const stopAt = Date.now() + m.timeMs;
  for (let i = m.start; i < m.end; i++) {
    if (Date.now() >= stopAt) break;
    const g = await generate(target, seeds, m.seed, i);
    current = i;
    send({ t: 'start', i });
    const r = await runOne(target, g.bytes, g.seed);
    // Rejections nobody handled are reported once the microtasks drain: let
    // them surface while this input is still the current one.
    await new Promise((resolve) => setImmediate(resolve));
    send({
      t: 'result',
      i,
      outcome: r.outcome,
      codes: [...new Set(r.codes)],
      error: r.error,
      seedLabel: r.outcome === 'untyped' ? g.seed.label : undefined,
      steps: r.outcome === 'untyped' ? g.steps : undefined,
    });
    current = -1;
  }
  send({ t: 'done' });
}

async function replay(m: Extract<ParentMessage, { kind: 'replay' }>): Promise<void> {
  const target = targetByName(m.target);
  const seeds = await target.seeds();
  const seed = seeds.find((s) => s.label === m.seedLabel) ?? {
    label: m.seedLabel,
    bytes: new Uint8Array(),
    fields: [],
  };
  send({ t: 'ready', seeds: seeds.length });
  current = 0;
  send({ t: 'start', i: 0 });
  const r = await runOne(target, new Uint8Array(Buffer.from(m.input, 'base64')), seed);
  await new Promise((resolve) => setImmediate(resolve));
  send({ t: 'result', i: 0, outcome: r.outcome, codes: r.codes, error: r.error });
  send({ t: 'done' });
}

process.on('message', (m: ParentMessage) => {
  const job = m.kind === 'run' ? runRange(m) : replay(m);
  job.then(
    () => process.disconnect?.(),
    (err) => {
      send({ t: 'crash', i: current, error: describe(err), how: 'harness failure' });
      process.exit(70);
    },
  );
});
