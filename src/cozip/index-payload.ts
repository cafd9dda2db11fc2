// The `__cozip__` payload: where each priority file's bytes are.
//
//   header     11 bytes  "CZIP" | u16 version | u8 profile | u32 n
//   name_lens  n x u16   each > 0
//   names      UTF-8, concatenated, no terminators
//   offsets    n x u64   payload offset from archive byte 0
//   sizes      n x u64   payload length, > 0
import { CozipError } from '../errors.js';
import { getU16, getU32, getU64, putU16, putU32, putU64 } from '../zip/bytes.js';
import { decodeUtf8Strict, encodeUtf8 } from '../zip/names.js';
import { FORMAT_VERSION, INDEX_MAGIC, INDEX_NAME, INDEX_PAYLOAD_HEADER } from './constants.js';

export interface IndexEntry {
  name: string;
  /** Payload offset from archive byte 0 (the first byte after its local header). */
  offset: number;
  size: number;
}

export interface CozipIndex {
  version: number;
  profile: number;
  entries: IndexEntry[];
}

/** Payload size for these names, known before any offset is. */
export function indexPayloadSize(names: string[]): number {
  let n = INDEX_PAYLOAD_HEADER;
  for (const name of names) n += 2 + encodeUtf8(name).length + 16;
  return n;
}

export function encodeIndexPayload(profile: number, entries: IndexEntry[]): Uint8Array {
  const raw = entries.map((e) => encodeUtf8(e.name));
  const size = INDEX_PAYLOAD_HEADER + raw.reduce((s, r) => s + 2 + r.length + 16, 0);
  const b = new Uint8Array(size);
  putU32(b, 0, INDEX_MAGIC);
  putU16(b, 4, FORMAT_VERSION);
  b[6] = profile;
  putU32(b, 7, entries.length);
  let o = INDEX_PAYLOAD_HEADER;
  for (const r of raw) {
    if (r.length === 0 || r.length > 0xffff) {
      throw new CozipError('INVALID_NAME', `index name length ${r.length} is outside 1..65535`);
    }
    putU16(b, o, r.length);
    o += 2;
  }
  for (const r of raw) {
    b.set(r, o);
    o += r.length;
  }
  for (const e of entries) {
    putU64(b, o, e.offset);
    o += 8;
  }
  for (const e of entries) {
    putU64(b, o, e.size);
    o += 8;
  }
  return b;
}

/**
 * Decodes and checks an index payload. `archiveSize` bounds the offsets.
 * Throws the spec's codes: INVALID_MAGIC, UNSUPPORTED_VERSION,
 * TRUNCATED_INDEX, INVALID_NAME, DUPLICATE_NAME, INVALID_OFFSET.
 */
export function decodeIndexPayload(b: Uint8Array, archiveSize: number): CozipIndex {
  if (b.length < INDEX_PAYLOAD_HEADER) {
    throw new CozipError(
      'TRUNCATED_INDEX',
      `index payload of ${b.length} bytes is shorter than its 11-byte header`,
    );
  }
  if (getU32(b, 0) !== INDEX_MAGIC) {
    throw new CozipError('INVALID_MAGIC', 'index payload does not start with "CZIP"');
  }
  const version = getU16(b, 4);
  if (version > FORMAT_VERSION || version === 0) {
    throw new CozipError(
      'UNSUPPORTED_VERSION',
      `cozip index version ${version} is not supported (this reader knows ${FORMAT_VERSION})`,
      {
        details: { version },
      },
    );
  }
  const profile = b[6];
  const n = getU32(b, 7);
  // Each entry needs at least 2 + 1 + 16 bytes: bound n before allocating.
  if (INDEX_PAYLOAD_HEADER + n * 19 > b.length) {
    throw new CozipError(
      'TRUNCATED_INDEX',
      `index declares ${n} entries but holds only ${b.length} bytes`,
    );
  }
  let o = INDEX_PAYLOAD_HEADER;
  const lengths: number[] = [];
  let namesBytes = 0;
  for (let i = 0; i < n; i++) {
    const len = getU16(b, o);
    if (len === 0) throw new CozipError('INVALID_NAME', `index entry ${i} has an empty name`);
    lengths.push(len);
    namesBytes += len;
    o += 2;
  }
  const expected = INDEX_PAYLOAD_HEADER + 2 * n + namesBytes + 16 * n;
  if (b.length !== expected) {
    throw new CozipError(
      b.length < expected ? 'TRUNCATED_INDEX' : 'INVALID_LFH',
      `index payload is ${b.length} bytes but its entries need exactly ${expected}`,
    );
  }
  const names: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const name = decodeUtf8Strict(b.subarray(o, o + lengths[i]));
    o += lengths[i];
    if (name === undefined)
      throw new CozipError('INVALID_NAME', `index entry ${i} name is not valid UTF-8`);
    if (name === INDEX_NAME)
      throw new CozipError('INVALID_NAME', `the index may not list ${INDEX_NAME}`);
    if (seen.has(name))
      throw new CozipError('DUPLICATE_NAME', `index lists ${JSON.stringify(name)} twice`);
    seen.add(name);
    names.push(name);
  }
  const entries: IndexEntry[] = names.map((name, i) => ({
    name,
    offset: readU64(b, o + 8 * i, name),
    size: readU64(b, o + 8 * (n + i), name),
  }));
  for (const e of entries) {
    if (e.size === 0)
      throw new CozipError('INVALID_OFFSET', `index entry ${JSON.stringify(e.name)} has size 0`);
    if (e.offset + e.size > archiveSize) {
      throw new CozipError(
        'INVALID_OFFSET',
        `index entry ${JSON.stringify(e.name)} [${e.offset}, ${e.offset + e.size}) runs past the archive end ${archiveSize}`,
        { details: { name: e.name, offset: e.offset, size: e.size, archiveSize } },
      );
    }
  }
  return { version, profile, entries };
}

function readU64(b: Uint8Array, o: number, name: string): number {
  try {
    return getU64(b, o);
  } catch {
    throw new CozipError(
      'INVALID_OFFSET',
      `index entry ${JSON.stringify(name)} has a 64-bit value past 2^53`,
    );
  }
}
