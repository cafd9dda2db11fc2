// The fuzz targets: every parser of the library, each with seeds built by the
// library itself plus the shared fixtures, the record fields its mutations
// aim at, and a run that drives the parser as far as the bytes allow.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { readTable, tableRows } from '../src/cli/inputs.js';
import { integrityHash } from '../src/cozip/hash.js';
import { readManifest } from '../src/cozip/manifest.js';
import { openManifest } from '../src/cozip/manifest-read.js';
import {
  type CozipArchive,
  openCozip,
  openMember,
  readMember,
  readMemberRange,
  readPriorityFile,
} from '../src/cozip/reader.js';
import { validateCozip } from '../src/cozip/validate.js';
import { writeCozip } from '../src/cozip/writer.js';
import { CozipError } from '../src/errors.js';
import { bytesSource } from '../src/io/bytes-source.js';
import { detectAll } from '../src/sozip/detect.js';
import { closeSozipMember, openSozipMember, readRange } from '../src/sozip/random-access.js';
import { validateSozip } from '../src/sozip/validate.js';
import { SozipWriter } from '../src/sozip/writer.js';
import { getU32, putU32 } from '../src/zip/bytes.js';
import { checkZip } from '../src/zip/check.js';
import { crc32 } from '../src/zip/codecs.js';
import { openEntry, readLocalRecord } from '../src/zip/entry-data.js';
import { planExtraction } from '../src/zip/extract-plan.js';
import { openZip, type ZipArchive } from '../src/zip/reader.js';
import { bufferSink } from '../src/zip/sink.js';
import { ZipWriter } from '../src/zip/writer.js';
import {
  deserializeFiles,
  deserializeLayered,
  type File,
  findSerialized,
  LayeredIndex,
  optimizeSize,
  readDir,
  serialize,
  serializeLayered,
  stringRefSerializer,
} from '../src/zipindex/index.js';
import { zstdCompress, zstdDecompress } from '../src/zipindex/zstd.js';
import { rng } from '../test/helpers/random.js';
import { synthetic } from '../test/zipindex/synthetic.js';
import { regionFields, zipFields } from './fields.js';
import type { Field, Random } from './mutate.js';

export interface Seed {
  label: string;
  bytes: Uint8Array;
  /** Record fields of this seed (computed once). */
  fields: Field[];
  /** Picked this many times more often than a weight-1 seed. */
  weight?: number;
}

export interface Target {
  name: string;
  what: string;
  seeds(): Promise<Seed[]>;
  dictionary: Uint8Array[];
  /** An inner layer mutated instead of the outer bytes (a zstd payload, say). */
  inner?: {
    unwrap(b: Uint8Array): Uint8Array | undefined;
    wrap(inner: Uint8Array, outer: Uint8Array): Promise<Uint8Array>;
  };
  /** Applied after mutating with probability 1/2: checksums recomputed so deeper checks run. */
  reseal?(b: Uint8Array): Uint8Array;
  /** Drives the parser; returns the typed error codes met (CozipErrors are caught by `step`). */
  run(bytes: Uint8Array, seed: Seed, ctx: RunContext): Promise<void>;
}

export interface RunContext {
  /** A private temporary folder (files the CLI readers need). */
  dir: string;
  /** Records a typed error; rethrows anything else. */
  step<T>(fn: () => T | Promise<T>): Promise<T | undefined>;
  /** Records the codes of problems a check reported (a report is a typed outcome). */
  note(codes: string[]): void;
}

const FIXTURES = new URL('../../shared/fixtures/', import.meta.url).pathname;
const MTIME = new Date(Date.UTC(2024, 0, 2, 3, 4, 6));
const enc = new TextEncoder();
const sig = (n: number) => Uint8Array.of(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24);

const ZIP_DICTIONARY = [
  sig(0x04034b50),
  sig(0x02014b50),
  sig(0x06054b50),
  sig(0x06064b50),
  sig(0x07064b50),
  sig(0x08074b50),
  enc.encode('../'),
  enc.encode('..\\'),
  enc.encode('/'),
  enc.encode('C:\\'),
  enc.encode('\\\\server\\share\\'),
  enc.encode('%2e%2e%2f'),
  Uint8Array.of(0x01, 0x00, 0x10, 0x00), // ZIP64 extra, 16 bytes
  Uint8Array.of(0x75, 0x70, 0x09, 0x00, 0x01), // Unicode Path extra
  Uint8Array.of(0x55, 0x54, 0x05, 0x00, 0x01), // extended timestamp
  Uint8Array.of(0xff, 0xff, 0xff, 0xff),
  Uint8Array.of(0xff, 0xff),
  Uint8Array.of(0, 0, 0, 0),
];

function fixture(path: string): Uint8Array | undefined {
  const full = join(FIXTURES, path);
  return existsSync(full) ? new Uint8Array(readFileSync(full)) : undefined;
}

function fixtureZips(): Array<[string, Uint8Array]> {
  const out: Array<[string, Uint8Array]> = [];
  for (const dir of ['zips', 'zips-yauzl/success', 'zips-yauzl/failure', 'sozip', 'cozip']) {
    const full = join(FIXTURES, dir);
    if (!existsSync(full)) continue;
    for (const f of readdirSync(full).sort()) {
      if (!/\.(zip|cozip|notzip|png)$/.test(f)) continue;
      const b = readFileSync(join(full, f));
      // Seeds stay small so an input costs milliseconds.
      if (b.length <= 128 * 1024) out.push([`${dir}/${f}`, new Uint8Array(b)]);
    }
  }
  return out;
}

function text(seed: number, n: number): Uint8Array {
  const random = rng(seed);
  const words = ['lorem', 'ipsum', 'dolor', 'sit', 'amet', 'cozip', 'zip', '\n'];
  let s = '';
  while (s.length < n) s += `${words[Math.floor(random() * words.length)]} `;
  return enc.encode(s.slice(0, n));
}

async function* pieces(b: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let o = 0; o < b.length; o += size) yield b.subarray(o, o + size);
}

/** Small ZIPs from our own writer: stored, deflated, streamed (data descriptors), ZIP64, dirs. */
async function builtZips(): Promise<Array<[string, Uint8Array]>> {
  const out: Array<[string, Uint8Array]> = [];
  {
    const sink = bufferSink();
    const w = new ZipWriter(sink, { mtime: MTIME, comment: 'fuzz seed' });
    await w.add('a.txt', text(1, 700));
    await w.add('stored.bin', text(2, 90), { method: 0 });
    await w.addDirectory('dir');
    await w.add('dir/ü.txt', text(3, 300), { comment: 'unicode' });
    await w.finish();
    out.push(['built/plain', sink.bytes().slice()]);
  }
  {
    const sink = bufferSink();
    const w = new ZipWriter(sink, { mtime: MTIME, zip64: 'always' });
    await w.add('z64.txt', text(4, 400));
    await w.add('z64-stored.txt', text(5, 50), { method: 0 });
    await w.finish();
    out.push(['built/zip64', sink.bytes().slice()]);
  }
  {
    const sink = bufferSink();
    const w = new ZipWriter(sink, { mtime: MTIME, extendedTimestamp: true });
    await w.add('streamed.txt', pieces(text(6, 2000), 300));
    await w.add('streamed-stored.txt', pieces(text(7, 100), 30), { method: 0 });
    await w.finish();
    out.push(['built/streamed', sink.bytes().slice()]);
  }
  return out;
}

const memo = <T>(f: () => Promise<T>) => {
  let p: Promise<T> | undefined;
  return () => {
    p ??= f();
    return p;
  };
};

const allZips = memo(async () => [...(await builtZips()), ...fixtureZips()]);

function zipSeeds(list: Array<[string, Uint8Array]>): Seed[] {
  return list.map(([label, bytes]) => ({
    label,
    bytes,
    fields: zipFields(bytes),
    // Our own small archives carry every record kind: pick them more often.
    weight: label.startsWith('built/') ? 6 : 1,
  }));
}

/** Drains a stream, stopping after `cap` bytes. */
async function drain(stream: AsyncIterable<Uint8Array>, cap: number): Promise<number> {
  let n = 0;
  for await (const c of stream) {
    n += c.length;
    if (n >= cap) break;
  }
  return n;
}

const ENTRY_CAP = 4 * 1024 * 1024;

/** The reader path: directory, local records, every member streamed, the extraction plan. */
async function exerciseZip(zip: ZipArchive, ctx: RunContext): Promise<void> {
  await ctx.step(() => planExtraction(zip.entries, zip.cdOffset));
  await ctx.step(() => planExtraction(zip.entries, zip.cdOffset, { allowSymlinks: true }));
  for (const e of zip.entries.slice(0, 64)) {
    await ctx.step(() => readLocalRecord(zip, e));
    if (!e.isDirectory) await ctx.step(() => drain(openEntry(zip, e), ENTRY_CAP));
  }
}

const zipTarget: Target = {
  name: 'zip',
  what: 'openZip, readLocalRecord, openEntry, planExtraction (src/zip) and zipindex readDir',
  seeds: async () => zipSeeds(await allZips()),
  dictionary: ZIP_DICTIONARY,
  async run(b, _seed, ctx) {
    await ctx.step(() => readDir(b, b.length));
    const zip = await ctx.step(() => openZip(bytesSource(b)));
    if (zip) await exerciseZip(zip, ctx);
  },
};

const zipCheckTarget: Target = {
  name: 'zip-check',
  what: 'checkZip with content (src/zip/check.ts)',
  seeds: async () => zipSeeds(await allZips()),
  dictionary: ZIP_DICTIONARY,
  async run(b, _seed, ctx) {
    const zip = await ctx.step(() => openZip(bytesSource(b)));
    const report = zip && (await ctx.step(() => checkZip(zip, { content: true })));
    if (report) ctx.note(report.problems.map((p) => p.code));
  },
};

// ---------------------------------------------------------------- cozip

const cozipSeeds = memo(async (): Promise<Seed[]> => {
  const list: Array<[string, Uint8Array]> = [];
  {
    const sink = bufferSink();
    await writeCozip(
      sink,
      [
        { name: 'a.txt', path: text(11, 3000), city: 'lima', n: 1 },
        { name: 'b/c.bin', path: text(12, 200), city: 'paris', n: 2 },
        { name: 'd.txt', path: text(13, 40), city: null, n: 3 },
      ],
      { profile: 'flat', mtime: MTIME },
    );
    list.push(['built/flat', sink.bytes().slice()]);
  }
  {
    const sink = bufferSink();
    await writeCozip(
      sink,
      [
        { name: 'first', path: text(14, 100) },
        { name: 'second', path: text(15, 500) },
      ],
      { profile: 'none', priority: ['first', 'second'], mtime: MTIME },
    );
    list.push(['built/none', sink.bytes().slice()]);
  }
  for (const f of ['flat_simple.cozip', 'flat_geo.cozip']) {
    const b = fixture(`cozip/${f}`);
    if (b) list.push([`cozip/${f}`, b]);
  }
  return list.map(([label, bytes]) => ({ label, bytes, fields: cozipFields(bytes) }));
});

/** ZIP fields, the index payload's fields, and the manifest footer length. */
function cozipFields(b: Uint8Array): Field[] {
  const out = zipFields(b);
  const n = getU32(b, 18);
  out.push(...regionFields(51, 11, 1, 'index.header'));
  out.push({ at: 55, width: 2, name: 'index.version' }, { at: 58, width: 4, name: 'index.count' });
  // Offsets and sizes are the payload's last 16 bytes per entry.
  const count = getU32(b, 58);
  const tables = 51 + n - 16 * count;
  out.push(...regionFields(tables, 16 * count, 8, 'index.offsets/sizes'));
  out.push(...regionFields(tables - 2 * count - 64, 2 * count, 2, 'index.nameLens'));
  const par = Buffer.from(b).lastIndexOf('PAR1');
  if (par > 8) out.push({ at: par - 4, width: 4, name: 'parquet.footerLen' });
  return out;
}

/** Index CRC and integrity hash recomputed: the mutation reaches the checks behind them. */
function resealCozip(b: Uint8Array): Uint8Array {
  if (b.length < 51 + 32768) return b;
  const n = getU32(b, 18);
  if (51 + n > b.length) return b;
  const out = b.slice();
  const payload = out.subarray(51, 51 + n);
  putU32(out, 14, crc32(payload));
  out.set(integrityHash(payload, out.subarray(out.length - 32768), out.length), 43);
  return out;
}

const COZIP_DICTIONARY = [
  ...ZIP_DICTIONARY,
  enc.encode('CZIP'),
  enc.encode('__cozip__'),
  enc.encode('__metadata__'),
  enc.encode('__cozip_padding__'),
  enc.encode('PAR1'),
];

async function exerciseCozip(cz: CozipArchive, ctx: RunContext): Promise<void> {
  for (const e of cz.index.slice(0, 8)) await ctx.step(() => readPriorityFile(cz, e.name));
  if (cz.profile !== 1) return;
  const rows = await ctx.step(() => readManifest(cz));
  for (const row of (rows ?? []).slice(0, 16)) {
    await ctx.step(() => readMember(cz, row));
    const size = typeof row.size === 'number' ? row.size : 0;
    await ctx.step(() => readMemberRange(cz, row, 0, Math.min(size, 16)));
    await ctx.step(() => drain(openMember(cz, row), ENTRY_CAP));
  }
  await ctx.step(() => readManifest(cz, { columns: ['name'], location: false }));
}

const cozipTarget: Target = {
  name: 'cozip',
  what: 'openCozip, the manifest, readMember/readMemberRange/openMember (src/cozip)',
  seeds: cozipSeeds,
  dictionary: COZIP_DICTIONARY,
  reseal: resealCozip,
  async run(b, _seed, ctx) {
    const cz = await ctx.step(() => openCozip(bytesSource(b), { verifyHash: true }));
    if (cz) await exerciseCozip(cz, ctx);
    else {
      // Past a bad hash too: the index and members as an unverified reader sees them.
      const loose = await ctx.step(() => openCozip(bytesSource(b), { verifyHash: false }));
      if (loose) await exerciseCozip(loose, ctx);
    }
  },
};

const cozipValidateTarget: Target = {
  name: 'cozip-validate',
  what: 'validateCozip with content (src/cozip/validate.ts)',
  seeds: cozipSeeds,
  dictionary: COZIP_DICTIONARY,
  reseal: resealCozip,
  async run(b, _seed, ctx) {
    const report = await ctx.step(() => validateCozip(bytesSource(b), { content: true }));
    if (report) ctx.note(report.problems.map((p) => p.code));
  },
};

// ------------------------------------------------------------- manifest

const parquetSeeds = memo(async (): Promise<Array<[string, Uint8Array]>> => {
  const out: Array<[string, Uint8Array]> = [];
  for (const s of await cozipSeeds()) {
    const cz = await openCozip(s.bytes);
    const md = cz.index.find((e) => e.name === '__metadata__');
    if (md) out.push([`${s.label}#manifest`, s.bytes.slice(md.offset, md.offset + md.size)]);
  }
  out.push([
    'built/table.parquet',
    new Uint8Array(
      parquetWriteBuffer({
        columnData: [
          { name: 'name', data: ['a.txt', 'b.txt', 'c/d.txt'] },
          { name: 'path', data: ['a.txt', 'b.txt', 'missing.txt'] },
          { name: 'n', data: [1, 2, null], type: 'INT32' },
          { name: 'big', data: [1n, 2n ** 40n, 3n], type: 'INT64' },
          { name: 'ok', data: [true, false, true], type: 'BOOLEAN' },
          { name: 'when', data: [MTIME, MTIME, MTIME], type: 'TIMESTAMP' },
        ],
      }),
    ),
  ]);
  return out;
});

function parquetFields(b: Uint8Array): Field[] {
  const out: Field[] = [];
  if (b.length >= 8) out.push({ at: b.length - 8, width: 4, name: 'parquet.footerLen' });
  const footer = b.length >= 8 ? getU32(b, b.length - 8) : 0;
  // Thrift compact integers are varints: single bytes in the footer are fields.
  const start = Math.max(4, b.length - 8 - footer);
  out.push(...regionFields(start, b.length - 8 - start, 1, 'parquet.footer'));
  return out;
}

const PARQUET_DICTIONARY = [
  enc.encode('PAR1'),
  Uint8Array.of(0x15, 0x00),
  Uint8Array.of(0x19, 0x1c),
  Uint8Array.of(0x16, 0xff, 0xff, 0xff, 0xff, 0x0f),
  Uint8Array.of(0x00),
  Uint8Array.of(0xff, 0xff, 0xff, 0x7f),
];

const manifestTarget: Target = {
  name: 'manifest',
  what: 'openManifest and its rows (src/cozip/manifest-read.ts, parquet-guard.ts)',
  seeds: async () =>
    (await parquetSeeds()).map(([label, bytes]) => ({
      label,
      bytes,
      fields: parquetFields(bytes),
    })),
  dictionary: PARQUET_DICTIONARY,
  async run(b, _seed, ctx) {
    const m = await ctx.step(() => openManifest(bytesSource(b), 0, b.length));
    if (!m) return;
    await ctx.step(() => m.rows());
    await ctx.step(() => m.rows({ columns: ['name', 'size'], rowStart: 1 }));
    await ctx.step(() => m.columnsData());
  },
};

// ---------------------------------------------------------------- sozip

const sozipSeeds = memo(async (): Promise<Seed[]> => {
  const list: Array<[string, Uint8Array]> = [];
  for (const [label, chunkSize, items] of [
    ['built/sozip', 1024, [['s.txt', text(21, 5000)] as const, ['t.txt', text(22, 2500)] as const]],
    ['built/sozip-one', 512, [['one.txt', text(23, 1600)] as const]],
  ] as const) {
    const sink = bufferSink();
    const w = new SozipWriter(sink, {
      chunkSize,
      threads: 1,
      mtime: MTIME,
      onWarning: () => {},
    });
    for (const [name, data] of items) await w.add(name, data);
    await w.finish();
    list.push([label, sink.bytes().slice()]);
  }
  {
    const sink = bufferSink();
    const w = new SozipWriter(sink, {
      chunkSize: 1024,
      threads: 1,
      mtime: MTIME,
      onWarning: () => {},
    });
    await w.add('streamed.txt', pieces(text(24, 4000), 700));
    await w.finish();
    list.push(['built/sozip-streamed', sink.bytes().slice()]);
  }
  const foo = fixture('sozip/foo.zip');
  if (foo) list.push(['sozip/foo.zip', foo]);
  return list.map(([label, bytes]) => ({ label, bytes, fields: sozipFields(bytes) }));
});

/** ZIP fields plus each hidden index's header and offsets. */
function sozipFields(b: Uint8Array): Field[] {
  const out = zipFields(b);
  const text = Buffer.from(b);
  let at = text.indexOf('.sozip.idx');
  while (at >= 0) {
    // A local header's name ends right before its extra and data.
    const header = text.lastIndexOf(Buffer.from(sig(0x04034b50)), at);
    if (header >= 0 && header + 30 <= b.length) {
      const data =
        header +
        30 +
        (b[header + 26] | (b[header + 27] << 8)) +
        (b[header + 28] | (b[header + 29] << 8));
      if (data + 32 <= b.length) {
        out.push(
          { at: data, width: 4, name: 'sozip.version' },
          { at: data + 4, width: 4, name: 'sozip.skip' },
          { at: data + 8, width: 4, name: 'sozip.chunkSize' },
          { at: data + 12, width: 4, name: 'sozip.offsetSize' },
          { at: data + 16, width: 8, name: 'sozip.usize' },
          { at: data + 24, width: 8, name: 'sozip.csize' },
        );
        out.push(
          ...regionFields(data + 32, Math.min(8 * 16, b.length - data - 32), 8, 'sozip.offset'),
        );
      }
    }
    at = text.indexOf('.sozip.idx', at + 1);
  }
  return out;
}

const sozipTarget: Target = {
  name: 'sozip',
  what: 'openSozipMember, readRange, detectAll, validateSozip deep (src/sozip)',
  seeds: sozipSeeds,
  dictionary: [...ZIP_DICTIONARY, enc.encode('.sozip.idx'), Uint8Array.of(1, 0, 0, 0)],
  async run(b, _seed, ctx) {
    const zip = await ctx.step(() => openZip(bytesSource(b)));
    if (!zip) return;
    await ctx.step(() => detectAll(zip));
    for (const e of zip.entries.slice(0, 8)) {
      if (e.isDirectory || e.name.endsWith('.sozip.idx')) continue;
      const m = await ctx.step(() => openSozipMember(zip, e, { onWarning: () => {} }));
      if (!m) continue;
      const size = Math.min(m.size, 1 << 30);
      for (const [o, n] of [
        [0, 100],
        [Math.floor(size / 2), 3000],
        [Math.max(0, size - 10), 20],
        [1025, 1],
      ]) {
        await ctx.step(() => readRange(m, o, n));
      }
      await ctx.step(() => closeSozipMember(m));
    }
    const report = await ctx.step(() => validateSozip(zip, { deep: true }));
    if (report) ctx.note(report.problems.map((p) => p.code));
  },
};

// ------------------------------------------------------------- zipindex

const zipindexSeeds = memo(async (): Promise<Seed[]> => {
  const list: Array<[string, Uint8Array, number]> = [];
  for (const [label, zip] of (await allZips()).slice(0, 40)) {
    let files: File[];
    try {
      files = readDir(zip, zip.length);
    } catch {
      continue;
    }
    if (files.length === 0) continue;
    list.push([`${label}#index`, await serialize(files), 1]);
  }
  list.push(['synthetic/type1', await serialize(synthetic(4, 11)), 4]);
  list.push([
    'synthetic/type2',
    await serialize(synthetic(9, 12, { custom: true, exotic: true })),
    4,
  ]);
  list.push([
    'synthetic/type3',
    await serialize(optimizeSize(synthetic(60, 13, { custom: true, exotic: true }))),
    4,
  ]);
  list.push(['synthetic/type4', await serialize(optimizeSize(synthetic(25_000, 14))), 1]);
  const layered = new LayeredIndex<string>();
  layered.addLayer(synthetic(5, 21), 'base');
  layered.addLayer(synthetic(12, 22, { custom: true }), 'more');
  layered.addDeleteLayer(synthetic(2, 21), 'gone');
  list.push(['layered', await serializeLayered(layered, stringRefSerializer), 4]);
  return list.map(([label, bytes, weight]) => ({
    label,
    bytes,
    weight,
    fields: regionFields(1, Math.min(bytes.length - 1, 512), 1, 'msgpack'),
  }));
});

const MSGPACK_DICTIONARY = [
  0xc0, 0xc2, 0xc4, 0xc5, 0xc6, 0xcb, 0xcc, 0xcd, 0xce, 0xcf, 0xd3, 0xd9, 0xda, 0xdb, 0xdc, 0xdd,
  0xde, 0xdf, 0x90, 0x80, 0xa0,
].map((x) => Uint8Array.of(x));
MSGPACK_DICTIONARY.push(
  Uint8Array.of(0xdd, 0xff, 0xff, 0xff, 0xff),
  Uint8Array.of(0xc6, 0x7f, 0xff, 0xff, 0xff),
  Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd), // zstd magic
);

const zipindexTarget: Target = {
  name: 'zipindex',
  what: 'deserializeFiles, findSerialized, deserializeLayered (src/zipindex)',
  seeds: zipindexSeeds,
  dictionary: MSGPACK_DICTIONARY,
  inner: {
    // Types 2 and 3 are a type byte and a zstd frame: the MessagePack inside is mutated.
    unwrap: (b) => (b[0] === 2 || b[0] === 3 ? zstdDecompress(b.subarray(1)) : undefined),
    wrap: async (inner, outer) => {
      const frame = await zstdCompress(inner);
      const out = new Uint8Array(1 + frame.length);
      out[0] = outer[0];
      out.set(frame, 1);
      return out;
    },
  },
  async run(b, seed, ctx) {
    if (seed.label === 'layered') {
      const l = await ctx.step(() => deserializeLayered(b, stringRefSerializer));
      if (l) {
        await ctx.step(() => l.files());
        await ctx.step(() => l.find('d1/s0/file-1.txt'));
      }
      return;
    }
    const files = await ctx.step(() => deserializeFiles(b));
    const name = files?.[Math.floor(files.length / 2)]?.name ?? 'd0/s0/file-0.txt';
    await ctx.step(() => findSerialized(b, name));
    await ctx.step(() => findSerialized(b, 'not/there'));
  },
};

// ------------------------------------------------------------ cli tables

const tableSeeds = memo(async (): Promise<Seed[]> => {
  const list: Array<[string, Uint8Array]> = [
    [
      'csv/plain.csv',
      enc.encode('name,path,n,city\na.txt,a.txt,1,lima\nb.txt,b.txt,2.5,"paris, fr"\n'),
    ],
    [
      'csv/quoted.csv',
      enc.encode(
        '\uFEFFname,path,"note ""q""",code\r\n"x,y.txt",a.txt,"multi\r\nline",007\r\nz.txt,a.txt,,1e3\r\n',
      ),
    ],
    [
      'json/array.json',
      enc.encode(
        JSON.stringify([
          { name: 'a.txt', path: 'a.txt', n: 1, tags: ['x'] },
          { name: 'b', path: 'a.txt', o: { k: null } },
        ]),
      ),
    ],
    [
      'json/lines.jsonl',
      enc.encode(
        '{"name":"a.txt","path":"a.txt","n":1}\n\n{"name":"c","path":"../a.txt","big":12345678901234567890}\n',
      ),
    ],
    ['json/object.json', enc.encode('{"name":"a.txt","path":"a.txt"}')],
  ];
  for (const [label, bytes] of await parquetSeeds()) list.push([`parquet/${label}.parquet`, bytes]);
  return list.map(([label, bytes]) => ({
    label,
    bytes,
    fields: label.startsWith('parquet/') ? parquetFields(bytes) : [],
  }));
});

const TABLE_DICTIONARY = [
  '"',
  ',',
  '\n',
  '\r',
  '\r\n',
  '""',
  '\uFEFF',
  '{',
  '}',
  '[',
  ']',
  '"name"',
  '"path"',
  ':',
  'null',
  '1e999',
  '-0',
  '\\u0000',
  '../',
  '/etc/',
  'name',
  'path',
].map((s) => enc.encode(s));

const tablesTarget: Target = {
  name: 'cli-tables',
  what: 'the CLI table readers: CSV, JSON, Parquet (src/cli/csv.ts, inputs.ts)',
  seeds: tableSeeds,
  dictionary: [...TABLE_DICTIONARY, ...PARQUET_DICTIONARY],
  async run(b, seed, ctx) {
    const ext = seed.label.slice(seed.label.lastIndexOf('.'));
    const path = join(ctx.dir, `table${ext}`);
    writeFileSync(path, b);
    const table = await ctx.step(() => readTable(path, { textColumns: ['name', 'path'] }));
    if (table)
      await ctx.step(() => tableRows(table.records, path, { nameCol: 'name', pathCol: 'path' }));
  },
};

export const TARGETS: Target[] = [
  zipTarget,
  zipCheckTarget,
  cozipTarget,
  cozipValidateTarget,
  manifestTarget,
  sozipTarget,
  zipindexTarget,
  tablesTarget,
];

/** Targets that misbehave on purpose: the fence's own tests (not run by default). */
const selfTest = (name: string, misbehave: (b: Uint8Array) => Promise<void> | void): Target => ({
  name,
  what: `self-test of the fence: ${name.slice('selftest-'.length)}`,
  seeds: async () => [{ label: 'selftest', bytes: Uint8Array.of(1, 2, 3, 4), fields: [] }],
  dictionary: [],
  // Every input misbehaves: the run must resume after each.
  run: async (b, _seed, ctx) => {
    await ctx.step(() => misbehave(b));
  },
});

export const SELF_TESTS: Target[] = [
  selfTest('selftest-untyped', () => {
    throw new TypeError('untyped on purpose');
  }),
  selfTest('selftest-hang', () => {
    for (;;);
  }),
  selfTest('selftest-oom', () => {
    const hold: number[][] = [];
    for (;;) hold.push(new Array(1e6).fill(1.5));
  }),
  selfTest('selftest-crash', () => {
    process.exit(3);
  }),
  selfTest('selftest-rejection', () => {
    Promise.reject(new Error('nobody waits for this'));
  }),
];

export function targetByName(name: string): Target {
  const t = [...TARGETS, ...SELF_TESTS].find((x) => x.name === name);
  if (!t) {
    throw new CozipError(
      'INVALID_ARGUMENT',
      `no fuzz target ${name} (targets: ${TARGETS.map((x) => x.name).join(', ')})`,
    );
  }
  return t;
}

/** The private folder of a runner: a file the table readers' rows can point at. */
export function prepareDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'a.txt'), 'hello');
}

export type { Random };
