// Seeded synthetic indexes, laid out like real archives: entries in offset
// order, each local header right after the previous entry's data.
import type { File } from '../../src/zipindex/index.js';
import { nameFromBytes } from '../../src/zipindex/names.js';
import { rng } from '../helpers/random.js';

export interface SyntheticOptions {
  custom?: boolean;
  /** Add multi-byte and non-UTF-8 names. */
  exotic?: boolean;
}

const EXOTIC = ['ü', 'é/ß', '日本/語', '😀', '\uffff', 'Ω'];

export function synthetic(n: number, seed: number, options: SyntheticOptions = {}): File[] {
  const random = rng(seed);
  const files: File[] = [];
  let offset = 0;
  for (let i = 0; i < n; i++) {
    const r = random();
    const compressed = Math.floor(random() * 5000);
    const method = r < 0.6 ? 8 : r < 0.9 ? 0 : 93;
    const flags = (random() < 0.5 ? 8 : 0) | (random() < 0.3 ? 0x800 : 0);
    let name = `d${i % 97}/s${Math.floor(i / 1000) % 13}/file-${i}.${method === 0 ? 'bin' : 'txt'}`;
    if (options.exotic && i % 5 === 0) name = `${EXOTIC[i % EXOTIC.length]}/${name}`;
    const f: File = {
      name,
      compressedSize: BigInt(compressed),
      uncompressedSize: BigInt(method === 0 ? compressed : compressed * 3 + (i % 7)),
      offset: BigInt(offset),
      crc32: Math.floor(random() * 0x100000000),
      method,
      flags,
    };
    if (options.exotic && i % 11 === 3) {
      // Not UTF-8: kept as bytes.
      const raw = new Uint8Array([
        0x72,
        0xff,
        0x80 + (i % 64),
        ...new TextEncoder().encode(`/${i}`),
      ]);
      Object.assign(f, nameFromBytes(raw));
    }
    if (options.custom && random() < 0.4) {
      const pairs = 1 + Math.floor(random() * 3);
      f.custom = new Map();
      for (let k = 0; k < pairs; k++) f.custom.set(`key${k}`, `value-${i}-${k}`);
    }
    files.push(f);
    // Header, name and data; a data descriptor after some.
    offset += 30 + f.name.length + compressed + (flags & 8 ? 16 : 0) + (i % 3 === 0 ? 24 : 0);
  }
  return files;
}
