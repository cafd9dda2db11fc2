// Node's own HTTP transport behaves as fetch does where a range reader
// cares: it is the default, follows redirects (relative ones too) and drops
// credentials on a change of origin, gives up on redirect loops, never
// decodes a body, yields plain Uint8Array chunks and cancels on abort.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { isCozipError } from '../../src/errors.js';
import { openHttpSource } from '../../src/io/http-source.js';
import { defaultTransport } from '../../src/io/http-transport-node.js';
import { seededBytes } from '../helpers/random.js';

const DATA = seededBytes(3, 100_000);
type Route = (req: IncomingMessage, res: ServerResponse) => void;

/** Serves DATA with ranges at /obj; other paths go to `routes`. */
function rangeServer(routes: Record<string, Route> = {}) {
  const seen: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    seen.push(req);
    const route = routes[req.url ?? ''];
    if (route) return route(req, res);
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
  return { server, seen };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const code = (expected: string) => (err: unknown) => {
  assert.ok(isCozipError(err), String(err));
  assert.equal(err.code, expected, err.message);
  return true;
};

describe("Node's HTTP transport", () => {
  let other: ReturnType<typeof rangeServer>;
  let main: ReturnType<typeof rangeServer>;
  let otherBase = '';
  let base = '';

  before(async () => {
    other = rangeServer();
    otherBase = await listen(other.server);
    const to =
      (location: () => string, status = 302): Route =>
      (_req, res) => {
        res.writeHead(status, { Location: location(), 'Content-Length': 2 });
        res.end('no');
      };
    main = rangeServer({
      '/relative': to(() => '/obj', 307),
      '/away': to(() => `${otherBase}/obj`, 301),
      '/loop': to(() => '/loop'),
      '/ftp': to(() => 'ftp://example.com/obj'),
      '/gzip': (_req, res) => {
        res.writeHead(206, {
          'Content-Range': `bytes 0-9/${DATA.length}`,
          'Content-Length': 10,
          'Content-Encoding': 'gzip',
        });
        res.end(DATA.subarray(0, 10));
      },
      '/stall': (_req, res) => {
        res.writeHead(206, {
          'Content-Range': `bytes 0-99999/${DATA.length}`,
          'Content-Length': DATA.length,
        });
        res.write(DATA.subarray(0, 1000));
      },
    });
    base = await listen(main.server);
  });
  after(async () => {
    for (const s of [main.server, other.server]) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });

  it('is the default in Node, with a user agent of its own unless the caller sets one', async () => {
    main.seen.length = 0;
    const source = await openHttpSource(`${base}/obj`, { size: DATA.length });
    const bytes = await source.read(10, 5000);
    assert.deepEqual(bytes, DATA.subarray(10, 5000));
    assert.equal(main.seen[0].headers['user-agent'], 'cozip');
    assert.equal(main.seen[0].headers['accept-encoding'], 'identity');
    const custom = await openHttpSource(`${base}/obj`, {
      size: DATA.length,
      headers: { 'User-Agent': 'mine/1', 'X-Extra': 'yes' },
    });
    await custom.read(0, 10);
    assert.equal(main.seen.at(-1)!.headers['user-agent'], 'mine/1');
    assert.equal(main.seen.at(-1)!.headers['x-extra'], 'yes');
    // A caller's fetch is still used as given.
    let calls = 0;
    const viaFetch = await openHttpSource(`${base}/obj`, {
      size: DATA.length,
      fetch: (input, init) => {
        calls++;
        return fetch(input, init);
      },
    });
    assert.deepEqual(await viaFetch.read(0, 100), DATA.subarray(0, 100));
    assert.equal(calls, 1);
  });

  it('yields plain Uint8Array chunks, not Buffers', async () => {
    const source = await openHttpSource(`${base}/obj`, { size: DATA.length });
    for await (const chunk of source.stream(0, DATA.length)) {
      assert.equal(Object.getPrototypeOf(chunk), Uint8Array.prototype);
    }
  });

  it('follows relative and cross-origin redirects; credentials do not cross origins', async () => {
    const near = await openHttpSource(`${base}/relative`, {
      headers: { Authorization: 'Bearer secret' },
    });
    assert.equal(near.size, DATA.length);
    assert.deepEqual(await near.read(50, 150), DATA.subarray(50, 150));
    assert.equal(main.seen.at(-1)!.url, '/obj');
    assert.equal(main.seen.at(-1)!.headers.authorization, 'Bearer secret');

    other.seen.length = 0;
    const far = await openHttpSource(`${base}/away`, {
      headers: { Authorization: 'Bearer secret', 'X-Keep': '1' },
    });
    assert.deepEqual(await far.read(0, 64), DATA.subarray(0, 64));
    assert.ok(other.seen.length >= 1);
    for (const req of other.seen) {
      assert.equal(req.headers.authorization, undefined);
      assert.equal(req.headers['x-keep'], '1');
      assert.match(req.headers.range ?? '', /^bytes=/);
    }
  });

  it('gives up on redirect loops and non-HTTP redirects with a typed error', async () => {
    await assert.rejects(openHttpSource(`${base}/loop`, { retries: 0 }), code('NETWORK'));
    await assert.rejects(openHttpSource(`${base}/ftp`, { retries: 0 }), code('NETWORK'));
  });

  it('does not decode bodies: an encoded response is refused', async () => {
    await assert.rejects(openHttpSource(`${base}/gzip`, { retries: 0 }), code('RANGE_UNSUPPORTED'));
  });

  it('an abort cancels a body in flight', async () => {
    const controller = new AbortController();
    const source = await openHttpSource(`${base}/stall`, {
      size: DATA.length,
      signal: controller.signal,
      timeout: 0,
    });
    const reading = source.read(0, DATA.length);
    setTimeout(() => controller.abort(new Error('stop')), 50);
    await assert.rejects(reading, code('ABORTED'));
  });

  it('the transport alone: status, case-insensitive headers, chunks, discard', async () => {
    const send = defaultTransport();
    const reply = await send(`${base}/obj`, { range: 'bytes=0-99' }, new AbortController().signal);
    assert.equal(reply.status, 206);
    assert.equal(reply.header('content-range'), `bytes 0-99/${DATA.length}`);
    assert.equal(reply.header('Content-Range'), `bytes 0-99/${DATA.length}`);
    assert.equal(reply.header('X-Absent'), null);
    const parts: Uint8Array[] = [];
    for await (const chunk of reply.chunks()) parts.push(chunk);
    assert.deepEqual(Buffer.concat(parts), Buffer.from(DATA.subarray(0, 100)));
    const dropped = await send(`${base}/obj`, {}, new AbortController().signal);
    dropped.discard();
  });
});
