// ZIP writing: archiving 2,000 files (~128 MiB) with cozip's ZipWriter vs
// Info-ZIP's `zip` command, stored and deflated at level 6.
import { execFile } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createFileSink } from '../src/zip/file-sink.js';
import { openZip } from '../src/zip/reader.js';
import { ZipWriter } from '../src/zip/writer.js';
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
import { mib, mibPerSec, num, section, table } from './table.js';
import { measure } from './timing.js';

const run = promisify(execFile);

/** Builds (once) `files` files of 1–127 KiB (64 KiB on average): half log-like text, half random. */
async function inputDir(files: number): Promise<string> {
  const dir = `${dataDir}in/${files}`;
  const done = `${dir}.done`;
  if (existsSync(done)) return dir;
  log(`generating ${files} input files in ${dir}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const next = prng(99);
  for (let i = 0; i < files; i++) {
    const size = between(next, 1024, 127 * 1024);
    const text = next() % 2 === 0;
    const name = `f${String(i).padStart(5, '0')}.${text ? 'log' : 'bin'}`;
    await writeFile(join(dir, name), text ? textBytes(next, size) : randomBytes(next, size));
  }
  await writeFile(done, '');
  return dir;
}

/** Archives every file of `dir` the way a "zip this folder" tool would: stat, read, add. */
async function cozipZip(dir: string, out: string, method: 0 | 8, streamed: boolean) {
  const writer = new ZipWriter(await createFileSink(out));
  for (const name of (await readdir(dir)).sort()) {
    const path = join(dir, name);
    const info = await stat(path);
    const options = { method, level: 6, mtime: info.mtime, mode: info.mode & 0o7777 };
    if (streamed) await writer.add(name, createReadStream(path), { ...options, size: info.size });
    else await writer.add(name, await readFile(path), options);
  }
  await writer.finish();
}

async function hasCommand(cmd: string, args: string[]): Promise<string | undefined> {
  try {
    const { stdout } = await run(cmd, args);
    return stdout;
  } catch {
    return undefined;
  }
}

/** Sorted "name size crc" lines of an archive, read with cozip. */
async function listing(path: string): Promise<string> {
  const z = await openZip(path);
  await z.source.close?.();
  return z.entries
    .map((e) => `${e.name} ${e.uncompressedSize} ${e.crc32}`)
    .sort()
    .join('\n');
}

interface Row {
  tool: string;
  method: string;
  out: string;
  zip: () => Promise<void>;
}

export async function runZipWrite(config: BenchConfig): Promise<string> {
  const dir = await inputDir(config.files);
  const names = await readdir(dir);
  let inputBytes = 0;
  for (const name of names) inputBytes += (await stat(join(dir, name))).size;
  const tmp = await freshTmpDir();
  const zipVersion = (await hasCommand('zip', ['-v']))?.match(/Zip (\d[\w.]*)/)?.[1];
  const unzip = (await hasCommand('unzip', ['-v'])) !== undefined;

  const rows: Row[] = [];
  for (const [method, label] of [
    [0, 'store'],
    [8, 'deflate 6'],
  ] as const) {
    rows.push({
      tool: 'cozip `ZipWriter` (bytes in)',
      method: label,
      out: `${tmp}cozip-${method}.zip`,
      zip: () => cozipZip(dir, `${tmp}cozip-${method}.zip`, method, false),
    });
    rows.push({
      tool: 'cozip `ZipWriter` (streams in)',
      method: label,
      out: `${tmp}cozip-${method}-s.zip`,
      zip: () => cozipZip(dir, `${tmp}cozip-${method}-s.zip`, method, true),
    });
  }
  for (const level of ['0', '6']) {
    const out = `${tmp}infozip-${level}.zip`;
    rows.push({
      tool: `Info-ZIP \`zip -${level} -q -r\``,
      method: level === '0' ? 'store' : 'deflate 6',
      out,
      zip: zipVersion
        ? async () => {
            await run('zip', [`-${level}`, '-q', '-r', out, '.'], { cwd: dir });
          }
        : async () => {
            throw new Error('zip is not installed');
          },
    });
  }

  const table_: string[][] = [];
  const problems: string[] = [];
  let firstListing: string | undefined;
  for (const row of rows) {
    log(`write: ${row.tool} ${row.method}`);
    try {
      // zip updates an existing archive: every run starts without one.
      const m = await measure(row.zip, {
        runs: config.writeRuns,
        before: () => rm(row.out, { force: true }),
      });
      const size = (await stat(row.out)).size;
      table_.push([
        `${row.tool}, ${row.method}`,
        num(m.ms / 1000, 2),
        mibPerSec(inputBytes, m.ms),
        mib(size),
        `${num((100 * size) / inputBytes, 1)} %`,
      ]);
      // Every archive must list the same names, sizes and CRC-32s, and pass `unzip -t`.
      const list = await listing(row.out);
      firstListing ??= list;
      if (list !== firstListing) problems.push(`${row.tool}, ${row.method}: listing differs`);
      if (unzip) {
        await run('unzip', ['-tqq', row.out]).catch((err: Error) => {
          problems.push(`${row.tool}, ${row.method}: unzip -t failed: ${err.message}`);
        });
      }
    } catch (err) {
      table_.push([`${row.tool}, ${row.method}`, 'n/a', 'n/a', 'n/a', 'n/a']);
      problems.push(`${row.tool}, ${row.method}: ${(err as Error).message}`);
    }
    await rm(row.out, { force: true });
  }
  if (problems.length) process.exitCode = 1;

  return section(
    `ZIP writing: ${num(names.length)} files, ${mib(inputBytes)} MiB`,
    table(['Tool', 'Median (s)', 'MiB/s (input)', 'Output (MiB)', 'Output / input'], table_),
    [
      `Input: ${num(names.length)} files of 1–127 KiB, half log-like text, half random bytes; ` +
        `in the page cache. Median of ${config.writeRuns} runs after 1 warm-up.`,
      'cozip: stat + read each file, `add` it (bytes in: `readFile`, then one-shot deflate; ' +
        'streams in: `createReadStream`, streaming deflate and a data descriptor), written through ' +
        '`createFileSink` (temp file, fsync and rename on close).',
      `Info-ZIP zip ${zipVersion ?? '(not installed)'} runs as a child process in the input folder.`,
      problems.length
        ? `**Problems:** ${problems.join('; ')}`
        : `Every archive lists the same ${num(names.length)} names, sizes and CRC-32s` +
          `${unzip ? ' and passes `unzip -t`' : ''}.`,
    ],
  );
}
