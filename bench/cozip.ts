// cozip: packing 2,000 files (1 GiB) with `writeCozip` vs Info-ZIP's `zip -0`,
// and the time to the first member of a 1,000,000-entry cozip over HTTP:
// cozip's manifest path, cozip reading it as a plain ZIP, and zip.js.
import { execFile, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  configure,
  type FileEntry,
  HttpRangeReader,
  Uint8ArrayWriter,
  ZipReader,
} from '@zip.js/zip.js';
import {
  type CozipRow,
  openCozip,
  readManifest,
  readMember,
  validateCozip,
  writeCozip,
} from '../src/cozip/index.js';
import type { HttpSource } from '../src/io/http-source.js';
import type { ReadPlanner } from '../src/io/planner.js';
import { readEntry } from '../src/zip/entry-data.js';
import { openZip } from '../src/zip/reader.js';
import { type RecordedRequest, startRangeServer } from '../test/helpers/http-server.js';
import {
  type BenchConfig,
  between,
  dataDir,
  freshTmpDir,
  log,
  prng,
  randomBytes,
  textBytes,
} from './data.js';
import { MiB, mib, mibPerSec, ms, num, section, table } from './table.js';
import { type Measurement, measure } from './timing.js';

// zip.js in the main thread (Node has no Web Workers); its members here are stored.
configure({ useWebWorkers: false, useCompressionStream: true });

const run = promisify(execFile);
const FIXED_TIME = new Date(Date.UTC(2024, 4, 1, 12, 0, 0));
const FILE_SIZE = 512 * 1024;
/** Names the cozip writer adds besides the data entries. */
const COZIP_OWN = new Set(['__cozip__', '__metadata__', '__cozip_padding__']);

/** Entries of the HTTP archive: BENCH_COZIP_ENTRIES, else 1,000,000 (100,000 with BENCH_QUICK=1). */
function httpEntries(env = process.env): number {
  const v = env.BENCH_COZIP_ENTRIES;
  if (v === undefined || v === '') return env.BENCH_QUICK === '1' ? 100_000 : 1_000_000;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new Error('BENCH_COZIP_ENTRIES must be a positive integer');
  return n;
}

async function hasCommand(cmd: string, args: string[]): Promise<string | undefined> {
  try {
    const { stdout } = await run(cmd, args);
    return stdout;
  } catch {
    return undefined;
  }
}

// --- 1. packing ---

/** Builds (once) `files` files of 512 KiB: even ones log-like text, odd ones random bytes. */
async function packInputs(files: number): Promise<string> {
  const dir = `${dataDir}cozip-pack/${files}x512k`;
  const done = `${dir}.done`;
  if (existsSync(done)) return dir;
  log(`generating ${files} input files of 512 KiB in ${dir}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const next = prng(512);
  for (let i = 0; i < files; i++) {
    const text = i % 2 === 0;
    const name = `f${String(i).padStart(5, '0')}.${text ? 'log' : 'bin'}`;
    await writeFile(
      join(dir, name),
      text ? textBytes(next, FILE_SIZE) : randomBytes(next, FILE_SIZE),
    );
  }
  await writeFile(done, '');
  return dir;
}

/** The way a caller packs a folder: list it, one row per file, one extra column. */
async function cozipPack(dir: string, out: string): Promise<void> {
  const rows: CozipRow[] = (await readdir(dir)).sort().map((name) => ({
    name,
    path: join(dir, name),
    kind: name.endsWith('.log') ? 'text' : 'random',
  }));
  await writeCozip(out, rows, { mtime: FIXED_TIME });
}

/** Sorted "name size crc" lines of the data entries, read with cozip. */
async function listing(path: string): Promise<string> {
  const z = await openZip(path);
  await z.source.close?.();
  return z.entries
    .filter((e) => !COZIP_OWN.has(e.name))
    .map((e) => `${e.name} ${e.uncompressedSize} ${e.crc32}`)
    .sort()
    .join('\n');
}

async function runPack(config: BenchConfig): Promise<string> {
  const dir = await packInputs(config.files);
  const names = await readdir(dir);
  let inputBytes = 0;
  for (const name of names) inputBytes += (await stat(join(dir, name))).size;
  const tmp = await freshTmpDir();
  const zipVersion = (await hasCommand('zip', ['-v']))?.match(/Zip (\d[\w.]*)/)?.[1];
  const unzip = (await hasCommand('unzip', ['-v'])) !== undefined;

  const tools = [
    {
      name: 'cozip `writeCozip` (Flat)',
      out: `${tmp}pack-cozip.zip`,
      pack: (out: string) => cozipPack(dir, out),
    },
    {
      name: 'Info-ZIP `zip -0 -q -r`',
      out: `${tmp}pack-infozip.zip`,
      pack: zipVersion
        ? async (out: string) => {
            await run('zip', ['-0', '-q', '-r', out, '.'], { cwd: dir });
          }
        : async () => {
            throw new Error('zip is not installed');
          },
    },
  ];
  const rows: string[][] = [];
  const problems: string[] = [];
  let firstListing: string | undefined;
  for (const tool of tools) {
    log(`cozip: pack ${num(names.length)} files with ${tool.name}`);
    try {
      // zip updates an existing archive: every run starts without one.
      const m = await measure(() => tool.pack(tool.out), {
        runs: config.writeRuns,
        before: () => rm(tool.out, { force: true }),
      });
      const size = (await stat(tool.out)).size;
      rows.push([
        tool.name,
        num(m.ms / 1000, 2),
        mibPerSec(inputBytes, m.ms),
        mib(size),
        `${num((100 * (size - inputBytes)) / inputBytes, 3)} %`,
      ]);
      const list = await listing(tool.out);
      firstListing ??= list;
      if (list !== firstListing) problems.push(`${tool.name}: listing differs`);
      if (unzip) {
        await run('unzip', ['-tqq', tool.out]).catch((err: Error) => {
          problems.push(`${tool.name}: unzip -t failed: ${err.message}`);
        });
      }
      if (tool === tools[0]) {
        const v = await validateCozip(tool.out);
        if (!v.ok) {
          problems.push(
            `validateCozip: ${v.problems.map((p) => `${p.code} ${p.message}`).join(', ')}`,
          );
        }
      }
    } catch (err) {
      rows.push([tool.name, 'n/a', 'n/a', 'n/a', 'n/a']);
      problems.push(`${tool.name}: ${(err as Error).message}`);
    }
    await rm(tool.out, { force: true });
  }
  if (problems.length) process.exitCode = 1;

  return section(
    `cozip packing: ${num(names.length)} files, ${mib(inputBytes)} MiB, stored`,
    table(['Tool', 'Median (s)', 'MiB/s (input)', 'Output (MiB)', 'Overhead'], rows),
    [
      `Input: ${num(names.length)} files of 512 KiB, half log-like text, half random bytes, ` +
        `in one folder; in the page cache. Median of ${config.writeRuns} runs after 1 warm-up.`,
      'cozip: `readdir`, one row per file (`name`, `path`, plus a `kind` column), ' +
        '`writeCozip(out, rows)`: index, members stored, Parquet manifest, central directory, ' +
        'integrity hash. It writes a temp file, **fsyncs** it and renames it into place ' +
        '(and fsyncs the folder); `zip` does neither, so its data may still be in the page cache.',
      `Info-ZIP zip ${zipVersion ?? '(not installed)'} runs as a child process in the input folder, ` +
        'storing (`-0`); both compute every CRC-32. Overhead: output bytes beyond the input.',
      problems.length
        ? `**Problems:** ${problems.join('; ')}`
        : `Both archives list the same ${num(names.length)} names, sizes and CRC-32s` +
          `${unzip ? ' and pass `unzip -t`' : ''}; the cozip passes \`validateCozip\`.`,
    ],
  );
}

// --- 2. time to first member over HTTP ---

const SPLITS = [
  'train',
  'train',
  'train',
  'train',
  'train',
  'train',
  'train',
  'train',
  'val',
  'test',
];

function memberName(i: number): string {
  return `tiles/${String(Math.floor(i / 1000)).padStart(4, '0')}/t${String(i).padStart(7, '0')}.txt`;
}

/** Member i's bytes: 16–64 bytes, log-like text or random, from its own seed. */
function memberBytes(i: number): Uint8Array {
  const next = prng(0x9e3779b9 ^ i);
  const size = between(next, 16, 64);
  return i % 3 === 0 ? randomBytes(next, size) : textBytes(next, size);
}

/** Builds (once) a Flat cozip of `entries` small members with a `split` column. */
async function httpArchive(entries: number): Promise<string> {
  const path = `${dataDir}cozip-http-${entries}-v1.zip`;
  if (existsSync(path)) return path;
  log(`generating ${path} with writeCozip (${num(entries)} members)`);
  await mkdir(dataDir, { recursive: true });
  const rows: CozipRow[] = new Array(entries);
  for (let i = 0; i < entries; i++) {
    rows[i] = { name: memberName(i), path: memberBytes(i), split: SPLITS[i % SPLITS.length] };
  }
  // writeCozip writes a temp file and renames it: no half-written cache.
  await writeCozip(path, rows, { mtime: FIXED_TIME });
  return path;
}

interface FirstMember {
  bytes: Uint8Array;
  requests: number;
  fetched: number;
}

/**
 * Every request on a new connection, as a cold client has none; it also keeps
 * an idle kept-alive socket from meeting the server's 5 s keep-alive timeout
 * while a reader parses a large directory (Node's fetch then fails with ECONNRESET).
 */
const FRESH = { Connection: 'close' };

/** Bytes a recorded request carried: the body of a 206 or 200, nothing for HEAD. */
function servedBytes(r: RecordedRequest, size: number): number {
  if (r.method === 'HEAD' || (r.status !== 200 && r.status !== 206)) return 0;
  if (r.status === 200) return size;
  const m = /^bytes=(\d*)-(\d*)$/.exec(r.range ?? '');
  if (!m) return size;
  if (m[1] === '') return Math.min(size, Number(m[2]));
  const last = m[2] === '' ? size - 1 : Math.min(size - 1, Number(m[2]));
  return last - Number(m[1]) + 1;
}

/** An error's message, with its cause's (fetch's "fetch failed" says nothing alone). */
function describe(err: unknown): string {
  const e = err as Error;
  const cause = e.cause instanceof Error ? ` (${e.cause.message})` : '';
  return `${e.message ?? String(err)}${cause}`;
}

const same = (a: Uint8Array, b: Uint8Array) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

// zip.js keeps every entry as a rich object: listing 1,000,000 entries takes
// about 8 GB of heap, past Node's default limit. It runs in a child process
// with a larger heap; the parent keeps the server and its request log.

const SELF = fileURLToPath(import.meta.url);
const CHILD_HEAP_MIB = Math.min(16_384, Math.floor((totalmem() / MiB) * 0.75));

interface ZipjsTask {
  url: string;
  name: string;
  runs: number;
}

type FromChild =
  | { type: 'before' }
  | { type: 'done'; ms: number; runs: number[]; bytes: number[] }
  | { type: 'error'; message: string };

async function zipjsFirst(url: string, name: string): Promise<Uint8Array> {
  const zip = new ZipReader(new HttpRangeReader(url, { headers: [['Connection', 'close']] }));
  const all = await zip.getEntries();
  const entry = all.find((e) => e.filename === name) as FileEntry | undefined;
  if (!entry) throw new Error(`${name} not listed`);
  const bytes = await entry.getData(new Uint8ArrayWriter(), { checkCrc32: true });
  await zip.close();
  return bytes;
}

/** Runs the zip.js measurement in a child process; `before` runs here before every run. */
function zipjsInChild(task: ZipjsTask, before: () => void): Promise<Measurement<Uint8Array>> {
  return new Promise((resolve, reject) => {
    const child = fork(SELF, [], {
      execArgv: [
        `--max-old-space-size=${CHILD_HEAP_MIB}`,
        '--conditions=cozip-source',
        '--import',
        'tsx',
      ],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let settled = false;
    const settle = (fn: () => void) => {
      if (!settled) {
        settled = true;
        fn();
      }
    };
    child.on('message', (message: FromChild) => {
      if (message.type === 'before') {
        before();
        child.send('ready');
      } else if (message.type === 'done') {
        const { ms, runs, bytes } = message;
        settle(() => resolve({ ms, runs, result: new Uint8Array(bytes) }));
      } else {
        settle(() => reject(new Error(message.message)));
      }
    });
    child.on('error', (err) => settle(() => reject(err)));
    child.on('exit', (code, signal) =>
      settle(() => reject(new Error(`the zip.js process exited with ${signal ?? code}`))),
    );
    child.send(task);
  });
}

/** The child's side: one task, then exit. */
async function zipjsChild(): Promise<void> {
  const send = (message: FromChild) =>
    new Promise<void>((resolve) => process.send!(message, () => resolve()));
  const task = await new Promise<ZipjsTask>((resolve) =>
    process.once('message', (m) => resolve(m as ZipjsTask)),
  );
  const before = async () => {
    const ready = new Promise((resolve) => process.once('message', resolve));
    await send({ type: 'before' });
    await ready;
  };
  try {
    const m = await measure(() => zipjsFirst(task.url, task.name), { runs: task.runs, before });
    await send({ type: 'done', ms: m.ms, runs: m.runs, bytes: Array.from(m.result) });
  } catch (err) {
    await send({ type: 'error', message: describe(err) });
  }
  process.disconnect();
}

async function runFirstMember(config: BenchConfig): Promise<string> {
  const entries = httpEntries();
  const path = await httpArchive(entries);
  const size = (await stat(path)).size;
  const target = Math.floor(entries * 0.7654321);
  const name = memberName(target);
  const expected = memberBytes(target);
  const server = await startRangeServer({ objects: { 'archive.zip': path } });
  const url = server.url('archive.zip');
  const log_ = () => server.requestsFor('archive.zip');
  /** What the server saw since the run began (the log is cleared before each run). */
  const fromLog = (bytes: Uint8Array): FirstMember => ({
    bytes,
    requests: log_().length,
    fetched: log_().reduce((s, r) => s + servedBytes(r, size), 0),
  });
  const httpStats = (source: unknown) => (source as ReadPlanner).source as HttpSource;
  // Every run starts from nothing (a new source, no cache); the log is cleared untimed.
  const clearLog = () => {
    server.requests.length = 0;
  };

  const libraries: Array<{ name: string; first: () => Promise<FirstMember> }> = [
    {
      name: 'cozip `openCozip` + `readManifest` (filter) + `readMember`',
      first: async () => {
        const archive = await openCozip(url, { headers: FRESH });
        const rows = await readManifest(archive, { filter: { name } });
        if (rows.length !== 1) throw new Error(`manifest filter found ${rows.length} rows`);
        const bytes = await readMember(archive, rows[0]);
        const { stats } = httpStats(archive.source);
        await archive.source.close?.();
        return { bytes, requests: stats.requests, fetched: stats.bytesFetched };
      },
    },
    {
      name: 'cozip as a plain ZIP: `openZip` + find + `readEntry`',
      first: async () => {
        const zip = await openZip(url, { headers: FRESH });
        const entry = zip.entries.find((e) => e.name === name);
        if (!entry) throw new Error(`${name} not listed`);
        const bytes = await readEntry(zip, entry);
        const { stats } = httpStats(zip.source);
        await zip.source.close?.();
        return { bytes, requests: stats.requests, fetched: stats.bytesFetched };
      },
    },
  ];
  const inProcess = (first: () => Promise<FirstMember>) => () =>
    measure(first, { runs: config.runs, before: clearLog });
  const readers: Array<{ name: string; run: () => Promise<Measurement<FirstMember>> }> = [
    ...libraries.map((lib) => ({ name: lib.name, run: inProcess(lib.first) })),
    {
      name: 'zip.js `HttpRangeReader` + `getEntries` + find + `getData`',
      run: async () => {
        const m = await zipjsInChild({ url, name, runs: config.runs }, clearLog);
        return { ...m, result: fromLog(m.result) };
      },
    },
  ];

  const rows: string[][] = [];
  const problems: string[] = [];
  try {
    for (const lib of readers) {
      log(`cozip: first member of ${num(entries)} over HTTP with ${lib.name}`);
      try {
        const m = await lib.run();
        const served = fromLog(m.result.bytes);
        if (served.requests !== m.result.requests || served.fetched !== m.result.fetched) {
          problems.push(
            `${lib.name}: source stats (${m.result.requests} requests, ${m.result.fetched} B) ` +
              `differ from the server log (${served.requests}, ${served.fetched} B)`,
          );
        }
        if (!same(m.result.bytes, expected)) problems.push(`${lib.name}: wrong member bytes`);
        rows.push([
          lib.name,
          ms(m.ms),
          num(m.result.requests),
          mib(m.result.fetched),
          `${num((100 * m.result.fetched) / size, 2)} %`,
        ]);
      } catch (err) {
        rows.push([lib.name, 'n/a', 'n/a', 'n/a', 'n/a']);
        problems.push(`${lib.name}: ${describe(err)}`);
      }
    }
  } finally {
    await server.close();
  }
  if (problems.length) process.exitCode = 1;

  return section(
    `cozip over HTTP: time to the first member of ${num(entries)} entries`,
    table(['Reader', 'Median (ms)', 'Requests', 'Fetched (MiB)', 'Of archive'], rows),
    [
      `Archive: a Flat cozip of ${num(entries)} members of 16–64 bytes (2/3 log-like text, ` +
        `1/3 random) named \`tiles/NNNN/tNNNNNNN.txt\` in order, with a \`split\` column; ` +
        `${mib(size)} MiB, written by \`writeCozip\`, served from the page cache by the test ` +
        'range server on 127.0.0.1 (HTTP/1.1, `Range`, ETag).',
      `Each run looks up one member, \`${name}\`, from nothing: a new source and a new reader, ` +
        'no cache, and every request on a new connection (`Connection: close`). ' +
        `Median of ${config.runs} runs after 1 warm-up.`,
      'cozip: `openCozip` (head and hash-tail reads, integrity hash verified), ' +
        '`readManifest(archive, { filter: { name } })` (row groups pruned by their `name` ' +
        'statistics), `readMember`. Plain ZIP: the tail, then the whole central directory. ' +
        'Requests and bytes: the `HttpSource` stats for cozip, the server log for zip.js.',
      'zip.js runs in a child process with a ' +
        `${num(CHILD_HEAP_MIB / 1024, 1)} GiB heap (\`--max-old-space-size\`): its entry objects ` +
        "outgrow Node's default heap at 1,000,000 entries. The parent keeps the server and its log.",
      problems.length
        ? `**Problems:** ${problems.join('; ')}`
        : 'All three return the expected bytes; for cozip the source stats match the server log.',
    ],
  );
}

export async function runCozip(config: BenchConfig): Promise<string> {
  const parts = [await runPack(config), await runFirstMember(config)];
  await rm(`${dataDir}tmp`, { recursive: true, force: true });
  return parts.join('\n');
}

// Run directly (as the zip.js child process), not imported by run.ts.
if (process.argv[1] === SELF && process.send) await zipjsChild();
