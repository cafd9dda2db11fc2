import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { isCozipError } from '../../src/errors.js';
import { type HttpSourceOptions, openHttpSource } from '../../src/io/http-source.js';
import { type RangeServerOptions, startRangeServer } from '../helpers/http-server.js';
import { randomInt, rng, seededBytes } from '../helpers/random.js';
import { chunksOf, rejectsWith } from './expect.js';

const DATA = seededBytes(1, 300_000);
const OTHER = seededBytes(2, 300_000);
/** Retries stay fast in tests. */
const FAST: HttpSourceOptions = { retryDelayMs: 5 };

async function serve(t: TestContext, options: RangeServerOptions = {}) {
  const server = await startRangeServer({ objects: { a: DATA }, ...options });
  t.after(() => server.close());
  return server;
}

/** The range of a recorded `bytes=a-b` header, as [a, b + 1). */
function rangeOf(header: string | undefined): [number, number] {
  const match = /^bytes=(\d+)-(\d+)$/.exec(header ?? '');
  assert.ok(match, `not a closed range: ${header}`);
  return [Number(match[1]), Number(match[2]) + 1];
}

/**
 * A fetch that answers from `data` itself, through `respond` so a test can bend
 * the answer. Counts calls and keeps the request headers.
 */
function fakeFetch(
  data: Uint8Array,
  respond: (start: number, end: number, call: number) => Response = (start, end) =>
    new Response(data.slice(start, end), {
      status: 206,
      headers: { 'Content-Range': `bytes ${start}-${end - 1}/${data.length}`, ETag: '"x"' },
    }),
) {
  const calls: Headers[] = [];
  const fetch = async (_url: string | URL | Request, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    calls.push(headers);
    const match = /^bytes=(\d+)-(\d+)$/.exec(headers.get('Range') ?? '');
    assert.ok(match, 'fake fetch expects closed ranges');
    return respond(Number(match[1]), Number(match[2]) + 1, calls.length);
  };
  return { fetch: fetch as typeof globalThis.fetch, calls };
}

describe('openHttpSource: discovery', () => {
  it('discovers the size with a one-byte probe and keeps its bytes', async (t) => {
    const server = await serve(t);
    const source = await openHttpSource(server.url('a'), FAST);
    assert.equal(source.size, DATA.length);
    assert.equal(source.name, server.url('a'));
    assert.deepEqual(source.prefetched, [{ start: 0, bytes: DATA.subarray(0, 1) }]);
    assert.equal(source.stats.requests, 1);
    assert.equal(source.stats.bytesFetched, 1);
    assert.equal(source.rangeSupported, true);
    assert.match(source.etag ?? '', /^"v\d+-300000"$/);
    assert.ok(source.lastModified);
    assert.deepEqual(
      server.requests.map((r) => [r.range, r.status]),
      [['bytes=0-0', 206]],
    );
    // Node's fetch appends its own `identity` when Range is set, hence the split.
    const encodings = server.requests[0].acceptEncoding?.split(',').map((e) => e.trim());
    assert.ok(encodings?.length && encodings.every((e) => e === 'identity'), String(encodings));
  });

  it('probes the tail with a suffix range', async (t) => {
    const server = await serve(t);
    const source = await openHttpSource(server.url('a'), { ...FAST, probe: { suffix: 65536 } });
    assert.equal(source.size, DATA.length);
    assert.equal(source.prefetched?.[0].start, DATA.length - 65536);
    assert.deepEqual(source.prefetched?.[0].bytes, DATA.subarray(DATA.length - 65536));
    assert.equal(server.requests[0].range, 'bytes=-65536');
  });

  it('fetches the head and the tail at once with tailProbe', async (t) => {
    const server = await serve(t, { delayMs: 50 });
    const source = await openHttpSource(server.url('a'), {
      ...FAST,
      probe: { start: 0, end: 4096 },
      tailProbe: 32768,
    });
    assert.equal(source.size, DATA.length);
    assert.deepEqual(source.prefetched, [
      { start: 0, bytes: DATA.subarray(0, 4096) },
      { start: DATA.length - 32768, bytes: DATA.subarray(DATA.length - 32768) },
    ]);
    const ranges = server.requests.map((r) => r.range).sort();
    assert.deepEqual(ranges, ['bytes=-32768', 'bytes=0-4095']);
    // Both were in flight together: neither waited for the other to finish.
    const [a, b] = server.requests;
    assert.ok(
      a.arrived < b.finished! && b.arrived < a.finished!,
      `one round trip: ${JSON.stringify([a, b])}`,
    );
  });

  it('fails with OBJECT_CHANGED when the two probes see different versions', async () => {
    let call = 0;
    const fetch = (async (_url: string | URL | Request, init?: RequestInit) => {
      const range = new Headers(init?.headers).get('Range') ?? '';
      const tag = call++ === 0 ? '"v1"' : '"v2"';
      const [start, end] = range === 'bytes=-100' ? [DATA.length - 100, DATA.length] : [0, 10];
      return new Response(DATA.slice(start, end), {
        status: 206,
        headers: { 'Content-Range': `bytes ${start}-${end - 1}/${DATA.length}`, ETag: tag },
      });
    }) as typeof globalThis.fetch;
    await assert.rejects(
      openHttpSource('http://example.invalid/a', {
        ...FAST,
        fetch,
        probe: { start: 0, end: 10 },
        tailProbe: 100,
      }),
      (err) => isCozipError(err, 'OBJECT_CHANGED'),
    );
  });

  it('clips a probe to a small object', async (t) => {
    const small = DATA.subarray(0, 100);
    const server = await serve(t, { objects: { s: small } });
    const suffix = await openHttpSource(server.url('s'), { ...FAST, probe: { suffix: 1000 } });
    assert.deepEqual(suffix.prefetched, [{ start: 0, bytes: small }]);
    const head = await openHttpSource(server.url('s'), { ...FAST, probe: { start: 0, end: 4096 } });
    assert.deepEqual(head.prefetched, [{ start: 0, bytes: small }]);
    assert.equal(head.size, 100);
  });

  it('learns the size of an empty object from a 416', async (t) => {
    const server = await serve(t, { objects: { empty: new Uint8Array(0) } });
    const source = await openHttpSource(server.url('empty'), FAST);
    assert.equal(source.size, 0);
    assert.equal(source.prefetched, undefined);
    assert.deepEqual(await source.read(0, 0), new Uint8Array(0));
    assert.equal(source.stats.requests, 1);
  });

  it('sends no request when the size is known', async (t) => {
    const server = await serve(t);
    const source = await openHttpSource(server.url('a'), { ...FAST, size: DATA.length });
    assert.equal(server.requests.length, 0);
    assert.equal(source.etag, undefined);
    assert.deepEqual(await source.read(10, 20), DATA.subarray(10, 20));
    assert.ok(source.etag, 'validators come from the first response');
    assert.deepEqual(await source.read(20, 30), DATA.subarray(20, 30));
    assert.equal(server.requests[1].ifMatch, source.etag);
  });

  it('honours an explicit probe when the size is known', async (t) => {
    const server = await serve(t);
    const source = await openHttpSource(server.url('a'), {
      ...FAST,
      size: DATA.length,
      probe: { suffix: 22 },
    });
    assert.deepEqual(source.prefetched, [
      {
        start: DATA.length - 22,
        bytes: DATA.subarray(DATA.length - 22),
      },
    ]);
    assert.equal(server.requests[0].range, `bytes=${DATA.length - 22}-${DATA.length - 1}`);
  });

  it('serves objects that are files, with positional reads', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'cozip-http-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, 'object.bin');
    await writeFile(path, OTHER);
    const server = await serve(t, { objects: { f: path } });
    const source = await openHttpSource(server.url('f'), FAST);
    assert.equal(source.size, OTHER.length);
    assert.deepEqual(await source.read(123_456, 234_567), OTHER.subarray(123_456, 234_567));
  });

  it('passes extra headers and rejects invalid options', async () => {
    const { fetch, calls } = fakeFetch(DATA);
    const source = await openHttpSource('http://example.test/a', {
      fetch,
      headers: { Authorization: 'Bearer token' },
    });
    await source.read(5, 10);
    assert.equal(calls.length, 2);
    for (const headers of calls) assert.equal(headers.get('Authorization'), 'Bearer token');
    await rejectsWith(
      openHttpSource('http://example.test/a', { fetch, retries: -1 }),
      'INVALID_ARGUMENT',
    );
    await rejectsWith(
      openHttpSource('http://example.test/a', { fetch, probe: { start: 5, end: 5 } }),
      'INVALID_ARGUMENT',
    );
  });
});

describe('openHttpSource: reads', () => {
  it('reads random ranges byte-exactly with one inclusive-range request each', async (t) => {
    const server = await serve(t);
    const source = await openHttpSource(server.url('a'), FAST);
    const random = rng(11);
    for (let i = 0; i < 25; i++) {
      const start = randomInt(random, 0, DATA.length);
      const end = i === 0 ? DATA.length : randomInt(random, start + 1, DATA.length + 1);
      assert.deepEqual(await source.read(start, end), DATA.subarray(start, end));
      const last = server.requests.at(-1);
      assert.equal(last?.range, `bytes=${start}-${end - 1}`);
      assert.equal(last?.ifMatch, source.etag);
      assert.equal(last?.status, 206);
    }
    assert.equal(source.stats.requests, 26);
    assert.equal(server.requests.length, 26);
  });

  it('costs no request for an empty read and rejects reads outside the object', async (t) => {
    const server = await serve(t);
    const source = await openHttpSource(server.url('a'), FAST);
    assert.deepEqual(await source.read(500, 500), new Uint8Array(0));
    await rejectsWith(source.read(0, DATA.length + 1), 'OUT_OF_RANGE');
    await rejectsWith(source.read(-1, 5), 'OUT_OF_RANGE');
    assert.throws(() => source.stream(5, 4), { code: 'OUT_OF_RANGE' });
    assert.equal(server.requests.length, 1);
  });

  it('streams a range from a single request', async (t) => {
    const server = await serve(t);
    const source = await openHttpSource(server.url('a'), FAST);
    const chunks = await chunksOf(source.stream(1000, DATA.length));
    assert.ok(chunks.length > 1, 'the body arrives in several chunks');
    assert.deepEqual(Buffer.concat(chunks), Buffer.from(DATA.subarray(1000)));
    assert.equal(server.requests.length, 2);
    assert.equal(source.stats.bytesFetched, 1 + DATA.length - 1000);
  });

  it('fails after close', async (t) => {
    const server = await serve(t);
    const source = await openHttpSource(server.url('a'), FAST);
    await source.close();
    await rejectsWith(source.read(0, 10), 'ABORTED');
    assert.equal(server.requests.length, 1);
  });
});

describe('openHttpSource: servers that ignore Range', () => {
  it('takes the size from Content-Length and serves reads from the 200 body', async (t) => {
    const server = await serve(t, { ignoreRange: true });
    const source = await openHttpSource(server.url('a'), FAST);
    assert.equal(source.size, DATA.length);
    assert.equal(source.rangeSupported, false);
    assert.deepEqual(source.prefetched, [{ start: 0, bytes: DATA.subarray(0, 1) }]);
    const before = source.stats.bytesFetched;
    assert.deepEqual(await source.read(1000, 2000), DATA.subarray(1000, 2000));
    // The body is cancelled once the range is in hand.
    assert.ok(source.stats.bytesFetched - before < DATA.length);
    assert.deepEqual(await source.read(250_000, 260_000), DATA.subarray(250_000, 260_000));
    const streamed = await chunksOf(source.stream(100_000, 200_000));
    assert.deepEqual(Buffer.concat(streamed), Buffer.from(DATA.subarray(100_000, 200_000)));
    assert.ok(server.requests.every((r) => r.status === 200));
    assert.equal(server.requests.length, 4);
  });

  it('notices a server that stops honouring Range, and tells onWarning once', async (t) => {
    const server = await serve(t);
    const warnings: unknown[] = [];
    const source = await openHttpSource(server.url('a'), {
      ...FAST,
      onWarning: (w) => warnings.push(w),
    });
    assert.equal(source.rangeSupported, true);
    assert.deepEqual(warnings, []);
    server.ignoreRange = true;
    assert.deepEqual(await source.read(70_000, 80_000), DATA.subarray(70_000, 80_000));
    assert.deepEqual(await source.read(1_000, 2_000), DATA.subarray(1_000, 2_000));
    assert.equal(source.rangeSupported, false);
    assert.equal(warnings.length, 1);
    assert.ok(isCozipError(warnings[0], 'RANGE_UNSUPPORTED'), String(warnings[0]));
    assert.match((warnings[0] as Error).message, /ignores Range requests/);
  });

  it('fails with RANGE_UNSUPPORTED when requireRange is set', async (t) => {
    const server = await serve(t, { ignoreRange: true });
    await rejectsWith(
      openHttpSource(server.url('a'), { ...FAST, requireRange: true }),
      'RANGE_UNSUPPORTED',
    );
    assert.equal(server.requests.length, 1);
  });

  it('refuses a compressed body', async (t) => {
    const server = await serve(t, { gzip: true });
    const err = await rejectsWith(openHttpSource(server.url('a'), FAST), 'RANGE_UNSUPPORTED');
    assert.equal(err.details.encoding, 'gzip');
    assert.equal(server.requests.length, 1);
  });
});

describe('openHttpSource: retries', () => {
  it('retries 503s and then succeeds', async (t) => {
    const server = await serve(t, { fail5xx: 2 });
    const source = await openHttpSource(server.url('a'), FAST);
    assert.equal(source.stats.requests, 3);
    server.fail5xx = 3;
    assert.deepEqual(await source.read(10, 5000), DATA.subarray(10, 5000));
    assert.deepEqual(
      server.requests.slice(3).map((r) => r.status),
      [503, 503, 503, 206],
    );
    assert.equal(source.stats.requests, 7);
  });

  it('gives up with HTTP_STATUS after a bounded number of requests', async (t) => {
    const server = await serve(t);
    const source = await openHttpSource(server.url('a'), { ...FAST, retries: 2 });
    server.fail5xx = Number.POSITIVE_INFINITY;
    const err = await rejectsWith(source.read(0, 100), 'HTTP_STATUS');
    assert.equal(err.details.status, 503);
    assert.equal(err.details.url, server.url('a'));
    assert.equal(server.requests.length, 1 + 3);
  });

  it('does not retry other 4xx statuses', async () => {
    const { fetch, calls } = fakeFetch(DATA, () => new Response('no', { status: 403 }));
    const err = await rejectsWith(
      openHttpSource('http://example.test/a', { fetch }),
      'HTTP_STATUS',
    );
    assert.equal(err.details.status, 403);
    assert.equal(calls.length, 1);
  });

  it('retries network errors, then reports NETWORK', async () => {
    const fetch = fakeFetch(DATA, () => {
      throw new TypeError('fetch failed');
    });
    await rejectsWith(
      openHttpSource('http://example.test/a', { fetch: fetch.fetch, retries: 2, retryDelayMs: 1 }),
      'NETWORK',
    );
    assert.equal(fetch.calls.length, 3);
  });

  it('resumes a read whose body was cut, from the first missing byte', async (t) => {
    const server = await serve(t);
    const source = await openHttpSource(server.url('a'), FAST);
    server.dropAfter = 100_000;
    server.dropCount = 1;
    assert.deepEqual(await source.read(5, DATA.length), DATA.subarray(5));
    const [first, second] = server.requests.slice(1);
    assert.equal(first.range, `bytes=5-${DATA.length - 1}`);
    const [resumeAt, resumeEnd] = rangeOf(second.range);
    assert.ok(resumeAt >= 5 && resumeAt <= 5 + 100_000, `resumed at ${resumeAt}`);
    assert.equal(resumeEnd, DATA.length);
    assert.equal(second.ifMatch, source.etag);
    assert.equal(server.requests.length, 3);
  });

  it('resumes a stream whose body was cut, yielding every byte once', async (t) => {
    const server = await serve(t);
    const source = await openHttpSource(server.url('a'), FAST);
    server.dropAfter = 70_000;
    server.dropCount = 2;
    const chunks = await chunksOf(source.stream(0, DATA.length));
    assert.deepEqual(Buffer.concat(chunks), Buffer.from(DATA));
    assert.equal(server.requests.length, 1 + 3);
  });

  it('gives up with NETWORK when every body is cut', async (t) => {
    const server = await serve(t, { dropAfter: 1000, dropCount: Number.POSITIVE_INFINITY });
    const source = await openHttpSource(server.url('a'), { ...FAST, retries: 2 });
    await rejectsWith(source.read(0, 50_000), 'NETWORK');
    assert.equal(server.requests.length, 1 + 3);
  });

  it('retries a body shorter than its range, then reports SHORT_READ', async () => {
    const { fetch, calls } = fakeFetch(
      DATA,
      (start, end) =>
        new Response(DATA.slice(start, end - 1), {
          status: 206,
          headers: { 'Content-Range': `bytes ${start}-${end - 1}/${DATA.length}` },
        }),
    );
    const source = await openHttpSource('http://example.test/a', {
      fetch,
      size: DATA.length,
      retries: 2,
      retryDelayMs: 1,
    });
    const err = await rejectsWith(source.read(100, 200), 'SHORT_READ');
    assert.equal(err.details.expected, 1);
    assert.equal(calls.length, 3);
    // Each retry asks only for what is still missing.
    assert.deepEqual(
      calls.map((h) => h.get('Range')),
      ['bytes=100-199', 'bytes=199-199', 'bytes=199-199'],
    );
  });

  it('rejects a 206 for the wrong range', async () => {
    const { fetch, calls } = fakeFetch(
      DATA,
      (start, end) =>
        new Response(DATA.slice(start + 1, end + 1), {
          status: 206,
          headers: { 'Content-Range': `bytes ${start + 1}-${end}/${DATA.length}` },
        }),
    );
    const source = await openHttpSource('http://example.test/a', { fetch, size: DATA.length });
    await rejectsWith(source.read(0, 10), 'HTTP_STATUS');
    assert.equal(calls.length, 1);
  });

  it('accepts a 206 without Content-Range (hidden by CORS) once the size is known', async () => {
    const { fetch } = fakeFetch(
      DATA,
      (start, end) => new Response(DATA.slice(start, end), { status: 206 }),
    );
    const source = await openHttpSource('http://example.test/a', { fetch, size: DATA.length });
    assert.deepEqual(await source.read(3, 9), DATA.subarray(3, 9));
    await rejectsWith(
      openHttpSource('http://example.test/a', { fetch, retries: 0 }),
      'HTTP_STATUS',
    );
  });

  it('accepts an unknown total (*) once the size is known', async () => {
    const { fetch } = fakeFetch(
      DATA,
      (start, end) =>
        new Response(DATA.slice(start, end), {
          status: 206,
          headers: { 'Content-Range': `bytes ${start}-${end - 1}/*` },
        }),
    );
    const source = await openHttpSource('http://example.test/a', { fetch, size: DATA.length });
    assert.deepEqual(await source.read(3, 9), DATA.subarray(3, 9));
    await rejectsWith(
      openHttpSource('http://example.test/a', { fetch, retries: 0 }),
      'HTTP_STATUS',
    );
  });
});

describe('openHttpSource: object changes', () => {
  it('detects a replaced object through If-Match (strong ETag)', async (t) => {
    const server = await serve(t);
    const source = await openHttpSource(server.url('a'), FAST);
    assert.deepEqual(await source.read(0, 10), DATA.subarray(0, 10));
    server.replace('a', OTHER);
    const err = await rejectsWith(source.read(10, 20), 'OBJECT_CHANGED');
    assert.equal(err.details.status, 412);
    const last = server.requests.at(-1);
    assert.equal(last?.ifMatch, source.etag);
    assert.equal(last?.status, 412);
  });

  it('never mixes versions when a stream resumes after a replacement', async (t) => {
    const server = await serve(t);
    const source = await openHttpSource(server.url('a'), FAST);
    server.dropAfter = 70_000;
    server.dropCount = 1;
    const received: Uint8Array[] = [];
    const err = await rejectsWith(
      (async () => {
        for await (const chunk of source.stream(0, DATA.length)) {
          if (received.length === 0) server.replace('a', OTHER);
          received.push(chunk);
        }
      })(),
      'OBJECT_CHANGED',
    );
    assert.equal(err.details.status, 412);
    const got = Buffer.concat(received);
    assert.ok(got.length < DATA.length);
    assert.deepEqual(got, Buffer.from(DATA.subarray(0, got.length)));
  });

  it('uses If-Unmodified-Since when the ETag is weak', async (t) => {
    const server = await serve(t, { weakEtag: true });
    const source = await openHttpSource(server.url('a'), FAST);
    assert.match(source.etag ?? '', /^W\//);
    await source.read(0, 10);
    const last = server.requests.at(-1);
    assert.equal(last?.ifMatch, undefined);
    assert.equal(last?.ifUnmodifiedSince, source.lastModified);
    server.replace('a', OTHER);
    await rejectsWith(source.read(10, 20), 'OBJECT_CHANGED');
    assert.equal(server.requests.at(-1)?.status, 412);
  });

  it('uses If-Unmodified-Since when there is no ETag', async (t) => {
    const server = await serve(t, { noEtag: true });
    const source = await openHttpSource(server.url('a'), FAST);
    assert.equal(source.etag, undefined);
    await source.read(0, 10);
    server.replace('a', OTHER);
    await rejectsWith(source.read(10, 20), 'OBJECT_CHANGED');
    const last = server.requests.at(-1);
    assert.equal(last?.ifUnmodifiedSince, source.lastModified);
    assert.equal(last?.status, 412);
  });

  it('compares validators itself when the server ignores preconditions', async (t) => {
    const server = await serve(t, { ignorePreconditions: true });
    const source = await openHttpSource(server.url('a'), FAST);
    server.replace('a', OTHER);
    await rejectsWith(source.read(10, 20), 'OBJECT_CHANGED');
    assert.equal(server.requests.at(-1)?.status, 206);

    server.noEtag = true;
    const byDate = await openHttpSource(server.url('a'), FAST);
    server.replace('a', DATA);
    await rejectsWith(byDate.read(10, 20), 'OBJECT_CHANGED');
  });

  it('detects a size change without any validator', async (t) => {
    const server = await serve(t, { noEtag: true, noLastModified: true });
    const source = await openHttpSource(server.url('a'), FAST);
    assert.equal(source.etag, undefined);
    assert.equal(source.lastModified, undefined);
    server.replace('a', DATA.subarray(0, 200_000));
    await rejectsWith(source.read(10, 20), 'OBJECT_CHANGED');
  });
});

describe('openHttpSource: errors and aborts', () => {
  let server: Awaited<ReturnType<typeof startRangeServer>>;
  before(async () => {
    server = await startRangeServer({ objects: { a: DATA } });
  });
  after(() => server.close());

  it('reports 404 as NOT_FOUND', async () => {
    const err = await rejectsWith(openHttpSource(server.url('missing'), FAST), 'NOT_FOUND');
    assert.equal(err.details.status, 404);
  });

  it('reports 416 as RANGE_NOT_SATISFIABLE', async () => {
    const source = await openHttpSource(server.url('a'), { ...FAST, size: DATA.length + 100 });
    await rejectsWith(source.read(DATA.length + 10, DATA.length + 20), 'RANGE_NOT_SATISFIABLE');
  });

  it('aborts before sending when the signal already fired', async () => {
    const source = await openHttpSource(server.url('a'), FAST);
    const sent = server.requests.length;
    await rejectsWith(source.read(0, 10, { signal: AbortSignal.abort() }), 'ABORTED');
    await rejectsWith(
      openHttpSource(server.url('a'), { ...FAST, signal: AbortSignal.abort() }),
      'ABORTED',
    );
    assert.equal(server.requests.length, sent);
  });

  it('aborts during the backoff and does not retry', { timeout: 5000 }, async () => {
    const controller = new AbortController();
    const { fetch, calls } = fakeFetch(DATA, () => {
      controller.abort();
      return new Response('busy', { status: 503 });
    });
    await rejectsWith(
      openHttpSource('http://example.test/a', {
        fetch,
        retryDelayMs: 60_000,
        signal: controller.signal,
      }),
      'ABORTED',
    );
    assert.equal(calls.length, 1);
  });

  it('aborts a stream part way', async () => {
    const source = await openHttpSource(server.url('a'), FAST);
    const controller = new AbortController();
    const sent = server.requests.length;
    let chunks = 0;
    await rejectsWith(
      (async () => {
        for await (const _ of source.stream(0, DATA.length, { signal: controller.signal })) {
          chunks++;
          controller.abort();
        }
      })(),
      'ABORTED',
    );
    assert.equal(chunks, 1);
    assert.equal(server.requests.length, sent + 1);
  });

  it('aborts in-flight reads on close', async () => {
    const source = await openHttpSource(server.url('a'), FAST);
    const reading = source.read(0, DATA.length);
    await source.close();
    await rejectsWith(reading, 'ABORTED');
  });
});
