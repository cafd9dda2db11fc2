// Writing commands never replace an existing file unless told to (--force;
// --overwrite for extract and get), and never one of their own inputs: each
// refusal is one line, exit 1, and the existing file keeps its bytes and time.
import assert from 'node:assert/strict';
import {
  copyFileSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertBuilt, expectExit, ok, tempDir } from './run.js';

/** An old time the refused commands must leave on their target. */
const OLD = new Date('2001-02-03T04:05:06Z');

/** Gives `path` a known time; the returned check asserts neither bytes nor time changed. */
function freeze(path: string): () => void {
  utimesSync(path, OLD, OLD);
  const bytes = readFileSync(path);
  return () => {
    assert.deepEqual(readFileSync(path), bytes, `${path} was changed`);
    assert.equal(statSync(path).mtimeMs, OLD.getTime(), `${path} was touched`);
  };
}

/** Runs a command that must be refused: exit 1 and exactly this one line on stderr. */
async function refused(args: string[], line: string): Promise<void> {
  const run = await expectExit(args, 1);
  assert.equal(run.stderr, `cozip: ${line}\n`);
  assert.equal(run.stdout, '');
}

const exists = (path: string, flag = '--force') =>
  `FILE_EXISTS: ${path} already exists (pass ${flag} to replace it)`;

describe('writing commands and existing files', () => {
  let dir: string;
  let data: string;
  let plain: string;
  let csv: string;

  before(async () => {
    assertBuilt();
    dir = tempDir('overwrite');
    data = join(dir, 'data');
    mkdirSync(join(data, 'sub'), { recursive: true });
    writeFileSync(join(data, 'a.txt'), 'alpha\n'.repeat(100));
    writeFileSync(join(data, 'sub', 'b.txt'), 'beta\n'.repeat(100));
    csv = join(dir, 'list.csv');
    writeFileSync(csv, 'path,name\ndata/a.txt,a.txt\n');
    plain = join(dir, 'plain.zip');
    await ok(['sozip', 'create', plain, data, '-q']);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A file at `name` in a directory of its own, frozen. */
  function existing(name: string): { path: string; unchanged: () => void } {
    const sub = tempDirIn(dir);
    const path = join(sub, name);
    writeFileSync(path, 'precious\n');
    return { path, unchanged: freeze(path) };
  }

  const writers: Array<[string, (out: string) => string[]]> = [
    ['create DIR', (out) => ['create', out, data, '-q']],
    ['create --from', (out) => ['create', out, '--from', csv, '-q']],
    ['convert', (out) => ['convert', plain, out, '-q']],
    ['sozip create', (out) => ['sozip', 'create', out, data, '-q']],
    ['sozip convert', (out) => ['sozip', 'convert', plain, out, '-q']],
    ['index build', (out) => ['index', 'build', plain, '-o', out, '-q']],
  ];

  for (const [name, args] of writers) {
    it(`${name}: refuses an existing file without --force, replaces it with --force`, async () => {
      const out = existing('out.zip');
      await refused(args(out.path), exists(out.path));
      out.unchanged();
      assert.deepEqual(readdirSync(join(out.path, '..')), ['out.zip'], 'no temp file left');
      await ok([...args(out.path), '--force']);
      assert.notEqual(readFileSync(out.path, 'utf8'), 'precious\n');
      assert.deepEqual(readdirSync(join(out.path, '..')), ['out.zip']);
    });
  }

  it('--help of every writing command lists --force', async () => {
    for (const command of [
      ['create'],
      ['convert'],
      ['sozip', 'create'],
      ['sozip', 'convert'],
      ['index', 'build'],
    ]) {
      const help = await ok([...command, '--help']);
      // What bench/entries-common.ts looks for.
      assert.match(help.stdout, /^\s+(-\w, )?--force\b/m, command.join(' '));
    }
  });

  it('refuses before reading any input: a missing input is not even looked at', async () => {
    const out = existing('out.zip');
    const missing = join(dir, 'missing');
    await refused(['create', out.path, '--from', `${missing}.csv`], exists(out.path));
    await refused(['create', out.path, missing], exists(out.path));
    await refused(['convert', `${missing}.zip`, out.path], exists(out.path));
    await refused(['sozip', 'create', out.path, missing], exists(out.path));
    await refused(['sozip', 'convert', `${missing}.zip`, out.path], exists(out.path));
    await refused(['index', 'build', `${missing}.zip`, '-o', out.path], exists(out.path));
    out.unchanged();
  });

  it('sozip create a.tif b.tif (the output name forgotten) leaves a.tif alone', async () => {
    const a = existing('a.tif');
    const b = join(a.path, '..', 'b.tif');
    writeFileSync(b, 'tiff\n');
    await refused(['sozip', 'create', a.path, b], exists(a.path));
    a.unchanged();
  });

  it('never writes over one of its own inputs, even with --force', async () => {
    const own = (out: string, input = out) =>
      `INVALID_ARGUMENT: refusing to write ${out}: it is an input of this command${input === out ? '' : ` (${input})`}, even with --force`;
    // create's --from table, and create from a table that lists itself.
    const table = existing('m.csv');
    for (const force of [[], ['--force']]) {
      await refused(['create', table.path, '--from', table.path, ...force], own(table.path));
    }
    table.unchanged();
    // The source archive of convert, sozip convert and index build, also by another name.
    const src = join(tempDirIn(dir), 'src.zip');
    copyFileSync(plain, src);
    const unchanged = freeze(src);
    const link = join(src, '..', 'link.zip');
    linkSync(src, link);
    const symlink = join(src, '..', 'symlink.zip');
    symlinkSync(src, symlink);
    for (const out of [src, link, symlink]) {
      const input = out === src ? out : src;
      await refused(['convert', src, out, '--force'], own(out, input));
      await refused(['sozip', 'convert', src, out, '--force'], own(out, input));
      await refused(['index', 'build', src, '-o', out, '--force'], own(out, input));
    }
    // sozip create: a file argument, and a hard link to the output inside a directory argument.
    await refused(['sozip', 'create', src, data, src, '--force'], own(src));
    const tree = tempDirIn(dir);
    linkSync(src, join(tree, 'inside.zip'));
    await refused(['sozip', 'create', link, tree, '--force'], own(link, join(tree, 'inside.zip')));
    // create DIR: the writer refuses a row whose file is the output.
    const run = await expectExit(['create', link, tree, '--force'], 1);
    assert.match(run.stderr, /^cozip: INVALID_ARGUMENT: refusing to write .*link\.zip/);
    unchanged();
    assert.deepEqual(readdirSync(join(src, '..')).sort(), ['link.zip', 'src.zip', 'symlink.zip']);
  });

  it('a directory is never replaced, even with --force', async () => {
    const target = tempDirIn(dir);
    for (const force of [[], ['--force']]) {
      await refused(
        ['create', target, '--from', csv, ...force],
        `FILE_EXISTS: ${target} exists and is a directory`,
      );
    }
    assert.deepEqual(readdirSync(target), []);
  });
});

describe('extract and get and existing files', () => {
  let dir: string;
  let archive: string;

  before(async () => {
    assertBuilt();
    dir = tempDir('overwrite-x');
    const data = join(dir, 'data');
    mkdirSync(data);
    writeFileSync(join(data, 'a.txt'), 'alpha\n');
    writeFileSync(join(data, 'b.txt'), 'beta\n');
    mkdirSync(join(data, 'sub', 'deep'), { recursive: true });
    writeFileSync(join(data, 'sub', 'deep', 'c.txt'), 'gamma\n');
    // A member with the archive's own name, to extract over the archive.
    writeFileSync(join(data, 'self.zip'), 'not a zip\n');
    archive = join(dir, 'archive.zip');
    // "." from inside data: the names have no folder of data's.
    await ok(['sozip', 'create', archive, '.', '-q'], data);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('extract: refuses an existing file before writing anything; --overwrite replaces it', async () => {
    const out = tempDirIn(dir);
    writeFileSync(join(out, 'b.txt'), 'precious\n');
    const unchanged = freeze(join(out, 'b.txt'));
    await refused(['extract', archive, '-o', out, '-q'], exists(join(out, 'b.txt'), '--overwrite'));
    unchanged();
    // a.txt comes before b.txt, and is not written either.
    assert.deepEqual(readdirSync(out), ['b.txt']);
    await ok(['extract', archive, '-o', out, '--overwrite', '-q']);
    assert.equal(readFileSync(join(out, 'b.txt'), 'utf8'), 'beta\n');
  });

  it('extract: an existing file deep in the tree is found; folders that exist without it are fine', async () => {
    const out = tempDirIn(dir);
    mkdirSync(join(out, 'sub', 'deep'), { recursive: true });
    writeFileSync(join(out, 'sub', 'deep', 'c.txt'), 'precious\n');
    const unchanged = freeze(join(out, 'sub', 'deep', 'c.txt'));
    await refused(
      ['extract', archive, '-o', out, '-q'],
      exists(join(out, 'sub', 'deep', 'c.txt'), '--overwrite'),
    );
    unchanged();
    assert.deepEqual(readdirSync(out), ['sub']);
    const other = tempDirIn(dir);
    mkdirSync(join(other, 'sub'));
    await ok(['extract', archive, '-o', other, '-q']);
    assert.equal(readFileSync(join(other, 'sub', 'deep', 'c.txt'), 'utf8'), 'gamma\n');
  });

  it('get: refuses an existing file before opening the archive; --overwrite replaces it', async () => {
    const out = tempDirIn(dir);
    writeFileSync(join(out, 'a.txt'), 'precious\n');
    const unchanged = freeze(join(out, 'a.txt'));
    const line = exists(join(out, 'a.txt'), '--overwrite');
    await refused(['get', archive, 'b.txt', 'a.txt', '-o', out, '-q'], line);
    await refused(['get', join(dir, 'missing.zip'), 'a.txt', '-o', out, '-q'], line);
    unchanged();
    assert.deepEqual(readdirSync(out), ['a.txt']);
    await ok(['get', archive, 'a.txt', '-o', out, '--overwrite', '-q']);
    assert.equal(readFileSync(join(out, 'a.txt'), 'utf8'), 'alpha\n');
  });

  it('extract and get never write over the archive they read, even with --overwrite', async () => {
    const out = tempDirIn(dir);
    const self = join(out, 'self.zip');
    copyFileSync(archive, self);
    const unchanged = freeze(self);
    const line = `INVALID_ARGUMENT: refusing to write ${self}: it is an input of this command, even with --overwrite`;
    await refused(['extract', self, '-o', out, '--overwrite', '-q'], line);
    await refused(['get', self, 'self.zip', '-o', out, '--overwrite', '-q'], line);
    unchanged();
    assert.deepEqual(readdirSync(out), ['self.zip']);
  });
});

let made = 0;
/** A new empty directory under `parent`. */
function tempDirIn(parent: string): string {
  const path = join(parent, `t${made++}`);
  mkdirSync(path);
  return path;
}
