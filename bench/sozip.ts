// SOZip: compressing a 256 MiB member (1 and N threads) against one plain
// Deflate stream and `pigz --independent` at the same level, the size the
// chunking costs, random 4 KiB reads with the index against inflating from
// the start, and a large range decoded chunk by chunk vs in parallel.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import type { ReadPlanner } from '../src/io/planner.js';
import { closeSozipMember, openSozipMember, readRange } from '../src/sozip/random-access.js';
import { validateSozip } from '../src/sozip/validate.js';
import { createSozipWriter } from '../src/sozip/writer.js';
import { createFileSink } from '../src/zip/file-sink.js';
import { openZip } from '../src/zip/reader.js';
import { ZipWriter } from '../src/zip/writer.js';
import { type BenchConfig, dataDir, freshTmpDir, log, prng, textBytes } from './data.js';
import { MiB, mib, mibPerSec, ms, num, perSec, section, table } from './table.js';
import { measure } from './timing.js';

const run = promisify(execFile);
const LEVEL = 6;
const CHUNK = 32 * 1024;
const READ = 4096;
const NAME = 'member.log';

/** Member size in MiB: BENCH_SOZIP_MIB, else 256 (32 with BENCH_QUICK=1). */
function memberMiB(env = process.env): number {
  const v = env.BENCH_SOZIP_MIB;
  if (v === undefined || v === '') return env.BENCH_QUICK === '1' ? 32 : 256;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new Error('BENCH_SOZIP_MIB must be a positive integer');
  return n;
}

/** Builds (once) the input: log-like text, 4 MiB at a time. */
async function input(sizeMiB: number): Promise<string> {
  const path = `${dataDir}sozip-input-${sizeMiB}.log`;
  if (existsSync(path)) return path;
  log(`generating ${path}`);
  await mkdir(dataDir, { recursive: true });
  const partial = `${path}.part`;
  const out = createWriteStream(partial);
  for (let i = 0; i < sizeMiB / 4; i++) {
    const piece = textBytes(prng(1000 + i), Math.min(4, sizeMiB - 4 * i) * MiB);
    if (!out.write(piece)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => {
    out.on('error', reject);
    out.end(() => resolve());
  });
  await rename(partial, path);
  return path;
}

async function pigzVersion(): Promise<string | undefined> {
  try {
    const { stdout, stderr } = await run('pigz', ['--version']);
    return (stdout || stderr).trim().replace(/^pigz\s*/, '');
  } catch {
    return undefined;
  }
}

/** `pigz -c [args] in > out`. */
async function pigz(args: string[], inPath: string, outPath: string): Promise<void> {
  const child = spawn('pigz', [...args, '-c', inPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  const out = createWriteStream(outPath);
  child.stdout.pipe(out);
  const written = new Promise<void>((resolve, reject) => {
    out.on('close', () => resolve());
    out.on('error', reject);
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) throw new Error(`pigz exited with ${code}`);
  await written;
}

/** The member's compressed size in a ZIP we wrote. */
async function memberSize(path: string): Promise<number> {
  const z = await openZip(path);
  await z.source.close?.();
  return z.entries[0].compressedSize;
}

interface WriteRow {
  tool: string;
  threads: number;
  out: string;
  write: () => Promise<void>;
  /** Compressed Deflate bytes, after a run. */
  size: () => Promise<number>;
}

function offsets(count: number, size: number, seed: number): number[] {
  const next = prng(seed);
  return Array.from(
    { length: count },
    () => (next() * 0x100000 + (next() & 0xfffff)) % (size - READ),
  );
}

async function fileHash(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

function digest(parts: Uint8Array[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex').slice(0, 12);
}

export async function runSozip(config: BenchConfig): Promise<string> {
  const sizeMiB = memberMiB();
  const inPath = await input(sizeMiB);
  const inBytes = (await stat(inPath)).size;
  const tmp = await freshTmpDir();
  const cores = availableParallelism();
  const pigzV = await pigzVersion();
  const opts = { warmup: 0, runs: config.writeRuns };

  // --- compression ---
  const rows: WriteRow[] = [];
  const plainPath = `${tmp}plain.zip`;
  rows.push({
    tool: 'cozip `ZipWriter`, one Deflate stream (baseline)',
    threads: 1,
    out: plainPath,
    write: async () => {
      const w = new ZipWriter(await createFileSink(plainPath));
      await w.add(NAME, createReadStream(inPath, { highWaterMark: MiB }), {
        level: LEVEL,
        size: inBytes,
      });
      await w.finish();
    },
    size: () => memberSize(plainPath),
  });
  for (const threads of [...new Set([1, cores])]) {
    const out = `${tmp}sozip-${threads}.zip`;
    rows.push({
      tool: 'cozip `SozipWriter.addFile`, 32 KiB chunks',
      threads,
      out,
      write: async () => {
        const w = await createSozipWriter(out, { threads, level: LEVEL, chunkSize: CHUNK });
        await w.addFile(NAME, inPath);
        await w.finish();
      },
      size: () => memberSize(out),
    });
  }
  for (const threads of [...new Set([1, cores])]) {
    const out = `${tmp}pigz-${threads}.gz`;
    rows.push({
      tool: '`pigz --independent -b 32`',
      threads,
      out,
      write: () =>
        pigz([`-${LEVEL}`, '--independent', '-b', '32', '-n', '-p', String(threads)], inPath, out),
      // gzip framing: 10-byte header (-n: no name) and 8-byte trailer.
      size: async () => (await stat(out)).size - 18,
    });
  }

  const writeTable: string[][] = [];
  const sizes = new Map<WriteRow, number>();
  const problems: string[] = [];
  for (const row of rows) {
    const isPigz = row.tool.includes('pigz');
    if (isPigz && !pigzV) {
      writeTable.push([row.tool, String(row.threads), 'n/a', 'n/a', 'n/a', 'n/a']);
      continue;
    }
    log(`sozip: ${row.tool}, ${row.threads} thread(s)`);
    try {
      const m = await measure(row.write, { ...opts, before: () => rm(row.out, { force: true }) });
      sizes.set(row, await row.size());
      writeTable.push([
        row.tool,
        String(row.threads),
        num(m.ms / 1000, 2),
        mibPerSec(inBytes, m.ms),
      ]);
    } catch (err) {
      problems.push(`${row.tool}: ${(err as Error).message}`);
      writeTable.push([row.tool, String(row.threads), 'n/a', 'n/a', 'n/a', 'n/a']);
    }
  }
  const plainSize = sizes.get(rows[0]) ?? Number.NaN;
  rows.forEach((row, i) => {
    const s = sizes.get(row);
    if (s === undefined || writeTable[i].length > 4) return;
    writeTable[i].push(
      mib(s),
      row === rows[0] ? '—' : `+${num((100 * (s - plainSize)) / plainSize, 2)} %`,
    );
  });

  // The thread counts must give the same archive, and it must validate.
  const sozipOuts = rows.filter((r) => r.tool.includes('SozipWriter')).map((r) => r.out);
  const hashes = await Promise.all(sozipOuts.map(fileHash));
  const identical = hashes.every((h) => h === hashes[0]);
  if (!identical) problems.push('1 and N threads wrote different archives');
  const validation = await validateSozip(sozipOuts.at(-1)!, { deep: true });
  if (!validation.ok) problems.push(`deep validation failed: ${validation.problems[0]?.message}`);

  // --- random 4 KiB reads ---
  const sozipPath = `${tmp}sozip-${cores}.zip`;
  const count = process.env.BENCH_QUICK === '1' ? 500 : 2000;
  const fullCount = process.env.BENCH_QUICK === '1' ? 4 : 8;
  const picks = offsets(count, inBytes, 11);
  log(`sozip: ${num(count)} random ${READ}-byte reads with the index`);
  const indexed = await openZip(sozipPath, { cacheBytes: 0 });
  const member = await openSozipMember(indexed, NAME, { chunkCacheBytes: 0 });
  if (!member.index) problems.push('the SOZip member has no usable index');
  const planner = indexed.source as ReadPlanner;
  const statsBefore = { ...planner.stats };
  const withIndex = await measure(
    async () => {
      const got: Uint8Array[] = [];
      for (const o of picks) got.push(await readRange(member, o, READ));
      return got;
    },
    { warmup: 1, runs: config.runs },
  );
  const reads = (config.runs + 1) * count;
  const fetchedPerRead = (planner.stats.bytesFetched - statsBefore.bytesFetched) / reads;
  const requestsPerRead = (planner.stats.requests - statsBefore.requests) / reads;

  log(`sozip: ${fullCount} random ${READ}-byte reads inflating from the start`);
  const plainZip = await openZip(plainPath, { cacheBytes: 0 });
  const full = await measure(
    async () => {
      const got: Uint8Array[] = [];
      for (const o of picks.slice(0, fullCount)) {
        // A fresh member each time: nothing carried over from the last read.
        const m = await openSozipMember(plainZip, NAME);
        got.push(await readRange(m, o, READ));
        await closeSozipMember(m);
      }
      return got;
    },
    { warmup: 0, runs: 1 },
  );
  const sameBytes = digest(withIndex.result.slice(0, fullCount)) === digest(full.result);
  if (!sameBytes) problems.push('index reads and full-inflate reads differ');
  const perIndexed = withIndex.ms / count;
  const perFull = full.ms / fullCount;

  // --- a large range: chunks decoded one by one vs in parallel ---
  const rangeBytes = Math.min(inBytes, (process.env.BENCH_QUICK === '1' ? 16 : 64) * MiB);
  log(`sozip: reading ${mib(rangeBytes)} MiB in one range`);
  const rangeRows: string[][] = [];
  const rangeDigests: string[] = [];
  for (const [label, concurrency] of [
    ['one chunk at a time', 1],
    ['4 at once (zlib thread pool)', 4],
  ] as const) {
    const m = await openSozipMember(indexed, NAME, {
      decodeConcurrency: concurrency,
      chunkCacheBytes: 0,
    });
    const r = await measure(() => readRange(m, 0, rangeBytes), { warmup: 1, runs: config.runs });
    rangeDigests.push(digest([r.result]));
    rangeRows.push([`index, ${label}`, ms(r.ms), mibPerSec(rangeBytes, r.ms)]);
  }
  const seq = await measure(
    async () => {
      const m = await openSozipMember(plainZip, NAME);
      const got = await readRange(m, 0, rangeBytes);
      await closeSozipMember(m);
      return got;
    },
    { warmup: 1, runs: config.runs },
  );
  rangeDigests.push(digest([seq.result]));
  rangeRows.push(['no index: inflate from the start', ms(seq.ms), mibPerSec(rangeBytes, seq.ms)]);
  if (new Set(rangeDigests).size !== 1) problems.push('large-range reads differ');
  await indexed.source.close?.();
  await plainZip.source.close?.();
  if (problems.length) process.exitCode = 1;

  const chunks = Math.ceil(inBytes / CHUNK);
  return [
    section(
      `SOZip: compressing a ${mib(inBytes)} MiB member, deflate level ${LEVEL}`,
      table(
        ['Tool', 'Threads', 'Median (s)', 'MiB/s (input)', 'Deflate data (MiB)', 'vs one stream'],
        writeTable,
        1,
      ),
      [
        `Input: ${mib(inBytes)} MiB of log-like text (bench/data.ts) in the page cache; ` +
          `${num(cores)} cores. Median of ${config.writeRuns} runs.`,
        `cozip: \`addFile\` streams the file, ${num(chunks)} chunks of 32 KiB; ` +
          'the index adds ' +
          `${num(32 + 8 * (chunks - 1))} bytes. 1 thread compresses on the main thread; N threads ` +
          'use worker threads (the main thread reads, CRCs and writes). Output through ' +
          '`createFileSink` (temp file, fsync, rename). ' +
          (identical
            ? 'The thread counts wrote byte-identical archives'
            : '**The thread counts wrote different archives**') +
          (validation.ok
            ? ', which pass `validateSozip` with `deep`.'
            : ', which **fail** deep validation.'),
        `pigz ${pigzV ?? '(not installed)'}: \`-${LEVEL} --independent -b 32 -n -p N\` ` +
          '(32 KiB blocks, each compressed without the previous one as dictionary: the same ' +
          'chunking as SOZip), written to a file; its size excludes the 18 bytes of gzip framing.',
        '"vs one stream": size of the Deflate data against the baseline, zlib at the same level ' +
          'over the whole member.',
      ],
    ),
    section(
      `SOZip: random ${num(READ)}-byte reads in the ${mib(inBytes)} MiB member`,
      table(
        ['Method', 'Reads', 'ms per read', 'Reads/s', 'Speed-up'],
        [
          [
            'index (`readRange`)',
            num(count),
            ms(perIndexed),
            perSec(count, withIndex.ms),
            num(perFull / perIndexed, 0) + '×',
          ],
          [
            'no index: inflate from the start',
            num(fullCount),
            ms(perFull),
            perSec(fullCount, full.ms),
            '1×',
          ],
        ],
      ),
      [
        'Random offsets (seeded), one read at a time, from the file through the read planner ' +
          'with its cache off, and no chunk cache: every read decodes its chunks afresh.',
        `With the index a read fetched ${num(fetchedPerRead / 1024, 1)} KiB in ` +
          `${num(requestsPerRead, 2)} request(s) on average (over HTTP: one request per read).`,
        'Without the index every read inflates the member from its first byte up to the range ' +
          '(a fresh member per read, as a reader without an index must).',
        sameBytes
          ? `The first ${fullCount} reads agree byte for byte between the two methods.`
          : '**MISMATCH between the two methods**',
      ],
    ),
    section(
      `SOZip: one ${mib(rangeBytes)} MiB range`,
      table(['Method', 'Median (ms)', 'MiB/s (output)'], rangeRows),
      [
        "Large ranges are fetched with one read and their chunks decoded on zlib's thread " +
          'pool (`decodeConcurrency`, default 4).',
        problems.length
          ? `**Problems:** ${problems.join('; ')}`
          : 'All three return the same bytes.',
      ],
    ),
  ].join('\n');
}
