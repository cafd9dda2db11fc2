// Spec revision 0.1.0 (2026-09-09): ASCII names, the escape hatch for other
// names (%XX + source_name), padding like the reference writer. Our archives
// are checked by a reading of the 0.1.0 rules written here from the spec's
// byte tables, not by our own validator.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ByteWriter, parquetWrite } from 'hyparquet-writer';
import { convertToCozip } from '../../src/cozip/convert.js';
import { readManifest } from '../../src/cozip/manifest.js';
import { openManifest } from '../../src/cozip/manifest-read.js';
import { encodeManifest } from '../../src/cozip/manifest-write.js';
import { openCozip, readMember } from '../../src/cozip/reader.js';
import { stageCreate, stageMetadata } from '../../src/cozip/stage.js';
import { validateCozip } from '../../src/cozip/validate.js';
import { type WriteCozipOptions, writeCozip } from '../../src/cozip/writer.js';
import { isCozipError } from '../../src/errors.js';
import { bytesSource } from '../../src/io/bytes-source.js';
import { bufferSink } from '../../src/zip/sink.js';
import { ZipWriter } from '../../src/zip/writer.js';
import { seededBytes } from '../helpers/random.js';
import { pythonRead, requireTools } from '../helpers/tools.js';

const dir = mkdtempSync(join(tmpdir(), 'cozip-revision-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const u16 = (b: Uint8Array, o: number) => b[o] | (b[o + 1] << 8);
const u32 = (b: Uint8Array, o: number) => (u16(b, o) + u16(b, o + 2) * 0x10000) >>> 0;

interface Member {
  name: Uint8Array;
  localHeader: number;
  size: number;
}

/** The central directory read straight from the EOCD (no ZIP64 here: small archives). */
function members(b: Uint8Array): Member[] {
  const eocd = b.length - 22;
  assert.equal(u32(b, eocd), 0x06054b50, 'EOCD is the last 22 bytes');
  const out: Member[] = [];
  let p = u32(b, eocd + 16);
  for (let i = 0; i < u16(b, eocd + 10); i++) {
    assert.equal(u32(b, p), 0x02014b50);
    const n = u16(b, p + 28);
    out.push({
      name: b.subarray(p + 46, p + 46 + n),
      localHeader: u32(b, p + 42),
      size: u32(b, p + 24),
    });
    p += 46 + n + u16(b, p + 30) + u16(b, p + 32);
  }
  return out.sort((x, y) => x.localHeader - y.localHeader);
}

/** Every 0.1.0 rule this test can see in the bytes; returns the names in archive order. */
function check010(b: Uint8Array, profile: 'flat' | 'none' | 'taco'): string[] {
  const list = members(b);
  const names = list.map((m) => new TextDecoder().decode(m.name));
  for (const [i, m] of list.entries()) {
    assert.ok(m.name.length > 0 && m.name.length <= 0xffff);
    assert.ok(
      m.name.every((c) => c >= 0x01 && c <= 0x7f),
      `ASCII bytes only: ${names[i]}`,
    );
    assert.notEqual(m.name[m.name.length - 1], 0x2f, 'no trailing /');
    assert.ok(!m.name.includes(0x5c), 'no backslash');
    assert.ok(m.size > 0, 'every payload has a byte');
  }
  assert.ok(b.length >= 32819, 'at least 32,819 bytes');
  const pad = names.indexOf('__cozip_padding__');
  if (pad >= 0) {
    const m = list[pad];
    const at = m.localHeader + 30 + u16(b, m.localHeader + 26) + u16(b, m.localHeader + 28);
    assert.ok(
      b.subarray(at, at + m.size).every((c) => c === 0x5a),
      'padding is 0x5A',
    );
    // Exactly the floor, or a 1-byte padding when the shortfall was below its own bytes.
    assert.ok(b.length === 32819 || m.size === 1, `padded to ${b.length} bytes`);
    if (profile === 'taco') {
      assert.equal(names[pad + 1], 'COLLECTION.json', 'TACO: right before the priority block');
    } else {
      assert.equal(pad, names.length - 1, 'Flat and None: after every other entry');
    }
  }
  return names;
}

async function write(rows: Parameters<typeof writeCozip>[1], options: WriteCozipOptions = {}) {
  const out = join(dir, `a${Math.random().toString(36).slice(2)}.zip`);
  const result = await writeCozip(out, rows, {
    mtime: new Date('2026-09-09T00:00:00Z'),
    ...options,
  });
  return { out, result, bytes: new Uint8Array(readFileSync(out)) };
}

describe('cozip spec revision 0.1.0', () => {
  it('our archives keep the rules: ASCII names, no trailing / or \\, padding like the reference', async () => {
    const small = await write([{ name: 'a/b.txt', path: new TextEncoder().encode('x') }]);
    assert.deepEqual(check010(small.bytes, 'flat'), [
      '__cozip__',
      'a/b.txt',
      '__metadata__',
      '__cozip_padding__',
    ]);
    const big = await write([{ name: 'big.bin', path: seededBytes(1, 50_000) }]);
    assert.deepEqual(check010(big.bytes, 'flat'), ['__cozip__', 'big.bin', '__metadata__']);
    const none = await write([{ name: 'n.bin', path: seededBytes(2, 100) }], {
      profile: 'none',
      priority: ['n.bin'],
    });
    assert.deepEqual(check010(none.bytes, 'none'), ['__cozip__', 'n.bin', '__cozip_padding__']);
    const taco = await write(
      [
        { name: 'COLLECTION.json', path: new TextEncoder().encode('{}') },
        { name: 'x/y.tif', path: seededBytes(3, 100) },
      ],
      { profile: 'taco' },
    );
    assert.deepEqual(check010(taco.bytes, 'taco'), [
      '__cozip__',
      'x/y.tif',
      '__cozip_padding__',
      'COLLECTION.json',
    ]);
  });

  for (const [label, name] of [
    ['a non-ASCII name', 'été.txt'],
    ['a trailing /', 'dir/'],
    ['a backslash', 'a\\b.txt'],
    ['a NUL', 'a\u0000b'],
  ] as const) {
    it(`refuses ${label} with INVALID_NAME and writes nothing`, async () => {
      const out = join(dir, `refused-${label.replaceAll(' ', '-')}.zip`);
      await assert.rejects(
        writeCozip(out, [
          { name: 'ok.txt', path: new Uint8Array([1]) },
          { name, path: new Uint8Array([2]) },
        ]),
        (err: unknown) => {
          assert.ok(isCozipError(err) && err.code === 'INVALID_NAME', String(err));
          assert.equal(err.details.row, 1);
          assert.equal(err.details.name, name);
          return true;
        },
      );
      assert.equal(existsSync(out), false);
    });
  }

  it('the refusal of a non-ASCII name says how to pack it anyway', async () => {
    await assert.rejects(
      stageMetadata([{ name: 'Zürich/été.tif', path: new Uint8Array([1]) }]),
      /escapeNames.*"Z%C3%BCrich\/%C3%A9t%C3%A9\.tif".*source_name/,
    );
  });

  it('escapeNames: %XX names in the archive, the originals in source_name, a round trip', async (t) => {
    const contents = [seededBytes(4, 300), seededBytes(5, 700), seededBytes(6, 50)];
    const originals = ['plain.txt', 'données/été ☀.txt', '東京/地図 100%.png'];
    const { out, bytes } = await write(
      originals.map((name, i) => ({ name, path: contents[i], n: i })),
      { escapeNames: true },
    );
    const names = check010(bytes, 'flat');
    assert.deepEqual(names.slice(1, 4), [
      'plain.txt',
      'donn%C3%A9es/%C3%A9t%C3%A9 %E2%98%80.txt',
      '%E6%9D%B1%E4%BA%AC/%E5%9C%B0%E5%9B%B3 100%.png',
    ]);
    const archive = await openCozip(out);
    try {
      const rows = await readManifest(archive);
      assert.deepEqual(
        rows.map((r) => r.source_name),
        originals,
      );
      for (const [i, original] of originals.entries()) {
        const [row] = await readManifest(archive, { filter: { source_name: original } });
        assert.equal(row.n, i);
        assert.deepEqual(await readMember(archive, row), contents[i]);
      }
    } finally {
      await archive.source.close?.();
    }
    assert.deepEqual((await validateCozip(out, { content: true })).problems, []);
    if (requireTools(t, 'python3')) {
      const py = await pythonRead(out);
      assert.ok('donn%C3%A9es/%C3%A9t%C3%A9 %E2%98%80.txt' in py.entries);
    }
  });

  it('escapeNames refuses rows that already have a source_name column', async () => {
    await assert.rejects(
      stageMetadata([{ name: 'a', path: new Uint8Array([1]), source_name: 'x' }], {
        escapeNames: true,
      }),
      /source_name/,
    );
  });

  it('convert refuses a ZIP with non-ASCII names, listing them, unless asked to escape', async () => {
    // A ZIP of the kind Info-ZIP writes: UTF-8 names with bit 11.
    const sink = bufferSink();
    const w = new ZipWriter(sink);
    await w.add('世界/a.txt', new TextEncoder().encode('hello'));
    await w.add('plain.txt', new TextEncoder().encode('plain'));
    await w.add('é.txt', new TextEncoder().encode('e'));
    await w.finish();
    const src = sink.bytes();
    const out = join(dir, 'utf8.zip');
    await assert.rejects(convertToCozip(src, out), (err: unknown) => {
      assert.ok(isCozipError(err) && err.code === 'INVALID_NAME');
      assert.deepEqual(err.details.names, ['世界/a.txt', 'é.txt']);
      assert.match(err.message, /2 member names are not ASCII.*"世界\/a\.txt", "é\.txt"; escape/);
      return true;
    });
    assert.equal(existsSync(out), false);
    await convertToCozip(src, out, { escapeNames: true });
    const archive = await openCozip(out);
    try {
      const rows = await readManifest(archive);
      assert.deepEqual(
        rows.map((r) => [r.name, r.source_name]),
        [
          ['%E4%B8%96%E7%95%8C/a.txt', '世界/a.txt'],
          ['plain.txt', 'plain.txt'],
          ['%C3%A9.txt', 'é.txt'],
        ],
      );
    } finally {
      await archive.source.close?.();
    }
  });

  /** A Parquet manifest for `staged` with a stored `column`, written by hyparquet-writer directly. */
  function manifestWith(staged: Array<Record<string, unknown>>, column: string): Uint8Array {
    const writer = new ByteWriter();
    parquetWrite({
      writer,
      columnData: [
        { name: 'name', data: staged.map((r) => r.name as string), type: 'STRING' },
        { name: 'offset', data: staged.map((r) => BigInt(r.offset as number)), type: 'INT64' },
        { name: 'size', data: staged.map((r) => BigInt(r.size as number)), type: 'INT64' },
        { name: column, data: staged.map(() => '/vsisubfile/0_1,/elsewhere.zip'), type: 'STRING' },
      ],
    });
    return new Uint8Array(writer.getBuffer());
  }

  for (const column of ['cozip:location', 'taco:location']) {
    it(`refuses a stored ${column} column in rows and in a supplied Parquet, writing nothing`, async () => {
      const out = join(dir, `stored-${column.replace(':', '-')}.zip`);
      const rows = [{ name: 'a.txt', path: new Uint8Array([1]), [column]: 'x' }];
      const refused = (err: unknown) => {
        assert.ok(isCozipError(err) && err.code === 'INVALID_INPUT', String(err));
        assert.equal(err.details.column, column);
        assert.match(err.message, new RegExp(`"${column}" is reserved`));
        return true;
      };
      await assert.rejects(writeCozip(out, rows), refused);
      assert.throws(
        () => encodeManifest([{ name: 'a', offset: 100, size: 1, [column]: 'x' }]),
        (err: unknown) => isCozipError(err) && err.code === 'INVALID_INPUT',
      );
      const staged = await stageMetadata([{ name: 'a.txt', path: new Uint8Array([1]) }]);
      const parquet = manifestWith(staged.table, column);
      await assert.rejects(stageCreate(out, staged.paths, parquet), refused);
      await assert.rejects(stageCreate(out, staged.paths, parquet, { validate: false }), refused);
      assert.equal(existsSync(out), false);
    });
  }

  it('a stored cozip:location is never read back: readers derive it from the payload', async () => {
    // A manifest another writer made, with a stale location column.
    const staged = await stageMetadata([{ name: 'a.txt', path: new TextEncoder().encode('hi') }]);
    const parquet = manifestWith(staged.table, 'cozip:location');
    const m = await openManifest(bytesSource(parquet, 'stale'), 0, parquet.length);
    assert.deepEqual(m.discarded, ['cozip:location']);
    assert.deepEqual(
      m.columns.map((c) => c.name),
      ['name', 'offset', 'size'],
    );
    const [stored] = await m.rows();
    assert.equal('cozip:location' in stored, false);
  });
});
