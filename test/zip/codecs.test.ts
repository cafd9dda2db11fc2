// The browser codecs (Compression Streams) and the Node codecs (node:zlib)
// agree: each inflates what the other deflates, CRCs match, errors are typed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deflateRawSync } from 'node:zlib';
import { isCozipError } from '../../src/errors.js';
import { readAll } from '../../src/io/stream.js';
import * as node from '../../src/zip/codecs-node.js';
import * as web from '../../src/zip/codecs-web.js';
import { seededBytes } from '../helpers/random.js';

async function* chunks(data: Uint8Array, size: number) {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

const text = new TextEncoder().encode('the quick brown fox jumps over the lazy dog\n'.repeat(5000));
const random = seededBytes(5, 300_000);

describe('runtime codecs', () => {
  for (const [name, data] of [
    ['text', text],
    ['random', random],
  ] as const) {
    it(`${name}: web deflate -> node inflate and node deflate -> web inflate`, async () => {
      const viaWeb = await readAll(web.deflateRaw(chunks(data, 7777)));
      assert.deepEqual(await readAll(node.inflateRaw(chunks(viaWeb, 1000))), data);
      const viaNode = await readAll(node.deflateRaw(chunks(data, 5000), 9));
      assert.deepEqual(await readAll(web.inflateRaw(chunks(viaNode, 333))), data);
      assert.deepEqual(await web.inflateRawBytes(viaNode, data.length), data);
      assert.deepEqual(new Uint8Array(await node.inflateRawBytes(viaWeb, data.length)), data);
    });
  }

  it('CRC-32: the table fallback equals node:zlib', () => {
    assert.equal(web.crc32(random), node.crc32(random));
    assert.equal(
      web.crc32(random.subarray(1000), web.crc32(random.subarray(0, 1000))),
      node.crc32(random),
    );
  });

  it('corrupt and truncated deflate data are CORRUPT_DATA in both', async () => {
    const good = deflateRawSync(text);
    const corrupt = good.slice();
    corrupt[10] ^= 0xff;
    corrupt[11] ^= 0xff;
    const truncated = good.subarray(0, good.length >> 1);
    for (const codec of [node, web]) {
      for (const bad of [corrupt, truncated]) {
        await assert.rejects(
          readAll(codec.inflateRaw(chunks(bad, 100))),
          (e) => isCozipError(e) && ['CORRUPT_DATA', 'SIZE_MISMATCH'].includes(e.code),
        );
      }
    }
  });

  it('output past the declared size is SIZE_MISMATCH in the one-shot inflate', async () => {
    const good = deflateRawSync(text);
    for (const codec of [node, web]) {
      await assert.rejects(codec.inflateRawBytes(good, text.length - 1), (e) =>
        isCozipError(e, 'SIZE_MISMATCH'),
      );
    }
  });
});
