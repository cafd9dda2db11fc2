import { defaultTransport } from '#http-transport';
import { CozipError } from '../errors.js';
import { abortedError, closedError, idleTimer, sleep } from './abort.js';
import {
  badResponse,
  changedError,
  contentLength,
  discard,
  isWeak,
  lengthError,
  networkReason,
  parseContentRange,
  retryAfterMs,
  statusError,
  toCozipError,
} from './http-response.js';
import { fetchTransport, type HttpReply, type HttpTransport } from './http-transport.js';
import { checkRange, type IoStats, type RangeSource, type ReadOptions } from './source.js';

/** Which bytes the first request fetches: the last `suffix` bytes, or [start, end). */
export type HttpProbe = { suffix: number } | { start: number; end: number };

export interface HttpSourceOptions {
  /** Extra request headers (authorization, user agent...). */
  headers?: HeadersInit;
  /**
   * fetch implementation. By default Node sends through node:http(s) (same
   * behaviour, a fraction of the CPU per request) and other runtimes use
   * globalThis.fetch.
   */
  fetch?: typeof globalThis.fetch;
  /** Retries after a failed request (5xx, 429, network error, short body). Default 3. */
  retries?: number;
  /** Base of the exponential backoff between retries. Default 200 ms. */
  retryDelayMs?: number;
  /** Cancels every request of this source. */
  signal?: AbortSignal;
  /** Object size if already known: skips size discovery (no request on open). */
  size?: number;
  /** Bytes the first request fetches and keeps in `prefetched`. Default { start: 0, end: 1 }. */
  probe?: HttpProbe;
  /**
   * Also fetch the last `tailProbe` bytes, in parallel with the probe (a
   * suffix range needs no size), and keep them in `prefetched` too: a reader
   * that needs both ends of the object (a cozip's index and hash tail) gets
   * them in one round trip. Both responses must come from the same version.
   */
  tailProbe?: number;
  /** Fail with RANGE_UNSUPPORTED when the server ignores Range, instead of skipping bytes. */
  requireRange?: boolean;
  /**
   * Told once, the first time the server answers a range request with the
   * whole object (a RANGE_UNSUPPORTED warning: each read then downloads
   * everything up to what it needs).
   */
  onWarning?: (warning: CozipError) => void;
  /**
   * Milliseconds a request may go without receiving anything (headers, then
   * each part of the body) before the attempt fails with TIMEOUT and is
   * retried like a network error. Default 30,000; 0 waits forever.
   */
  timeout?: number;
}

export interface HttpSource extends RangeSource {
  readonly stats: IoStats;
  /** ETag of the first response; later requests must match it. */
  readonly etag: string | undefined;
  /** Last-Modified of the first response. */
  readonly lastModified: string | undefined;
  /** False once the server answered a range request with the whole object (200). */
  readonly rangeSupported: boolean;
  /** The probes' bytes, so a caller (the ReadPlanner) need not fetch them again. */
  readonly prefetched?: Prefetched[];
  stream(start: number, end: number, options?: ReadOptions): AsyncIterable<Uint8Array>;
  close(): Promise<void>;
}

/** Bytes a probe fetched, at `start` of the object. */
export interface Prefetched {
  start: number;
  bytes: Uint8Array;
}

const DEFAULT_PROBE: HttpProbe = { start: 0, end: 1 };
const MAX_BACKOFF_MS = 30_000;
const DEFAULT_TIMEOUT_MS = 30_000;
/** A server asking for a longer pause than this gets the error instead. */
const MAX_RETRY_AFTER_MS = 60_000;

/** Everything one HttpSource knows; the functions below read and update it. */
interface HttpState {
  url: string;
  /** -1 until the probe discovers it. */
  size: number;
  /** The caller's headers, names in lower case. */
  headers: Record<string, string>;
  transport: HttpTransport;
  retries: number;
  retryDelayMs: number;
  requireRange: boolean;
  onWarning: ((warning: CozipError) => void) | undefined;
  timeoutMs: number;
  /** The caller's signal for the whole source. */
  signal: AbortSignal | undefined;
  /** Why every request stops from now on (close() or the source's signal), once it is so. */
  stopped: unknown;
  /** One controller per request in flight: stopping the source aborts each. */
  active: Set<AbortController>;
  /** Validators are taken from the first successful response, then fixed. */
  captured: boolean;
  etag: string | undefined;
  lastModified: string | undefined;
  rangeSupported: boolean;
  stats: IoStats;
}

/**
 * Opens an object over HTTP(S) for range reads. Unless `options.size` is given,
 * one probe request discovers the size (and the validators every later
 * request is checked against).
 */
export async function openHttpSource(
  url: string | URL,
  options: HttpSourceOptions = {},
): Promise<HttpSource> {
  const state: HttpState = {
    url: String(url),
    size: -1,
    headers: headerRecord(options.headers),
    transport: options.fetch ? fetchTransport(options.fetch) : defaultTransport(),
    retries: nonNegative('retries', options.retries ?? 3),
    retryDelayMs: nonNegative('retryDelayMs', options.retryDelayMs ?? 200),
    timeoutMs: nonNegative('timeout', options.timeout ?? DEFAULT_TIMEOUT_MS),
    requireRange: options.requireRange ?? false,
    onWarning: options.onWarning,
    signal: options.signal,
    stopped: undefined,
    active: new Set(),
    captured: false,
    etag: undefined,
    lastModified: undefined,
    rangeSupported: true,
    stats: { requests: 0, bytesFetched: 0 },
  };
  const probe = options.probe ?? DEFAULT_PROBE;
  checkProbe(probe);
  // One listener for the source's whole life, not one per request.
  options.signal?.addEventListener('abort', () => stopAll(state, options.signal!.reason), {
    once: true,
  });
  if (options.signal?.aborted) stopAll(state, options.signal.reason);

  const tail = options.tailProbe;
  if (tail !== undefined) nonNegative('tailProbe', tail);
  const probes: HttpProbe[] = [];
  if (options.size === undefined || options.probe) probes.push(probe);
  if (tail) probes.push({ suffix: tail });
  let found: Array<Prefetched | undefined>;
  if (options.size !== undefined) {
    state.size = nonNegative('size', options.size);
    // A known size needs no request; explicit probes are still honoured.
    found = await Promise.all(
      probes.map(async (p) => {
        const [start, end] = probeRange(p, state.size);
        if (start >= end) return undefined;
        return { start, bytes: await collect(streamRange(state, start, end), end - start) };
      }),
    );
  } else {
    found = await Promise.all(probes.map((p) => discover(state, p)));
  }
  const prefetched = found.filter((p): p is Prefetched => p !== undefined);
  return makeSource(state, prefetched.length ? prefetched : undefined);
}

function makeSource(state: HttpState, prefetched: Prefetched[] | undefined): HttpSource {
  let closed = false;
  const source: HttpSource = {
    size: state.size,
    name: state.url,
    stats: state.stats,
    get etag() {
      return state.etag;
    },
    get lastModified() {
      return state.lastModified;
    },
    get rangeSupported() {
      return state.rangeSupported;
    },
    ...(prefetched ? { prefetched } : {}),
    async read(start, end, options) {
      checkRange(source, start, end);
      if (closed) throw closedError(state.url);
      return collect(streamRange(state, start, end, options?.signal), end - start);
    },
    stream(start, end, options) {
      checkRange(source, start, end);
      if (closed) throw closedError(state.url);
      return streamRange(state, start, end, options?.signal);
    },
    async close() {
      closed = true;
      stopAll(state, closedError(state.url));
    },
  };
  return source;
}

/**
 * The bytes [start, end) as they arrive, from one request. When a request
 * fails part way, the next one asks for the first missing byte only; the
 * validators guarantee all parts come from the same version of the object.
 */
async function* streamRange(
  state: HttpState,
  start: number,
  end: number,
  callerSignal?: AbortSignal,
): AsyncGenerator<Uint8Array, void, undefined> {
  let pos = start;
  let failures = 0;
  while (pos < end) {
    const attempt = attemptSignal(state, callerSignal, state.timeoutMs);
    let failure: CozipError | undefined;
    try {
      const response = await send(state, `${pos}-${end - 1}`, attempt.signal);
      for await (const chunk of await openBody(state, response, pos, end)) {
        if (attempt.signal.aborted) throw toCozipError(undefined, attempt.signal, state.url);
        attempt.touch();
        pos += chunk.length;
        yield chunk;
      }
    } catch (err) {
      failure = toCozipError(err, attempt.signal, state.url);
    } finally {
      attempt.dispose();
    }
    if (failure) await backoff(state, failure, ++failures, callerSignal);
  }
}

/** Two probes in parallel must see one size: a different one is another version. */
function learnSize(state: HttpState, size: number): void {
  if (state.size >= 0 && state.size !== size) {
    throw changedError(state.url, `its size was ${state.size} and became ${size}`);
  }
  state.size = size;
}

/** Aborts every request in flight and every later one with `reason`. */
function stopAll(state: HttpState, reason: unknown): void {
  state.stopped ??= reason;
  for (const controller of state.active) controller.abort(state.stopped);
}

/**
 * The signal of one attempt at a request: aborted when the source stops,
 * when the caller's signal fires, or (TIMEOUT) when nothing arrives for
 * `timeoutMs`. One controller per attempt, listed in `state.active` rather
 * than listening to a shared signal (32 reads in flight would be 32
 * listeners on it); fetch's listeners on it die with it.
 */
function attemptSignal(
  state: HttpState,
  callerSignal: AbortSignal | undefined,
  timeoutMs: number,
): { signal: AbortSignal; touch: () => void; dispose: () => void } {
  const controller = new AbortController();
  if (state.stopped !== undefined) controller.abort(state.stopped);
  else if (callerSignal?.aborted) controller.abort(callerSignal.reason);
  state.active.add(controller);
  const onAbort = () => controller.abort(callerSignal?.reason);
  callerSignal?.addEventListener('abort', onAbort, { once: true });
  const idle = idleTimer(controller, timeoutMs, state.url);
  return {
    signal: controller.signal,
    touch: idle.touch,
    dispose: () => {
      idle.dispose();
      state.active.delete(controller);
      callerSignal?.removeEventListener('abort', onAbort);
    },
  };
}

/** Reads the probe, learns the size and keeps the probed bytes. */
async function discover(state: HttpState, probe: HttpProbe): Promise<Prefetched | undefined> {
  const range = 'suffix' in probe ? `-${probe.suffix}` : `${probe.start}-${probe.end - 1}`;
  for (let failures = 1; ; failures++) {
    const attempt = attemptSignal(state, undefined, state.timeoutMs);
    let failure: CozipError;
    try {
      return await discoverOnce(state, probe, range, attempt);
    } catch (err) {
      failure = toCozipError(err, attempt.signal, state.url);
    } finally {
      attempt.dispose();
    }
    await backoff(state, failure, failures, undefined);
  }
}

async function discoverOnce(
  state: HttpState,
  probe: HttpProbe,
  range: string,
  attempt: { signal: AbortSignal; touch: () => void },
): Promise<Prefetched | undefined> {
  const response = await send(state, range, attempt.signal);
  if (response.status === 416) {
    // An empty object (or a probe past the end) has no satisfiable range, but
    // the server still says the size: `Content-Range: bytes */N`.
    const total = /^\s*bytes\s+\*\/(\d+)\s*$/i.exec(response.header('Content-Range') ?? '');
    discard(response);
    if (!total) throw statusError(state.url, 416);
    learnSize(state, Number(total[1]));
    return undefined;
  }
  checkResponse(state, response);
  if (response.status === 206) {
    const served = parseContentRange(response.header('Content-Range'));
    if (served?.total === undefined) {
      discard(response);
      throw badResponse(state.url, 'the probe response has no size in Content-Range');
    }
    const [start, end] = probeRange(probe, served.total);
    if (served.start !== start || served.end !== end) {
      discard(response);
      throw badResponse(state.url, `asked for ${range}, got ${served.start}-${served.end - 1}`);
    }
    learnSize(state, served.total);
    const body = touching(partialBody(state, response, end - start), attempt.touch);
    return { start, bytes: await collect(body, end - start) };
  }
  rangeIgnored(state, response);
  const length = contentLength(response);
  if (length === undefined) {
    discard(response);
    throw new CozipError(
      'RANGE_UNSUPPORTED',
      `${state.url}: the server ignores Range and sends no Content-Length`,
      { details: { url: state.url } },
    );
  }
  learnSize(state, length);
  const [start, end] = probeRange(probe, length);
  // A suffix would cost the whole body: skip it, the caller reads what it needs.
  if ('suffix' in probe || start >= end) {
    discard(response);
    return undefined;
  }
  const body = touching(fullBody(state, response, start, end), attempt.touch);
  return { start, bytes: await collect(body, end - start) };
}

/** Sends one GET for `bytes=<range>` with the validators captured so far. */
async function send(
  state: HttpState,
  range: string,
  signal: AbortSignal | undefined,
): Promise<HttpReply> {
  if (signal?.aborted) throw abortedError(signal);
  const headers: Record<string, string> = { ...state.headers, range: `bytes=${range}` };
  // Transparent compression would make byte offsets meaningless.
  headers['accept-encoding'] = 'identity';
  if (state.etag !== undefined && !isWeak(state.etag)) headers['if-match'] = state.etag;
  else if (state.lastModified !== undefined) {
    headers['if-unmodified-since'] = state.lastModified;
  }
  state.stats.requests++;
  try {
    return await state.transport(state.url, headers, signal!);
  } catch (err) {
    if (signal?.aborted) throw abortedError(signal);
    throw new CozipError('NETWORK', `request to ${state.url} failed: ${networkReason(err)}`, {
      cause: err,
      details: { url: state.url, retryable: true },
    });
  }
}

/** Rejects error statuses, compressed bodies and a changed object; captures validators. */
function checkResponse(state: HttpState, response: HttpReply): void {
  if (response.status !== 200 && response.status !== 206) {
    discard(response);
    throw statusError(state.url, response.status, retryAfterMs(response.header('Retry-After')));
  }
  const encoding = response.header('Content-Encoding');
  if (encoding !== null && encoding.trim().toLowerCase() !== 'identity') {
    discard(response);
    throw new CozipError(
      'RANGE_UNSUPPORTED',
      `${state.url} is served with Content-Encoding ${encoding}: byte ranges would be wrong`,
      { details: { url: state.url, encoding } },
    );
  }
  const etag = response.header('ETag') ?? undefined;
  const lastModified = response.header('Last-Modified') ?? undefined;
  if (!state.captured) {
    state.captured = true;
    state.etag = etag;
    state.lastModified = lastModified;
    return;
  }
  const changed =
    state.etag !== undefined
      ? etag !== undefined && etag !== state.etag
      : state.lastModified !== undefined &&
        lastModified !== undefined &&
        lastModified !== state.lastModified;
  if (changed) {
    discard(response);
    throw changedError(state.url, `ETag ${state.etag} became ${etag}`);
  }
}

/**
 * Checks a response to `bytes=pos-(end-1)` and returns its body, trimmed to
 * [pos, end) when the server sent the whole object instead.
 */
async function openBody(
  state: HttpState,
  response: HttpReply,
  pos: number,
  end: number,
): Promise<AsyncIterable<Uint8Array>> {
  checkResponse(state, response);
  if (response.status === 206) {
    const header = response.header('Content-Range');
    // Browsers hide Content-Range from cross-origin code unless the server exposes
    // it; the exact body length is then the check that remains.
    if (header === null) return partialBody(state, response, end - pos);
    const served = parseContentRange(header);
    if (served === undefined) {
      discard(response);
      throw badResponse(state.url, `206 with an invalid Content-Range: ${header}`);
    }
    if (served.total !== undefined && served.total !== state.size) {
      discard(response);
      throw changedError(state.url, `size ${state.size} became ${served.total}`);
    }
    if (served.start !== pos || served.end !== end) {
      discard(response);
      throw badResponse(
        state.url,
        `asked for bytes ${pos}-${end - 1}, got ${served.start}-${served.end - 1}`,
      );
    }
    return partialBody(state, response, end - pos);
  }
  rangeIgnored(state, response);
  const length = contentLength(response);
  if (length !== undefined && length !== state.size) {
    discard(response);
    throw changedError(state.url, `size ${state.size} became ${length}`);
  }
  return fullBody(state, response, pos, end);
}

/** A 200 to a range request: the server ignores Range. */
function rangeIgnored(state: HttpState, response: HttpReply): void {
  if (state.requireRange) {
    discard(response);
    throw new CozipError('RANGE_UNSUPPORTED', `${state.url}: the server ignores Range requests`, {
      details: { url: state.url, status: response.status },
    });
  }
  if (state.rangeSupported) {
    state.onWarning?.(
      new CozipError(
        'RANGE_UNSUPPORTED',
        `${state.url}: the server ignores Range requests, so every read downloads the object up to what it needs`,
        { details: { url: state.url, status: response.status } },
      ),
    );
  }
  state.rangeSupported = false;
}

/** The body of a 206, which must be exactly `length` bytes. */
async function* partialBody(state: HttpState, response: HttpReply, length: number) {
  let received = 0;
  for await (const chunk of bodyChunks(state, response)) {
    received += chunk.length;
    if (received > length) throw lengthError(state.url, length, received);
    yield chunk;
  }
  if (received < length) throw lengthError(state.url, length, received);
}

/**
 * The whole-object body of a 200, keeping only [start, end): bytes before
 * `start` are dropped as they arrive and the body is cancelled at `end`, so
 * memory stays bounded by the chunk size whatever the object size.
 */
async function* fullBody(state: HttpState, response: HttpReply, start: number, end: number) {
  let offset = 0;
  for await (const chunk of bodyChunks(state, response)) {
    const from = Math.max(start - offset, 0);
    const to = Math.min(end - offset, chunk.length);
    offset += chunk.length;
    if (from < to) yield chunk.subarray(from, to);
    if (offset >= end) return; // leaving the loop cancels the body
  }
  throw lengthError(state.url, end - start, Math.max(0, offset - start));
}

/** The chunks of `body`, calling `touch` as each arrives (the idle timer). */
async function* touching(body: AsyncIterable<Uint8Array>, touch: () => void) {
  for await (const chunk of body) {
    touch();
    yield chunk;
  }
}

async function* bodyChunks(state: HttpState, response: HttpReply) {
  for await (const chunk of response.chunks()) {
    state.stats.bytesFetched += chunk.length;
    yield chunk;
  }
}

/** Decides after a failure: throw `error` for good, or wait and let the caller retry. */
async function backoff(
  state: HttpState,
  error: CozipError,
  failures: number,
  callerSignal: AbortSignal | undefined,
): Promise<void> {
  if (error.details.retryable !== true || failures > state.retries) throw error;
  // Exponential with jitter, so many clients that failed together do not retry together.
  const delay = Math.min(MAX_BACKOFF_MS, state.retryDelayMs * 2 ** (failures - 1));
  const jittered = delay * (0.5 + Math.random() / 2);
  // A 429 or 503 may say when to come back (Retry-After): not sooner.
  const asked = error.details.retryAfterMs;
  if (typeof asked === 'number' && asked > MAX_RETRY_AFTER_MS) throw error;
  // The pause ends early when the source stops or the caller gives up.
  const pause = attemptSignal(state, callerSignal, 0);
  try {
    await sleep(typeof asked === 'number' ? Math.max(asked, jittered) : jittered, pause.signal);
  } finally {
    pause.dispose();
  }
}

/** The range a probe asks for, clipped to an object of `size` bytes. */
function probeRange(probe: HttpProbe, size: number): [number, number] {
  if ('suffix' in probe) return [Math.max(0, size - probe.suffix), size];
  return [Math.min(probe.start, size), Math.min(probe.end, size)];
}

function checkProbe(probe: HttpProbe): void {
  const ok =
    'suffix' in probe
      ? Number.isSafeInteger(probe.suffix) && probe.suffix > 0
      : Number.isSafeInteger(probe.start) &&
        Number.isSafeInteger(probe.end) &&
        probe.start >= 0 &&
        probe.end > probe.start;
  if (!ok) {
    throw new CozipError('INVALID_ARGUMENT', `invalid probe ${JSON.stringify(probe)}`, {
      details: { probe },
    });
  }
}

/** The caller's headers as a plain record with lower-case names (as Headers has them). */
function headerRecord(init: HeadersInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (init !== undefined) {
    new Headers(init).forEach((value, name) => {
      out[name] = value;
    });
  }
  return out;
}

function nonNegative(what: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new CozipError('INVALID_ARGUMENT', `${what} must be a non-negative integer: ${value}`);
  }
  return value;
}

/** Drains chunks into one array of the expected length. */
async function collect(chunks: AsyncIterable<Uint8Array>, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let offset = 0;
  for await (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
