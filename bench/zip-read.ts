// ZIP reading: listing a 100,000-entry archive and reading 1,000 random
// members, cozip vs yauzl vs zip.js, all three reading the file by ranges.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { type FileHandle, mkdir, open, stat } from 'node:fs/promises';
import { configure, type FileEntry, Reader, Uint8ArrayWriter, ZipReader } from '@zip.js/zip.js';
import yauzl from 'yauzl';
import type { ZipEntry } from '../src/zip/entry.js';
import { readEntry } from '../src/zip/entry-data.js';
import { createFileSink } from '../src/zip/file-sink.js';
import { openZip } from '../src/zip/reader.js';
import { ZipWriter } from '../src/zip/writer.js';
import {
  type BenchConfig,
  between,
  dataDir,
  log,
  pickDistinct,
  prng,
  randomBytes,
  textBytes,
} from './data.js';
import { mib, mibPerSec, ms, num, perSec, section, table } from './table.js';
import { measure } from './timing.js';

// zip.js in the main thread (Node has no Web Workers), inflating with the
// runtime's DecompressionStream (node:zlib underneath).
configure({ useWebWorkers: false, useCompressionStream: true });

const FIXED_TIME = new Date(Date.UTC(2024, 4, 1, 12, 0, 0));

/** Builds (once) the archive: small members, 1/3 random bytes stored, 2/3 text deflated. */
async function archive(entries: number): Promise<string> {
  const path = `${dataDir}read-${entries}-v1.zip`;
  if (existsSync(path)) return path;
  log(`generating ${path} with cozip's ZipWriter`);
  await mkdir(dataDir, { recursive: true });
  // The file sink writes a temp file and renames it: no half-written cache.
  const writer = new ZipWriter(await createFileSink(path), { mtime: FIXED_TIME });
  const next = prng(42);
  for (let i = 0; i < entries; i++) {
    const size = between(next, 0, 2048);
    const stored = next() % 3 === 0;
    const name = `d${i % 64}/s${(i >> 6) % 16}/f${i}.${stored ? 'bin' : 'txt'}`;
    const data = stored ? randomBytes(next, size) : textBytes(next, size);
    await writer.add(name, data, { method: stored ? 0 : 8 });
  }
  await writer.finish();
  return path;
}

// --- yauzl ---

function yauzlOpen(path: string): Promise<{ zip: yauzl.ZipFile; entries: yauzl.Entry[] }> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (err, zip) => {
      if (err || !zip) return reject(err);
      const entries: yauzl.Entry[] = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        entries.push(entry);
        zip.readEntry();
      });
      zip.on('end', () => resolve({ zip, entries }));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

function yauzlRead(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err || !stream) return reject(err);
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => resolve(Buffer.concat(chunks)));
      stream.on('error', reject);
    });
  });
}

// --- zip.js ---

/** A zip.js Reader doing positional reads on a file, like the other two libraries. */
class FileRangeReader extends Reader<string> {
  private handle: FileHandle | undefined;

  constructor(private readonly path: string) {
    super(path);
  }

  override async init(): Promise<void> {
    this.handle = await open(this.path, 'r');
    this.size = (await this.handle.stat()).size;
    await super.init?.();
  }

  override async readUint8Array(index: number, length: number): Promise<Uint8Array> {
    const n = Math.max(0, Math.min(length, this.size - index));
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const { bytesRead } = await this.handle!.read(out, filled, n - filled, index + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return out.subarray(0, filled);
  }

  async close(): Promise<void> {
    await this.handle?.close();
  }
}

async function zipjsOpen(path: string) {
  const file = new FileRangeReader(path);
  const zip = new ZipReader(file);
  const entries = await zip.getEntries();
  const close = async () => {
    await zip.close();
    await file.close();
  };
  return { entries, close };
}

// --- the suite ---

/** Short digest of what a library listed, to show that all three agree. */
function listDigest(rows: Iterable<[string, number, number]>): string {
  const h = createHash('sha256');
  for (const [name, size, crc] of rows) h.update(`${name}\0${size}\0${crc}\n`);
  return h.digest('hex').slice(0, 12);
}

interface ReadResult {
  digest: string;
  bytes: number;
}

/** Reads the members one after another, hashing their content in order. */
async function readAll<E>(
  members: E[],
  read: (entry: E) => Promise<Uint8Array>,
): Promise<ReadResult> {
  const h = createHash('sha256');
  let bytes = 0;
  for (const entry of members) {
    const data = await read(entry);
    h.update(data);
    bytes += data.length;
  }
  return { digest: h.digest('hex').slice(0, 12), bytes };
}

interface Opened<E> {
  members: E[];
  read: (entry: E) => Promise<Uint8Array>;
  close: () => Promise<void>;
}

/**
 * Times reading the members; every run opens the archive afresh, untimed,
 * so nothing cached by a previous run helps.
 */
async function timeReads<E>(open: () => Promise<Opened<E>>, options: { runs: number }) {
  let opened: Opened<E> | undefined;
  const before = async () => {
    await opened?.close();
    opened = await open();
  };
  const m = await measure(() => readAll(opened!.members, opened!.read), { ...options, before });
  await opened?.close();
  return m;
}

export async function runZipRead(config: BenchConfig): Promise<string> {
  const path = await archive(config.entries);
  const size = (await stat(path)).size;
  const opts = { runs: config.runs };

  // (a) open + list every entry.
  log(`read: listing ${num(config.entries)} entries`);
  const lists = [
    {
      name: 'cozip `openZip`',
      m: await measure(async () => {
        const z = await openZip(path);
        await z.source.close?.();
        return z.entries.map((e): [string, number, number] => [
          e.name,
          e.uncompressedSize,
          e.crc32,
        ]);
      }, opts),
    },
    {
      name: 'yauzl `open` + `readEntry` loop',
      m: await measure(async () => {
        const { zip, entries } = await yauzlOpen(path);
        zip.close();
        return entries.map((e): [string, number, number] => [
          e.fileName,
          e.uncompressedSize,
          e.crc32,
        ]);
      }, opts),
    },
    {
      name: 'zip.js `getEntries`',
      m: await measure(async () => {
        const { entries, close } = await zipjsOpen(path);
        await close();
        return entries.map((e): [string, number, number] => [
          e.filename,
          e.uncompressedSize,
          e.crc32 ?? -1,
        ]);
      }, opts),
    },
  ];
  // The mapping to [name, size, crc] rows is in the timed part for all three alike.
  const listRows = lists.map(({ name, m }) => [
    name,
    ms(m.ms),
    perSec(m.result.length, m.ms),
    num(m.result.length),
    listDigest(m.result),
  ]);
  const listAgree = new Set(listRows.map((r) => r[4])).size === 1;

  // (b) 1,000 random members read fully, the same ones in the same order.
  const indices = pickDistinct(config.entries, config.members, 7);
  log(`read: reading ${num(indices.length)} random members`);
  const wanted = indices.map((i) => lists[0].m.result[i][0]);
  const byName = <E>(entries: E[], nameOf: (e: E) => string) => {
    const map = new Map(entries.map((e) => [nameOf(e), e]));
    return wanted.map((n) => map.get(n)!);
  };
  const reads = [
    {
      name: 'cozip `readEntry`',
      m: await timeReads(async () => {
        const z = await openZip(path);
        return {
          members: indices.map((i) => z.entries[i]),
          read: (e: ZipEntry) => readEntry(z, e),
          close: async () => z.source.close?.(),
        };
      }, opts),
    },
    {
      name: 'yauzl `openReadStream`',
      m: await timeReads(async () => {
        const { zip, entries } = await yauzlOpen(path);
        return {
          members: byName(entries, (e) => e.fileName),
          read: (e: yauzl.Entry) => yauzlRead(zip, e),
          close: async () => zip.close(),
        };
      }, opts),
    },
    {
      name: 'zip.js `getData(Uint8ArrayWriter)`',
      m: await timeReads(async () => {
        const { entries, close } = await zipjsOpen(path);
        return {
          members: byName(entries, (e) => e.filename) as FileEntry[],
          read: (e: FileEntry) => e.getData(new Uint8ArrayWriter(), { checkCrc32: true }),
          close,
        };
      }, opts),
    },
  ];
  const readRows = reads.map(({ name, m }) => [
    name,
    ms(m.ms),
    perSec(indices.length, m.ms),
    mibPerSec(m.result.bytes, m.ms),
    m.result.digest,
  ]);
  const readAgree = new Set(readRows.map((r) => r[4])).size === 1;
  if (!listAgree || !readAgree) process.exitCode = 1;

  const stored = lists[0].m.result;
  const total = stored.reduce((sum, [, s]) => sum + s, 0);
  const archiveNote =
    `Archive: ${num(config.entries)} entries (${mib(total)} MiB of content: 1/3 random bytes stored, ` +
    `2/3 log-like text deflated, 0–2 KiB each), ${mib(size)} MiB, written by cozip's ZipWriter; ` +
    `file in the page cache. Median of ${config.runs} runs after 1 warm-up.`;
  return [
    section(
      `ZIP reading: open and list ${num(config.entries)} entries`,
      table(['Library', 'Median (ms)', 'Entries/s', 'Entries', 'Listing digest'], listRows),
      [
        archiveNote,
        'All three read the file by ranges: cozip and yauzl through their file sources, zip.js ' +
          'through a `Reader` subclass doing positional `FileHandle.read`s.',
        `Listing digest: SHA-256 of every (name, size, CRC-32); ${listAgree ? 'the three agree' : '**MISMATCH**'}.`,
      ],
    ),
    section(
      `ZIP reading: ${num(indices.length)} random members read in full`,
      table(['Library', 'Median (ms)', 'Members/s', 'MiB/s', 'Content digest'], readRows),
      [
        `The same ${num(indices.length)} members in the same random order, one at a time; ` +
          `${mib(reads[0].m.result.bytes)} MiB decompressed. Each run opens the archive afresh (untimed).`,
        `Content digest: SHA-256 of the members' bytes in order; ${readAgree ? 'the three agree' : '**MISMATCH**'}.`,
        'cozip and zip.js (`checkCrc32: true`) verify each CRC-32; yauzl checks sizes only. ' +
          'zip.js runs without Web Workers and inflates with the native `DecompressionStream`.',
      ],
    ),
  ].join('\n');
}
