// Where the numeric fields of ZIP records sit in a byte array: every local
// header, central header, data descriptor, EOCD and ZIP64 record found by
// its signature, with the ZIP64 extra fields inside the headers.
import type { Field } from './mutate.js';

type Layout = Array<[name: string, at: number, width: 1 | 2 | 4 | 8]>;

const LOCAL: Layout = [
  ['lfh.version', 4, 2],
  ['lfh.flags', 6, 2],
  ['lfh.method', 8, 2],
  ['lfh.crc', 14, 4],
  ['lfh.csize', 18, 4],
  ['lfh.usize', 22, 4],
  ['lfh.nameLen', 26, 2],
  ['lfh.extraLen', 28, 2],
];
const CENTRAL: Layout = [
  ['cdh.madeBy', 4, 2],
  ['cdh.version', 6, 2],
  ['cdh.flags', 8, 2],
  ['cdh.method', 10, 2],
  ['cdh.crc', 16, 4],
  ['cdh.csize', 20, 4],
  ['cdh.usize', 24, 4],
  ['cdh.nameLen', 28, 2],
  ['cdh.extraLen', 30, 2],
  ['cdh.commentLen', 32, 2],
  ['cdh.disk', 34, 2],
  ['cdh.external', 38, 4],
  ['cdh.offset', 42, 4],
];
const EOCD: Layout = [
  ['eocd.disk', 4, 2],
  ['eocd.cdDisk', 6, 2],
  ['eocd.diskEntries', 8, 2],
  ['eocd.entries', 10, 2],
  ['eocd.cdSize', 12, 4],
  ['eocd.cdOffset', 16, 4],
  ['eocd.commentLen', 20, 2],
];
const ZIP64_EOCD: Layout = [
  ['z64eocd.size', 4, 8],
  ['z64eocd.disk', 16, 4],
  ['z64eocd.cdDisk', 20, 4],
  ['z64eocd.diskEntries', 24, 8],
  ['z64eocd.entries', 32, 8],
  ['z64eocd.cdSize', 40, 8],
  ['z64eocd.cdOffset', 48, 8],
];
const ZIP64_LOCATOR: Layout = [
  ['z64loc.disk', 4, 4],
  ['z64loc.offset', 8, 8],
  ['z64loc.disks', 16, 4],
];
const DESCRIPTOR: Layout = [
  ['dd.crc', 4, 4],
  ['dd.csize', 8, 4],
  ['dd.usize', 12, 4],
];

const SIGNATURES: Array<[number, Layout]> = [
  [0x04034b50, LOCAL],
  [0x02014b50, CENTRAL],
  [0x06054b50, EOCD],
  [0x06064b50, ZIP64_EOCD],
  [0x07064b50, ZIP64_LOCATOR],
  [0x08074b50, DESCRIPTOR],
];

const u16 = (b: Uint8Array, at: number) => b[at] | (b[at + 1] << 8);
const u32 = (b: Uint8Array, at: number) => (u16(b, at) | (u16(b, at + 2) << 16)) >>> 0;

/** The extra fields of a header's extra block at [at, end): ids, sizes, ZIP64 values. */
function extraFields(b: Uint8Array, at: number, end: number, out: Field[]): void {
  let o = at;
  while (o + 4 <= end && o + 4 <= b.length) {
    const id = u16(b, o);
    const len = u16(b, o + 2);
    out.push({ at: o + 2, width: 2, name: `extra.0x${id.toString(16)}.len` });
    if (id === 0x0001) {
      for (let k = 0; k + 8 <= len; k += 8) {
        out.push({ at: o + 4 + k, width: 8, name: `zip64extra.${k / 8}` });
      }
    }
    o += 4 + len;
  }
}

export function zipFields(b: Uint8Array): Field[] {
  const out: Field[] = [];
  for (let i = 0; i + 4 <= b.length; i++) {
    if (b[i] !== 0x50 || b[i + 1] !== 0x4b) continue;
    const sig = u32(b, i);
    const layout = SIGNATURES.find(([s]) => s === sig)?.[1];
    if (!layout) continue;
    for (const [name, at, width] of layout) {
      if (i + at + width <= b.length) out.push({ at: i + at, width, name });
    }
    if (layout === LOCAL && i + 30 <= b.length) {
      const start = i + 30 + u16(b, i + 26);
      extraFields(b, start, start + u16(b, i + 28), out);
    } else if (layout === CENTRAL && i + 46 <= b.length) {
      const start = i + 46 + u16(b, i + 28);
      extraFields(b, start, start + u16(b, i + 30), out);
    }
  }
  return out;
}

/** Every aligned position of a region as fields of `width` (for formats without a map). */
export function regionFields(
  at: number,
  length: number,
  width: 1 | 2 | 4 | 8,
  name: string,
  bigEndian = false,
): Field[] {
  const out: Field[] = [];
  for (let o = 0; o + width <= length; o += width) {
    out.push({ at: at + o, width, name: `${name}+${o}`, bigEndian });
  }
  return out;
}
