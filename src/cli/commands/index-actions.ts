// cozip index, the actions: only the zipindex modules each one uses (no
// layered indexes, so no msgpack).
import { CozipError } from '../../errors.js';
import { openSource } from '../../io/open-source.js';
import { methodName } from '../../zip/codecs.js';
import { createFileSink } from '../../zip/file-sink.js';
import { optimizeColumns } from '../../zipindex/columns.js';
import { defaultFileFilter, type FileFilter } from '../../zipindex/dir-entry.js';
import { type File as IndexFile, MAX_CUSTOM_ENTRIES, MAX_INDEX_SIZE } from '../../zipindex/file.js';
import { findSerialized } from '../../zipindex/find.js';
import { nameBytes } from '../../zipindex/names.js';
import { open as openIndexed } from '../../zipindex/open.js';
import { columnsFromSource, type DirectoryInfo } from '../../zipindex/read-dir.js';
import { deserializeFiles, serializeColumns } from '../../zipindex/serialize.js';
import { UsageError } from '../errors.js';
import { networkOptions } from '../network.js';
import { count, printJson, renderTable, writeOut } from '../output.js';
import { checkTarget } from '../targets.js';
import type { BuildOptions } from './index-cmd.js';

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

/** One index record as ls, find and --json show it: the keys of every listing (entry-json.ts). */
interface FileRow {
  name: string;
  /** The stored name bytes (base64 in JSON), only when they are not UTF-8. */
  rawName?: Uint8Array;
  size: bigint;
  compressedSize: bigint;
  method: string;
  localHeaderOffset: bigint;
  /** null when the index stripped it (0 with flag 8: the data descriptor holds it). */
  crc32: number | null;
  flags: number;
  custom: Record<string, string>;
}

export async function runBuild(src: string, opts: BuildOptions): Promise<void> {
  checkTarget(opts.output, { replace: opts.force, inputs: [src] });
  const summary = await buildIndex(src, opts);
  if (opts.json) await printJson(summary);
  else if (!opts.quiet) await writeOut(describeBuild(summary));
}

export async function runLs(index: string, opts: { json?: boolean }): Promise<void> {
  const rows = deserializeFiles(await readIndex(index)).map(fileRow);
  if (opts.json) {
    await printJson(rows);
    return;
  }
  const columns = [
    'name',
    'size',
    'compressedSize',
    'method',
    'localHeaderOffset',
    'crc32',
    'flags',
  ];
  if (rows.some((r) => Object.keys(r.custom).length > 0)) columns.push('custom');
  await writeOut(renderTable(columns, rows.map(tableRow)));
}

export async function runFind(
  index: string,
  name: string,
  opts: { json?: boolean },
): Promise<void> {
  const row = fileRow(await findFile(index, name));
  if (opts.json) await printJson(row);
  else await writeOut(describeFile(row));
}

export async function runCat(index: string, src: string, name: string): Promise<void> {
  const file = await findFile(index, name);
  const source = await openSource(src, { ...memberProbe(file), ...networkOptions() });
  try {
    for await (const chunk of openIndexed(file, source)) await writeOut(chunk);
  } finally {
    await source.close();
  }
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
  if (out.size > MAX_CUSTOM_ENTRIES) {
    throw new UsageError(`--custom: at most ${MAX_CUSTOM_ENTRIES} keys per file`);
  }
  return out;
}

async function buildIndex(src: string, opts: BuildOptions): Promise<BuildSummary> {
  const custom = customValues(opts.custom);
  // The default filter as it is (fromSource's fast path) and custom values
  // as an option: no filter wrapped around it.
  const filter: FileFilter = opts.all ? (file) => file : defaultFileFilter;
  const info: DirectoryInfo = {};
  // The directory is read once (its size and entry count come back in
  // `info`), into columns: no object per entry, and the directory's bytes
  // are released once read.
  const files = optimizeColumns(await columnsFromSource(src, { filter, custom, info }));
  const zipEntries = info.entries ?? files.length;
  const cdSize = info.directorySize ?? 0;
  const bytes = await serializeColumns(files);
  const sink = await createFileSink(opts.output, { overwrite: opts.force === true });
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
  const source = await openSource(index, networkOptions());
  try {
    if (source.size > MAX_INDEX_SIZE) {
      throw new CozipError(
        'INDEX_TOO_LARGE',
        `${index} is ${source.size} bytes, more than the ${MAX_INDEX_SIZE} a zipindex may be`,
        { details: { size: source.size, limit: MAX_INDEX_SIZE } },
      );
    }
    return await source.read(0, source.size);
  } finally {
    await source.close();
  }
}

async function findFile(index: string, name: string): Promise<IndexFile> {
  const file = findSerialized(await readIndex(index), name);
  if (!file) {
    throw new CozipError('NOT_FOUND', `${name} is not in the index ${index}`, {
      details: { name },
    });
  }
  return file;
}

/** The fixed part of a local file header. */
const LOCAL_HEADER = 30n;
/** Local extra fields are rarely longer; zipindex's open reads on if one is. */
const EXTRA_ALLOWANCE = 1024;
/** Signature, CRC-32 and two 64-bit sizes. */
const DESCRIPTOR_MAX = 24;
/** Larger members are not probed: the planner would not cache them. */
const MAX_PROBE = 16 << 20;

/**
 * Over HTTP/S3, the request that opens SRC fetches the member itself (local
 * header, data, descriptor), and zipindex's open read is served from it: one
 * request in all. Local files ignore the probe.
 */
function memberProbe(file: IndexFile): { probe?: { start: number; end: number } } {
  const start = file.offset;
  const length =
    LOCAL_HEADER +
    BigInt(nameBytes(file).length) +
    BigInt(EXTRA_ALLOWANCE) +
    file.compressedSize +
    BigInt(DESCRIPTOR_MAX);
  if (start < 0n || length > BigInt(MAX_PROBE) || start + length > BigInt(Number.MAX_SAFE_INTEGER))
    return {};
  return { probe: { start: Number(start), end: Number(start + length) } };
}

function fileRow(f: IndexFile): FileRow {
  return {
    name: f.name,
    ...(f.rawName ? { rawName: f.rawName } : {}),
    size: f.uncompressedSize,
    compressedSize: f.compressedSize,
    method: methodName(f.method),
    localHeaderOffset: f.offset,
    crc32: f.crc32 === 0 && f.flags & 8 ? null : f.crc32,
    flags: f.flags,
    custom: Object.fromEntries(f.custom ?? []),
  };
}

/** Table cells: CRC-32 and flags in hex, custom as KEY=VALUE pairs. */
function tableRow(r: FileRow): Record<string, unknown> {
  return {
    ...r,
    crc32: r.crc32 === null ? 'descriptor' : hex(r.crc32, 8),
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
    ['compressed', `${count(Number(r.compressedSize))} bytes (${r.method})`],
    ['offset', `${count(Number(r.localHeaderOffset))} (local header)`],
    ['crc32', r.crc32 === null ? 'in the data descriptor' : String(t.crc32)],
    ['flags', String(t.flags)],
  ];
  for (const [k, v] of Object.entries(r.custom)) lines.push(['custom', `${k}=${v}`]);
  return lines.map(([k, v]) => `${k.padEnd(10)} ${v}\n`).join('');
}
