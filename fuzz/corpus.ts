// A corpus of malicious archives, generated in memory (no binary files in the
// repository): each case says what the library must do with it, a typed
// error code or a safe behaviour, and test/fuzz/corpus.test.ts asserts it.
// Cases whose final outcome is being fixed elsewhere carry `pending` with
// the issue 12 item (numbered in the order the issue lists them).
import { deflateRawSync } from 'node:zlib';
import { encodeManifest } from '../src/cozip/manifest-write.js';
import { openCozip } from '../src/cozip/reader.js';
import { writeCozip } from '../src/cozip/writer.js';
import type { ErrorCode } from '../src/errors.js';
import { encodeSozipIndex } from '../src/sozip/index-record.js';
import { SozipWriter } from '../src/sozip/writer.js';
import { putU16, putU32, putU64 } from '../src/zip/bytes.js';
import { encodeCentralHeader } from '../src/zip/central-header.js';
import { crc32 } from '../src/zip/codecs.js';
import { encodeDataDescriptor } from '../src/zip/data-descriptor.js';
import {
  type Eocd,
  encodeEocd,
  encodeZip64Eocd,
  encodeZip64Locator,
} from '../src/zip/end-records.js';
import { encodeExtraFields, encodeZip64Extra } from '../src/zip/extra-fields.js';
import { encodeLocalHeader } from '../src/zip/local-header.js';
import { bufferSink } from '../src/zip/sink.js';
import { type File, serialize } from '../src/zipindex/index.js';
import { zstdCompress } from '../src/zipindex/zstd.js';

export type Probe =
  | 'openZip'
  | 'checkZip'
  | 'plan'
  | 'planSymlinks'
  | 'extract'
  | 'extractSymlinks'
  | 'readEntries'
  | 'cozipOpen'
  | 'cozipMembers'
  | 'cozipValidate'
  | 'sozipRead'
  | 'sozipValidate'
  | 'zipindex'
  | 'zipindexFind';

export interface Expectation {
  probe: Probe;
  /** The call fails with a CozipError of this code ('any': any code). */
  throws?: ErrorCode | 'any';
  /** The call returns a report with a problem of this code. */
  reports?: ErrorCode | string;
  /** The call succeeds and this check of its result holds (a message when it does not). */
  safe?: {
    what: string;
    check: (value: unknown, ctx: { content?: Uint8Array }) => string | undefined;
  };
  /** Known and being fixed (issue 12): asserted as a todo until then. */
  pending?: string;
}

export interface CorpusCase {
  name: string;
  class: string;
  build(): Promise<Uint8Array>;
  /** The content a safe read must return (SOZip cases). */
  content?: Uint8Array;
  expect: Expectation[];
}

const enc = new TextEncoder();
const DOS_DATE = (44 << 9) | (1 << 5) | 2; // 2024-01-02
const HOST_UNIX = 3 << 8;

export interface RawEntry {
  name: string | Uint8Array;
  content?: Uint8Array;
  /** Stored bytes as written (default: content, deflated when method 8). */
  data?: Uint8Array;
  method?: number;
  flags?: number;
  crc?: number;
  csize?: number;
  usize?: number;
  /** Local header values when they should differ from the central ones. */
  local?: { csize?: number; usize?: number; crc?: number; name?: Uint8Array };
  /** A data descriptor after the data (with these values). */
  descriptor?: { crc: number; csize: number; usize: number };
  extra?: Uint8Array;
  centralExtra?: Uint8Array;
  /** Unix mode (type and permission bits): made on Unix. */
  mode?: number;
  /** Central directory offset of the local header (default: where it was written). */
  offset?: number;
}

export interface RawZip {
  entries: RawEntry[];
  eocd?: Partial<Eocd>;
  zip64?: {
    entries?: number;
    cdSize?: number;
    cdOffset?: number;
    locatorOffset?: number;
    disk?: number;
  };
  /** Bytes written before the first local header. */
  prefix?: Uint8Array;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A ZIP written record by record, every field under the caller's control. */
export function rawZip(z: RawZip): Uint8Array {
  const parts: Uint8Array[] = [];
  let at = 0;
  const push = (b: Uint8Array) => {
    parts.push(b);
    at += b.length;
  };
  if (z.prefix) push(z.prefix);
  const central: Uint8Array[] = [];
  for (const e of z.entries) {
    const rawName = typeof e.name === 'string' ? enc.encode(e.name) : e.name;
    const content = e.content ?? new Uint8Array();
    const method = e.method ?? 0;
    const data = e.data ?? (method === 8 ? new Uint8Array(deflateRawSync(content)) : content);
    const crc = e.crc ?? crc32(content);
    const csize = e.csize ?? data.length;
    const usize = e.usize ?? content.length;
    const flags = e.flags ?? 0x800;
    const offset = at;
    push(
      encodeLocalHeader({
        versionNeeded: 20,
        flags,
        method,
        dosTime: 0,
        dosDate: DOS_DATE,
        crc32: e.local?.crc ?? (flags & 8 ? 0 : crc),
        compressedSize: e.local?.csize ?? (flags & 8 ? 0 : csize),
        uncompressedSize: e.local?.usize ?? (flags & 8 ? 0 : usize),
        rawName: e.local?.name ?? rawName,
        extra: e.extra ?? new Uint8Array(),
      }),
    );
    push(data);
    if (e.descriptor) {
      push(
        encodeDataDescriptor(
          {
            crc32: e.descriptor.crc,
            compressedSize: e.descriptor.csize,
            uncompressedSize: e.descriptor.usize,
          },
          false,
        ),
      );
    }
    central.push(
      encodeCentralHeader({
        versionMadeBy: e.mode === undefined ? 20 : HOST_UNIX | 20,
        versionNeeded: 20,
        flags,
        method,
        dosTime: 0,
        dosDate: DOS_DATE,
        crc32: crc,
        compressedSize: csize,
        uncompressedSize: usize,
        diskStart: 0,
        internalAttributes: 0,
        externalAttributes: e.mode === undefined ? 0 : (e.mode << 16) >>> 0,
        localHeaderOffset: e.offset ?? offset,
        rawName,
        extra: e.centralExtra ?? new Uint8Array(),
        rawComment: new Uint8Array(),
      }),
    );
  }
  const cdOffset = at;
  for (const c of central) push(c);
  const cdSize = at - cdOffset;
  if (z.zip64) {
    const z64 = at;
    push(
      encodeZip64Eocd({
        versionMadeBy: 45,
        versionNeeded: 45,
        diskNumber: z.zip64.disk ?? 0,
        cdDisk: 0,
        entriesOnDisk: z.zip64.entries ?? z.entries.length,
        entriesTotal: z.zip64.entries ?? z.entries.length,
        cdSize: z.zip64.cdSize ?? cdSize,
        cdOffset: z.zip64.cdOffset ?? cdOffset,
        extensible: new Uint8Array(),
      }),
    );
    push(
      encodeZip64Locator({
        eocdDisk: 0,
        zip64EocdOffset: z.zip64.locatorOffset ?? z64,
        totalDisks: 1,
      }),
    );
  }
  push(
    encodeEocd({
      diskNumber: 0,
      cdDisk: 0,
      entriesOnDisk: z.zip64 ? 0xffff : z.entries.length,
      entriesTotal: z.zip64 ? 0xffff : z.entries.length,
      cdSize: z.zip64 ? 0xffffffff : cdSize,
      cdOffset: z.zip64 ? 0xffffffff : cdOffset,
      comment: new Uint8Array(),
      ...z.eocd,
    }),
  );
  return concat(parts);
}

/** Writes a u64 big value (beyond 2^53) at `o`. */
function putU64Big(b: Uint8Array, o: number, v: bigint): void {
  putU32(b, o, Number(v & 0xffffffffn));
  putU32(b, o + 4, Number(v >> 32n));
}

const hello = enc.encode('hello, world\n');
const one = (name: string | Uint8Array, extra: Partial<RawEntry> = {}) =>
  rawZip({ entries: [{ name, content: hello, ...extra }] });

/** The file Z_FULL of zeros deflates to about 1 KiB per MiB. */
function zeros(n: number): Uint8Array {
  return new Uint8Array(n);
}

/**
 * David Fifield's quoted-overlap construction, small: each member's Deflate
 * stream opens with a stored block quoting the next member's local header,
 * then runs on into that member's data; the last member holds the kernel.
 */
function quotedOverlap(n: number, kernelSize: number): Uint8Array {
  const kernel = new Uint8Array(deflateRawSync(zeros(kernelSize)));
  const names = Array.from({ length: n }, (_, i) => enc.encode(`q${String(i).padStart(3, '0')}`));
  // Stream of member i = quote(header i+1) + stream of member i+1; the kernel is last (final block).
  const streams: Uint8Array[] = new Array(n);
  const contents: Uint8Array[] = new Array(n);
  streams[n - 1] = kernel;
  contents[n - 1] = zeros(kernelSize);
  const headers: Uint8Array[] = new Array(n);
  const header = (i: number) =>
    encodeLocalHeader({
      versionNeeded: 20,
      flags: 0,
      method: 8,
      dosTime: 0,
      dosDate: DOS_DATE,
      crc32: crc32(contents[i]),
      compressedSize: streams[i].length,
      uncompressedSize: contents[i].length,
      rawName: names[i],
      extra: new Uint8Array(),
    });
  headers[n - 1] = header(n - 1);
  for (let i = n - 2; i >= 0; i--) {
    const h = headers[i + 1];
    const quote = new Uint8Array(5);
    quote[0] = 0; // BFINAL 0, stored
    putU16(quote, 1, h.length);
    putU16(quote, 3, ~h.length & 0xffff);
    streams[i] = concat([quote, h, streams[i + 1]]);
    contents[i] = concat([h, contents[i + 1]]);
    headers[i] = header(i);
  }
  // Laid out: header 0 + quote 0, header 1 + quote 1 ... header n-1 + kernel: each
  // member's stored bytes start right after its header and run to the kernel's end.
  const body: Uint8Array[] = [];
  const offsets: number[] = [];
  let at = 0;
  for (let i = 0; i < n; i++) {
    offsets.push(at);
    body.push(headers[i]);
    at += headers[i].length;
    const own = i < n - 1 ? streams[i].subarray(0, 5) : kernel;
    body.push(own);
    at += own.length;
  }
  const central = headers.map((_, i) =>
    encodeCentralHeader({
      versionMadeBy: 20,
      versionNeeded: 20,
      flags: 0,
      method: 8,
      dosTime: 0,
      dosDate: DOS_DATE,
      crc32: crc32(contents[i]),
      compressedSize: streams[i].length,
      uncompressedSize: contents[i].length,
      diskStart: 0,
      internalAttributes: 0,
      externalAttributes: 0,
      localHeaderOffset: offsets[i],
      rawName: names[i],
      extra: new Uint8Array(),
      rawComment: new Uint8Array(),
    }),
  );
  const cd = concat(central);
  const eocd = encodeEocd({
    diskNumber: 0,
    cdDisk: 0,
    entriesOnDisk: n,
    entriesTotal: n,
    cdSize: cd.length,
    cdOffset: at,
    comment: new Uint8Array(),
  });
  return concat([...body, cd, eocd]);
}

/** A full-overlap bomb: many central entries naming the same local header and kernel. */
function fullOverlap(n: number, kernelSize: number): Uint8Array {
  const content = zeros(kernelSize);
  const data = new Uint8Array(deflateRawSync(content));
  return rawZip({
    entries: Array.from({ length: n }, (_, i) => ({
      name: `f${i}`,
      content,
      data,
      method: 8,
      offset: 0,
      local: { name: enc.encode('f0') },
    })),
  });
}

// ------------------------------------------------------------ expectations

const isPlan = (v: unknown) =>
  v as { items: Array<{ path: string; kind: string }>; skipped: unknown[] };
const planNoSymlink: Expectation['safe'] = {
  what: 'the symlink is skipped, nothing planned outside the target',
  check: (v) => {
    const p = isPlan(v);
    if (p.items.some((i) => i.kind === 'symlink')) return 'a symlink was planned';
    if (p.skipped.length === 0) return 'the symlink was not reported as skipped';
    return undefined;
  },
};
const unsafe = (pending?: string): Expectation[] => [
  { probe: 'openZip', safe: { what: 'the directory lists', check: () => undefined } },
  { probe: 'checkZip', reports: 'UNSAFE_PATH', pending },
  { probe: 'plan', throws: 'UNSAFE_PATH', pending },
  { probe: 'extract', throws: 'UNSAFE_PATH', pending },
];
const literal = (path: string): Expectation[] => [
  {
    probe: 'plan',
    safe: {
      what: `planned as the literal path ${JSON.stringify(path)} inside the target`,
      check: (v) => {
        const got = isPlan(v).items.map((i) => i.path);
        return got.length === 1 && got[0] === path ? undefined : `planned ${JSON.stringify(got)}`;
      },
    },
  },
  {
    probe: 'extract',
    safe: {
      what: 'written inside the target only',
      check: (v) =>
        (v as { outside: string[] }).outside.length ? 'wrote outside the target' : undefined,
    },
  },
];

// ------------------------------------------------------------------ cases

function eocdCases(): CorpusCase[] {
  const base = () => one('a.txt');
  const withEocd = (patch: (b: Uint8Array, eocd: number) => void) => async () => {
    const b = base();
    patch(b, b.length - 22);
    return b;
  };
  const z64 = (patch: (b: Uint8Array, rec: number) => void) => async () => {
    const b = rawZip({ entries: [{ name: 'a.txt', content: hello }], zip64: {} });
    patch(b, b.length - 22 - 20 - 56);
    return b;
  };
  const cls = 'EOCD/ZIP64 absurd counts and offsets';
  return [
    {
      name: 'EOCD entry count 65535 without ZIP64 records',
      class: cls,
      build: withEocd((b, e) => {
        putU16(b, e + 8, 0xffff);
        putU16(b, e + 10, 0xffff);
      }),
      expect: [{ probe: 'openZip', throws: 'INVALID_ZIP64' }],
    },
    {
      name: 'EOCD central directory offset past the end',
      class: cls,
      build: withEocd((b, e) => putU32(b, e + 16, 0xfffffff0)),
      expect: [{ probe: 'openZip', throws: 'TRUNCATED' }],
    },
    {
      name: 'EOCD central directory size 0xFFFFFFFE',
      class: cls,
      build: withEocd((b, e) => putU32(b, e + 12, 0xfffffffe)),
      expect: [
        {
          probe: 'openZip',
          safe: {
            what: 'recovers: the directory lists its one true entry',
            check: (v) =>
              (v as { entries: Array<{ name: string }> }).entries.map((e) => e.name).join() ===
              'a.txt'
                ? undefined
                : 'wrong entries',
          },
        },
      ],
    },
    {
      name: 'EOCD count larger than the directory holds',
      class: cls,
      build: withEocd((b, e) => {
        putU16(b, e + 8, 500);
        putU16(b, e + 10, 500);
      }),
      expect: [{ probe: 'openZip', throws: 'BAD_RECORD' }],
    },
    {
      name: 'EOCD on disk 1 (multi-disk)',
      class: cls,
      build: withEocd((b, e) => putU16(b, e + 4, 1)),
      expect: [{ probe: 'openZip', throws: 'MULTI_DISK' }],
    },
    {
      name: 'ZIP64 entry count 2^53 - 1',
      class: cls,
      build: z64((b, r) => {
        putU64(b, r + 24, Number.MAX_SAFE_INTEGER);
        putU64(b, r + 32, Number.MAX_SAFE_INTEGER);
      }),
      expect: [{ probe: 'openZip', throws: 'LIMIT_EXCEEDED' }],
    },
    {
      name: 'ZIP64 entry count 2^63',
      class: cls,
      build: z64((b, r) => {
        putU64Big(b, r + 24, 1n << 63n);
        putU64Big(b, r + 32, 1n << 63n);
      }),
      expect: [{ probe: 'openZip', throws: 'TOO_LARGE' }],
    },
    {
      name: 'ZIP64 central directory offset 2^40',
      class: cls,
      build: z64((b, r) => putU64(b, r + 48, 2 ** 40)),
      expect: [{ probe: 'openZip', throws: 'TRUNCATED' }],
    },
    {
      name: 'ZIP64 central directory size 2^52',
      class: cls,
      build: z64((b, r) => putU64(b, r + 40, 2 ** 52)),
      expect: [
        {
          probe: 'openZip',
          safe: {
            what: 'recovers: the directory lists its one true entry',
            check: (v) =>
              (v as { entries: Array<{ name: string }> }).entries.map((e) => e.name).join() ===
              'a.txt'
                ? undefined
                : 'wrong entries',
          },
        },
      ],
    },
    {
      name: 'ZIP64 locator pointing past the end',
      class: cls,
      build: async () =>
        rawZip({ entries: [{ name: 'a.txt', content: hello }], zip64: { locatorOffset: 2 ** 45 } }),
      expect: [
        {
          probe: 'openZip',
          safe: {
            what: 'recovers: the directory lists its one true entry',
            check: (v) =>
              (v as { entries: Array<{ name: string }> }).entries.map((e) => e.name).join() ===
              'a.txt'
                ? undefined
                : 'wrong entries',
          },
        },
      ],
    },
    {
      name: 'ZIP64 locator pointing at itself',
      class: cls,
      build: async () => {
        const b = rawZip({ entries: [{ name: 'a.txt', content: hello }], zip64: {} });
        putU64(b, b.length - 22 - 20 + 8, b.length - 22 - 20);
        return b;
      },
      expect: [
        {
          probe: 'openZip',
          safe: {
            what: 'recovers: the directory lists its one true entry',
            check: (v) =>
              (v as { entries: Array<{ name: string }> }).entries.map((e) => e.name).join() ===
              'a.txt'
                ? undefined
                : 'wrong entries',
          },
        },
      ],
    },
    {
      name: 'central entry with a local header offset 2^52 (ZIP64 extra)',
      class: cls,
      build: async () =>
        one('a.txt', {
          offset: 0xffffffff,
          centralExtra: encodeExtraFields([encodeZip64Extra({ localHeaderOffset: 2 ** 52 })]),
        }),
      expect: [
        { probe: 'openZip', safe: { what: 'the directory lists', check: () => undefined } },
        { probe: 'readEntries', throws: 'BAD_RECORD' },
        { probe: 'checkZip', reports: 'BAD_RECORD' },
      ],
    },
    {
      name: 'central entry pointing into the central directory',
      class: cls,
      build: async () => {
        const b = one('a.txt');
        const cd = b.length - 22 - 46 - 5;
        return rawZip({ entries: [{ name: 'a.txt', content: hello, offset: cd }] });
      },
      expect: [
        { probe: 'readEntries', throws: 'BAD_SIGNATURE' },
        { probe: 'checkZip', reports: 'BAD_SIGNATURE' },
      ],
    },
  ];
}

function overlapCases(): CorpusCase[] {
  const cls = 'overlapping and quoted-overlap bombs';
  return [
    {
      name: 'full overlap: 200 entries share one 1 MiB kernel',
      class: cls,
      build: async () => fullOverlap(200, 1 << 20),
      expect: [
        { probe: 'plan', throws: 'OVERLAP' },
        { probe: 'extract', throws: 'OVERLAP' },
        { probe: 'checkZip', reports: 'OVERLAP' },
        {
          probe: 'checkZip',
          safe: {
            what: 'fails fast: no member inflated once overlap is found',
            check: (v) => {
              const n = (v as { bytesChecked: number }).bytesChecked;
              return n === 0 ? undefined : `${n} bytes inflated`;
            },
          },
        },
      ],
    },
    {
      name: 'quoted overlap (Fifield): 40 members quoting the next local header',
      class: cls,
      build: async () => quotedOverlap(40, 1 << 20),
      expect: [
        { probe: 'plan', throws: 'OVERLAP' },
        { probe: 'extract', throws: 'OVERLAP' },
        { probe: 'checkZip', reports: 'OVERLAP' },
        {
          probe: 'checkZip',
          safe: {
            what: 'fails fast: no member inflated once overlap is found',
            check: (v) => {
              const n = (v as { bytesChecked: number }).bytesChecked;
              return n === 0 ? undefined : `${n} bytes inflated`;
            },
          },
        },
      ],
    },
  ];
}

function bombCases(): CorpusCase[] {
  const cls = 'deflate bombs';
  const big = 64 << 20;
  return [
    {
      name: 'ratio bomb: 64 MiB of zeros in ~64 KiB, sizes honest',
      class: cls,
      build: async () => rawZip({ entries: [{ name: 'zeros', content: zeros(big), method: 8 }] }),
      expect: [
        { probe: 'plan', throws: 'LIMIT_EXCEEDED' },
        { probe: 'extract', throws: 'LIMIT_EXCEEDED' },
      ],
    },
    {
      name: 'lying size: declares 100 bytes, inflates to 64 MiB',
      class: cls,
      build: async () => {
        const data = new Uint8Array(deflateRawSync(zeros(big)));
        return rawZip({
          entries: [{ name: 'zeros', data, method: 8, usize: 100, crc: crc32(zeros(100)) }],
        });
      },
      expect: [
        { probe: 'readEntries', throws: 'SIZE_MISMATCH' },
        { probe: 'checkZip', reports: 'SIZE_MISMATCH' },
        { probe: 'extract', throws: 'SIZE_MISMATCH' },
      ],
    },
    {
      name: 'lying compressed size: declares 2^32 - 2 compressed bytes',
      class: cls,
      build: async () => one('a.txt', { method: 8, csize: 0xfffffffe }),
      expect: [
        { probe: 'readEntries', throws: 'BAD_RECORD' },
        { probe: 'checkZip', reports: 'BAD_RECORD' },
      ],
    },
  ];
}

function pathCases(): CorpusCase[] {
  const cls = 'path traversal';
  const c = (name: string, bytes: Uint8Array | string, expect: Expectation[]): CorpusCase => ({
    name,
    class: cls,
    build: async () => one(bytes),
    expect,
  });
  // "../evil" as overlong UTF-8: 0xC0 0xAE is a two-byte '.', 0xC0 0xAF a '/'.
  const overlong = Uint8Array.of(0xc0, 0xae, 0xc0, 0xae, 0xc0, 0xaf, 0x65, 0x76, 0x69, 0x6c);
  return [
    c('../ parent', '../evil.txt', unsafe()),
    c('nested a/../../', 'a/../../evil.txt', unsafe()),
    c('..\\ backslash parent', '..\\evil.txt', unsafe()),
    c('absolute /', '/tmp/evil.txt', unsafe()),
    c('drive letter C:\\', 'C:\\evil.txt', unsafe()),
    c('drive letter C:/', 'C:/evil.txt', unsafe()),
    c('UNC \\\\server\\share', '\\\\server\\share\\evil.txt', unsafe()),
    c('NUL inside the name', 'evil.txt\u0000.png', unsafe()),
    c(
      'percent-encoded %2e%2e%2f (a literal name)',
      '%2e%2e%2fevil.txt',
      literal('%2e%2e%2fevil.txt'),
    ),
    c(
      'fullwidth dots and solidus (a literal name)',
      '\uff0e\uff0e\uff0fevil.txt',
      literal('\uff0e\uff0e\uff0fevil.txt'),
    ),
    c('overlong UTF-8 ../ (not UTF-8: a literal CP437 name)', overlong, [
      {
        probe: 'plan',
        safe: {
          what: 'planned inside the target',
          check: (v) =>
            isPlan(v).items.every((i) => !i.path.includes('..')) ? undefined : 'a .. path',
        },
      },
      {
        probe: 'extract',
        safe: {
          what: 'written inside the target only',
          check: (v) => ((v as { outside: string[] }).outside.length ? 'wrote outside' : undefined),
        },
      },
    ]),
    {
      name: 'Unicode Path extra field naming ../evil.txt over a safe name',
      class: cls,
      build: async () => {
        const raw = enc.encode('safe.txt');
        const path = enc.encode('../evil.txt');
        const data = new Uint8Array(5 + path.length);
        data[0] = 1;
        new DataView(data.buffer).setUint32(1, crc32(raw), true);
        data.set(path, 5);
        const extra = encodeExtraFields([{ id: 0x7075, data }]);
        return one(raw, { flags: 0, extra, centralExtra: extra });
      },
      expect: unsafe(),
    },
  ];
}

const S_IFLNK = 0o120000;
const S_IFREG = 0o100000;

function symlinkCases(): CorpusCase[] {
  const cls = 'symlink tricks';
  const link = (name: string, target: string): RawEntry => ({
    name,
    content: enc.encode(target),
    mode: S_IFLNK | 0o777,
  });
  const file = (name: string): RawEntry => ({ name, content: hello, mode: S_IFREG | 0o644 });
  const contained: Expectation['safe'] = {
    what: 'nothing written, and no symlink resolving, outside the target',
    check: (v) => {
      const { outside, escapes } = v as { outside: string[]; escapes: string[] };
      return outside.length || escapes.length
        ? `escaped: ${[...outside, ...escapes].join(', ')}`
        : undefined;
    },
  };
  return [
    {
      name: 'symlink to .., then a file through it',
      class: cls,
      build: async () => rawZip({ entries: [link('up', '..'), file('up/evil.txt')] }),
      expect: [
        { probe: 'plan', safe: planNoSymlink },
        { probe: 'extract', safe: contained },
        { probe: 'extractSymlinks', throws: 'UNSAFE_PATH' },
      ],
    },
    {
      name: 'symlink to an absolute path, then a file through it',
      class: cls,
      build: async () => rawZip({ entries: [link('etc', '/etc'), file('etc/evil.txt')] }),
      expect: [
        { probe: 'plan', safe: planNoSymlink },
        { probe: 'extract', safe: contained },
        { probe: 'extractSymlinks', throws: 'UNSAFE_PATH' },
      ],
    },
    {
      name: 'symlink chain: a -> ., b -> a/.. (each lexically inside, b resolves outside)',
      class: cls,
      build: async () =>
        rawZip({ entries: [link('a', '.'), link('b', 'a/..'), file('b/evil.txt')] }),
      expect: [
        { probe: 'plan', safe: planNoSymlink },
        { probe: 'extract', safe: contained },
        // Refused before anything is written (the probe checks nothing is outside either way).
        { probe: 'extractSymlinks', throws: 'UNSAFE_PATH' },
      ],
    },
  ];
}

function descriptorCases(): CorpusCase[] {
  const cls = 'data-descriptor lies';
  const content = enc.encode('descriptor content '.repeat(20));
  const data = new Uint8Array(deflateRawSync(content));
  const honest = { crc: crc32(content), csize: data.length, usize: content.length };
  return [
    {
      name: 'descriptor sizes disagree with the central directory',
      class: cls,
      build: async () =>
        rawZip({
          entries: [
            {
              name: 'd.txt',
              content,
              data,
              method: 8,
              flags: 0x808,
              descriptor: { ...honest, usize: 7 },
            },
          ],
        }),
      expect: [
        {
          probe: 'readEntries',
          safe: { what: "reads the central directory's (true) content", check: () => undefined },
        },
        {
          probe: 'checkZip',
          reports: 'SIZE_MISMATCH',
        },
      ],
    },
    {
      name: 'descriptor CRC disagrees with the central directory',
      class: cls,
      build: async () =>
        rawZip({
          entries: [
            {
              name: 'd.txt',
              content,
              data,
              method: 8,
              flags: 0x808,
              descriptor: { ...honest, crc: 1234 },
            },
          ],
        }),
      expect: [
        {
          probe: 'readEntries',
          safe: { what: "reads the central directory's (true) content", check: () => undefined },
        },
        {
          probe: 'checkZip',
          reports: 'CRC_MISMATCH',
        },
      ],
    },
    {
      name: 'local header sizes disagree with the central directory (no descriptor)',
      class: cls,
      build: async () =>
        rawZip({
          entries: [{ name: 'd.txt', content, data, method: 8, local: { csize: 3, usize: 5 } }],
        }),
      expect: [
        {
          probe: 'checkZip',
          reports: 'SIZE_MISMATCH',
        },
      ],
    },
    {
      name: 'central sizes lie, the descriptor tells the truth',
      class: cls,
      build: async () =>
        rawZip({
          entries: [
            {
              name: 'd.txt',
              content,
              data,
              method: 8,
              flags: 0x808,
              usize: 10,
              descriptor: honest,
            },
          ],
        }),
      expect: [
        { probe: 'readEntries', throws: 'SIZE_MISMATCH' },
        { probe: 'checkZip', reports: 'SIZE_MISMATCH' },
      ],
    },
  ];
}

function nameCases(): CorpusCase[] {
  const cls = 'names colliding on disk';
  return [
    {
      name: 'exact duplicate names',
      class: cls,
      build: async () =>
        rawZip({
          entries: [
            { name: 'a.txt', content: hello },
            { name: 'a.txt', content: hello },
          ],
        }),
      expect: [
        { probe: 'checkZip', reports: 'DUPLICATE_NAME' },
        { probe: 'extract', throws: 'DUPLICATE_NAME' },
      ],
    },
    {
      name: 'case-only duplicates (README, readme)',
      class: cls,
      build: async () =>
        rawZip({
          entries: [
            { name: 'README', content: hello },
            { name: 'readme', content: hello },
          ],
        }),
      expect: [
        {
          // They may be one file on a case-insensitive disk: extraction warns.
          probe: 'extract',
          safe: {
            what: 'a DUPLICATE_NAME warning',
            check: (value) =>
              (value as { result: { warnings?: Array<{ code?: string }> } }).result.warnings?.some(
                (w) => w.code === 'DUPLICATE_NAME',
              )
                ? undefined
                : 'no DUPLICATE_NAME warning',
          },
        },
      ],
    },
    {
      name: 'a file, then a directory of the same name',
      class: cls,
      build: async () =>
        rawZip({
          entries: [
            { name: 'x', content: hello },
            { name: 'x/y.txt', content: hello },
          ],
        }),
      expect: [{ probe: 'extract', throws: 'UNSAFE_PATH' }],
    },
    {
      name: 'a directory, then a file of the same name (EISDIR)',
      class: cls,
      build: async () =>
        rawZip({
          entries: [
            { name: 'x/', content: new Uint8Array() },
            { name: 'x', content: hello },
          ],
        }),
      expect: [{ probe: 'extract', throws: 'DUPLICATE_NAME' }],
    },
    {
      name: 'a 300-byte path component (ENAMETOOLONG)',
      class: cls,
      build: async () => one(`${'n'.repeat(300)}.txt`),
      expect: [
        {
          probe: 'extract',
          throws: 'any',
        },
      ],
    },
  ];
}

// ---------------------------------------------------------------- cozip

async function cozipWith(rows: Array<Record<string, unknown>>): Promise<Uint8Array> {
  const sink = bufferSink();
  await writeCozip(
    sink,
    [
      { name: 'a.txt', path: enc.encode('a'.repeat(3000)) },
      { name: 'b.txt', path: enc.encode('b'.repeat(3000)) },
    ],
    {
      profile: 'flat',
      mtime: new Date(Date.UTC(2024, 0, 2)),
      metadata: encodeManifest(rows),
      validateMetadata: false,
    },
  );
  return sink.bytes().slice();
}

function cozipCases(): CorpusCase[] {
  const cls = 'cozip manifests pointing anywhere';
  const row = (name: string, offset: number, size: number) => ({ name, offset, size });
  const pointing = (
    what: string,
    rows: (b: { a: number; cd: number; size: number }) => Array<Record<string, unknown>>,
    code: ErrorCode,
    reported: ErrorCode = 'MISSING_ENTRY',
  ): CorpusCase => ({
    name: `manifest row pointing ${what}`,
    class: cls,
    build: async () => {
      // Where things are in an honest archive of the same shape.
      const honest = await cozipWith([row('a.txt', 0, 1), row('b.txt', 0, 1)]);
      const cz = await openCozip(honest);
      void cz;
      const a = Buffer.from(honest).indexOf('aaaa');
      const cd = Buffer.from(honest).lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
      return cozipWith(rows({ a, cd, size: honest.length }));
    },
    expect: [
      { probe: 'cozipMembers', throws: code },
      { probe: 'cozipValidate', reports: reported },
    ],
  });
  return [
    pointing(
      'into the index',
      () => [row('a.txt', 51, 3000), row('b.txt', 60, 3000)],
      'MISSING_ENTRY',
    ),
    pointing(
      'into the central directory',
      ({ cd }) => [row('a.txt', cd, 40), row('b.txt', cd + 46, 20)],
      'MISSING_ENTRY',
    ),
    pointing(
      'past the end',
      ({ size }) => [row('a.txt', size - 10, 3000), row('b.txt', 2 ** 50, 1)],
      'INVALID_OFFSET',
    ),
    pointing(
      'overlapping the next member',
      ({ a }) => [row('a.txt', a, 3100), row('b.txt', a + 100, 3000)],
      'MISSING_ENTRY',
    ),
    pointing(
      'at the right bytes, with the wrong size',
      ({ a }) => [row('a.txt', a, 2999), row('b.txt', a, 3000)],
      'MISSING_ENTRY',
    ),
  ];
}

// ---------------------------------------------------------------- sozip

const SOZIP_CONTENT = enc.encode(
  Array.from({ length: 3000 }, (_, i) => `line ${i} of the seekable member\n`).join(''),
);

async function sozipArchive(): Promise<Uint8Array> {
  const sink = bufferSink();
  const w = new SozipWriter(sink, {
    chunkSize: 4096,
    threads: 1,
    mtime: new Date(Date.UTC(2024, 0, 2)),
    onWarning: () => {},
  });
  await w.add('m.txt', SOZIP_CONTENT);
  await w.finish();
  return sink.bytes().slice();
}

/** The hidden index's content offset in `b`. */
function sozipIndexAt(b: Uint8Array): number {
  const name = Buffer.from('.m.txt.sozip.idx');
  const at = Buffer.from(b).indexOf(name);
  const header = at - 30;
  return at + name.length + (b[header + 28] | (b[header + 29] << 8));
}

function sozipCases(): CorpusCase[] {
  const cls = 'SOZip indexes that lie';
  const edit = (patch: (b: Uint8Array, idx: number) => void) => async () => {
    const b = await sozipArchive();
    patch(b, sozipIndexAt(b));
    return b;
  };
  const readsRight: Expectation = {
    probe: 'sozipRead',
    safe: {
      what: 'every byte read is right (the index is ignored, with a warning)',
      check: (v, ctx) =>
        Buffer.from(v as Uint8Array).equals(Buffer.from(ctx.content!)) ? undefined : 'wrong bytes',
    },
  };
  return [
    {
      name: 'offsets out of order',
      class: cls,
      content: SOZIP_CONTENT,
      build: edit((b, idx) => {
        const first = b.slice(idx + 32 + 8, idx + 32 + 16);
        b.copyWithin(idx + 32 + 8, idx + 32 + 16, idx + 32 + 24);
        b.set(first, idx + 32 + 16);
      }),
      expect: [readsRight, { probe: 'sozipValidate', reports: 'SOZIP_INVALID_INDEX' }],
    },
    {
      name: 'an offset past the member',
      class: cls,
      content: SOZIP_CONTENT,
      build: edit((b, idx) => putU64(b, idx + 32 + 16, 2 ** 40)),
      expect: [readsRight, { probe: 'sozipValidate', reports: 'SOZIP_INVALID_INDEX' }],
    },
    {
      name: 'an offset that is not a chunk boundary',
      class: cls,
      content: SOZIP_CONTENT,
      build: edit((b, idx) => putU64(b, idx + 32 + 8, 3)),
      expect: [readsRight, { probe: 'sozipValidate', reports: 'SOZIP_INVALID_INDEX' }],
    },
    {
      name: 'chunk size 1 (an index claiming 100,000 entries)',
      class: cls,
      content: SOZIP_CONTENT,
      build: edit((b, idx) => putU32(b, idx + 8, 1)),
      expect: [readsRight, { probe: 'sozipValidate', reports: 'SOZIP_INVALID_INDEX' }],
    },
    {
      name: 'uncompressed size 2^40 (an index claiming 2^40 / chunk entries)',
      class: cls,
      content: SOZIP_CONTENT,
      build: edit((b, idx) => {
        putU32(b, idx + 8, 1);
        putU64(b, idx + 16, 2 ** 40);
      }),
      expect: [
        {
          ...readsRight,
        },
        {
          probe: 'sozipValidate',
          reports: 'SOZIP_INVALID_INDEX',
        },
      ],
    },
    {
      name: 'index record encoded for another member size',
      class: cls,
      content: SOZIP_CONTENT,
      build: async () => {
        const b = await sozipArchive();
        const idx = sozipIndexAt(b);
        const forged = encodeSozipIndex({
          chunkSize: 4096,
          uncompressedSize: 4096 * 3,
          compressedSize: 100,
          offsets: [10, 20],
        });
        b.set(forged.subarray(0, 32), idx);
        return b;
      },
      expect: [readsRight, { probe: 'sozipValidate', reports: 'SOZIP_INVALID_INDEX' }],
    },
  ];
}

// ------------------------------------------------------------- zipindex

/** A zstd frame of RLE blocks: `blocks` x 128 KiB of `byte` from 4 bytes each. */
function zstdRle(blocks: number, byte: number, declared?: number): Uint8Array {
  const header =
    declared === undefined
      ? Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58) // no content size; window 2^(10+11)... descriptor
      : (() => {
          const h = new Uint8Array(4 + 1 + 8);
          h.set([0x28, 0xb5, 0x2f, 0xfd]);
          h[4] = 0xe0; // single segment, 8-byte content size
          putU64(h, 5, declared);
          return h;
        })();
  const parts = [header];
  const block = 128 * 1024;
  for (let i = 0; i < blocks; i++) {
    const last = i === blocks - 1 ? 1 : 0;
    const v = (block << 3) | (1 << 1) | last;
    parts.push(Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, byte));
  }
  return concat(parts);
}

const typed = (t: number, body: Uint8Array) => concat([Uint8Array.of(t), body]);

function zipindexCases(): CorpusCase[] {
  const cls = 'msgpack and zstd bombs in zipindex';
  const files: File[] = Array.from({ length: 12 }, (_, i) => ({
    name: `f${i}.txt`,
    compressedSize: 10n,
    uncompressedSize: 20n,
    offset: BigInt(i * 100),
    crc32: i,
    method: 8,
    flags: 0,
  }));
  return [
    {
      name: 'type 1: an array header claiming 2^32 - 1 files',
      class: cls,
      build: async () => typed(1, Uint8Array.of(0xdd, 0xff, 0xff, 0xff, 0xff)),
      expect: [{ probe: 'zipindex', throws: 'TOO_MANY_FILES' }],
    },
    {
      name: 'type 1: a str32 name claiming 2 GiB',
      class: cls,
      build: async () => typed(1, Uint8Array.of(0x91, 0x97, 0xdb, 0x7f, 0xff, 0xff, 0xff, 0x61)),
      expect: [{ probe: 'zipindex', throws: 'CORRUPT_INDEX' }],
    },
    {
      name: 'type 1: arrays nested 100,000 deep',
      class: cls,
      build: async () => typed(1, new Uint8Array(100_000).fill(0x91)),
      expect: [{ probe: 'zipindex', throws: 'CORRUPT_INDEX' }],
    },
    {
      name: 'type 2: zstd frame honestly declaring 256 MiB (over the 128 MiB limit)',
      class: cls,
      build: async () => typed(2, zstdRle(2048, 0x90, 2048 * 128 * 1024)),
      expect: [{ probe: 'zipindex', throws: 'INDEX_TOO_LARGE' }],
    },
    {
      name: 'type 3: zstd frame of 256 MiB declaring 100 bytes',
      class: cls,
      build: async () => typed(3, zstdRle(2048, 0x90, 100)),
      expect: [{ probe: 'zipindex', throws: 'CORRUPT_INDEX' }],
    },
    {
      name: 'type 3: zstd frame declaring 64 MiB, holding 128 KiB',
      class: cls,
      build: async () => typed(3, zstdRle(1, 0x90, 64 << 20)),
      // Refused for what it declares, before a byte is decoded.
      expect: [{ probe: 'zipindex', throws: 'INDEX_TOO_LARGE' }],
    },
    {
      name: 'type 3: a valid frame of a payload claiming 2^32 - 1 columns',
      class: cls,
      build: async () => typed(3, await zstdCompress(Uint8Array.of(0xdf, 0xff, 0xff, 0xff, 0xff))),
      expect: [{ probe: 'zipindex', throws: 'CORRUPT_INDEX' }],
    },
    {
      name: 'type 4: a chunk whose First sorts after its Last',
      class: cls,
      build: async () => {
        const inner = await serialize(files);
        const map = (k: string, v: Uint8Array) =>
          concat([Uint8Array.of(0xa0 | k.length), enc.encode(k), v]);
        const str = (s: string) => concat([Uint8Array.of(0xa0 | s.length), enc.encode(s)]);
        const bin = concat([
          Uint8Array.of(0xc6),
          (() => {
            const n = new Uint8Array(4);
            new DataView(n.buffer).setUint32(0, inner.length);
            return n;
          })(),
          inner,
        ]);
        const chunk = concat([
          Uint8Array.of(0x84),
          map('Files', Uint8Array.of(12)),
          map('First', str('f9.txt')),
          map('Last', str('f0.txt')),
          map('Payload', bin),
        ]);
        return typed(4, chunk);
      },
      expect: [
        {
          probe: 'zipindex',
          throws: 'CORRUPT_INDEX',
        },
        {
          probe: 'zipindexFind',
          throws: 'CORRUPT_INDEX',
        },
      ],
    },
  ];
}

export function corpus(): CorpusCase[] {
  return [
    ...eocdCases(),
    ...overlapCases(),
    ...bombCases(),
    ...pathCases(),
    ...symlinkCases(),
    ...descriptorCases(),
    ...nameCases(),
    ...cozipCases(),
    ...sozipCases(),
    ...zipindexCases(),
  ];
}
