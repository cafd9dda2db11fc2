// Found by the fuzzer (npm run fuzz, target cozip): a mutated manifest whose
// name column holds null made readMember, readMemberRange and openMember
// throw a TypeError from the header check instead of a typed error.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openCozip, openMember, readMember, readMemberRange } from '../../src/cozip/reader.js';
import { writeCozip } from '../../src/cozip/writer.js';
import { isCozipError } from '../../src/errors.js';
import { bufferSink } from '../../src/zip/sink.js';
import { seededBytes } from '../helpers/random.js';

async function archive() {
  const sink = bufferSink();
  await writeCozip(sink, [{ name: 'a', path: seededBytes(3, 2000) }], { mtime: new Date(0) });
  return openCozip(sink.bytes().slice());
}

const invalid = (e: unknown) => isCozipError(e, 'INVALID_ARGUMENT');

describe('member rows whose name is not a string', () => {
  it('are INVALID_ARGUMENT for every verified read', async () => {
    const cz = await archive();
    const at = cz.index.find((e) => e.name === '__metadata__')!;
    for (const name of [null, 7]) {
      const row = { name, offset: at.offset, size: at.size };
      await assert.rejects(readMember(cz, row), invalid);
      await assert.rejects(readMemberRange(cz, row, 0, 1), invalid);
      await assert.rejects(async () => {
        for await (const _ of openMember(cz, row));
      }, invalid);
    }
  });

  it('a row without a name still reads, checked against its header', async () => {
    const cz = await archive();
    const at = cz.index.find((e) => e.name === '__metadata__')!;
    const bytes = await readMember(cz, { offset: at.offset, size: at.size });
    assert.equal(bytes.length, at.size);
  });
});
