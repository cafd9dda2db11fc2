// The browser codecs (Compression Streams) and the Node codecs (node:zlib)
// agree: each inflates what the other deflates, CRCs match, errors are typed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { isCozipError } from '../../src/errors.js';
import { readAll } from '../../src/io/stream.js';
import * as node from '../../src/zip/codecs-node.js';
import * as web from '../../src/zip/codecs-web.js';
import { inflateReused, REUSE_LIMIT } from '../../src/zip/inflate-node.js';
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
    const corrupt = new Uint8Array(good); // a copy: Buffer#slice is a view
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

  it('small members inflate through one reused handle, with inflateRawSync results and errors', async () => {
    const members: Array<[Uint8Array, number]> = [];
    for (let i = 0; i < 200; i++) {
      const content = i % 3 ? text.subarray(0, 50 * i) : seededBytes(i, 40 * i);
      members.push([deflateRawSync(content, { level: i % 10 }), content.length]);
    }
    const good = deflateRawSync(seededBytes(9, 5000));
    const corrupt = new Uint8Array(good); // a copy: Buffer#slice is a view
    corrupt[3] ^= 0xff;
    const trailing = new Uint8Array(good.length + 3);
    trailing.set(good);
    // Bad members between good ones: each must fail as inflateRawSync fails,
    // and the good ones after it must still decode.
    const bad: Array<[Uint8Array, number]> = [
      [good.subarray(0, 100), 5000],
      [corrupt, 5000],
      [good, 4999],
      [good, 6000],
      [trailing, 5000],
      [new Uint8Array(0), 10],
    ];
    const all = members.flatMap((m, i) => (i % 30 === 0 ? [bad[(i / 30) % bad.length], m] : [m]));
    let reused = 0;
    for (const [data, size] of all) {
      const expected = (() => {
        try {
          return { out: inflateRawSync(data, { maxOutputLength: Math.max(1, size) }) };
        } catch (err) {
          return { error: err as Error };
        }
      })();
      if (inflateReused(data, size)) reused++;
      if (expected.error) {
        await assert.rejects(node.inflateRawBytes(data, size), (e) => isCozipError(e));
        await assert.rejects(node.inflateRawCrc(data, size), (e) => isCozipError(e));
      } else {
        const digest = { length: expected.out.length, crc: node.crc32(expected.out) };
        assert.deepEqual(await node.inflateRawCrc(data, size), digest);
        assert.deepEqual(await web.inflateRawCrc(data, size), digest);
        assert.deepEqual(
          Buffer.from(await node.inflateRawBytes(data, size)),
          Buffer.from(expected.out),
        );
      }
    }
    // Every member that inflates to exactly its size went through the handle.
    assert.equal(reused, members.length + 1);
    assert.equal(
      inflateReused(deflateRawSync(new Uint8Array(REUSE_LIMIT)), REUSE_LIMIT),
      undefined,
    );
  });
});
