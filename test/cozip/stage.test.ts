// The staged Flat writer: plan, write your own Parquet, embed it verbatim.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readManifest } from '../../src/cozip/manifest.js';
import { encodeManifest } from '../../src/cozip/manifest-write.js';
import { openCozip, readMember } from '../../src/cozip/reader.js';
import { stageCreate, stageMetadata } from '../../src/cozip/stage.js';
import { validateCozip } from '../../src/cozip/validate.js';
import { writeCozip } from '../../src/cozip/writer.js';
import { isCozipError } from '../../src/errors.js';
import { seededBytes } from '../helpers/random.js';

const dir = mkdtempSync(join(tmpdir(), 'cozip-stage-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('stageMetadata / stageCreate', () => {
  const files = ['a.tif', 'b.tif', 'c.tif'].map((name, i) => {
    const path = join(dir, name);
    writeFileSync(path, seededBytes(i + 10, 1000 * (i + 1)));
    return { name: `img/${name}`, path, cloud: i * 10 };
  });

  it('embeds a user-written Parquet verbatim, validated against the plan', async () => {
    const staged = await stageMetadata(files);
    assert.deepEqual(
      staged.table.map((r) => [r.name, r.cloud]),
      files.map((f) => [f.name, f.cloud]),
    );
    assert.ok(staged.table.every((r) => !('path' in r)));
    // The user adds a column of their own and writes the Parquet themselves.
    const parquet = encodeManifest(staged.table.map((r) => ({ ...r, reviewed: true })));
    const out = join(dir, 'staged.zip');
    await stageCreate(out, staged.paths, parquet);
    const archive = await openCozip(out);
    const rows = await readManifest(archive);
    assert.deepEqual(
      rows.map((r) => r.reviewed),
      [true, true, true],
    );
    assert.deepEqual(
      await readMember(archive, rows[2] as { offset: number; size: number }),
      seededBytes(12, 3000),
    );
    assert.deepEqual((await validateCozip(out)).problems, []);
    // Same plan as the one-step writer.
    const direct = await writeCozip(join(dir, 'direct.zip'), files);
    assert.deepEqual(
      direct.manifest!.map((r) => r.offset),
      staged.table.map((r) => r.offset),
    );
  });

  it('refuses a Parquet that disagrees with the plan, leaving no output behind', async () => {
    const staged = await stageMetadata(files);
    const wrong = encodeManifest(
      staged.table.map((r, i) => ({ ...r, offset: (r.offset as number) + (i === 1 ? 1 : 0) })),
    );
    const out = join(dir, 'wrong.zip');
    await assert.rejects(stageCreate(out, staged.paths, wrong), (e) =>
      isCozipError(e, 'MANIFEST_MISMATCH'),
    );
    assert.equal(existsSync(out), false);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.endsWith('.tmp')),
      [],
    );
    // Without validation it is embedded as given (the caller's responsibility).
    await stageCreate(out, staged.paths, wrong, { validate: false });
    assert.equal((await validateCozip(out)).ok, false);
  });
});

describe('writer input checks and atomic output', () => {
  const ok = { name: 'x.bin', path: Uint8Array.of(1, 2, 3) };
  const cases: Array<[string, unknown[], string]> = [
    ['missing name', [{ path: Uint8Array.of(1) }], 'INVALID_INPUT'],
    ['missing path', [{ name: 'a' }], 'INVALID_INPUT'],
    ['reserved column offset', [{ ...ok, offset: 1 }], 'INVALID_INPUT'],
    ['reserved column size', [{ ...ok, size: 1 }], 'INVALID_INPUT'],
    ['reserved name __metadata__', [{ ...ok, name: '__metadata__' }], 'INVALID_NAME'],
    ['reserved name __cozip__', [{ ...ok, name: '__cozip__' }], 'INVALID_NAME'],
    ['reserved name __cozip_padding__', [{ ...ok, name: '__cozip_padding__' }], 'INVALID_NAME'],
    ['duplicate', [ok, { ...ok }], 'DUPLICATE_NAME'],
    ['leading slash', [{ ...ok, name: '/abs' }], 'INVALID_NAME'],
    ['dot-dot', [{ ...ok, name: 'a/../b' }], 'INVALID_NAME'],
    ['drive letter', [{ ...ok, name: 'C:/x' }], 'INVALID_NAME'],
    ['backslash', [{ ...ok, name: 'a\\b' }], 'INVALID_NAME'],
    ['lone surrogate', [{ ...ok, name: 'a\ud800' }], 'INVALID_NAME'],
    ['directory entry', [{ ...ok, name: 'dir/' }], 'INVALID_NAME'],
    ['zero-byte entry', [{ ...ok, path: new Uint8Array(0) }], 'INVALID_INPUT'],
    ['missing source file', [{ ...ok, path: join(dir, 'does-not-exist') }], 'INVALID_INPUT'],
  ];
  for (const [what, rows, code] of cases) {
    it(`${what}: ${code}, naming the row, nothing written`, async () => {
      const out = join(dir, `bad-${what.replace(/\W/g, '_')}.zip`);
      await assert.rejects(
        writeCozip(out, rows as never),
        (e) => isCozipError(e) && e.code === code && /row/.test(e.message),
      );
      assert.equal(existsSync(out), false);
    });
  }

  it('a source that yields fewer bytes than declared fails with SIZE_MISMATCH and leaves no file', async () => {
    const out = join(dir, 'short.zip');
    const short = {
      size: 100,
      stream: async function* () {
        yield new Uint8Array(50);
      },
    };
    await assert.rejects(writeCozip(out, [{ name: 's', path: short }]), (e) =>
      isCozipError(e, 'SIZE_MISMATCH'),
    );
    assert.equal(existsSync(out), false);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.endsWith('.tmp')),
      [],
    );
  });

  it('reports progress up to every byte and entry', async () => {
    const seen: Array<{ entries: number; bytes: number }> = [];
    await writeCozip(
      join(dir, 'progress.zip'),
      [ok, { name: 'y.bin', path: seededBytes(1, 5000) }],
      {
        onProgress: (p) => seen.push({ entries: p.entries, bytes: p.bytes }),
      },
    );
    const last = seen[seen.length - 1];
    assert.ok(last.bytes >= 5003);
    assert.ok(last.entries >= 3, 'two data entries and the manifest (plus padding)');
  });
});
