// Indexes exchanged with a Go reader/writer built on the libraries Go's
// zipindex uses (tinylib/msgp, klauspost/compress zstd; see go/zicheck.go):
// what we serialize, Go decodes to the same entries; what Go serializes
// (signed integer families, its zstd frames, its chunking), we decode and
// look up. Needs Debian's golang-go and golang-github-{tinylib-msgp,
// klauspost-compress}-dev; skipped without them, except under CI.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import {
  deserializeFiles,
  type File,
  findSerialized,
  optimizeSize,
  serialize,
} from '../../src/zipindex/index.js';
import { nameBytes } from '../../src/zipindex/names.js';
import { requireTools } from '../helpers/tools.js';
import { synthetic } from './synthetic.js';

const GOPATH = '/usr/share/gocode';
const PACKAGES = ['github.com/tinylib/msgp', 'github.com/klauspost/compress'];
const SOURCE = new URL('./go/zicheck.go', import.meta.url).pathname;

/** The JSON both sides exchange: name as base64 bytes, 64-bit values as strings. */
interface JsonFile {
  name: string;
  c: string;
  u: string;
  o: string;
  crc: number;
  method: number;
  flags: number;
  custom?: Record<string, string>;
}

function toJson(f: File): JsonFile {
  const out: JsonFile = {
    name: Buffer.from(nameBytes(f)).toString('base64'),
    c: String(f.compressedSize),
    u: String(f.uncompressedSize),
    o: String(f.offset),
    crc: f.crc32,
    method: f.method,
    flags: f.flags,
  };
  if (f.custom?.size) out.custom = Object.fromEntries([...f.custom].sort());
  return out;
}

/** Go's JSON of entries, custom maps with sorted keys, comparable as strings. */
function fromGo(text: string): string[] {
  const list = (JSON.parse(text) ?? []) as JsonFile[];
  return list.map((g) =>
    JSON.stringify({
      ...g,
      ...(g.custom ? { custom: Object.fromEntries(Object.entries(g.custom).sort()) } : {}),
    }),
  );
}

const MAX = (1n << 64n) - 1n;
const SETS: [string, () => File[]][] = [
  ['empty', () => []],
  ['one entry with custom data (type 1)', () => synthetic(1, 1, { custom: true })],
  ['two entries (type 1)', () => synthetic(2, 2)],
  [
    'nine, non-UTF-8 names and custom data (type 2)',
    () => synthetic(9, 3, { custom: true, exotic: true }),
  ],
  ['100 optimized (type 3)', () => optimizeSize(synthetic(100, 4, { custom: true, exotic: true }))],
  [
    '200 in reverse order (type 3, negative deltas)',
    () => synthetic(200, 5, { exotic: true }).reverse(),
  ],
  [
    '64-bit extremes (type 3)',
    () =>
      Array.from({ length: 12 }, (_, i) => ({
        name: `e${i}`,
        compressedSize: i % 2 ? MAX : 1n << 53n,
        uncompressedSize: i % 3 ? MAX - 5n : 0n,
        offset: i % 2 ? (1n << 63n) - 1n : -(1n << 62n),
        crc32: 0xffffffff,
        method: 0xffff,
        flags: i,
      })),
  ],
  [
    '30,000 (type 4, two chunks)',
    () => optimizeSize(synthetic(30_000, 6, { custom: true, exotic: true })),
  ],
  ['60,000 (type 4, three chunks)', () => optimizeSize(synthetic(60_000, 7, { exotic: true }))],
];

describe('zipindex interop with a Go reader and writer (msgp + klauspost zstd)', () => {
  let dir = '';
  let zicheck = '';

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cozip-go-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Builds the checker once; false (test skipped) when Go or its packages are missing. */
  function ready(t: TestContext): boolean {
    if (!requireTools(t, 'go')) return false;
    const missing = PACKAGES.filter((p) => !existsSync(join(GOPATH, 'src', p)));
    if (missing.length) {
      if (process.env.CI) throw new Error(`Go packages missing in CI: ${missing.join(', ')}`);
      t.skip(`missing Go packages ${missing.join(', ')}`);
      return false;
    }
    if (!zicheck) {
      const out = join(dir, 'zicheck');
      execFileSync('go', ['build', '-o', out, SOURCE], {
        env: {
          ...process.env,
          GO111MODULE: 'off',
          GOPATH,
          GOFLAGS: '',
          GOCACHE: join(dir, 'go-cache'),
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      zicheck = out;
    }
    return true;
  }

  const go = (command: 'decode' | 'encode', input: string, output: string) =>
    execFileSync(zicheck, [command, input, output], { stdio: ['ignore', 'ignore', 'pipe'] });

  for (const [label, make] of SETS) {
    it(label, async (t) => {
      if (!ready(t)) return;
      const files = make();
      const want = files.map((f) => JSON.stringify(toJson(f)));
      // Type 4 comes back in chunk order: compare those as sets.
      const same = (got: string[], type: number) =>
        type === 4
          ? assert.deepEqual([...got].sort(), [...want].sort())
          : assert.deepEqual(got, want);

      const ours = await serialize(files);
      writeFileSync(join(dir, 'ours.bin'), ours);
      go('decode', join(dir, 'ours.bin'), join(dir, 'ours.json'));
      same(fromGo(readFileSync(join(dir, 'ours.json'), 'utf8')), ours[0]);

      writeFileSync(join(dir, 'in.json'), JSON.stringify(files.map(toJson)));
      go('encode', join(dir, 'in.json'), join(dir, 'go.bin'));
      const theirs = new Uint8Array(readFileSync(join(dir, 'go.bin')));
      assert.equal(theirs[0], ours[0], 'both sides choose the same type');
      same(
        deserializeFiles(theirs).map((f) => JSON.stringify(toJson(f))),
        theirs[0],
      );
      for (const f of files.filter(
        (_, i) => i % Math.max(1, Math.floor(files.length / 40)) === 0,
      )) {
        const found = findSerialized(theirs, nameBytes(f));
        assert.ok(found, `found ${f.name}`);
        assert.equal(JSON.stringify(toJson(found)), JSON.stringify(toJson(f)));
      }
    });
  }
});
