// A Flat manifest of many rows is encoded on a worker thread while the
// members are written: the bytes are exactly those of encoding it here, a
// refusal comes back as the same typed error and stops the write early, and
// values a clone would change are encoded here instead.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readManifest } from '../../src/cozip/manifest.js';
import { encodeManifestLater, warmManifestEncoder } from '../../src/cozip/manifest-later-node.js';
import { encodeManifestColumns, type ManifestColumns } from '../../src/cozip/manifest-write.js';
import { openCozip } from '../../src/cozip/reader.js';
import { writeCozip } from '../../src/cozip/writer.js';
import { isCozipError } from '../../src/errors.js';
import { encodeUtf8 } from '../../src/zip/names.js';

const dir = mkdtempSync(join(tmpdir(), 'cozip-later-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** 12,000 rows (past the worker threshold) with every plain kind of value. */
function columns(n = 12_000): ManifestColumns {
  const name = Array.from({ length: n }, (_, i) =>
    encodeUtf8(`t/${String(i).padStart(6, '0')}.png`),
  );
  return {
    name,
    offset: Array.from({ length: n }, (_, i) => 51 + i * 100),
    size: Array.from({ length: n }, () => 60),
    extra: [
      { name: 'split', values: name.map((_, i) => (i % 3 ? 'train' : i % 7 ? 'test' : null)) },
      { name: 'taken', values: name.map((_, i) => new Date(1_700_000_000_000 + i * 1000)) },
      { name: 'score', values: name.map((_, i) => i / 7) },
      { name: 'big', values: name.map((_, i) => BigInt(i) * 2n ** 40n) },
      { name: 'ok', values: name.map((_, i) => i % 2 === 0) },
      { name: 'raw', values: name.map((_, i) => new Uint8Array([i & 255, i >> 8])) },
    ],
  };
}

describe('manifest encoded on a worker thread', () => {
  it('gives the bytes encoding here gives', async () => {
    const cols = columns();
    const here = encodeManifestColumns(cols, { rowGroupSize: 5000 });
    // Encoded elsewhere: this thread keeps turning meanwhile (here, it would
    // be blocked until the bytes were there).
    let turns = 0;
    let turning = true;
    const turn = () => {
      turns++;
      if (turning) setImmediate(turn);
    };
    setImmediate(turn);
    const later = await encodeManifestLater(cols, { rowGroupSize: 5000 });
    turning = false;
    assert.ok(turns > 1, `the event loop turned ${turns} time(s) during the encode`);
    assert.deepEqual(later, here);
    // The caller's columns are left intact (the worker got copies).
    assert.equal(cols.name.length, 12_000);
    assert.equal(cols.name[5].length, 12);
  });

  it('a worker started ahead (warmManifestEncoder) gives the same bytes, twice over', async () => {
    const cols = columns();
    const here = encodeManifestColumns(cols, { rowGroupSize: 5000 });
    warmManifestEncoder();
    warmManifestEncoder(50_000); // one waiting already: nothing more is started
    assert.deepEqual(await encodeManifestLater(cols, { rowGroupSize: 5000 }), here);
    // Taken by that write: the next one starts its own.
    assert.deepEqual(await encodeManifestLater(cols, { rowGroupSize: 5000 }), here);
    warmManifestEncoder(10); // below the threshold: none started
  });

  it('a warm worker nobody takes does not hold the process open', async () => {
    const script = join(dir, 'warm-unused.mts');
    const module = fileURLToPath(
      new URL('../../src/cozip/manifest-later-node.ts', import.meta.url),
    );
    writeFileSync(
      script,
      `import { warmManifestEncoder } from ${JSON.stringify(module)};\nwarmManifestEncoder();\n`,
    );
    const child = spawn(
      process.execPath,
      ['--conditions=cozip-source', '--import', 'tsx', script],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    const err: Buffer[] = [];
    child.stderr.on('data', (c: Buffer) => err.push(c));
    // Held open, it would live until the 10 s idle stop; unref'd, it ends with the script.
    const killer = setTimeout(() => child.kill('SIGKILL'), 8000);
    const [code, signal] = await new Promise<[number | null, string | null]>((r) =>
      child.on('close', (c, s) => r([c, s])),
    );
    clearTimeout(killer);
    assert.equal(signal, null, 'the process was held open by the idle worker');
    assert.equal(code, 0, Buffer.concat(err).toString());
  });

  it('a refusal comes back as the same typed error', async () => {
    const cols = columns();
    cols.extra[0].values[9_999] = 42; // a number in a string column
    const expected = (() => {
      try {
        encodeManifestColumns(cols);
      } catch (err) {
        return err;
      }
    })();
    assert.ok(isCozipError(expected));
    await assert.rejects(encodeManifestLater(cols, undefined), (err) => {
      assert.ok(isCozipError(err), String(err));
      assert.equal(err.code, expected.code);
      assert.equal(err.message, expected.message);
      assert.deepEqual(err.details, expected.details);
      return true;
    });
  });

  it('values a clone would change are encoded here (same bytes as before)', async () => {
    class Tagged {
      toJSON() {
        return { tagged: true };
      }
    }
    const cols = columns();
    cols.extra.push({ name: 'obj', values: cols.name.map(() => ({ a: [1, 2] })) });
    assert.deepEqual(await encodeManifestLater(cols, undefined), encodeManifestColumns(cols));
    // A class instance is refused as before, not turned into a plain object.
    cols.extra.push({ name: 'cls', values: cols.name.map(() => new Tagged()) });
    await assert.rejects(encodeManifestLater(cols, undefined), (err) => {
      assert.ok(isCozipError(err) && err.code === 'INVALID_INPUT', String(err));
      return true;
    });
  });

  it('writeCozip: a big Flat archive reads back; a bad column fails before the data is all read', async () => {
    const n = 12_000;
    const rows = Array.from({ length: n }, (_, i) => ({
      name: `m/${String(i).padStart(6, '0')}.bin`,
      path: new Uint8Array([i & 255, 1, 2, 3]),
      label: `l${i % 10}`,
    }));
    const out = join(dir, 'big.zip');
    await writeCozip(out, rows, { mtime: new Date(0) });
    const archive = await openCozip(out);
    const got = await readManifest(archive, { filter: { name: 'm/011999.bin' }, location: false });
    assert.equal(got.length, 1);
    assert.equal(got[0].label, 'l9');

    // The last row's label is a number: the manifest is refused. Streams
    // count how far the data got.
    let read = 0;
    const bad = rows.map((r, i) => ({
      name: r.name,
      path: {
        size: 4,
        stream: async function* () {
          read++;
          await new Promise((resolve) => setImmediate(resolve));
          yield r.path;
        },
      },
      label: i === n - 1 ? 7 : r.label,
    }));
    const target = join(dir, 'bad.zip');
    await assert.rejects(writeCozip(target, bad), (err) => {
      assert.ok(isCozipError(err) && err.code === 'INVALID_INPUT', String(err));
      assert.match(err.message, /label/);
      return true;
    });
    assert.ok(read < n, `${read} of ${n} members read before the refusal`);
    assert.equal(existsSync(target), false);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.includes('bad')),
      [],
    );
  });

  it("a refused value is told by the caller's row, also when the manifest is sorted by name", async () => {
    const rows = [
      { name: 'z.bin', path: new Uint8Array([1]), label: 1 },
      { name: 'a.bin', path: new Uint8Array([2]), label: 'x' },
      { name: 'm.bin', path: new Uint8Array([3]), label: 'y' },
    ];
    for (const sortByName of [false, true]) {
      const err = await writeCozip(join(dir, 'rows.zip'), rows, { manifest: { sortByName } }).catch(
        (e) => e,
      );
      assert.ok(isCozipError(err, 'INVALID_INPUT'), String(err));
      // Unsorted, row 1 is the first string after an int; sorted (a, m, z), row 0 is the int after strings.
      const row = sortByName ? 0 : 1;
      const kinds = sortByName ? 'int value in a string column' : 'string value in an int column';
      assert.equal(err.message, `row ${row}: column label: ${kinds}`);
      assert.equal(err.details.row, row);
    }
  });
});
