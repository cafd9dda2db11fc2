// The sequential member scan: every member found with its exact data, in few
// large reads, each byte of the archive fetched at most once.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bytesSource } from '../../src/io/bytes-source.js';
import { checkZip } from '../../src/zip/check.js';
import { readEntry } from '../../src/zip/entry-data.js';
import { openZip } from '../../src/zip/reader.js';
import { scanMembers } from '../../src/zip/scan.js';
import { type RangeServer, startRangeServer } from '../helpers/http-server.js';
import { randomInt, rng, seededBytes } from '../helpers/random.js';
import { requireTools } from '../helpers/tools.js';

/** Parses `bytes=a-b` into [a, b + 1). */
function rangeOf(header: string | undefined, size: number): [number, number] {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header ?? '');
  if (!m) return [0, size];
  if (m[1] === '') return [size - Number(m[2]), size];
  return [Number(m[1]), m[2] === '' ? size : Number(m[2]) + 1];
}

/** Every byte fetched at most once: the ranges, sorted, do not overlap. */
function assertNoByteTwice(ranges: [number, number][]): void {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < sorted.length; i++) {
    assert.ok(sorted[i][0] >= sorted[i - 1][1], `[${sorted[i - 1]}) and [${sorted[i]}) overlap`);
  }
}

describe('scanMembers', () => {
  let dir: string;
  let server: RangeServer;
  let pythonZip: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cozip-scan-'));
    pythonZip = join(dir, 'python.zip');
    // An independent writer: 4,000 deflated and stored members, 0-20 KiB,
    // with data descriptors on the streamed ones.
    execFileSync('python3', [
      '-c',
      `import sys, zipfile, random
random.seed(5)
with zipfile.ZipFile(sys.argv[1], 'w') as z:
    for i in range(4000):
        n = random.randint(0, 20000)
        data = bytes(random.getrandbits(8) for _ in range(n // 8)) * 8
        method = zipfile.ZIP_STORED if i % 3 == 0 else zipfile.ZIP_DEFLATED
        if i % 5 == 0:
            with z.open(zipfile.ZipInfo('s/%05d.bin' % i), 'w') as f:
                f.write(data)
        else:
            z.writestr('d%02d/%05d.bin' % (i % 40, i), data, compress_type=method)`,
      pythonZip,
    ]);
    server = await startRangeServer({ objects: { 'python.zip': pythonZip } });
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds every member with the exact compressed data a member read gives', async () => {
    const zip = await openZip(pythonZip);
    const seen = new Set<string>();
    let batches = 0;
    for await (const batch of scanMembers(zip, zip.entries, { windowSize: 1 << 20 })) {
      batches++;
      for (const m of batch) {
        assert.equal(m.error, undefined, m.entry.name);
        assert.ok(m.data, `${m.entry.name} is held`);
        assert.equal(m.data.length, m.entry.compressedSize);
        seen.add(m.entry.name);
      }
    }
    assert.equal(seen.size, 4000);
    // ~40 MB of members in 1 MiB windows.
    const size = readFileSync(pythonZip).length;
    assert.ok(
      batches >= size / (1 << 20) - 1 && batches <= (size / (1 << 20)) * 1.5 + 2,
      `${batches} windows for ${size} bytes`,
    );
    const report = await checkZip(zip);
    assert.deepEqual(report.problems, []);
    assert.ok(report.bytesChecked > 30e6);
    await zip.source.close?.();
  });

  it('over HTTP, checkZip fetches each byte at most once, about the archive once', async () => {
    const size = readFileSync(pythonZip).length;
    const before = server.requests.length;
    const zip = await openZip(server.url('python.zip'));
    const report = await checkZip(zip, { content: true });
    assert.equal(report.ok, true);
    const requests = server.requests.slice(before).filter((r) => r.name === 'python.zip');
    const ranges = requests.map((r) => rangeOf(r.range, size));
    assertNoByteTwice(ranges);
    const fetched = ranges.reduce((n, [a, b]) => n + b - a, 0);
    assert.ok(fetched <= size * 1.05, `${fetched} bytes for ${size}`);
    // 8 MiB windows: a handful of requests, not one per member.
    assert.ok(requests.length <= Math.ceil(size / (8 << 20)) + 4, `${requests.length} requests`);
  });

  it('reads a member alone when its local extra outgrows the window estimate', async (t) => {
    if (!requireTools(t, 'zip')) return;
    // Info-ZIP writes longer extras locally than centrally; tiny windows put
    // many members at a window's end.
    const tree = join(dir, 'tree');
    const random = rng(9);
    for (let i = 0; i < 300; i++) {
      mkdirSync(join(tree, `d${i % 7}`), { recursive: true });
      writeFileSync(
        join(tree, `d${i % 7}`, `f${i}.bin`),
        seededBytes(i, randomInt(random, 1, 3000)),
      );
    }
    const path = join(dir, 'infozip.zip');
    execFileSync('zip', ['-q', '-r', path, 'tree'], { cwd: dir });
    const bytes = readFileSync(path);
    const zip = await openZip(new Uint8Array(bytes));
    const reads: [number, number][] = [];
    const src = bytesSource(new Uint8Array(bytes));
    const counting = {
      ...src,
      size: src.size,
      name: src.name,
      read: (s: number, e: number) => {
        reads.push([s, e]);
        return src.read(s, e);
      },
    };
    const viaCounting = { ...zip, source: counting };
    let n = 0;
    for await (const batch of scanMembers(viaCounting, zip.entries, { windowSize: 64 * 1024 })) {
      for (const m of batch) {
        if (m.entry.isDirectory) continue;
        assert.equal(m.error, undefined);
        assert.deepEqual(
          Buffer.from(m.data!),
          Buffer.from(bytes.subarray(m.payloadOffset, m.payloadOffset + m.entry.compressedSize)),
        );
        n++;
      }
    }
    assert.equal(n, 300);
    assert.ok(reads.length > bytes.length / (64 * 1024), 'many small windows');
  });

  it('does not hold large members and reports bad headers per member', async () => {
    const zip = await openZip(pythonZip);
    const big = zip.entries.filter((e) => e.compressedSize > 10_000);
    const small = zip.entries.find((e) => e.compressedSize < 5000)!;
    const bytes = new Uint8Array(readFileSync(pythonZip));
    bytes[small.localHeaderOffset] ^= 0xff; // breaks the signature
    const damaged = await openZip(bytes);
    const byName = new Map<string, { held: boolean; code?: string; payload: number }>();
    for await (const batch of scanMembers(damaged, damaged.entries, { holdLimit: 10_000 })) {
      for (const m of batch) {
        byName.set(m.entry.name, {
          held: m.data !== undefined,
          code: m.error?.code,
          payload: m.payloadOffset,
        });
      }
    }
    assert.equal(byName.get(small.name)?.code, 'BAD_SIGNATURE');
    for (const e of big) {
      const m = byName.get(e.name)!;
      assert.equal(m.held, false, `${e.name} is streamed, not held`);
      const content = await readEntry(zip, e);
      assert.equal(content.length, e.uncompressedSize);
      assert.ok(m.payload > e.localHeaderOffset);
    }
    const report = await checkZip(damaged);
    assert.deepEqual(
      report.problems.map((p) => [p.code, p.entry]),
      [['BAD_SIGNATURE', small.name]],
    );
  });
});
