// `cozip sozip create` as GDAL's sozip users expect it: --min-size (GDAL's
// 1 MiB default), a directory under its own name (like zip -r), -j, --level 0
// stores, --append adds to an archive in place.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { seededBytes } from '../helpers/random.js';
import { requireTools, unzipTest } from '../helpers/tools.js';
import { assertBuilt, expectExit, json, ok, tempDir } from './run.js';

interface ListRow {
  name: string;
  size: number;
  method: string;
  sozip: boolean;
}

describe('cozip sozip create: GDAL sozip and zip -r conventions', () => {
  let dir: string;
  const text = (n: number) => new TextEncoder().encode('a line of log text\n'.repeat(n));
  const big = text(80_000); // 1.5 MB
  const medium = text(20_000); // 380 kB
  const tiny = new TextEncoder().encode('tiny\n');

  before(() => {
    assertBuilt();
    dir = tempDir('sozip-gdal');
    mkdirSync(join(dir, 'tiles', 'z1'), { recursive: true });
    writeFileSync(join(dir, 'tiles', 'z1', 'big.log'), big);
    writeFileSync(join(dir, 'tiles', 'medium.log'), medium);
    writeFileSync(join(dir, 'tiny.txt'), tiny);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const list = async (archive: string) =>
    json<ListRow[]>(await ok(['sozip', 'list', archive, '--json'])).map((r) => [
      r.name,
      r.method,
      r.sozip,
    ]);

  it('a directory keeps its own name; only members above 1 MiB are SOZip by default', async () => {
    const out = join(dir, 'default.zip');
    await ok(['sozip', 'create', out, join(dir, 'tiles'), join(dir, 'tiny.txt'), '-q']);
    assert.deepEqual(await list(out), [
      ['tiles/medium.log', 'deflate', false],
      ['tiles/z1/big.log', 'deflate', true],
      ['tiny.txt', 'deflate', false],
    ]);
    // --min-size 0: every member above the chunk size; "." from inside: no folder.
    const all = join(dir, 'all.zip');
    await ok(['sozip', 'create', all, '.', '--min-size', '0', '-q'], join(dir, 'tiles'));
    assert.deepEqual(await list(all), [
      ['medium.log', 'deflate', true],
      ['z1/big.log', 'deflate', true],
    ]);
    const larger = join(dir, 'larger.zip');
    await ok(['sozip', 'create', larger, join(dir, 'tiles'), '--min-size', '2M', '-q']);
    assert.deepEqual(
      (await list(larger)).map((r) => r[2]),
      [false, false],
    );
    await expectExit(
      ['sozip', 'create', join(dir, 'x.zip'), join(dir, 'tiles'), '--min-size', 'big'],
      2,
    );
  });

  it('-j stores files under their basename; --level 0 stores them', async (t) => {
    const out = join(dir, 'flat.zip');
    await ok(['sozip', 'create', out, join(dir, 'tiles'), '-j', '--level', '0', '-q']);
    assert.deepEqual(await list(out), [
      ['medium.log', 'store', false],
      ['big.log', 'store', false],
    ]);
    if (!requireTools(t, 'unzip')) return;
    const u = await unzipTest(out);
    assert.ok(u.ok, u.output);
  });

  it('--append adds to an existing archive, keeps its entries, and refuses what it cannot do', async (t) => {
    const out = join(dir, 'grown.zip');
    await ok(['sozip', 'create', out, join(dir, 'tiles'), '-q']);
    const before = readFileSync(out);
    const extra = join(dir, 'extra.bin');
    writeFileSync(extra, seededBytes(9, 2_000_000));
    const run = json<{ entries: number; sozipMembers: number }>(
      await ok(['sozip', 'create', out, extra, '--append', '--json']),
    );
    assert.equal(run.entries, 3);
    assert.equal(run.sozipMembers, 1);
    assert.deepEqual(await list(out), [
      ['tiles/medium.log', 'deflate', false],
      ['tiles/z1/big.log', 'deflate', true],
      ['extra.bin', 'deflate', true],
    ]);
    // The old members' bytes are where they were.
    assert.ok(readFileSync(out).subarray(0, 1000).equals(before.subarray(0, 1000)));
    const v = json<{ ok: boolean }>(await ok(['sozip', 'validate', out, '--deep', '--json']));
    assert.equal(v.ok, true);
    const missing = await expectExit(
      ['sozip', 'create', join(dir, 'none.zip'), extra, '--append'],
      1,
    );
    assert.match(
      missing.stderr,
      /^cozip: NOT_FOUND: .*none\.zip does not exist \(--append adds to an existing archive\)/,
    );
    const self = await expectExit(['sozip', 'create', out, out, '--append'], 1);
    assert.match(self.stderr, /it is an input of this command, even with --append/);
    const twice = await expectExit(['sozip', 'create', out, extra, '--append'], 1);
    assert.match(twice.stderr, /^cozip: DUPLICATE_NAME: /);
    if (!requireTools(t, 'unzip')) return;
    const u = await unzipTest(out);
    assert.ok(u.ok, u.output);
  });
});
