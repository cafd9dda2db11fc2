// Safe extraction: names that escape, symlinks, ZIP bombs and overlapping
// members are refused before anything is written.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isCozipError } from '../../src/errors.js';
import { getU32, putU32 } from '../../src/zip/bytes.js';
import { extractZip } from '../../src/zip/extract.js';
import { openZip } from '../../src/zip/reader.js';

const temp = mkdtempSync(join(tmpdir(), 'cozip-extract-'));
after(() => rmSync(temp, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(temp, `case-${n++}`);

/**
 * Builds an archive with Python's zipfile from [name, content, unixMode?]
 * triples (mode 0o120777 makes a symlink whose content is the target).
 */
function pyZip(
  entries: Array<[string, string | { zeros: number }, number?]>,
  method = 'ZIP_DEFLATED',
): Uint8Array {
  const path = join(temp, `in-${n++}.zip`);
  execFileSync('python3', [
    '-c',
    `import json, sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.${method}) as z:
    for name, content, mode in json.loads(sys.argv[2]):
        info = zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.${method}
        if mode: info.external_attr = mode << 16
        data = b'\\0' * content['zeros'] if isinstance(content, dict) else content.encode()
        z.writestr(info, data)`,
    path,
    JSON.stringify(entries.map(([a, b, c]) => [a, b, c ?? 0])),
  ]);
  return new Uint8Array(readFileSync(path));
}

const refuses = async (bytes: Uint8Array, code: string, options = {}) => {
  const dest = fresh();
  await assert.rejects(
    extractZip(await openZip(bytes), dest, options),
    (err) => isCozipError(err) && err.code === code,
  );
  assert.ok(!existsSync(dest) || readdirSync(dest).length === 0, 'nothing was written');
};

describe('safe extraction', () => {
  it('writes files, directories, times and modes', async () => {
    const zip = pyZip([
      ['a/', ''],
      ['a/b.txt', 'hello', 0o100755],
      ['c.txt', 'world'],
    ]);
    const dest = fresh();
    const r = await extractZip(await openZip(zip), dest);
    assert.deepEqual(
      { files: r.files, directories: r.directories, bytes: r.bytes },
      { files: 2, directories: 1, bytes: 10 },
    );
    assert.equal(readFileSync(join(dest, 'a/b.txt'), 'utf8'), 'hello');
    assert.equal(lstatSync(join(dest, 'a/b.txt')).mode & 0o777, 0o755);
    assert.equal(lstatSync(join(dest, 'c.txt')).mtime.getUTCFullYear(), 2020);
  });

  for (const name of [
    '../evil.txt',
    'a/../../evil.txt',
    '/abs/evil.txt',
    'C:/evil.txt',
    'a\\..\\evil.txt',
  ]) {
    it(`refuses ${JSON.stringify(name)} (UNSAFE_PATH) before writing anything`, async () => {
      await refuses(
        pyZip([
          ['ok.txt', 'fine'],
          [name, 'evil'],
        ]),
        'UNSAFE_PATH',
      );
    });
  }

  it('skips symlink entries unless asked; with allowSymlinks, links must stay inside', async () => {
    const inside = pyZip([
      ['target.txt', 'x'],
      ['link', 'target.txt', 0o120777],
    ]);
    const dest = fresh();
    const r = await extractZip(await openZip(inside), dest);
    assert.equal(r.skipped.length, 1);
    assert.ok(!existsSync(join(dest, 'link')));
    const dest2 = fresh();
    await extractZip(await openZip(inside), dest2, { allowSymlinks: true });
    assert.ok(lstatSync(join(dest2, 'link')).isSymbolicLink());
    const outside = pyZip([['link', '../../etc', 0o120777]]);
    await refuses(outside, 'UNSAFE_PATH', { allowSymlinks: true });
  });

  it('never writes through a symlink that already exists in the target', async () => {
    const dest = fresh();
    const elsewhere = fresh();
    mkdirSync(dest, { recursive: true });
    mkdirSync(elsewhere, { recursive: true });
    symlinkSync(elsewhere, join(dest, 'sub'));
    await assert.rejects(extractZip(await openZip(pyZip([['sub/x.txt', 'x']])), dest), (e) =>
      isCozipError(e, 'UNSAFE_PATH'),
    );
    assert.equal(readdirSync(elsewhere).length, 0);
  });

  it('refuses existing files unless overwrite is set', async () => {
    const zip = pyZip([['f.txt', 'new']]);
    const dest = fresh();
    await extractZip(await openZip(zip), dest);
    await assert.rejects(extractZip(await openZip(zip), dest), (e) =>
      isCozipError(e, 'FILE_EXISTS'),
    );
    await extractZip(await openZip(zip), dest, { overwrite: true });
    assert.equal(readFileSync(join(dest, 'f.txt'), 'utf8'), 'new');
  });

  it('stops ZIP bombs: compression ratio and total size limits', async () => {
    const bomb = pyZip([['zeros.bin', { zeros: 50 * 1024 * 1024 }]]);
    await refuses(bomb, 'LIMIT_EXCEEDED');
    await refuses(bomb, 'LIMIT_EXCEEDED', { maxRatio: 1e6, maxTotalBytes: 10 * 1024 * 1024 });
    const dest = fresh();
    const r = await extractZip(await openZip(bomb), dest, { maxRatio: 1e6 });
    assert.equal(r.bytes, 50 * 1024 * 1024);
  });

  it('refuses members whose data overlap (OVERLAP)', async () => {
    const zip = pyZip(
      [
        ['a.txt', 'aaaa'],
        ['b.txt', 'bbbb'],
      ],
      'ZIP_STORED',
    );
    // Point the second central record at the first local header.
    const cd = zip.length - 22 - getU32(zip, zip.length - 22 + 12);
    const second = cd + 46 + getU32(zip, cd + 28) + 0; // after the first record's fixed part + name
    const firstLen =
      46 + (zip[cd + 28] | (zip[cd + 29] << 8)) + (zip[cd + 30] | (zip[cd + 31] << 8));
    assert.equal(getU32(zip, cd + firstLen), 0x02014b50, `second record at ${second}`);
    putU32(zip, cd + firstLen + 42, 0);
    await refuses(zip, 'OVERLAP');
  });

  it('refuses two entries that extract to the same path', async () => {
    await refuses(
      pyZip([
        ['x/a.txt', '1'],
        ['x//a.txt', '2'],
      ]),
      'DUPLICATE_NAME',
    );
  });

  it('names equal but for case are extracted with a DUPLICATE_NAME warning', async () => {
    const zip = pyZip([
      ['A.txt', 'upper'],
      ['a.txt', 'lower'],
      ['d/X.bin', 'one'],
      ['D/x.bin', 'two'],
      ['plain.txt', 'p'],
    ]);
    const seen: string[] = [];
    const dest = fresh();
    const r = await extractZip(await openZip(zip), dest, {
      onWarning: (w) => seen.push(w.code),
    });
    assert.equal(r.files, 5);
    assert.deepEqual(
      r.warnings.map((w) => [w.code, w.details.other, w.details.path]),
      [
        ['DUPLICATE_NAME', 'A.txt', 'a.txt'],
        ['DUPLICATE_NAME', 'd/X.bin', 'D/x.bin'],
      ],
    );
    assert.deepEqual(seen, ['DUPLICATE_NAME', 'DUPLICATE_NAME']);
  });

  it('a small member with a wrong CRC or broken data fails and leaves no file', async () => {
    const good = pyZip([
      ['ok.txt', 'fine '.repeat(300)],
      ['bad.txt', 'broken '.repeat(300)],
    ]);
    const zip = await openZip(good);
    const bad = zip.entries[1];
    const crcAt = (z: Uint8Array) => {
      // The central record of bad.txt: its CRC-32 at +16.
      const cd = z.length - 22 - getU32(z, z.length - 22 + 12);
      const first = 46 + (z[cd + 28] | (z[cd + 29] << 8)) + (z[cd + 30] | (z[cd + 31] << 8));
      return cd + first + 16;
    };
    const wrongCrc = good.slice();
    putU32(wrongCrc, crcAt(wrongCrc), (bad.crc32 ^ 1) >>> 0);
    const dir = fresh();
    await assert.rejects(extractZip(await openZip(wrongCrc), dir), (e) =>
      isCozipError(e, 'CRC_MISMATCH'),
    );
    assert.deepEqual(readdirSync(dir), ['ok.txt']);
    const brokenData = good.slice();
    const data = bad.localHeaderOffset + 30 + bad.rawName.length + 2;
    for (let i = 0; i < 8; i++) brokenData[data + i] ^= 0x5a;
    await assert.rejects(
      extractZip(await openZip(brokenData), fresh()),
      (e) => isCozipError(e) && ['CORRUPT_DATA', 'CRC_MISMATCH', 'SIZE_MISMATCH'].includes(e.code),
    );
  });

  it('what the OS refuses is a CozipError too: a 65,535-byte name, a link over a directory', async () => {
    const dest = fresh();
    await assert.rejects(
      extractZip(await openZip(pyZip([['n'.repeat(65535), 'x']])), dest),
      (e) => isCozipError(e, 'WRITE_FAILED') && e.details.code === 'ENAMETOOLONG',
    );
    assert.deepEqual(readdirSync(dest), []);
    const withDir = fresh();
    mkdirSync(join(withDir, 'l'), { recursive: true });
    await assert.rejects(
      extractZip(await openZip(pyZip([['l', 'x', 0o120777]])), withDir, {
        allowSymlinks: true,
        overwrite: true,
      }),
      (e) => isCozipError(e, 'UNSAFE_PATH'),
    );
  });

  it('a file that is also a directory is refused before anything is written', async () => {
    // In either order, and with a directory entry of the same path.
    for (const entries of [
      [
        ['d/a', 'file'],
        ['d/a/', ''],
      ],
      [
        ['d/x/y', 'inner'],
        ['d/x', 'outer'],
      ],
      [
        ['x', 'outer'],
        ['x/y.txt', 'inner'],
      ],
    ] as Array<Array<[string, string]>>) {
      await refuses(pyZip(entries), 'UNSAFE_PATH');
    }
  });
});

/** Every path under `dir`, not following symlinks (a hostile tree may loop). */
function listTree(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => [
    prefix + d.name,
    ...(d.isDirectory() ? listTree(join(dir, d.name), `${prefix}${d.name}/`) : []),
  ]);
}

describe('symlinks with allowSymlinks', () => {
  const L = 0o120777;
  /** Extracts into `<fresh>/out`; the error code, and what exists beside `out` afterwards. */
  const attempt = async (entries: Array<[string, string, number?]>, options = {}) => {
    const parent = fresh();
    mkdirSync(parent);
    const dest = join(parent, 'out');
    const code = await extractZip(await openZip(pyZip(entries)), dest, {
      allowSymlinks: true,
      ...options,
    }).then(
      () => 'ok',
      (err) => (isCozipError(err) ? err.code : `untyped ${err}`),
    );
    const written = existsSync(dest) ? listTree(dest) : [];
    return { code, outside: readdirSync(parent).filter((f) => f !== 'out'), written, dest };
  };

  it('a chain of links that each look inside: refused before anything is written', async () => {
    const r = await attempt([
      ['d/l', '..', L],
      ['d/l/l2', '..', L],
      ['d/l/l2/l3', '..', L],
      ['d/l/l2/x.txt', 'evil'],
    ]);
    assert.deepEqual(r, { ...r, code: 'UNSAFE_PATH', outside: [], written: [] });
  });

  it('a link to a link is followed: where it really leads must be inside', async () => {
    // d/l is the root itself, so d/l2 -> l/.. is the parent of the root.
    const outward = await attempt([
      ['d/l', '..', L],
      ['d/l2', 'l/..', L],
    ]);
    assert.deepEqual(outward, { ...outward, code: 'UNSAFE_PATH', outside: [], written: [] });
    // The same, whichever comes first, and through a link already on disk.
    const reversed = await attempt([
      ['d/l2', 'l/..', L],
      ['d/l', '..', L],
    ]);
    assert.deepEqual(reversed, { ...reversed, code: 'UNSAFE_PATH', written: [] });
    const parent = fresh();
    const dest = join(parent, 'out');
    mkdirSync(join(dest, 'd'), { recursive: true });
    symlinkSync('..', join(dest, 'd', 'up'));
    await assert.rejects(
      extractZip(await openZip(pyZip([['d/x', 'up/..', L]])), dest, { allowSymlinks: true }),
      (e) => isCozipError(e, 'UNSAFE_PATH'),
    );
    assert.deepEqual(readdirSync(join(dest, 'd')), ['up']);
    // Links to links that stay inside are fine.
    const fine = await attempt([
      ['d/t.txt', 'x'],
      ['d/a', 't.txt', L],
      ['b', 'd/a', L],
      ['c', 'd/../b', L],
    ]);
    assert.equal(fine.code, 'ok');
    assert.equal(readFileSync(join(fine.dest, 'c'), 'utf8'), 'x');
  });

  it('absolute targets, loops and empty targets are refused', async () => {
    const parent = fresh();
    for (const target of ['/etc', join(parent, 'out', 'x'), 'C:/x', '']) {
      const r = await attempt([['l', target, L]]);
      assert.deepEqual(r, { ...r, code: 'UNSAFE_PATH', outside: [], written: [] }, target);
    }
    const loop = await attempt([
      ['a', 'b/x', L],
      ['b', 'a', L],
    ]);
    assert.deepEqual(loop, { ...loop, code: 'UNSAFE_PATH', written: [] });
  });
});
