// Inputs of the entries suite, generated once from fixed seeds and kept in
// .bench-data/ (file names carry a version: change the generator, bump it).
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type CozipRow, writeCozip } from '../src/cozip/index.js';
import { createFileSink } from '../src/zip/file-sink.js';
import { ZipWriter } from '../src/zip/writer.js';
import { between, dataDir, log, prng, randomBytes, textBytes } from './data.js';
import { num } from './table.js';

export const FIXED_TIME = new Date(Date.UTC(2024, 4, 1, 12, 0, 0));

/** `d12/s3/f123.txt`: 50 top folders of 20 subfolders each. */
export function memberName(i: number): string {
  return `d${i % 50}/s${Math.floor(i / 50) % 20}/f${i}.txt`;
}

/** Writes files `count` at a time (one after another is slow for 100,000 files). */
async function writeFiles(files: Array<[string, Uint8Array]>, count = 32): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const [path, data] = files[next++];
      await writeFile(path, data);
    }
  };
  await Promise.all(Array.from({ length: count }, worker));
}

export interface SmallSet {
  entries: number;
  /** The files as a folder tree. */
  dir: string;
  /** A CSV (path,name) listing them; paths relative to the CSV. */
  csv: string;
  /** The same files as a ZIP, every member deflated, written by cozip's ZipWriter. */
  zip: string;
  /** Bytes of content. */
  bytes: number;
}

/**
 * `entries` log-like text files of 200 B–4 KiB named by memberName, as a
 * folder, a CSV listing that folder and a deflated ZIP of it; one seeded
 * sequence, so a smaller set is the start of a larger one.
 */
export async function smallSet(entries: number): Promise<SmallSet> {
  const base = `entries-small-${entries}-v1`;
  const dir = `${dataDir}${base}`;
  const set = { entries, dir, csv: `${dir}.csv`, zip: `${dir}.zip`, bytes: 0 };
  const sizes = `${dir}.sizes`;
  if (existsSync(sizes) && existsSync(set.zip) && existsSync(set.csv)) {
    set.bytes = Number(await readFile(sizes, 'utf8'));
    return set;
  }
  log(`generating ${num(entries)} files in ${dir}, ${set.csv} and ${set.zip}`);
  await rm(dir, { recursive: true, force: true });
  for (let d = 0; d < 50; d++) {
    for (let s = 0; s < 20; s++) await mkdir(join(dir, `d${d}`, `s${s}`), { recursive: true });
  }
  const writer = new ZipWriter(await createFileSink(set.zip), { mtime: FIXED_TIME });
  const next = prng(2024);
  const csv = ['path,name'];
  const batch: Array<[string, Uint8Array]> = [];
  for (let i = 0; i < entries; i++) {
    const name = memberName(i);
    const data = textBytes(next, between(next, 200, 4096));
    set.bytes += data.length;
    await writer.add(name, data, { method: 8 });
    csv.push(`${base}/${name},${name}`);
    batch.push([join(dir, name), data]);
    if (batch.length === 4096) await writeFiles(batch.splice(0));
  }
  await writeFiles(batch.splice(0));
  await writer.finish();
  await writeFile(set.csv, `${csv.join('\n')}\n`);
  await writeFile(sizes, String(set.bytes));
  return set;
}

/** Member i of a tiny archive: 8–40 bytes of log-like text from its own seed. */
export function tinyBytes(i: number): Uint8Array {
  const next = prng(0x51ed ^ i);
  return textBytes(next, between(next, 8, 40));
}

/** A ZIP of `entries` tiny stored members named by memberName (fast to write at 1,000,000). */
export async function tinyArchive(entries: number): Promise<string> {
  const path = `${dataDir}entries-tiny-${entries}-v1.zip`;
  if (existsSync(path)) return path;
  log(`generating ${path} (${num(entries)} stored members) with cozip's ZipWriter`);
  await mkdir(dataDir, { recursive: true });
  const writer = new ZipWriter(await createFileSink(path), { mtime: FIXED_TIME });
  for (let i = 0; i < entries; i++) await writer.add(memberName(i), tinyBytes(i), { method: 0 });
  await writer.finish();
  return path;
}

/** A 3-entry ZIP, for start-up. */
export async function threeEntryZip(): Promise<string> {
  const path = `${dataDir}entries-three-v1.zip`;
  if (existsSync(path)) return path;
  await mkdir(dataDir, { recursive: true });
  const writer = new ZipWriter(await createFileSink(path), { mtime: FIXED_TIME });
  const next = prng(3);
  for (const name of ['README.txt', 'data/a.txt', 'data/b.txt']) {
    await writer.add(name, textBytes(next, 300), { method: 8 });
  }
  await writer.finish();
  return path;
}

/** Tile i in zoom order: tiles/0/0/0.png, tiles/1/0/0.png, ..., tiles/1/1/1.png, tiles/2/0/0.png, ... */
export function tileName(i: number): string {
  let z = 0;
  let first = 0;
  while (i >= first + 4 ** z) {
    first += 4 ** z;
    z++;
  }
  const k = i - first;
  const side = 2 ** z;
  return `tiles/${z}/${Math.floor(k / side)}/${k % side}.png`;
}

/** Tile i's bytes: 32–256 random bytes from its own seed. */
export function tileBytes(i: number): Uint8Array {
  const next = prng(0x7e11 ^ i);
  return randomBytes(next, between(next, 32, 256));
}

/** In-memory rows of `entries` tiles, as writeCozip takes them. */
export function tileRows(entries: number): CozipRow[] {
  const rows: CozipRow[] = new Array(entries);
  for (let i = 0; i < entries; i++) rows[i] = { name: tileName(i), path: tileBytes(i) };
  return rows;
}

/** A Flat cozip of `entries` tiles, written by writeCozip from in-memory rows. */
export async function tileCozip(entries: number): Promise<string> {
  const path = `${dataDir}entries-tiles-${entries}-v2.zip`;
  if (existsSync(path)) return path;
  log(`generating ${path} (${num(entries)} tiles) with writeCozip`);
  await mkdir(dirname(path), { recursive: true });
  // Members in zoom order, the manifest in name order (one page per lookup).
  await writeCozip(path, tileRows(entries), { mtime: FIXED_TIME, manifest: { sortByName: true } });
  return path;
}

/** `files` files of `size` random bytes (seeded) in one folder. */
export async function randomFiles(files: number, size: number): Promise<string> {
  const dir = `${dataDir}entries-random-${files}x${size}-v1`;
  const done = `${dir}.done`;
  if (existsSync(done)) return dir;
  log(`generating ${num(files)} random files of ${num(size)} bytes in ${dir}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const next = prng(0x512);
  for (let i = 0; i < files; i++) {
    await writeFile(join(dir, `r${String(i).padStart(5, '0')}.bin`), randomBytes(next, size));
  }
  await writeFile(done, '');
  return dir;
}
