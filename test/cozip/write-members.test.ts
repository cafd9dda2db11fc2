// The cozip writer's member loop over every kind of source at once: bytes
// (written straight into the block), streams of odd chunks with and without
// a known CRC, whole reads, Blobs, members that straddle the writer's 1 MiB
// blocks, and a manifest in name order over members in row order.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { CozipRow } from '../../src/cozip/inputs.js';
import { readManifest } from '../../src/cozip/manifest.js';
import { openCozip, readMember } from '../../src/cozip/reader.js';
import { validateCozip } from '../../src/cozip/validate.js';
import { writeCozip } from '../../src/cozip/writer.js';
import { checkZip } from '../../src/zip/check.js';
import { crc32 } from '../../src/zip/codecs.js';
import { openZip } from '../../src/zip/reader.js';
import { randomInt, rng, seededBytes } from '../helpers/random.js';

const dir = mkdtempSync(join(tmpdir(), 'cozip-members-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function* chunks(bytes: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

/** Row i's source, one of five kinds. */
function source(bytes: Uint8Array<ArrayBuffer>, i: number): CozipRow['path'] {
  switch (i % 5) {
    case 0:
      return bytes;
    case 1:
      return { size: bytes.length, stream: () => chunks(bytes, 777) };
    case 2:
      return { size: bytes.length, crc32: crc32(bytes), stream: () => chunks(bytes, 4096) };
    case 3:
      return {
        size: bytes.length,
        stream: () => chunks(bytes, 1),
        read: async () => bytes,
      };
    default:
      return new Blob([bytes]);
  }
}

describe('cozip writer members', () => {
  it('writes every kind of source, across block boundaries, byte for byte', async () => {
    const random = rng(2026);
    const count = 2500;
    const contents = Array.from({ length: count }, (_, i) =>
      // Mostly small; every 97th member is 200-700 KiB, so members cross blocks.
      seededBytes(
        i + 1,
        i % 97 === 0 ? randomInt(random, 200_000, 700_000) : randomInt(random, 1, 3000),
      ),
    );
    // Names out of order, so the name-sorted manifest differs from the member order.
    const rows: CozipRow[] = contents.map((bytes, i) => ({
      name: `d${(i * 7919) % 13}/m${(i * 104_729) % count}-${i}.bin`,
      path: source(bytes, i),
      kind: i % 5,
    }));
    const out = join(dir, 'mixed.zip');
    const result = await writeCozip(out, rows, {
      mtime: new Date('2024-01-01T00:00:00Z'),
      manifest: { sortByName: true },
    });
    assert.equal(result.entries, count);

    const report = await validateCozip(out, { content: true });
    assert.deepEqual(report.problems, []);
    assert.equal(report.entries, count + 2); // + __cozip__ and __metadata__
    const zip = await openZip(out);
    try {
      const check = await checkZip(zip);
      assert.deepEqual(check.problems, []);
    } finally {
      await zip.source.close?.();
    }

    const archive = await openCozip(out);
    try {
      const manifest = await readManifest(archive);
      const names = manifest.map((r) => r.name as string);
      assert.deepEqual(names, [...names].sort(), 'manifest rows in name order');
      assert.equal(manifest.length, count);
      const byName = new Map(rows.map((r, i) => [r.name, i]));
      for (const row of manifest) {
        const i = byName.get(row.name as string)!;
        assert.equal(row.kind, i % 5);
        assert.equal(row.size, contents[i].length);
        assert.deepEqual(await readMember(archive, row), contents[i], row.name as string);
      }
      // Members lie in row order: offsets rise with the row index.
      const offsets = rows.map((r) => manifest.find((m) => m.name === r.name)!.offset as number);
      for (let i = 1; i < offsets.length; i++) assert.ok(offsets[i] > offsets[i - 1]);
    } finally {
      await archive.source.close?.();
    }
  });

  it('builds the result manifest only when asked, with the offsets written', async () => {
    const rows = [
      { name: 'b.txt', path: new Uint8Array([1, 2, 3]), n: 1 },
      { name: 'a.txt', path: new Uint8Array([4, 5]), n: 2 },
    ];
    const out = join(dir, 'small.zip');
    const result = await writeCozip(out, rows, { manifest: { sortByName: true } });
    assert.deepEqual(
      result.manifest!.map((r) => [r.name, r.size, r.n]),
      [
        ['a.txt', 2, 2],
        ['b.txt', 3, 1],
      ],
    );
    const archive = await openCozip(out);
    try {
      const read = await readManifest(archive);
      assert.deepEqual(
        read.map((r) => r.offset),
        result.manifest!.map((r) => r.offset),
      );
    } finally {
      await archive.source.close?.();
    }
  });
});
