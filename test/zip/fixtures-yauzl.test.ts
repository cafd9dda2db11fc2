// The second corpus: success/ archives read to exactly the expected trees
// (also through safe extraction), failure/ archives are refused or reported
// invalid with a typed error, never read as good data.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CozipError } from '../../src/errors.js';
import { bytesSource } from '../../src/io/bytes-source.js';
import { checkZip } from '../../src/zip/check.js';
import { readEntry } from '../../src/zip/entry-data.js';
import { extractZip } from '../../src/zip/extract.js';
import { openZip } from '../../src/zip/reader.js';

const ROOT = new URL('../../../shared/fixtures/zips-yauzl/', import.meta.url).pathname;
const SUCCESS = join(ROOT, 'success');
const FAILURE = join(ROOT, 'failure');

const open = (path: string) => openZip(bytesSource(new Uint8Array(readFileSync(path)), path));

/** The expected tree as relative path -> bytes; placeholder files only keep directories in git. */
function expectedTree(dir: string): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel))) {
      const path = rel ? `${rel}/${name}` : name;
      if (statSync(join(dir, path)).isDirectory()) walk(path);
      else if (!/^\.(git_please|dont_expect)/.test(name))
        out.set(path, readFileSync(join(dir, path)));
    }
  };
  walk('');
  return out;
}

/** The corpus folds non-ASCII names to ASCII (Kätilöt -> Katilot) for portability. */
const fold = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '');

const ENCRYPTED = /traditional-encryption/;
/** everything/ in the corpus omits the 1,000 numbered files a/b/000..999 that everything.zip holds. */
const omitted = (base: string, name: string) => base === 'everything' && /^a\/b\/\d{3}$/.test(name);
const sameBytes = (a: Uint8Array | undefined, b: Uint8Array) =>
  a !== undefined && Buffer.compare(a, b) === 0;
const SPECIAL_NAMES: Record<string, Record<string, string>> = {
  'unicode-path-extra-field': { '七个房间.txt': 'qi ge fangjian.txt' },
};

describe('fixture corpus: zips-yauzl/success', () => {
  const zips = readdirSync(SUCCESS).filter((f) => f.endsWith('.zip'));
  const temp = mkdtempSync(join(tmpdir(), 'cozip-yauzl-'));
  after(() => rmSync(temp, { recursive: true, force: true }));

  for (const zip of zips) {
    const base = zip.slice(0, -4);
    it(`${zip}: every member equals the expected tree`, async () => {
      const archive = await open(join(SUCCESS, zip));
      if (ENCRYPTED.test(zip)) {
        for (const e of archive.entries) {
          await assert.rejects(
            readEntry(archive, e),
            (err) => err instanceof CozipError && err.code === 'ENCRYPTED',
          );
        }
        return;
      }
      const expected = expectedTree(join(SUCCESS, base));
      const actual = new Map<string, Uint8Array>();
      for (const e of archive.entries) {
        if (e.isDirectory) continue;
        if (base === 'bogus-compression-method') {
          await assert.rejects(
            readEntry(archive, e),
            (err) => err instanceof CozipError && err.code === 'UNSUPPORTED_METHOD',
          );
          return;
        }
        const name = SPECIAL_NAMES[base]?.[e.name] ?? fold(e.name).replaceAll('\\', '/');
        actual.set(name, await readEntry(archive, e));
      }
      const names = [...actual.keys()].filter((n) => !omitted(base, n));
      assert.deepEqual(names.sort(), [...expected.keys()].sort());
      for (const [name, bytes] of expected) assert.ok(sameBytes(actual.get(name), bytes), name);
    });

    if (
      ENCRYPTED.test(zip) ||
      base === 'bogus-compression-method' ||
      base === 'unicode-path-extra-field'
    )
      continue;
    it(`${zip}: safe extraction writes the expected tree`, async () => {
      const archive = await open(join(SUCCESS, zip));
      const dest = join(temp, base);
      const result = await extractZip(archive, dest, {
        backslashAsSeparator: base === 'sloppy-filenames',
      });
      const written = expectedTree(dest);
      const expected = expectedTree(join(SUCCESS, base));
      const names = [...written.keys()].filter((n) => !omitted(base, n));
      assert.deepEqual(names.map(fold).sort(), [...expected.keys()].sort());
      for (const [name, bytes] of written) {
        if (expected.has(fold(name))) assert.ok(sameBytes(expected.get(fold(name)), bytes), name);
      }
      assert.equal(result.files, written.size);
    });
  }
});

describe('fixture corpus: zips-yauzl/failure', () => {
  const zips = readdirSync(FAILURE).filter((f) => f.endsWith('.zip'));
  const temp = mkdtempSync(join(tmpdir(), 'cozip-yauzl-bad-'));
  after(() => rmSync(temp, { recursive: true, force: true }));

  for (const zip of zips) {
    it(`${zip.slice(0, 70)}: refused with a typed error`, async () => {
      let archive: Awaited<ReturnType<typeof open>>;
      try {
        archive = await open(join(FAILURE, zip));
      } catch (err) {
        assert.ok(err instanceof CozipError, `not a CozipError: ${err}`);
        return;
      }
      const report = await checkZip(archive);
      assert.equal(report.ok, false, 'the integrity check must report it');
      assert.ok(report.problems.every((p) => typeof p.code === 'string' && p.message.length > 0));
      // Extraction stops with a typed error when a member is bad (bytes after
      // the end record alone do not stop it), and leaves no stray temp files.
      const dest = join(temp, String(zips.indexOf(zip)));
      const memberProblem = report.problems.some((p) => p.entry !== undefined);
      await extractZip(archive, dest).then(
        () => assert.ok(!memberProblem, 'extraction must refuse a bad member'),
        (err) => assert.ok(err instanceof CozipError, String(err)),
      );
      if (existsSync(dest)) {
        for (const f of readdirSync(dest, { recursive: true }) as string[]) {
          assert.ok(!f.endsWith('.tmp'), `temp file left behind: ${f}`);
        }
      }
    });
  }
});
