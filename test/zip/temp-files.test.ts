import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createFileSink } from '../../src/node.js';
import { extractZip } from '../../src/zip/extract.js';
import { openZip } from '../../src/zip/reader.js';
import { removeStaleTemps, tempOwner, tempPath } from '../../src/zip/temp-files.js';
import { ZipWriter } from '../../src/zip/writer.js';

const dir = mkdtempSync(join(tmpdir(), 'cozip-temps-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const SCHEME = /^\.(.+)\.cozip-([0-9a-f]{8})-([1-9][0-9]*)-([0-9a-f]{12,20})\.tmp$/s;
const HOST = SCHEME.exec(basename(tempPath(join(dir, 'x'))))![2];

/** The pid of a process that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

const named = (name: string, host: string, pid: number, token = '0123456789abcdef') =>
  `.${name}.cozip-${host}-${pid}-${token}.tmp`;

function fresh(name: string): string {
  const d = join(dir, name);
  mkdirSync(d);
  return d;
}

describe('temp file names', () => {
  it('are hidden, beside the target, in the documented scheme and unique', () => {
    const a = tempPath(join(dir, 'out.zip'));
    const b = tempPath(join(dir, 'out.zip'));
    assert.notEqual(a, b);
    const m = SCHEME.exec(basename(a));
    assert.ok(m, a);
    assert.equal(m[1], 'out.zip');
    assert.equal(Number(m[3]), process.pid);
    assert.equal(join(dir, basename(a)), a);
    assert.equal(tempOwner(basename(a)), process.pid);
    // A bare name: beside it in the working directory.
    const bare = tempPath('out.zip');
    assert.equal(SCHEME.exec(bare)?.[1], 'out.zip');
  });

  it('stay within 255 bytes for a long (multi-byte) name', () => {
    const name = `${'é'.repeat(120)}.bin`;
    const t = basename(tempPath(join(dir, name)));
    assert.ok(Buffer.byteLength(t) <= 255, `${Buffer.byteLength(t)} bytes`);
    assert.equal(tempOwner(t), process.pid);
  });
});

describe('removeStaleTemps', () => {
  it('deletes only our regular temp files whose process is gone', async (t) => {
    const d = fresh('mixed');
    const dead = deadPid();
    const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    t.after(() => live.kill('SIGKILL'));
    const stale = [named('a.zip', HOST, dead), named('b.zip', HOST, dead, '0123456789ab')];
    const kept = [
      named('mine.zip', HOST, process.pid),
      named('live.zip', HOST, live.pid!),
      named('other-host.zip', HOST === '00000000' ? '11111111' : '00000000', dead),
      // Near misses of the scheme, all "owned" by the dead process.
      `a.zip.cozip-${HOST}-${dead}-0123456789abcdef.tmp`,
      named('a.zip', HOST, dead, '0123456789a'),
      named('a.zip', HOST, dead, '0123456789ABCDEF'),
      `${named('a.zip', HOST, dead)}.bak`,
      `.a.zip.cozip-${HOST}-0${dead}-0123456789abcdef.tmp`,
      '.a.zip.0123456789ab.tmp',
      'notes.tmp',
    ];
    for (const name of [...stale, ...kept]) writeFileSync(join(d, name), 'x');
    mkdirSync(join(d, named('dir.zip', HOST, dead)));
    kept.push(named('dir.zip', HOST, dead));
    assert.equal(removeStaleTemps(d), stale.length);
    assert.deepEqual(readdirSync(d).sort(), kept.sort());
  });

  it('is a no-op for a directory that cannot be read', () => {
    assert.equal(removeStaleTemps(join(dir, 'missing')), 0);
  });

  it('runs when a file sink is created in the directory', async () => {
    const d = fresh('sink');
    const stale = named('out.zip', HOST, deadPid());
    writeFileSync(join(d, stale), 'partial');
    const sink = await createFileSink(join(d, 'out.zip'));
    await sink.write(new Uint8Array([1]));
    await sink.close();
    assert.deepEqual(readdirSync(d), ['out.zip']);
  });

  it('reads a directory once per process, however many sinks write there', async () => {
    const d = fresh('once');
    for (const name of ['1.zip', '2.zip']) {
      const sink = await createFileSink(join(d, name));
      await sink.close();
      // Left after the first sweep: waits for the next process.
      writeFileSync(join(d, named(name, HOST, deadPid())), 'partial');
    }
    assert.equal(readdirSync(d).length, 4);
    assert.equal(removeStaleTemps(d), 2);
  });

  it('runs in every existing directory an extraction writes into', async () => {
    const d = fresh('extract');
    const zipPath = join(d, 'in.zip');
    const w = new ZipWriter(await createFileSink(zipPath));
    await w.add('top.txt', new TextEncoder().encode('top'));
    await w.add('sub/deep.txt', new TextEncoder().encode('deep'));
    await w.finish();
    const out = join(d, 'out');
    mkdirSync(join(out, 'sub'), { recursive: true });
    const dead = deadPid();
    writeFileSync(join(out, named('top.txt', HOST, dead)), 'partial');
    writeFileSync(join(out, 'sub', named('deep.txt', HOST, dead)), 'partial');
    const zip = await openZip(zipPath);
    try {
      await extractZip(zip, out);
    } finally {
      await zip.source.close?.();
    }
    assert.deepEqual(readdirSync(out).sort(), ['sub', 'top.txt']);
    assert.deepEqual(readdirSync(join(out, 'sub')), ['deep.txt']);
  });
});
