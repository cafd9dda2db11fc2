// What the built CLI loads, seen through a module loader hook: --version and
// --help load commander and the CLI's own definitions only, and a command
// does not load the library parts it does not use (the Parquet writer, S3
// signing, zstd, zipindex). create must load the Parquet writer, so a hook
// that stopped seeing modules would fail here too.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { bufferSink } from '../../src/zip/sink.js';
import { ZipWriter } from '../../src/zip/writer.js';
import { seededBytes } from '../helpers/random.js';
import { assertBuilt, cozip, ROOT, type Run, tempDir } from './run.js';

const MARK = 'cozip-test-load ';

/** The loader hook: every file: module Node loads, one stderr line each. */
const LOADER = `export async function load(url, context, next) {
  if (url.startsWith('file:')) process.stderr.write(${JSON.stringify(MARK)} + url + '\\n');
  return next(url, context);
}\n`;

const REGISTER = `import { register } from 'node:module';
register('./loader.mjs', import.meta.url);\n`;

/** Packages that only some commands may load. */
const HEAVY = ['hyparquet', 'hyparquet-writer', 'aws4fetch', '@hpcc-js/wasm-zstd', 'fzstd'];

interface Loaded {
  run: Run;
  /** Packages under node_modules, by name. */
  packages: Set<string>;
  /** Modules under dist/, as paths relative to it. */
  dist: string[];
}

describe('cozip start-up: modules loaded per command', () => {
  let dir: string;
  let hook: string;
  let plain: string;
  let files: string;

  before(async () => {
    assertBuilt();
    dir = tempDir('startup');
    writeFileSync(join(dir, 'loader.mjs'), LOADER);
    writeFileSync(join(dir, 'register.mjs'), REGISTER);
    hook = pathToFileURL(join(dir, 'register.mjs')).href;
    const sink = bufferSink();
    const writer = new ZipWriter(sink);
    await writer.add('docs/hello.txt', new TextEncoder().encode('hello\n'));
    await writer.add('data/blob.bin', seededBytes(7, 20_000));
    await writer.finish();
    plain = join(dir, 'plain.zip');
    writeFileSync(plain, sink.bytes());
    files = join(dir, 'files');
    mkdirSync(files);
    writeFileSync(join(files, 'a.bin'), seededBytes(8, 5_000));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function loaded(args: string[]): Promise<Loaded> {
    const run = await cozip(args, ROOT, ['--import', hook]);
    const urls = run.stderr
      .split('\n')
      .filter((l) => l.startsWith(MARK))
      .map((l) => l.slice(MARK.length));
    const stderr = run.stderr
      .split('\n')
      .filter((l) => !l.startsWith(MARK))
      .join('\n');
    assert.equal(run.code, 0, `cozip ${args.join(' ')} exited ${run.code}: ${stderr}`);
    const packages = new Set<string>();
    const dist: string[] = [];
    const distUrl = pathToFileURL(join(ROOT, 'dist/')).href;
    for (const url of urls) {
      const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
      if (pkg) packages.add(pkg[1]);
      else if (url.startsWith(distUrl)) dist.push(url.slice(distUrl.length));
    }
    // The hook works: it saw the entry point.
    assert.ok(dist.includes('cli/main.js'), `the hook saw no cli/main.js: ${urls.join(', ')}`);
    return { run, packages, dist };
  }

  for (const flag of ['--version', '--help']) {
    it(`${flag}: commander and the CLI's definitions only`, async () => {
      const { packages, dist } = await loaded([flag]);
      assert.deepEqual([...packages], ['commander']);
      // errors.js defines CozipError (no imports of its own): the error
      // report needs it for instanceof.
      assert.deepEqual(
        dist.filter((p) => !p.startsWith('cli/')),
        ['errors.js'],
      );
    });
  }

  const plainReads: Array<[string, (zip: string) => string[]]> = [
    ['ls', (zip) => ['ls', zip]],
    ['cat', (zip) => ['cat', zip, 'docs/hello.txt']],
    ['info', (zip) => ['info', zip]],
    ['validate', (zip) => ['validate', zip]],
    ['sozip list', (zip) => ['sozip', 'list', zip]],
  ];
  for (const [name, argv] of plainReads) {
    it(`${name} of a plain ZIP: no Parquet, S3, zstd or zipindex code`, async () => {
      const { packages, dist } = await loaded(argv(plain));
      assert.deepEqual(
        HEAVY.filter((p) => packages.has(p)),
        [],
      );
      assert.deepEqual(
        dist.filter((p) => p.startsWith('zipindex/') || p.startsWith('cozip/manifest')),
        [],
      );
    });
  }

  it('a command loads its own definitions, and no HTTP code for a local file', async () => {
    const { dist } = await loaded(['ls', plain]);
    assert.deepEqual(
      dist.filter((p) => p.startsWith('cli/commands/')),
      ['cli/commands/ls.js', 'cli/commands/ls-action.js'],
    );
    assert.deepEqual(
      dist.filter((p) => p.startsWith('io/http')),
      [],
    );
  });

  it('convert of a plain ZIP loads the Parquet writer, not the reader', async () => {
    const { dist, packages } = await loaded(['convert', plain, join(dir, 'converted.zip'), '-q']);
    assert.ok(packages.has('hyparquet-writer'));
    assert.deepEqual(
      ['hyparquet', 'fzstd'].filter((p) => packages.has(p)),
      [],
    );
    assert.ok(!dist.includes('cozip/manifest-read.js'));
  });

  it('create loads the Parquet writer; ls of the cozip the reader but not the writer', async () => {
    const out = join(dir, 'out.zip');
    const created = await loaded(['create', out, files, '-q']);
    assert.ok(created.packages.has('hyparquet-writer'), [...created.packages].join(', '));
    const listed = await loaded(['ls', out]);
    assert.match(listed.run.stdout, /^a\.bin\s/m);
    assert.ok(listed.packages.has('hyparquet'));
    assert.ok(!listed.packages.has('hyparquet-writer'));
    assert.ok(!listed.packages.has('aws4fetch'));
  });
});
