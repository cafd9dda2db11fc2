// Out of space: every writing command fails with one WRITE_FAILED line and
// leaves neither a partial output nor a temp file (a 2 MiB tmpfs).
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createFileSink, isCozipError } from '../../src/node.js';
import { ZipWriter } from '../../src/zip/writer.js';
import { seededBytes } from '../helpers/random.js';
import { mountTmpfs, type Tmpfs } from '../helpers/tmpfs.js';
import { assertBuilt, cozip, tempDir } from './run.js';

const mounted = mountTmpfs('2m');
const skip = typeof mounted === 'string' ? mounted : false;

/** Every path under `dir`, relative, directories too. */
function tree(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).sort();
}

async function writeZip(path: string, members: Array<[string, Uint8Array]>): Promise<void> {
  const w = new ZipWriter(await createFileSink(path));
  for (const [name, bytes] of members) await w.add(name, bytes, { method: 0 });
  await w.finish();
}

describe('out of space (ENOSPC)', { skip }, () => {
  const fs = mounted as Tmpfs;
  let dir: string;
  const files: Record<string, Uint8Array> = {
    'a.bin': seededBytes(1, 900_000),
    'b.bin': seededBytes(2, 900_000),
    'c.bin': seededBytes(3, 900_000),
    'small.txt': new TextEncoder().encode('small\n'),
  };

  before(async () => {
    assertBuilt();
    dir = tempDir('enospc');
    mkdirSync(join(dir, 'data'));
    for (const [name, bytes] of Object.entries(files))
      writeFileSync(join(dir, 'data', name), bytes);
    await writeZip(join(dir, 'data.zip'), Object.entries(files));
    // 3,000 random names: a zipindex of about 30 KB.
    const noise = Buffer.from(seededBytes(4, 3000 * 8));
    const many: Array<[string, Uint8Array]> = [];
    for (let i = 0; i < 3000; i++) {
      many.push([`${noise.toString('hex', i * 8, i * 8 + 8)}.txt`, new Uint8Array([i & 0xff])]);
    }
    await writeZip(join(dir, 'many.zip'), many);
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    fs.unmount();
  });

  /** Runs `args` on an emptied tmpfs and checks the one-line WRITE_FAILED report. */
  async function fails(args: string[], output: string, fill = 0): Promise<void> {
    for (const name of readdirSync(fs.dir)) rmSync(join(fs.dir, name), { recursive: true });
    if (fill) writeFileSync(join(fs.dir, 'filler'), new Uint8Array(fill));
    const run = await cozip(args);
    assert.equal(run.code, 1, `exit ${run.code}, stderr: ${run.stderr}`);
    const lines = run.stderr.split('\n').filter((l) => l !== '' && !l.includes('\r'));
    assert.equal(lines.length, 1, run.stderr);
    assert.match(
      lines[0],
      new RegExp(
        `^cozip: WRITE_FAILED: cannot write .*${output}: no space left on device \\(ENOSPC\\)$`,
      ),
    );
  }

  it('the file sink: WRITE_FAILED with the final path and the OS error as cause', async () => {
    const target = join(fs.dir, 'lib.zip');
    const sink = await createFileSink(target);
    await assert.rejects(sink.write(new Uint8Array(3 << 20)), (err) => {
      assert.ok(isCozipError(err, 'WRITE_FAILED'), String(err));
      assert.equal(err.details.path, target);
      assert.equal((err.cause as NodeJS.ErrnoException).code, 'ENOSPC');
      return true;
    });
    assert.deepEqual(tree(fs.dir), []);
  });

  for (const [command, args] of [
    ['create', ['create', 'out.zip', 'data']],
    ['sozip create', ['sozip', 'create', 'out.zip', 'data']],
    ['convert', ['convert', 'data.zip', 'out.zip']],
    ['sozip convert', ['sozip', 'convert', 'data.zip', 'out.zip']],
  ] as const) {
    it(`${command}: WRITE_FAILED, no output, no temp file`, async () => {
      const cli = args.map((a) =>
        a === 'out.zip' ? join(fs.dir, a) : a.startsWith('data') ? join(dir, a) : a,
      );
      await fails([...cli, '-q'], 'out\\.zip');
      assert.deepEqual(tree(fs.dir), []);
    });
  }

  it('index build -o: WRITE_FAILED, no output, no temp file', async () => {
    // One page left: the index cannot fit.
    await fails(
      ['index', 'build', join(dir, 'many.zip'), '-o', join(fs.dir, 'idx.bin')],
      'idx\\.bin',
      (2 << 20) - 4096,
    );
    assert.deepEqual(tree(fs.dir), ['filler']);
  });

  it('extract: WRITE_FAILED, only complete files, no temp file', async () => {
    const out = join(fs.dir, 'x');
    await fails(['extract', join(dir, 'data.zip'), '-o', out, '-q'], 'x/[a-z]+\\.(bin|txt)');
    const left = tree(out);
    assert.ok(left.length < Object.keys(files).length, `all of them fit? ${left}`);
    for (const name of left) {
      assert.ok(name in files, `unexpected ${name}`);
      assert.deepEqual(new Uint8Array(readFileSync(join(out, name))), files[name], name);
    }
  });
});
