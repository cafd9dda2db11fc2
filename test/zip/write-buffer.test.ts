import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bufferSink, type Sink } from '../../src/zip/sink.js';
import { WriteBuffer } from '../../src/zip/write-buffer.js';
import { seededBytes } from '../helpers/random.js';

/** A sink that records each write it gets (copied) and can be told to fail. */
function recordingSink() {
  const inner = bufferSink();
  const writes: number[] = [];
  let failNext = false;
  const sink: Sink & { bytes(): Uint8Array } = {
    async write(chunk) {
      writes.push(chunk.length);
      if (failNext) throw new Error('disk full');
      await inner.write(chunk);
    },
    close: () => inner.close(),
    writeAt: (o, b) => inner.writeAt!(o, b),
    bytes: () => inner.bytes(),
  };
  return { sink, writes, fail: () => (failNext = true) };
}

describe('WriteBuffer', () => {
  it('fills the block written last again only when the sink says it is done with chunks', async () => {
    for (const done of [true, false]) {
      const kept: Uint8Array[] = [];
      const memory = new Set<ArrayBufferLike>();
      const sink: Sink = {
        doneWithChunks: done,
        async write(chunk) {
          memory.add(chunk.buffer);
          // A sink done with chunks copies; the other keeps the caller's memory.
          kept.push(done ? chunk.slice() : chunk);
        },
        close: async () => {},
      };
      const buffer = new WriteBuffer(sink, 1000);
      const data = seededBytes(9, 20_000);
      for (let o = 0; o < data.length; o += 250) await buffer.write(data.subarray(o, o + 250));
      await buffer.flush();
      const out = new Uint8Array(data.length);
      let at = 0;
      for (const k of kept) {
        out.set(k, at);
        at += k.length;
      }
      assert.deepEqual(out, data, `doneWithChunks ${done}`);
      // 20 blocks handed: two memories reused in turn, or a fresh one each.
      assert.equal(memory.size, done ? 2 : 20);
    }
  });

  it('gathers small writes into blocks and passes big ones through, in order', async () => {
    const { sink, writes } = recordingSink();
    const buffer = new WriteBuffer(sink, 1000);
    const data = seededBytes(3, 10_000);
    const pieces = [30, 300, 500, 400, 2500, 10, 20, 990, 1, 5249];
    let o = 0;
    for (const n of pieces) {
      const piece = data.subarray(o, o + n);
      if (!buffer.tryPush(piece)) await buffer.write(piece);
      o += n;
    }
    assert.equal(buffer.length, 10_000);
    await buffer.flush();
    assert.deepEqual(sink.bytes(), data);
    assert.ok(writes.length < pieces.length, `${writes} writes`);
    assert.ok(
      writes.includes(2500) && writes.includes(5249),
      `big pieces go straight through: ${writes}`,
    );
  });

  it('patches bytes still in the block and bytes already handed on', async () => {
    const { sink } = recordingSink();
    const buffer = new WriteBuffer(sink, 100);
    await buffer.write(new Uint8Array(150).fill(1)); // straight through
    await buffer.write(new Uint8Array(50).fill(2)); // in the block
    await buffer.writeAt(140, new Uint8Array(20).fill(9)); // straddles both
    await buffer.flush();
    const out = sink.bytes();
    assert.deepEqual([...out.subarray(138, 162)], [1, 1, ...new Array(20).fill(9), 2, 2]);
    await assert.rejects(buffer.writeAt(195, new Uint8Array(10)), /past 200/);
  });

  it('reports a failed block write at the next flush', async () => {
    const { sink, fail } = recordingSink();
    const buffer = new WriteBuffer(sink, 100);
    fail();
    await buffer.write(new Uint8Array(80));
    await buffer.write(new Uint8Array(80)); // hands the first block on; it fails meanwhile
    await assert.rejects(buffer.flush(), /disk full/);
  });
});
