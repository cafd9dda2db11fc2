// The in-place operations on a list of Files (Go's `Files` methods).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type File,
  findFile,
  optimizeSize,
  removeInsecurePaths,
  sortFiles,
  sortFilesByName,
  stripCRC,
  stripFlags,
} from '../../src/zipindex/index.js';
import { nameFromBytes } from '../../src/zipindex/names.js';

function file(name: string, offset: number, fields: Partial<File> = {}): File {
  return {
    name,
    compressedSize: 1n,
    uncompressedSize: 1n,
    offset: BigInt(offset),
    crc32: 0xabcd,
    method: 8,
    flags: 0,
    ...fields,
  };
}
const names = (files: File[]) => files.map((f) => f.name);

describe('Files operations', () => {
  it('sortFiles orders by offset (in place), sortFilesByName by name bytes then offset', () => {
    const files = [file('b', 30), file('a', 10), file('c', 20), file('a', 5)];
    assert.equal(sortFiles(files), files);
    assert.deepEqual(
      files.map((f) => Number(f.offset)),
      [5, 10, 20, 30],
    );
    sortFilesByName(files);
    assert.deepEqual(
      files.map((f) => [f.name, Number(f.offset)]),
      [
        ['a', 5],
        ['a', 10],
        ['b', 30],
        ['c', 20],
      ],
    );
    // Byte order, not UTF-16 order: U+FFFF (ef bf bf) sorts before U+1F600 (f0 9f ...).
    const exotic = [file('😀', 1), file('\uffff', 2), file('z', 3), file('ü', 4), file('Z', 5)];
    assert.deepEqual(names(sortFilesByName(exotic)), ['Z', 'z', 'ü', '\uffff', '😀']);
    const raw = { ...file('', 6), ...nameFromBytes(new Uint8Array([0x7a, 0xff])) };
    assert.deepEqual(
      sortFilesByName([raw, file('z', 7), file('{', 8)]).map((f) => f.offset),
      [7n, 6n, 8n],
    );
    // Offsets beyond 2^53 sort exactly.
    const big = [file('x', 0, { offset: (1n << 60n) + 1n }), file('y', 0, { offset: 1n << 60n })];
    assert.deepEqual(names(sortFiles(big)), ['y', 'x']);
  });

  it('stripCRC zeroes CRCs of entries with a data descriptor, or all; stripFlags masks', () => {
    const files = [file('a', 0, { flags: 8 }), file('b', 1, { flags: 0x800 })];
    stripCRC(files);
    assert.deepEqual(
      files.map((f) => f.crc32),
      [0, 0xabcd],
    );
    stripCRC(files, true);
    assert.deepEqual(
      files.map((f) => f.crc32),
      [0, 0],
    );
    stripFlags(files, 0x800);
    assert.deepEqual(
      files.map((f) => f.flags),
      [0, 0x800],
    );
  });

  it('optimizeSize sorts by offset and strips the redundant CRCs', () => {
    const files = optimizeSize([file('b', 20, { flags: 8 }), file('a', 10)]);
    assert.deepEqual(
      files.map((f) => [f.name, f.crc32]),
      [
        ['a', 0xabcd],
        ['b', 0],
      ],
    );
  });

  it('removeInsecurePaths drops what is unsafe to extract and keeps empty names', () => {
    const files = ['a', '../b', 'c', '', '/abs', 'x\\y', 'C:/w', 'd/../../e', 'ok/name.txt'].map(
      (n, i) => file(n, i),
    );
    assert.deepEqual(names(removeInsecurePaths(files)), ['a', 'c', '', 'ok/name.txt']);
    assert.deepEqual(names(removeInsecurePaths([file('../x', 0)])), []);
  });

  it('findFile: the first entry with the exact name, by string or raw bytes', () => {
    const raw = { ...file('', 9), ...nameFromBytes(new Uint8Array([0x61, 0xff])) };
    const files = [file('a', 1), file('b', 2), file('a', 3), raw];
    assert.equal(findFile(files, 'a')?.offset, 1n);
    assert.equal(findFile(files, new TextEncoder().encode('b'))?.offset, 2n);
    assert.equal(findFile(files, new Uint8Array([0x61, 0xff]))?.offset, 9n);
    assert.equal(findFile(files, raw.name), undefined, 'a non-UTF-8 name is found by its bytes');
    assert.equal(findFile(files, 'A'), undefined);
  });
});
