// cozip index: zipindex files. build indexes any ZIP from its central
// directory; ls and find read a serialized index; cat opens one member of the
// ZIP from the index alone, with one range read of the ZIP.
import type { Command } from 'commander';
import {
  CozipError,
  createFileSink,
  DEFAULT_TAIL_SIZE,
  methodName,
  openSource,
  openZip,
  zipindex,
} from '../../node.js';
import { UsageError } from '../errors.js';
import { count, printJson, renderTable, writeOut } from '../output.js';

interface BuildOptions {
  output: string;
  custom?: string[];
  all?: boolean;
  json?: boolean;
  quiet?: boolean;
}

/** What build reports: --json prints it as is. */
interface BuildSummary {
  source: string;
  output: string;
  /** Files in the index. */
  entries: number;
  /** Central directory entries the filter left out. */
  skipped: number;
  /** Size of the serialized index and its encoding (Go zipindex types 1-4). */
  indexBytes: number;
  indexType: number;
  /** null for an empty index. */
  bytesPerEntry: number | null;
  centralDirectoryBytes: number;
}

/** One index record as ls, find and --json show it; `size`, `compressed`, `method` as in `cozip ls`. */
interface FileRow {
  name: string;
  /** The stored name bytes (base64 in JSON), only when they are not UTF-8. */
  rawName?: Uint8Array;
  size: bigint;
  compressed: bigint;
  method: string;
  offset: bigint;
  /** 0 when the index stripped it (the data descriptor holds it). */
  crc32: number;
  flags: number;
  custom: Record<string, string>;
}

export function registerIndex(program: Command): void {
  const group = program
    .command('index')
    .description('zipindex files: index any ZIP once, then read members with one range request')
    .addHelpText(
      'after',
      `
A zipindex is a compact, serialized copy of what a ZIP's central directory
says about its files (the Go zipindex format, types 1-4): name, sizes,
offset, CRC-32, method, flags and optional custom key/value strings. Kept
next to the data (a database row, an object's metadata), it lets a reader
open any member with a single range read of the ZIP and no directory read.
SRC is a local path, an http(s):// URL or s3://bucket/key.

Examples:
  $ cozip index build https://example.com/photos.zip -o photos.zipindex
  $ cozip index cat photos.zipindex https://example.com/photos.zip 2024/01.jpg > 01.jpg`,
    );
  registerBuild(group);
  registerLs(group);
  registerFind(group);
  registerCat(group);
}

function registerBuild(group: Command): void {
  group
    .command('build')
    .description("index a ZIP's central directory into a zipindex file")
    .argument('<src>', 'ZIP path or http(s)/s3 URL')
    .requiredOption('-o, --output <file>', 'the index file to write (replaced atomically)')
    .option('--custom <key=value...>', 'attach this key/value string to every indexed file')
    .option('--all', 'index every entry: directories, symlinks, unsupported methods too')
    .option('--json', 'one JSON summary object')
    .addHelpText(
      'after',
      `
Only the end of SRC is read: the end records and the central directory
(remotely one request, two when the directory is larger than ~70 KiB).

By default the index keeps the regular files whose compression method this
build can decompress (store, deflate, zstd), like Go's zipindex: directories,
symlinks and other special entries, and members with other methods, are left
out, so every indexed file can be opened with 'index cat'. --all keeps every
entry of the central directory.

Entries are sorted by offset and CRC-32s repeated in data descriptors are
dropped (optimizeSize) before serializing. The summary gives the number of
entries, the index size, the bytes per entry and the size of the central
directory it replaces. --custom is variadic: put it after SRC, or end it
with --.

Examples:
  $ cozip index build photos.zip -o photos.zipindex --custom owner=alice
  $ cozip index build s3://bucket/photos.zip -o photos.zipindex --json`,
    )
    .action(async (src: string, _opts, cmd: Command) => {
      const opts = cmd.optsWithGlobals<BuildOptions>();
      const summary = await buildIndex(src, opts);
      if (opts.json) await printJson(summary);
      else if (!opts.quiet) await writeOut(describeBuild(summary));
    });
}

function registerLs(group: Command): void {
  group
    .command('ls')
    .description('list the files of a zipindex')
    .argument('<index>', 'zipindex path or http(s)/s3 URL')
    .option('--json', 'one JSON array of file objects')
    .addHelpText(
      'after',
      `
Columns: name, size, compressed, method, offset (of the local header in the
ZIP), crc32 (0 when the index left it to the data descriptor), flags, and
custom when any file has custom values. JSON objects have every field, custom
as an object.

Example:
  $ cozip index ls photos.zipindex --json`,
    )
    .action(async (index: string, opts: { json?: boolean }) => {
      const rows = zipindex.deserializeFiles(await readIndex(index)).map(fileRow);
      if (opts.json) {
        await printJson(rows);
        return;
      }
      const columns = ['name', 'size', 'compressed', 'method', 'offset', 'crc32', 'flags'];
      if (rows.some((r) => Object.keys(r.custom).length > 0)) columns.push('custom');
      await writeOut(renderTable(columns, rows.map(tableRow)));
    });
}

function registerFind(group: Command): void {
  group
    .command('find')
    .description('look up one file in a zipindex')
    .argument('<index>', 'zipindex path or http(s)/s3 URL')
    .argument('<name>', 'the file name, as index ls shows it')
    .option('--json', 'one JSON object')
    .addHelpText(
      'after',
      `
Decodes only what the encoding needs to find NAME. A name not in the index
fails with NOT_FOUND (exit 1).

Example:
  $ cozip index find photos.zipindex 2024/01.jpg --json`,
    )
    .action(async (index: string, name: string, opts: { json?: boolean }) => {
      const row = fileRow(await findFile(index, name));
      if (opts.json) await printJson(row);
      else await writeOut(describeFile(row));
    });
}

function registerCat(group: Command): void {
  group
    .command('cat')
    .description("write one file's content to stdout, located through the index")
    .argument('<index>', 'zipindex path or http(s)/s3 URL')
    .argument('<src>', 'the indexed ZIP: path or http(s)/s3 URL')
    .argument('<name>', 'the file name, as index ls shows it')
    .addHelpText(
      'after',
      `
The ZIP's central directory is never read: the member (local header, data
and data descriptor) is fetched with one range read, decompressed, and its
size and CRC-32 checked. A ZIP that changed since it was indexed fails
(BAD_SIGNATURE, CRC_MISMATCH, ...) rather than returning wrong bytes.

Example:
  $ cozip index cat photos.zipindex https://example.com/photos.zip 2024/01.jpg > 01.jpg`,
    )
    .action(async (index: string, src: string, name: string) => {
      const file = await findFile(index, name);
      const source = await openSource(src, memberProbe(file));
      try {
        for await (const chunk of zipindex.open(file, source)) await writeOut(chunk);
      } finally {
        await source.close();
      }
    });
}

/** --custom KEY=VALUE pairs. */
function customValues(pairs: string[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--custom expects KEY=VALUE, got ${JSON.stringify(pair)}`);
    const key = pair.slice(0, eq);
    if (out.has(key)) throw new UsageError(`--custom sets ${key} twice`);
    out.set(key, pair.slice(eq + 1));
  }
  if (out.size > zipindex.MAX_CUSTOM_ENTRIES) {
    throw new UsageError(`--custom: at most ${zipindex.MAX_CUSTOM_ENTRIES} keys per file`);
  }
  return out;
}

async function buildIndex(src: string, opts: BuildOptions): Promise<BuildSummary> {
  const custom = customValues(opts.custom);
  const keep: zipindex.FileFilter = opts.all ? (file) => file : zipindex.defaultFileFilter;
  const filter: zipindex.FileFilter = (file, entry) => {
    const kept = keep(file, entry);
    if (kept && custom.size > 0) kept.custom = new Map(custom);
    return kept;
  };
  // One planned source for both passes: openZip finds the tail and the
  // directory fromSource fetched in the cache, so it costs no request.
  const source = await openSource(src, { probe: { suffix: DEFAULT_TAIL_SIZE } });
  let files: zipindex.File[];
  let zipEntries: number;
  let cdSize: number;
  try {
    files = zipindex.optimizeSize(await zipindex.fromSource(source, { filter }));
    // fromSource does not say how large the directory was.
    const zip = await openZip(source);
    zipEntries = zip.entries.length;
    cdSize = zip.cdSize;
  } finally {
    await source.close();
  }
  const bytes = await zipindex.serialize(files);
  const sink = await createFileSink(opts.output);
  try {
    await sink.write(bytes);
    await sink.close();
  } catch (err) {
    await sink.abort(err);
    throw err;
  }
  return {
    source: src,
    output: opts.output,
    entries: files.length,
    skipped: zipEntries - files.length,
    indexBytes: bytes.length,
    indexType: bytes[0],
    bytesPerEntry: files.length ? round(bytes.length / files.length) : null,
    centralDirectoryBytes: cdSize,
  };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

function describeBuild(s: BuildSummary): string {
  const perEntry = s.bytesPerEntry === null ? '' : ` (${s.bytesPerEntry} bytes/entry)`;
  const skipped = s.skipped ? `, ${count(s.skipped)} skipped` : '';
  return `wrote ${s.output}: ${count(s.entries)} entries${skipped}, ${count(s.indexBytes)} index bytes${perEntry}, central directory ${count(s.centralDirectoryBytes)} bytes\n`;
}

/** The serialized index, whole: path, http(s) or s3 URL. */
async function readIndex(index: string): Promise<Uint8Array> {
  const source = await openSource(index);
  try {
    if (source.size > zipindex.MAX_INDEX_SIZE) {
      throw new CozipError(
        'INDEX_TOO_LARGE',
        `${index} is ${source.size} bytes, more than the ${zipindex.MAX_INDEX_SIZE} a zipindex may be`,
        { details: { size: source.size, limit: zipindex.MAX_INDEX_SIZE } },
      );
    }
    return await source.read(0, source.size);
  } finally {
    await source.close();
  }
}

async function findFile(index: string, name: string): Promise<zipindex.File> {
  const file = zipindex.findSerialized(await readIndex(index), name);
  if (!file) {
    throw new CozipError('NOT_FOUND', `${name} is not in the index ${index}`, {
      details: { name },
    });
  }
  return file;
}

/** The fixed part of a local file header. */
const LOCAL_HEADER = 30n;
/** Local extra fields are rarely longer; zipindex.open reads on if one is. */
const EXTRA_ALLOWANCE = 1024;
/** Signature, CRC-32 and two 64-bit sizes. */
const DESCRIPTOR_MAX = 24;
/** Larger members are not probed: the planner would not cache them. */
const MAX_PROBE = 16 << 20;

/**
 * Over HTTP/S3, the request that opens SRC fetches the member itself (local
 * header, data, descriptor), and zipindex.open's read is served from it: one
 * request in all. Local files ignore the probe.
 */
function memberProbe(file: zipindex.File): { probe?: { start: number; end: number } } {
  const start = file.offset;
  const length =
    LOCAL_HEADER +
    BigInt(zipindex.nameBytes(file).length) +
    BigInt(EXTRA_ALLOWANCE) +
    file.compressedSize +
    BigInt(DESCRIPTOR_MAX);
  if (start < 0n || length > BigInt(MAX_PROBE) || start + length > BigInt(Number.MAX_SAFE_INTEGER))
    return {};
  return { probe: { start: Number(start), end: Number(start + length) } };
}

function fileRow(f: zipindex.File): FileRow {
  return {
    name: f.name,
    ...(f.rawName ? { rawName: f.rawName } : {}),
    size: f.uncompressedSize,
    compressed: f.compressedSize,
    method: methodName(f.method),
    offset: f.offset,
    crc32: f.crc32,
    flags: f.flags,
    custom: Object.fromEntries(f.custom ?? []),
  };
}

/** Table cells: CRC-32 and flags in hex, custom as KEY=VALUE pairs. */
function tableRow(r: FileRow): Record<string, unknown> {
  return {
    ...r,
    crc32: hex(r.crc32, 8),
    flags: hex(r.flags, 4),
    custom: Object.entries(r.custom)
      .map(([k, v]) => `${k}=${v}`)
      .join(' '),
  };
}

function hex(n: number, digits: number): string {
  return `0x${n.toString(16).padStart(digits, '0')}`;
}

function describeFile(r: FileRow): string {
  const t = tableRow(r);
  const lines: Array<[string, string]> = [
    ['name', r.name],
    ['size', `${count(Number(r.size))} bytes`],
    ['compressed', `${count(Number(r.compressed))} bytes (${r.method})`],
    ['offset', count(Number(r.offset))],
    ['crc32', r.crc32 === 0 && r.flags & 8 ? 'in the data descriptor' : String(t.crc32)],
    ['flags', String(t.flags)],
  ];
  for (const [k, v] of Object.entries(r.custom)) lines.push(['custom', `${k}=${v}`]);
  return lines.map(([k, v]) => `${k.padEnd(10)} ${v}\n`).join('');
}
