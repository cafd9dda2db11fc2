// One JSON vocabulary for an entry: `ls` of a ZIP, `sozip list`, `sozip
// validate` and `index ls`/`find` give the same keys the same values for the
// same member, as the README's schema says; the writing commands' --json
// summaries; errors as JSON under --json; and modes as `ls -l` shows them.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { modeText } from '../../src/cli/entry-json.js';
import { ENTRY_KEYS } from '../../src/cli/entry-keys.js';
import { seededBytes } from '../helpers/random.js';
import { assertBuilt, expectExit, json, ok, tempDir } from './run.js';

type Row = Record<string, unknown>;

describe('one JSON vocabulary for entries', () => {
  let dir: string;
  let archive: string;

  before(async () => {
    assertBuilt();
    dir = tempDir('vocabulary');
    writeFileSync(join(dir, 'log.txt'), 'line of text\n'.repeat(20_000));
    writeFileSync(join(dir, 'noise.bin'), seededBytes(4, 5000));
    archive = join(dir, 'a.zip');
    await ok(['sozip', 'create', archive, join(dir, 'log.txt'), join(dir, 'noise.bin'), '-q']);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('ls, sozip list, sozip validate and index ls agree key by key', async () => {
    const ls = json<Row[]>(await ok(['ls', archive, '--json']));
    assert.deepEqual(Object.keys(ls[0]), [...ENTRY_KEYS]);
    const list = json<Row[]>(await ok(['sozip', 'list', archive, '--json']));
    const validated = json<{ members: Row[] }>(await ok(['sozip', 'validate', archive, '--json']));
    const index = join(dir, 'a.zipindex');
    await ok(['index', 'build', archive, '-o', index, '-q']);
    const indexed = json<Row[]>(await ok(['index', 'ls', index, '--json']));
    const found = json<Row>(await ok(['index', 'find', index, 'log.txt', '--json']));
    const common = (r: Row, keys: string[]) => Object.fromEntries(keys.map((k) => [k, r[k]]));
    const all = ['name', 'size', 'compressedSize', 'method', 'crc32', 'localHeaderOffset', 'mtime'];
    assert.deepEqual(
      list.map((r) => common(r, all)),
      ls.map((r) => common(r, all)),
    );
    // The index has no times, and leaves a CRC-32 in a data descriptor to it (null).
    const kept = all.filter((k) => k !== 'mtime' && k !== 'crc32');
    assert.deepEqual(
      indexed.map((r) => common(r, kept)),
      ls.map((r) => common(r, kept)),
    );
    assert.deepEqual(common(found, kept), common(ls[0], kept));
    for (const [i, r] of indexed.entries()) assert.ok(r.crc32 === null || r.crc32 === ls[i].crc32);
    const sizes = ['name', 'size', 'compressedSize', 'method'];
    assert.deepEqual(
      validated.members.map((r) => common(r, sizes)),
      ls.map((r) => common(r, sizes)),
    );
    assert.equal(ls[0].method, 'deflate');
    assert.equal(typeof ls[0].crc32, 'number');
  });

  it('every writing command prints a JSON summary; errors are a JSON object on stderr', async () => {
    const data = join(dir, 'data');
    mkdirSync(data, { recursive: true });
    writeFileSync(join(data, 'a.txt'), 'alpha\n');
    writeFileSync(join(data, 'empty.txt'), '');
    const cz = join(dir, 'c.zip');
    const created = json<Row>(await ok(['create', cz, data, '--json']));
    assert.deepEqual(created, {
      output: cz,
      format: 'cozip',
      profile: 'flat',
      entries: 1,
      size: 32_819,
      zip64: false,
      padded: true,
      skipped: [{ name: 'empty.txt', reason: 'empty file' }],
    });
    const converted = json<Row>(await ok(['convert', archive, join(dir, 'conv.zip'), '--json']));
    assert.equal(converted.format, 'cozip');
    assert.equal(converted.entries, 2);
    const out = join(dir, 'x');
    const extracted = json<Row>(await ok(['extract', cz, '-o', out, '--json']));
    assert.deepEqual(extracted, {
      output: out,
      files: 1,
      directories: 0,
      symlinks: 0,
      bytes: 6,
      skipped: [],
      warnings: [],
    });
    const got = json<Row>(await ok(['get', archive, 'noise.bin', '-o', join(dir, 'g'), '--json']));
    assert.equal(got.files, 1);
    assert.equal(got.bytes, 5000);
    const sz = json<Row>(await ok(['sozip', 'create', join(dir, 's.zip'), data, '--json']));
    assert.deepEqual(Object.keys(sz), [
      'output',
      'format',
      'entries',
      'sozipMembers',
      'chunkSize',
      'size',
      'zip64',
    ]);
    const sc = json<Row>(await ok(['sozip', 'convert', archive, join(dir, 's2.zip'), '--json']));
    assert.equal(sc.entries, 2);
    assert.equal((sc.converted as number) + (sc.reused as number) + (sc.copied as number), 2);

    const missing = await expectExit(['ls', join(dir, 'nope.zip'), '--json'], 1);
    assert.equal(missing.stdout, '');
    assert.deepEqual(JSON.parse(missing.stderr), {
      error: {
        code: 'NOT_FOUND',
        message: `${join(dir, 'nope.zip')} does not exist`,
        exitCode: 1,
        details: { path: join(dir, 'nope.zip') },
      },
    });
    const usage = await expectExit(['ls', cz, '--json', '--bogus'], 2);
    assert.equal(JSON.parse(usage.stderr).error.code, 'INVALID_ARGUMENT');
    assert.equal(JSON.parse(usage.stderr).error.exitCode, 2);
  });

  it('modes as ls -l shows them', () => {
    assert.equal(modeText(0o100644), '-rw-r--r--');
    assert.equal(modeText(0o040755), 'drwxr-xr-x');
    assert.equal(modeText(0o120777), 'lrwxrwxrwx');
    assert.equal(modeText(0o104755), '-rwsr-xr-x');
    assert.equal(modeText(0o102644), '-rw-r-Sr--');
    assert.equal(modeText(0o041777), 'drwxrwxrwt');
  });
});
