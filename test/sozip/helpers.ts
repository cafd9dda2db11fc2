/**
 * Shared pieces of the SOZip tests: deterministic content, archives built
 * from explicit parts (so a test can corrupt one of them), and a reference
 * compressor that is one zlib stream with one deflate() call per chunk,
 * exactly as the spec's Annex E does it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { bytesSource } from '../../src/io/bytes-source.js';
import { crc32 } from '../../src/zip/codecs.js';
import { openZip, type ZipArchive } from '../../src/zip/reader.js';
import { bufferSink } from '../../src/zip/sink.js';
import { ZipWriter } from '../../src/zip/writer.js';
import { rng } from '../helpers/random.js';

export const MTIME = new Date(Date.UTC(2024, 4, 6, 7, 8, 10));

/** Text-like content (compresses about 3x, with back-references across chunks). */
export function textContent(seed: number, n: number): Uint8Array<ArrayBuffer> {
  const random = rng(seed);
  const words = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota'];
  const out = new Uint8Array(n);
  let o = 0;
  while (o < n) {
    const w =
      random() < 0.1
        ? String(Math.floor(random() * 1e6))
        : words[Math.floor(random() * words.length)];
    const s = `${w}${random() < 0.08 ? '\n' : ' '}`;
    for (let i = 0; i < s.length && o < n; i++) out[o++] = s.charCodeAt(i);
  }
  return out;
}

export async function tempDir(prefix: string): Promise<{ dir: string; done: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, done: () => rm(dir, { recursive: true, force: true }) };
}

export async function saveTo(dir: string, name: string, bytes: Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

export async function openBytes(bytes: Uint8Array): Promise<ZipArchive> {
  return openZip(bytesSource(bytes));
}

type Handle = {
  writeSync(
    flag: number,
    i: Uint8Array,
    io: number,
    il: number,
    o: Uint8Array,
    oo: number,
    ol: number,
  ): void;
};

/**
 * One raw-Deflate stream, one deflate() call per chunk: Z_SYNC_FLUSH then
 * Z_FULL_FLUSH after every chunk but the last, Z_FINISH for the last (the
 * calls GDAL makes). Node has no public synchronous streaming API, so this
 * drives the zlib handle the way zlib.deflateRawSync does internally.
 * `flushes` replaces the pair of flushes (to build broken streams). With
 * `annexE`, a size that is an exact multiple of the chunk size ends as the
 * spec's pseudo-code ends it: the last full chunk flushed like the others,
 * then Z_FINISH on no input.
 */
export function referenceDeflate(
  data: Uint8Array,
  chunkSize: number,
  level: number,
  flushes: number[] = [zlib.constants.Z_SYNC_FLUSH, zlib.constants.Z_FULL_FLUSH],
  annexE = false,
): { bytes: Uint8Array; offsets: number[] } {
  const z = new zlib.DeflateRaw({ level }) as unknown as {
    _handle: Handle;
    _writeState: Uint32Array;
    close(): void;
  };
  const parts: Buffer[] = [];
  let total = 0;
  const call = (input: Uint8Array, flag: number) => {
    let inOff = 0;
    let inLen = input.length;
    for (;;) {
      const out = Buffer.alloc(64 * 1024);
      z._handle.writeSync(flag, input, inOff, inLen, out, 0, out.length);
      const availOut = z._writeState[0];
      const availIn = z._writeState[1];
      parts.push(out.subarray(0, out.length - availOut));
      total += out.length - availOut;
      inOff += inLen - availIn;
      inLen = availIn;
      if (availOut !== 0) break;
    }
  };
  const offsets: number[] = [];
  for (let at = 0; at < data.length; at += chunkSize) {
    if (at > 0) offsets.push(total);
    const chunk = data.subarray(at, at + chunkSize);
    const lastFull = annexE && at + chunkSize === data.length;
    if (at + chunkSize >= data.length && !lastFull) {
      call(chunk, zlib.constants.Z_FINISH);
    } else {
      call(chunk, flushes[0]);
      for (const f of flushes.slice(1)) call(new Uint8Array(0), f);
      if (lastFull) call(new Uint8Array(0), zlib.constants.Z_FINISH);
    }
  }
  z.close();
  return { bytes: new Uint8Array(Buffer.concat(parts)), offsets };
}

export interface MemberParts {
  name: string;
  content: Uint8Array;
  /** The member's compressed data (method 8). */
  deflated: Uint8Array;
  /** The index file's bytes; omitted: no index. */
  index?: Uint8Array;
  /** Name of the hidden record (default `.NAME.sozip.idx`). */
  indexName?: string;
  /** Also give the index a central directory entry. */
  listIndex?: boolean;
}

/**
 * An archive whose members and hidden indexes are exactly the parts given,
 * written with ZipWriter.addRaw and writeHidden.
 */
export async function assemble(members: MemberParts[]): Promise<Uint8Array> {
  const sink = bufferSink();
  const w = new ZipWriter(sink, { mtime: MTIME });
  for (const m of members) {
    await w.addRaw(m.name, m.deflated, {
      method: 8,
      crc32: crc32(m.content),
      compressedSize: m.deflated.length,
      uncompressedSize: m.content.length,
    });
    if (!m.index) continue;
    const slash = m.name.lastIndexOf('/') + 1;
    const indexName = m.indexName ?? `${m.name.slice(0, slash)}.${m.name.slice(slash)}.sozip.idx`;
    if (m.listIndex) {
      // A visible record at the same place: a stored member named like the index.
      await w.addRaw(indexName, m.index, {
        method: 0,
        crc32: crc32(m.index),
        compressedSize: m.index.length,
        uncompressedSize: m.index.length,
      });
    } else {
      await w.writeHidden(indexName, m.index);
    }
  }
  await w.finish();
  return sink.bytes();
}
