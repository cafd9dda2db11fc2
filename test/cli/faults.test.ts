// Writers killed at seeded random points (SIGKILL) and writers racing for one
// output. Whatever happens, a final name holds nothing or the complete output,
// never a part; temp files of killed runs are deleted by the next run into
// the same directory (see src/zip/temp-files.ts).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { isReservedEntry } from '../../src/cli/archive.js';
import { validateCozip } from '../../src/cozip/validate.js';
import { createFileSink } from '../../src/node.js';
import { validateSozip } from '../../src/sozip/validate.js';
import { checkZip } from '../../src/zip/check.js';
import { openZip } from '../../src/zip/reader.js';
import { ZipWriter } from '../../src/zip/writer.js';
import { deserializeFiles } from '../../src/zipindex/serialize.js';
import { rng, seededBytes } from '../helpers/random.js';
import { assertBuilt, BIN, tempDir } from './run.js';

/** Kills per command: each is one CLI start, a few hundred ms. */
const KILLS = 8;
/** Rounds of two writers racing, per command. */
const RACES = 1;
const MTIME = '2024-01-01T00:00:00Z';
const TEMP = /^\.(.+)\.cozip-[0-9a-f]{8}-([1-9][0-9]*)-[0-9a-f]{12,20}\.tmp$/s;

interface Exit {
  pid: number;
  killed: boolean;
  code: number | null;
  stderr: string;
  ms: number;
}

/** When to SIGKILL: ms after the start, or ms after its first temp file shows in `dir`. */
type Kill = { afterStart: number } | { afterTemp: number; dir: string };

/** Runs the CLI, SIGKILLed as `kill` says unless it ends first. */
function run(args: string[], kill?: Kill): Promise<Exit> {
  const { NODE_TEST_CONTEXT: _, NODE_OPTIONS: __, ...env } = process.env;
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, ...args], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const timers: NodeJS.Timeout[] = [];
  const killLater = (ms: number) => timers.push(setTimeout(() => child.kill('SIGKILL'), ms));
  if (kill && 'afterStart' in kill) killLater(kill.afterStart);
  if (kill && 'afterTemp' in kill) {
    // Polled: the window between a temp file's creation and its rename.
    const poll = setInterval(() => {
      if (!listing(kill.dir).temps.some((t) => t.pid === child.pid)) return;
      clearInterval(poll);
      killLater(kill.afterTemp);
    }, 1);
    timers.push(poll);
  }
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      for (const t of timers) clearTimeout(t);
      const ms = performance.now() - started;
      resolve({ pid: child.pid!, killed: signal === 'SIGKILL', code, stderr, ms });
    });
  });
}

/** Every file under `dir` (relative paths), split into our temp files and the rest. */
function listing(dir: string): { temps: Array<{ path: string; pid: number }>; files: string[] } {
  const temps: Array<{ path: string; pid: number }> = [];
  const files: string[] = [];
  for (const rel of readdirSync(dir, { recursive: true }) as string[]) {
    const st = statSync(join(dir, rel), { throwIfNoEntry: false });
    // Gone meanwhile (a rename while a writer runs), or a directory.
    if (!st || st.isDirectory()) continue;
    const m = TEMP.exec(rel.slice(rel.lastIndexOf('/') + 1));
    if (m) temps.push({ path: rel, pid: Number(m[2]) });
    else files.push(rel);
  }
  return { temps, files: files.sort() };
}

/** Text-like bytes (Deflate has work to do), seeded. */
function textBytes(seed: number, n: number): Uint8Array {
  const bytes = seededBytes(seed, n);
  for (let i = 0; i < n; i++) bytes[i] = 0x41 + (bytes[i] & 15);
  return bytes;
}

interface Case {
  name: string;
  /** The command line writing into `out` (a directory of its own). */
  args: (out: string) => string[];
  /** What a complete run leaves in `out`: relative path → bytes. */
  expected: () => Map<string, Uint8Array>;
  /** Whether the cleanup happens in one directory before the temp file (file sink writers). */
  oneSink: boolean;
  /** How long a temp file lives, about (ms): kills land within it. */
  window: number;
}

describe('faults: SIGKILL and racing writers', () => {
  let dir: string;
  const data = new Map<string, Uint8Array>();
  /** What extract unpacks: members over 1 MiB are streamed, their temp files live a while. */
  const members = new Map<string, Uint8Array>();
  const outputs = new Map<string, Map<string, Uint8Array>>();
  /** How long a whole run of each case took here and now (ms). */
  const whole = new Map<string, number>();

  before(async () => {
    assertBuilt();
    dir = tempDir('faults');
    for (let i = 0; i < 8; i++)
      data.set(`${i % 2 ? 'sub/' : ''}f${i}.txt`, textBytes(i + 1, 150_000));
    data.set('sub/large.txt', textBytes(99, 1_500_000));
    for (const [name, bytes] of data) {
      mkdirSync(join(dir, 'data', name, '..'), { recursive: true });
      writeFileSync(join(dir, 'data', name), bytes);
    }
    // 20,000 names for index build: reading its central directory takes a while.
    const w = new ZipWriter(await createFileSink(join(dir, 'names.zip')));
    for (let i = 0; i < 20_000; i++) {
      await w.add(`d${i % 40}/file-${i}.txt`, new Uint8Array([i & 0xff]), { method: 0 });
    }
    await w.finish();
    for (let i = 0; i < 6; i++) {
      members.set(`${i % 2 ? 'sub/' : ''}m${i}.txt`, textBytes(50 + i, i < 3 ? 6_000_000 : 20_000));
    }
    const x = new ZipWriter(await createFileSink(join(dir, 'extract.zip')));
    for (const [name, bytes] of members) await x.add(name, bytes, { level: 1 });
    await x.finish();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A complete run of `args`: its outputs, checked with the library's validators. */
  async function complete(name: string, args: string[], out: string): Promise<void> {
    const r = await run(args);
    assert.equal(r.code, 0, `${name}: ${r.stderr}`);
    whole.set(name, r.ms);
    const { temps, files } = listing(out);
    assert.deepEqual(temps, [], `${name} left temp files`);
    outputs.set(name, new Map(files.map((f) => [f, new Uint8Array(readFileSync(join(out, f)))])));
  }

  const cases: Case[] = [
    {
      name: 'create',
      // --force: each run replaces what the one before left.
      args: (out) => [
        'create',
        join(out, 'a.zip'),
        join(dir, 'data'),
        '--mtime',
        MTIME,
        '--force',
        '-q',
      ],
      expected: () => outputs.get('create')!,
      oneSink: true,
      window: 15,
    },
    {
      name: 'sozip create',
      args: (out) => [
        'sozip',
        'create',
        join(out, 'a.zip'),
        join(dir, 'data'),
        '--mtime',
        MTIME,
        '--force',
        '-q',
      ],
      expected: () => outputs.get('sozip create')!,
      oneSink: true,
      window: 15,
    },
    {
      name: 'index build',
      args: (out) => [
        'index',
        'build',
        join(dir, 'names.zip'),
        '-o',
        join(out, 'a.idx'),
        '--force',
      ],
      expected: () => outputs.get('index build')!,
      oneSink: true,
      window: 15,
    },
    {
      name: 'extract',
      args: (out) => [
        'extract',
        join(dir, 'extract.zip'),
        '-o',
        join(out, 'x'),
        '--overwrite',
        '-q',
      ],
      expected: () => new Map([...members].map(([name, bytes]) => [`x/${name}`, bytes])),
      oneSink: false,
      window: 2,
    },
  ];

  it('the complete outputs are valid', async () => {
    for (const [k, c] of cases.slice(0, 3).entries()) {
      const outs = join(dir, `complete-${k}`);
      mkdirSync(outs);
      await complete(c.name, c.args(outs), outs);
    }
    const cz = await validateCozip(join(dir, 'complete-0', 'a.zip'), { content: true });
    assert.ok(cz.ok, JSON.stringify(cz.problems));
    const sz = await validateSozip(join(dir, 'complete-1', 'a.zip'), { deep: true });
    assert.ok(sz.ok && sz.sozipMembers > 0, JSON.stringify(sz.problems));
    const idx = deserializeFiles(outputs.get('index build')!.get('a.idx')!);
    assert.equal(idx.length, 20_000);
    mkdirSync(join(dir, 'complete-3'));
    await complete('extract', cases[3].args(join(dir, 'complete-3')), join(dir, 'complete-3'));
    assert.deepEqual(outputs.get('extract'), cases[3].expected());
  });

  for (const [k, c] of cases.entries()) {
    it(`${c.name}: killed ${KILLS} times, never a partial output, stale temps cleaned`, async (t) => {
      const out = join(dir, `kill-${k}`);
      mkdirSync(out);
      const expected = c.expected();
      const random = rng(0x5eed + k);
      const ms = whole.get(c.name);
      assert.ok(ms, 'the complete outputs come first');
      const seen = { killed: 0, finished: 0, withOutput: 0, withTemps: 0, cleaned: 0 };
      let stale: Array<{ path: string; pid: number }> = [];
      for (let i = 0; i < KILLS; i++) {
        // Half at any point of the run, half while its output is being written.
        const r = await run(
          c.args(out),
          i % 2 === 0
            ? { afterStart: ms * (0.15 + random()) }
            : { afterTemp: c.window * random(), dir: out },
        );
        if (r.killed) seen.killed++;
        else {
          assert.equal(r.code, 0, r.stderr);
          seen.finished++;
        }
        const now = listing(out);
        assertComplete(now.files, expected, out, `${c.name} run ${i}`);
        if (now.files.length > 0) seen.withOutput++;
        if (now.temps.some((n) => n.pid === r.pid)) seen.withTemps++;
        const gone = stale.filter((s) => !now.temps.some((n) => n.path === s.path));
        seen.cleaned += gone.length;
        // A file sink deletes stale temps just before making its own.
        if (c.oneSink && now.temps.some((n) => n.pid === r.pid)) {
          assert.deepEqual(
            now.temps.filter((n) => n.pid !== r.pid),
            [],
            `${c.name} run ${i} made a temp file but left older ones`,
          );
        }
        stale = now.temps;
      }
      // The next whole run cleans up whatever the killed ones left, everywhere.
      const last = await run(c.args(out));
      assert.equal(last.code, 0, last.stderr);
      const end = listing(out);
      assert.deepEqual(end.temps, [], `${c.name}: temp files left after a whole run`);
      seen.cleaned += stale.length;
      assertComplete(end.files, expected, out, `${c.name} final run`);
      assert.equal(end.files.length, expected.size);
      report(t, c.name, seen);
    });
  }

  for (const command of [['create'], ['sozip', 'create']]) {
    it(`${command.join(' ')}: two writers to one output, one complete archive wins`, async (t) => {
      const out = join(dir, `race-${command.length}`);
      const inputs = [join(dir, 'data'), join(dir, 'data', 'sub')];
      // sozip create keeps a directory's own name (like zip -r); create names files inside it.
      const under = command.length === 1 ? ['', ''] : ['data/', 'sub/'];
      const names = [
        new Set([...data.keys()].map((n) => under[0] + n)),
        new Set(subNames(data).map((n) => under[1] + n)),
      ];
      for (let round = 0; round < RACES; round++) {
        mkdirSync(out, { recursive: true });
        const target = join(out, 'same.zip');
        const runs = await Promise.all(
          inputs.map((input) => run([...command, target, input, '-q'])),
        );
        for (const r of runs) {
          // Both succeed (the last rename wins) or one fails with a typed one-line error.
          if (r.code !== 0) assert.match(r.stderr, /^cozip: [A-Z_]+: [^\n]*\n$/);
        }
        assert.ok(
          runs.some((r) => r.code === 0),
          'one writer must succeed',
        );
        const { temps, files } = listing(out);
        assert.deepEqual(temps, []);
        assert.deepEqual(files, ['same.zip']);
        const got = await entryNames(target);
        const winner = names.findIndex(
          (n) => n.size === got.size && [...got].every((g) => n.has(g)),
        );
        assert.ok(winner >= 0, `a mix of both inputs: ${[...got].slice(0, 5)}`);
        await assertValidZip(target, command.length === 1);
        t.diagnostic(
          `exit codes ${runs.map((r) => r.code).join(', ')}; writer ${winner + 1}'s archive won`,
        );
        rmSync(out, { recursive: true });
      }
    });
  }
});

/** Each file present is one of the expected outputs, byte for byte. */
function assertComplete(
  files: string[],
  expected: Map<string, Uint8Array>,
  out: string,
  what: string,
): void {
  for (const f of files) {
    const want = expected.get(f);
    assert.ok(want, `${what}: unexpected file ${f}`);
    const got = readFileSync(join(out, f));
    assert.ok(Buffer.compare(got, want) === 0, `${what}: ${f} is not the complete output`);
  }
}

function subNames(data: Map<string, Uint8Array>): string[] {
  return [...data.keys()].filter((n) => n.startsWith('sub/')).map((n) => n.slice(4));
}

async function entryNames(path: string): Promise<Set<string>> {
  const zip = await openZip(path);
  try {
    // A cozip's own index and manifest entries are not input files.
    return new Set(zip.entries.map((e) => e.name).filter((n) => !isReservedEntry(n)));
  } finally {
    await zip.source.close?.();
  }
}

async function assertValidZip(path: string, isCozip: boolean): Promise<void> {
  if (isCozip) {
    const v = await validateCozip(path, { content: true });
    assert.ok(v.ok, JSON.stringify(v.problems));
    return;
  }
  const zip = await openZip(path);
  try {
    const v = await checkZip(zip);
    assert.ok(v.ok, JSON.stringify(v.problems));
  } finally {
    await zip.source.close?.();
  }
}

function report(t: TestContext, name: string, seen: Record<string, number>): void {
  t.diagnostic(
    `${name}: ${seen.killed} killed, ${seen.finished} finished first; output present after ${seen.withOutput}, own temp file left by ${seen.withTemps}, ${seen.cleaned} stale temp file(s) cleaned by later runs`,
  );
}
