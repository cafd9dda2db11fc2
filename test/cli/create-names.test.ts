// cozip create and the revision 0.1.0 name rule: non-ASCII names refused
// with the way out, --escape-names packs them, and table rows are told as
// the table's 1-based data rows.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readManifest } from '../../src/cozip/manifest.js';
import { openCozip, readMember } from '../../src/cozip/reader.js';
import { assertBuilt, expectExit, ok, tempDir } from './run.js';

describe('cozip create: names', () => {
  let dir: string;
  before(() => {
    assertBuilt();
    dir = tempDir('create-names');
    mkdirSync(join(dir, 'data', 'Zürich'), { recursive: true });
    writeFileSync(join(dir, 'data', 'plain.txt'), 'plain');
    writeFileSync(join(dir, 'data', 'Zürich', 'été.txt'), 'summer');
    writeFileSync(join(dir, 'data', 'b.txt'), 'b');
    writeFileSync(
      join(dir, 'table.csv'),
      'path,name\ndata/plain.txt,plain.txt\ndata/b.txt,a\\b.txt\n',
    );
    writeFileSync(
      join(dir, 'dup.csv'),
      'path,name\ndata/plain.txt,x\ndata/b.txt,y\ndata/b.txt,x\n',
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a non-ASCII file name, pointing at --escape-names, and writes nothing', async () => {
    const out = join(dir, 'refused.zip');
    const run = await expectExit(['create', out, join(dir, 'data')], 1);
    assert.match(run.stderr, /Zürich\/été\.txt.*non-ASCII.*--escape-names/s);
    assert.equal(existsSync(out), false);
  });

  it('--escape-names stores %XX names with the originals in source_name', async () => {
    const out = join(dir, 'escaped.zip');
    await ok(['create', out, join(dir, 'data'), '--escape-names']);
    const archive = await openCozip(out);
    try {
      const rows = await readManifest(archive, {
        columns: ['name', 'source_name', 'offset', 'size'],
      });
      assert.deepEqual(
        rows.map((r) => [r.name, r.source_name]),
        [
          ['Z%C3%BCrich/%C3%A9t%C3%A9.txt', 'Zürich/été.txt'],
          ['b.txt', 'b.txt'],
          ['plain.txt', 'plain.txt'],
        ],
      );
      assert.equal(new TextDecoder().decode(await readMember(archive, rows[0])), 'summer');
    } finally {
      await archive.source.close?.();
    }
  });

  it('a bad name in a table is told by the table and its 1-based data row', async () => {
    const run = await expectExit(
      ['create', join(dir, 't.zip'), '--from', join(dir, 'table.csv')],
      1,
    );
    assert.match(run.stderr, /table\.csv row 2: invalid name "a\\\\b\.txt": backslash/);
    const dup = await expectExit(['create', join(dir, 'd.zip'), '--from', join(dir, 'dup.csv')], 1);
    assert.match(dup.stderr, /dup\.csv rows 1 and 3 both use the name "x"/);
  });
});
