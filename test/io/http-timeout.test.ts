// Stalled and busy servers: a request that receives nothing for `timeout`
// ms fails that attempt with TIMEOUT and is retried; 429/503 with
// Retry-After wait as long as asked (or fail at once when that is too long).
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { isCozipError } from '../../src/errors.js';
import { openHttpSource } from '../../src/io/http-source.js';
import { seededBytes } from '../helpers/random.js';

const DATA = seededBytes(7, 200_000);
type Behaviour = (req: IncomingMessage, res: ServerResponse, n: number) => boolean;
let behaviour: Behaviour = () => false;
let requests = 0;
let base = '';
const hanging = new Set<ServerResponse>();

/** A plain range server; `behaviour` may take over a request (returning true). */
const server = createServer((req, res) => {
  requests++;
  if (behaviour(req, res, requests)) return;
  const m = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? '');
  const start = m ? Number(m[1]) : 0;
  const end = m ? Math.min(Number(m[2]) + 1, DATA.length) : DATA.length;
  res.writeHead(m ? 206 : 200, {
    'Content-Length': end - start,
    ...(m ? { 'Content-Range': `bytes ${start}-${end - 1}/${DATA.length}` } : {}),
    ETag: '"v1"',
  });
  res.end(DATA.subarray(start, end));
});

before(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/obj`;
});
after(async () => {
  for (const res of hanging) res.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const reset = (b: Behaviour) => {
  behaviour = b;
  requests = 0;
};

describe('HTTP timeouts and Retry-After', () => {
  it('a server that never sends headers: the attempt times out and the retry succeeds', async () => {
    reset((_req, res, n) => {
      if (n !== 2) return false; // the probe answers; the first read hangs
      hanging.add(res);
      return true;
    });
    const source = await openHttpSource(base, { timeout: 300, retryDelayMs: 1 });
    const t0 = performance.now();
    assert.deepEqual(await source.read(1000, 2000), DATA.subarray(1000, 2000));
    assert.ok(performance.now() - t0 >= 250, 'waited for the timeout');
    assert.equal(requests, 3);
    await source.close();
  });

  it('a body that stalls forever: TIMEOUT once the retries are spent, not a hang', async () => {
    reset((req, res, n) => {
      if (n === 1) return false;
      const m = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? '')!;
      const start = Number(m[1]);
      const end = Number(m[2]) + 1;
      res.writeHead(206, {
        'Content-Length': end - start,
        'Content-Range': `bytes ${start}-${end - 1}/${DATA.length}`,
        ETag: '"v1"',
      });
      res.write(DATA.subarray(start, start + 10)); // then nothing
      hanging.add(res);
      return true;
    });
    const source = await openHttpSource(base, { timeout: 200, retries: 1, retryDelayMs: 1 });
    const t0 = performance.now();
    await assert.rejects(source.read(0, 50_000), (err) => {
      assert.ok(isCozipError(err, 'TIMEOUT'), String(err));
      assert.match((err as Error).message, /nothing received for 0\.2 s/);
      return true;
    });
    assert.ok(performance.now() - t0 < 5000);
    assert.equal(requests, 3, 'the probe, then two attempts');
    await source.close();
  });

  it('503 with Retry-After: 1 waits a second before the retry', async () => {
    reset((_req, res, n) => {
      if (n !== 2) return false;
      res.writeHead(503, { 'Retry-After': '1', 'Content-Length': 0 });
      res.end();
      return true;
    });
    const source = await openHttpSource(base, { retryDelayMs: 1 });
    const t0 = performance.now();
    assert.deepEqual(await source.read(0, 100), DATA.subarray(0, 100));
    assert.ok(performance.now() - t0 >= 950, `${performance.now() - t0} ms`);
    await source.close();
  });

  it('429 asking for an hour is reported at once', async () => {
    reset((_req, res, n) => {
      if (n !== 2) return false;
      res.writeHead(429, { 'Retry-After': '3600', 'Content-Length': 0 });
      res.end();
      return true;
    });
    const source = await openHttpSource(base, { retryDelayMs: 1 });
    const t0 = performance.now();
    await assert.rejects(source.read(0, 100), (err) => {
      assert.ok(isCozipError(err, 'HTTP_STATUS'), String(err));
      assert.equal(isCozipError(err) && err.details.retryAfterMs, 3_600_000);
      return true;
    });
    assert.ok(performance.now() - t0 < 1000);
    await source.close();
  });

  it('timeout: 0 waits as long as the server takes', async () => {
    reset((_req, res, n) => {
      if (n !== 2) return false;
      setTimeout(() => {
        res.writeHead(206, {
          'Content-Length': 10,
          'Content-Range': `bytes 0-9/${DATA.length}`,
          ETag: '"v1"',
        });
        res.end(DATA.subarray(0, 10));
      }, 400);
      return true;
    });
    const source = await openHttpSource(base, { timeout: 0 });
    assert.deepEqual(await source.read(0, 10), DATA.subarray(0, 10));
    await source.close();
  });
});
