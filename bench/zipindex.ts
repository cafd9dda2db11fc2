// zipindex: how small the serialized index of a 1,000,000-entry ZIP is next
// to its central directory, and what one lookup in it costs compared with
// decoding the whole index.
import { existsSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { createFileSink } from '../src/zip/file-sink.js';
import { openZip } from '../src/zip/reader.js';
import { ZipWriter } from '../src/zip/writer.js';
import {
  cloneFile,
  deserializeFiles,
  type File,
  findFile,
  findSerialized,
  optimizeSize,
  readFile,
  serialize,
} from '../src/zipindex/index.js';
import { type BenchConfig, between, dataDir, log, prng, textBytes } from './data.js';
import { ms, num, section, table } from './table.js';
import { measure } from './timing.js';

const FIXED_TIME = new Date(Date.UTC(2024, 4, 1, 12, 0, 0));

/** Entries of the archive: BENCH_INDEX_ENTRIES, else 1,000,000 (100,000 with BENCH_QUICK=1). */
function indexEntries(env = process.env): number {
  const v = env.BENCH_INDEX_ENTRIES;
  if (v === undefined || v === '') return env.BENCH_QUICK === '1' ? 100_000 : 1_000_000;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new Error('BENCH_INDEX_ENTRIES must be a positive integer');
  return n;
}

async function* once(data: Uint8Array) {
  yield data;
}

/**
 * Builds (once) the archive: small log-like members, 1/3 stored, 2/3 deflated;
 * half written as streams (sizes and CRC in a data descriptor, as streaming
 * writers do), half with the CRC in the headers.
 */
async function archive(entries: number): Promise<string> {
  const path = `${dataDir}zipindex-${entries}-v1.zip`;
  if (existsSync(path)) return path;
  log(`generating ${path} with cozip's ZipWriter`);
  await mkdir(dataDir, { recursive: true });
  const writer = new ZipWriter(await createFileSink(path), { mtime: FIXED_TIME });
  const next = prng(7);
  for (let i = 0; i < entries; i++) {
    const data = textBytes(next, between(next, 0, 300));
    const method = next() % 3 === 0 ? 0 : 8;
    const name = `logs/${2000 + (i % 25)}/${String((i >> 5) % 12).padStart(2, '0')}/part-${i}.log`;
    await writer.add(name, i % 2 ? once(data) : data, { method });
  }
  await writer.finish();
  return path;
}

/** `count` names of `files`, spread over the index, in a fixed random order. */
function sample(files: File[], count: number): string[] {
  const next = prng(11);
  return Array.from({ length: count }, () => files[next() % files.length].name);
}

export async function runZipIndex(config: BenchConfig): Promise<string> {
  const entries = indexEntries();
  const path = await archive(entries);
  const size = (await stat(path)).size;
  const opts = { runs: config.runs };

  log(`zipindex: indexing ${num(entries)} entries`);
  const listed = await measure(async () => {
    const z = await openZip(path);
    await z.source.close?.();
    return z;
  }, opts);
  const indexed = await measure(() => readFile(path), opts);
  const cdSize = listed.result.cdSize;
  const files = indexed.result;
  if (files.length !== entries) throw new Error(`indexed ${files.length} of ${entries} entries`);

  const variants: { name: string; files: () => File[]; chunked: boolean }[] = [
    {
      name: '`optimizeSize` + `serialize` (type 4, chunked)',
      files: () => optimizeSize(files.map(cloneFile)),
      chunked: true,
    },
    {
      name: '`optimizeSize` + `serialize({ chunked: false })` (type 3)',
      files: () => optimizeSize(files.map(cloneFile)),
      chunked: false,
    },
    {
      name: '`serialize` without `optimizeSize` (type 4, CRCs kept)',
      files: () => files.map(cloneFile),
      chunked: true,
    },
  ];
  const sizeRows: string[][] = [
    ['Raw central directory', '–', num(cdSize), num(cdSize / entries, 1), '100.0 %'],
  ];
  const blobs: Uint8Array[] = [];
  for (const v of variants) {
    log(`zipindex: ${v.name}`);
    const input = v.files();
    const m = await measure(() => serialize(input, { chunked: v.chunked }), {
      runs: Math.min(3, config.runs),
    });
    blobs.push(m.result);
    const n = m.result.length;
    sizeRows.push([
      v.name,
      ms(m.ms),
      num(n),
      num(n / entries, 2),
      `${num((100 * n) / cdSize, 1)} %`,
    ]);
  }

  const lookupRows: string[][] = [];
  // A type-3 lookup decompresses the whole frame: fewer of them.
  for (const [i, label, count] of [
    [0, 'type 4 (chunked)', 100],
    [1, 'type 3 (one frame)', 10],
  ] as const) {
    const bytes = blobs[i];
    const names = sample(files, count);
    log(`zipindex: lookups in ${label}`);
    const one = await measure(async () => {
      for (const name of names)
        if (!findSerialized(bytes, name)) throw new Error(`${name} not found`);
    }, opts);
    const full = await measure(async () => deserializeFiles(bytes), opts);
    const fullFind = await measure(async () => {
      const all = deserializeFiles(bytes);
      return findFile(all, names[0]);
    }, opts);
    lookupRows.push([
      label,
      String(count),
      ms(one.ms / names.length),
      ms(full.ms),
      ms(fullFind.ms),
      `${num(full.ms / (one.ms / names.length), 0)}×`,
    ]);
  }

  const setup =
    `Archive: ${num(entries)} small members (0–300 bytes of log-like text; 1/3 stored, 2/3 deflated; ` +
    `half written as streams, so their CRC-32 is in a data descriptor), ${num(size / 1024 / 1024, 1)} MiB, ` +
    `written by cozip's ZipWriter; file in the page cache.`;
  return [
    section(
      `zipindex: index size for ${num(entries)} entries`,
      table(
        ['Index', 'Serialize (ms)', 'Bytes', 'Bytes / entry', 'Of the central directory'],
        sizeRows,
      ),
      [
        setup,
        `Indexing the file (\`readFile\`: tail, directory, default filter): ${ms(indexed.ms)} ms; ` +
          `listing it with \`openZip\`: ${ms(listed.ms)} ms. Median of ${config.runs} runs after 1 warm-up (serialize: ${Math.min(3, config.runs)}).`,
        '`optimizeSize` sorts by offset and drops the CRC-32 of entries with a data descriptor (it is read from the descriptor when the member is opened). ' +
          "Type 4 is the openstor fork's chunked layout (chunks of up to 25,000 entries by name range); type 3 is what minio's zipindex reads.",
      ],
    ),
    section(
      `zipindex: one lookup vs decoding the whole index (${num(entries)} entries)`,
      table(
        [
          'Index',
          'Lookups',
          '`findSerialized` (ms / lookup)',
          '`deserializeFiles` (ms)',
          '`deserializeFiles` + `findFile` (ms)',
          'Ratio',
        ],
        lookupRows,
      ),
      [
        'Names spread over the index, the same ones in every run; per-lookup time is the median run divided by the lookups.',
        'Type 4 lookups decompress only the chunk whose First/Last range holds the name; type 3 lookups decompress the whole frame but decode only the names column and one entry.',
      ],
    ),
  ].join('\n');
}
