// `ls -l` lists entries as zipinfo -l does (mode, sizes, method, CRC-32,
// offset, time, name) with a totals line; `ls --raw` lists a cozip's ZIP
// entries instead of its manifest.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertBuilt, json, ok, tempDir } from './run.js';

describe('cozip ls -l and --raw', () => {
  let dir: string;
  let cz: string;

  before(async () => {
    assertBuilt();
    dir = tempDir('ls-long');
    writeFileSync(join(dir, 'm.csv'), 'name,path\na.txt,a.txt\n');
    writeFileSync(join(dir, 'a.txt'), 'alpha\n');
    cz = join(dir, 'c.zip');
    await ok(['create', cz, '--from', join(dir, 'm.csv'), '--mtime', '2024-01-01T00:00:00Z', '-q']);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--raw lists the ZIP entries of a cozip; -l shows them in full with totals', async () => {
    const raw = json<Array<Record<string, unknown>>>(await ok(['ls', cz, '--raw', '--json']));
    assert.deepEqual(
      raw.map((e) => e.name),
      ['__cozip__', 'a.txt', '__metadata__', '__cozip_padding__'],
    );
    const lines = (await ok(['ls', cz, '--raw', '-l'])).stdout.trimEnd().split('\n');
    assert.match(
      lines[0],
      /^mode\s+size\s+compressedSize\s+method\s+crc32\s+localHeaderOffset\s+mtime\s+name$/,
    );
    const a = raw.find((e) => e.name === 'a.txt')!;
    const crc = (a.crc32 as number).toString(16).padStart(8, '0');
    assert.match(
      lines.find((l) => l.endsWith(' a.txt'))!,
      new RegExp(
        `^-rw-r--r--\\s+6\\s+6\\s+store\\s+${crc}\\s+${a.localHeaderOffset}\\s+2024-01-01T00:00:00\\.000Z\\s+a\\.txt$`,
      ),
    );
    assert.equal(lines.length, 1 + 4 + 1);
    const total = raw.reduce((sum, e) => sum + (e.size as number), 0).toLocaleString('en-US');
    assert.equal(lines[5], `4 entries (4 files), ${total} bytes, ${total} stored (0.0% saved)`);
    // Without --raw, a Flat cozip lists its manifest.
    const rows = json<Array<Record<string, unknown>>>(
      await ok(['ls', cz, '--json', '--no-location']),
    );
    assert.deepEqual(Object.keys(rows[0]), ['name', 'offset', 'size']);
  });
});
