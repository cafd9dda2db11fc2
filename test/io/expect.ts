import assert from 'node:assert/strict';
import { type ErrorCode, isCozipError } from '../../src/errors.js';

/** Asserts that `promise` rejects with a CozipError of `code`, and returns that error. */
export async function rejectsWith(promise: Promise<unknown>, code: ErrorCode) {
  try {
    await promise;
  } catch (err) {
    assert.ok(isCozipError(err), `expected a CozipError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected ${code}, but it resolved`);
}

/** Drains an async iterable into an array of chunks. */
export async function chunksOf(iterable: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of iterable) chunks.push(chunk);
  return chunks;
}
