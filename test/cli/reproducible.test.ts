// --mtime fixes every time an archive holds (ZIP headers and the manifest's
// automatic mtime column): the same inputs give the same bytes, whatever
// the files' own times.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertBuilt, json, ok, tempDir } from './run.js';

const T = '2024-01-01T00:00:00Z';

describe('reproducible archives with --mtime', () => {
  let dir: string;
  let data: string;

  before(() => {
    assertBuilt();
    dir = tempDir('reproducible');
    data = join(dir, 'data');
    mkdirSync(join(data, 'sub'), { recursive: true });
    writeFileSync(join(data, 'a.txt'), 'alpha\n'.repeat(50));
    writeFileSync(join(data, 'sub', 'b.bin'), new Uint8Array(70_000).fill(7));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Gives data/a.txt another time, as a checkout or a `touch` does. */
  const touch = (when: Date) => utimesSync(join(data, 'a.txt'), when, when);

  it('create DIR and sozip create: the same bytes after a file is touched', async () => {
    for (const command of [['create'], ['sozip', 'create']]) {
      const first = join(dir, `first-${command.length}.zip`);
      const second = join(dir, `second-${command.length}.zip`);
      touch(new Date('2010-05-06T07:08:09Z'));
      await ok([...command, first, data, '--mtime', T, '-q']);
      touch(new Date());
      await ok([...command, second, data, '--mtime', T, '-q']);
      assert.deepEqual(readFileSync(second), readFileSync(first), command.join(' '));
    }
    const rows = json<Array<{ mtime: string }>>(
      await ok(['ls', join(dir, 'first-1.zip'), '--json']),
    );
    assert.deepEqual(
      rows.map((r) => r.mtime),
      [new Date(T).toISOString(), new Date(T).toISOString()],
      'the manifest holds --mtime, not the files’ times',
    );
  });

  it('convert: the manifest gets --mtime, so the members’ own times do not matter', async () => {
    const outs: Buffer[] = [];
    for (const [i, when] of ['2011-01-01T00:00:00Z', '2012-06-01T12:00:00Z'].entries()) {
      const zip = join(dir, `plain-${i}.zip`);
      await ok(['sozip', 'create', zip, data, '--mtime', when, '-q']);
      const out = join(dir, `converted-${i}.zip`);
      await ok(['convert', zip, out, '--mtime', T, '-q']);
      outs.push(readFileSync(out));
    }
    assert.deepEqual(outs[1], outs[0]);
    const rows = json<Array<{ mtime: string }>>(
      await ok(['ls', join(dir, 'converted-0.zip'), '--json']),
    );
    assert.ok(rows.every((r) => r.mtime === new Date(T).toISOString()));
  });
});
