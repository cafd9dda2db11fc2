// Writer safety as the reference writer has it: a source that changed size
// since planning, an output that is one of the sources (by inode, not by
// name), and bytes read back that differ from the plan each fail the write;
// the target is left as it was and no temp file remains.
import assert from 'node:assert/strict';
import {
  existsSync,
  linkSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileInput } from '../../src/cozip/inputs.js';
import { writeCozip } from '../../src/cozip/writer.js';
import { isCozipError } from '../../src/errors.js';
import { bufferSink, type Sink } from '../../src/zip/sink.js';
import { seededBytes } from '../helpers/random.js';

const dir = mkdtempSync(join(tmpdir(), 'cozip-safety-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const code = (expected: string, also?: RegExp) => (err: unknown) => {
  assert.ok(isCozipError(err), String(err));
  assert.equal(err.code, expected, err.message);
  if (also) assert.match(err.message, also);
  return true;
};

/** The folder's files besides the given ones: temp files left behind would show here. */
const others = (folder: string, known: string[]) =>
  readdirSync(folder).filter((f) => !known.includes(f));

describe('cozip writer safety', () => {
  it('a source whose size changed since planning fails, naming the file; the target stays', async () => {
    const folder = mkdtempSync(join(dir, 'drift-'));
    const big = join(folder, 'big.bin');
    writeFileSync(big, seededBytes(1, 3 << 20)); // streamed, not read whole
    const out = join(folder, 'out.zip');
    writeFileSync(out, 'old archive');
    const rows = [
      {
        name: 'first.bin',
        path: {
          size: 10,
          stream: async function* () {
            // The big file grows while the writer is busy with this member.
            writeFileSync(big, seededBytes(2, (3 << 20) + 5));
            yield new Uint8Array(10);
          },
        },
      },
      { name: 'big.bin', path: big },
    ];
    await assert.rejects(writeCozip(out, rows), code('SIZE_MISMATCH', /big\.bin changed/));
    assert.equal(readFileSync(out, 'utf8'), 'old archive');
    assert.deepEqual(others(folder, ['big.bin', 'out.zip']), []);
  });

  it('a small file (read straight into the output block) that grew or shrank fails, naming it', async () => {
    const folder = mkdtempSync(join(dir, 'drift-small-'));
    const out = join(folder, 'out.zip');
    for (const [i, grow] of [
      [0, 1],
      [1, -1],
      [2, 1],
    ] as const) {
      const small = join(folder, `small${i}.txt`);
      writeFileSync(small, seededBytes(i, 3000));
      const source = i === 2 ? fileInput(small, 3000) : small;
      const rows = [
        {
          name: 'first.bin',
          path: {
            size: 10,
            stream: async function* () {
              writeFileSync(small, seededBytes(i + 10, 3000 + grow));
              yield new Uint8Array(10);
            },
          },
        },
        { name: 'small.txt', path: source },
      ];
      await assert.rejects(
        writeCozip(out, rows),
        code('SIZE_MISMATCH', new RegExp(`small${i}\\.txt changed`)),
      );
      assert.equal(existsSync(out), false);
    }
    assert.deepEqual(others(folder, ['small0.txt', 'small1.txt', 'small2.txt']), []);
  });

  it('refuses to replace one of its own sources, by path or through a hard link', async () => {
    const folder = mkdtempSync(join(dir, 'self-'));
    const src = join(folder, 'data.bin');
    writeFileSync(src, seededBytes(3, 1000));
    const link = join(folder, 'link.zip');
    linkSync(src, link);
    for (const [out, path] of [
      [src, src],
      [link, src],
      [link, fileInput(src, 1000)],
    ] as const) {
      await assert.rejects(
        writeCozip(out, [{ name: 'data.bin', path }]),
        code('INVALID_ARGUMENT', /is the source of row 0/),
      );
    }
    // Found among rows of other sizes (only sources of the target's size are looked at).
    const small = join(folder, 'small.bin');
    writeFileSync(small, seededBytes(6, 999));
    await assert.rejects(
      writeCozip(link, [
        { name: 'a.bin', path: seededBytes(5, 1000) },
        { name: 'b.bin', path: small },
        { name: 'data.bin', path: src },
      ]),
      code('INVALID_ARGUMENT', /is the source of row 2/),
    );
    assert.deepEqual(new Uint8Array(readFileSync(src)), seededBytes(3, 1000));
    assert.deepEqual(others(folder, ['data.bin', 'link.zip', 'small.bin']), []);
    // Another existing file is replaced as before.
    const other = join(folder, 'other.zip');
    writeFileSync(other, 'x');
    await writeCozip(other, [{ name: 'data.bin', path: src }]);
    assert.ok(readFileSync(other).length >= 32819);
  });

  it('overwrite: false refuses an existing output and leaves it as it was', async () => {
    const folder = mkdtempSync(join(dir, 'keep-'));
    const src = join(folder, 'data.bin');
    writeFileSync(src, seededBytes(4, 1000));
    const out = join(folder, 'out.zip');
    writeFileSync(out, 'precious');
    await assert.rejects(
      writeCozip(out, [{ name: 'data.bin', path: src }], { overwrite: false }),
      code('FILE_EXISTS', /out\.zip already exists/),
    );
    assert.equal(readFileSync(out, 'utf8'), 'precious');
    assert.deepEqual(others(folder, ['data.bin', 'out.zip']), []);
    const fresh = join(folder, 'fresh.zip');
    await writeCozip(fresh, [{ name: 'data.bin', path: src }], { overwrite: false });
    assert.ok(readFileSync(fresh).length >= 32819);
  });

  it('bytes read back that differ from the plan fail with WRITE_FAILED and abort the sink', async () => {
    for (const corrupt of ['a local header', 'the end records', 'the __cozip__ header']) {
      const inner = bufferSink();
      let aborted = false;
      const sink: Sink = {
        write: (c) => inner.write(c),
        writeAt: (o, b) => inner.writeAt!(o, b),
        close: () => inner.close(),
        abort: async () => {
          aborted = true;
        },
        // A disk that lost a write: one byte reads back wrong.
        readAt: async (offset, n) => {
          const bytes = await inner.readAt!(offset, n);
          const size = inner.bytes().length;
          const target =
            corrupt === 'a local header'
              ? 51 + 41 + 5
              : corrupt === 'the end records'
                ? size - 5
                : 20;
          if (target >= offset && target < offset + n) bytes[target - offset] ^= 1;
          return bytes;
        },
      };
      await assert.rejects(
        writeCozip(sink, [
          { name: 'a.bin', path: seededBytes(4, 40_000) },
          { name: 'b.bin', path: seededBytes(5, 100) },
        ]),
        code('WRITE_FAILED', new RegExp(corrupt)),
      );
      assert.equal(aborted, true);
    }
  });

  it('reads back runs of small members in windows of up to 1 MiB, and big members header by header', async () => {
    const readBack = async (rows: Array<{ name: string; path: Uint8Array }>) => {
      const inner = bufferSink();
      const reads: number[] = [];
      const sink: Sink = {
        write: (c) => inner.write(c),
        writeAt: (o, b) => inner.writeAt!(o, b),
        close: () => inner.close(),
        abort: async () => {
          await inner.abort?.();
        },
        readAt: (offset, n) => {
          reads.push(n);
          return inner.readAt!(offset, n);
        },
      };
      await writeCozip(sink, rows);
      return { reads, size: inner.bytes().length };
    };
    // 3,000 members of ~2 KiB: ~6 MiB, read back in about 6 windows.
    const small = Array.from({ length: 3000 }, (_, i) => ({
      name: `s/${String(i).padStart(5, '0')}.bin`,
      path: seededBytes(i, 2000 + (i % 100)),
    }));
    const dense = await readBack(small);
    assert.ok(dense.reads.length <= Math.ceil(dense.size / (1 << 20)) + 4, `${dense.reads.length}`);
    assert.ok(Math.max(...dense.reads) <= 1 << 20);
    // 12 members of 300 KiB: each header is read alone, never the data between.
    const big = Array.from({ length: 12 }, (_, i) => ({
      name: `b/${i}.bin`,
      path: seededBytes(100 + i, 300 << 10),
    }));
    const sparse = await readBack(big);
    const total = sparse.reads.reduce((a, b) => a + b, 0);
    assert.ok(total < 64 << 10, `read back ${total} bytes of a ${sparse.size}-byte archive`);
  });

  it('a file target is removed, not renamed into place, when the write fails', async () => {
    const folder = mkdtempSync(join(dir, 'fail-'));
    const out = join(folder, 'out.zip');
    await assert.rejects(
      writeCozip(out, [
        {
          name: 'a.bin',
          path: {
            size: 100,
            stream: async function* () {
              yield new Uint8Array(99);
            },
          },
        },
      ]),
      code('SIZE_MISMATCH'),
    );
    assert.equal(existsSync(out), false);
    assert.deepEqual(others(folder, []), []);
  });
});
