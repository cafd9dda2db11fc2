// One-shot inflate of small members through a single reused zlib handle.
// zlib.inflateRawSync builds a stream object, a native handle and its 32 KiB
// window for every call and throws them away: for 100,000 members of a few
// KiB that is a third of the inflate time and most of the garbage. Here one
// handle is reset between members instead. It goes through the handle Node's
// own inflateRawSync drives (`_handle.writeSync`), found by feature test;
// without it, and for anything but a clean end of stream (an error, too
// much output, bytes after the end), the member is inflated again by
// zlib.inflateRawSync, so results and errors are exactly its own.
import * as zlib from 'node:zlib';

interface RawHandle {
  writeSync(
    flush: number,
    input: Uint8Array,
    inOffset: number,
    inLength: number,
    output: Uint8Array,
    outOffset: number,
    outLength: number,
  ): void;
  reset(): void;
}

interface Engine {
  stream: zlib.InflateRaw;
  handle: RawHandle;
  /** [output bytes left, input bytes left] after each write. */
  state: Uint32Array;
}

/** Output this large and above goes through zlib.inflateRawSync: the call costs nothing next to it. */
export const REUSE_LIMIT = 1 << 20;
/** Spare output room: a member inflating to more than declared shows as more. */
const SPARE = 64;

let engine: Engine | null | undefined;

function newEngine(): Engine | null {
  const stream = new zlib.InflateRaw();
  const internals = stream as unknown as { _handle?: Partial<RawHandle>; _writeState?: unknown };
  const handle = internals._handle;
  const state = internals._writeState;
  if (
    typeof handle?.writeSync !== 'function' ||
    typeof handle.reset !== 'function' ||
    !(state instanceof Uint32Array) ||
    state.length < 2
  ) {
    stream.destroy();
    return null;
  }
  // A zlib error destroys the stream and emits 'error': not a crash.
  stream.on('error', () => {});
  return { stream, handle: handle as RawHandle, state };
}

/**
 * The inflated `data` when it is one complete raw Deflate stream of at most
 * `maxOutput` bytes followed by nothing; undefined for anything else (the
 * caller then inflates it the ordinary way).
 */
export function inflateReused(data: Uint8Array, maxOutput: number): Uint8Array | undefined {
  if (maxOutput >= REUSE_LIMIT) return undefined;
  const out = Buffer.allocUnsafe(maxOutput + SPARE);
  const n = inflateInto(data, maxOutput, out);
  return n === undefined ? undefined : out.subarray(0, n);
}

/**
 * inflateReused into `out` (at least maxOutput + 64 bytes, reused by a
 * caller that only looks at the result before its next call): the length
 * written, or undefined.
 */
export function inflateInto(
  data: Uint8Array,
  maxOutput: number,
  out: Uint8Array,
): number | undefined {
  if (maxOutput >= REUSE_LIMIT || data.length === 0 || out.length < maxOutput + SPARE) {
    return undefined;
  }
  if (engine === undefined) engine = newEngine();
  if (engine === null) return undefined;
  const e = engine;
  const room = maxOutput + SPARE;
  try {
    e.handle.writeSync(zlib.constants.Z_FINISH, data, 0, data.length, out, 0, room);
  } catch {
    engine = undefined;
    return undefined;
  }
  if (e.stream.destroyed) {
    // zlib reported an error (it closed the handle): the next member gets a new one.
    engine = undefined;
    return undefined;
  }
  const outLeft = e.state[0];
  const inLeft = e.state[1];
  e.handle.reset();
  const n = room - outLeft;
  // Output room left means zlib reached the end of the stream (a short
  // stream is an error, reported above); input left means bytes after it.
  if (outLeft === 0 || inLeft !== 0 || n > maxOutput) return undefined;
  return n;
}

/** Room inflateInto needs for `maxOutput` bytes. */
export function inflateRoom(maxOutput: number): number {
  return maxOutput + SPARE;
}
