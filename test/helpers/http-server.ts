/**
 * A real HTTP server for io tests: serves named objects with single-range
 * support, validators and preconditions, plus faults a test can switch on and
 * off at runtime. Every request is recorded so tests assert on counts, not time.
 */
import { open, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

/** Faults and quirks; all mutable while the server runs. */
export interface RangeServerFaults {
  /** Answer every GET with 200 and the whole body, like a server without range support. */
  ignoreRange: boolean;
  /** The next `fail5xx` requests get 503. */
  fail5xx: number;
  /** Close the connection after this many body bytes... */
  dropAfter: number | undefined;
  /** ...for the next `dropCount` requests (default 1 when dropAfter is given). */
  dropCount: number;
  /** Send `W/"..."` ETags. */
  weakEtag: boolean;
  /** Send no ETag. */
  noEtag: boolean;
  /** Send no Last-Modified. */
  noLastModified: boolean;
  /** Gzip bodies and say so in Content-Encoding. */
  gzip: boolean;
  /** Ignore If-Match / If-Unmodified-Since, like a careless server. */
  ignorePreconditions: boolean;
  /** Wait this long before answering: a network round trip, so rounds show in the timings. */
  delayMs: number;
}

export interface RecordedRequest {
  method: string;
  name: string;
  range: string | undefined;
  ifMatch: string | undefined;
  ifUnmodifiedSince: string | undefined;
  acceptEncoding: string | undefined;
  status: number;
  /** Bytes of body sent. */
  bytes: number;
  /** When the request arrived and when its response ended (performance.now()). */
  arrived: number;
  finished: number | undefined;
}

/**
 * How many sequential round trips `requests` took: a request that arrived
 * after another had finished is one round deeper than that one.
 */
export function roundTrips(requests: RecordedRequest[]): number {
  const depth = new Map<RecordedRequest, number>();
  let deepest = 0;
  for (const r of [...requests].sort((a, b) => a.arrived - b.arrived)) {
    let d = 1;
    for (const [other, od] of depth) {
      if (other.finished !== undefined && other.finished <= r.arrived) d = Math.max(d, od + 1);
    }
    depth.set(r, d);
    deepest = Math.max(deepest, d);
  }
  return deepest;
}

export interface RangeServerOptions extends Partial<RangeServerFaults> {
  /** Objects by name: bytes, or the path of a file served with positional reads. */
  objects?: Record<string, Uint8Array | string>;
}

export interface RangeServer extends RangeServerFaults {
  readonly origin: string;
  url(name: string): string;
  readonly requests: RecordedRequest[];
  /** Recorded requests for one object. */
  requestsFor(name: string): RecordedRequest[];
  /** Adds or overwrites an object (a file path is stat'ed for size and mtime). */
  set(name: string, data: Uint8Array | string): Promise<void>;
  /** New content under the same name: new ETag, later Last-Modified. */
  replace(name: string, bytes: Uint8Array): void;
  close(): Promise<void>;
}

interface StoredObject {
  data: Uint8Array | string;
  size: number;
  tag: string;
  /** Whole seconds, as HTTP dates have no finer resolution. */
  modified: number;
}

const CHUNK = 64 * 1024;

/** Pages and scripts for browser tests; everything else is opaque bytes. */
function contentType(name: string): string {
  if (name.endsWith('.html')) return 'text/html; charset=utf-8';
  if (name.endsWith('.js')) return 'text/javascript; charset=utf-8';
  return 'application/octet-stream';
}

export async function startRangeServer(options: RangeServerOptions = {}): Promise<RangeServer> {
  const objects = new Map<string, StoredObject>();
  let versions = 0;
  const nextTag = (size: number) => `v${++versions}-${size}`;
  const nowSeconds = () => Math.floor(Date.now() / 1000) * 1000;

  const httpServer = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = httpServer.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  const server: RangeServer = {
    ignoreRange: options.ignoreRange ?? false,
    fail5xx: options.fail5xx ?? 0,
    dropAfter: options.dropAfter,
    dropCount: options.dropCount ?? (options.dropAfter === undefined ? 0 : 1),
    weakEtag: options.weakEtag ?? false,
    noEtag: options.noEtag ?? false,
    noLastModified: options.noLastModified ?? false,
    gzip: options.gzip ?? false,
    ignorePreconditions: options.ignorePreconditions ?? false,
    delayMs: options.delayMs ?? 0,
    origin,
    url: (name) => `${origin}/${encodeURIComponent(name)}`,
    requests: [],
    requestsFor: (name) => server.requests.filter((r) => r.name === name),
    async set(name, data) {
      if (typeof data === 'string') {
        const info = await stat(data);
        const modified = Math.floor(info.mtimeMs / 1000) * 1000;
        objects.set(name, { data, size: info.size, tag: nextTag(info.size), modified });
      } else {
        objects.set(name, {
          data,
          size: data.length,
          tag: nextTag(data.length),
          modified: nowSeconds(),
        });
      }
    },
    replace(name, bytes) {
      const previous = objects.get(name);
      // At least one second later, or If-Unmodified-Since could not tell the versions apart.
      const modified = Math.max(nowSeconds(), (previous?.modified ?? 0) + 1000);
      objects.set(name, { data: bytes, size: bytes.length, tag: nextTag(bytes.length), modified });
    },
    close() {
      return new Promise((resolve, reject) => {
        httpServer.close((err) => (err ? reject(err) : resolve()));
        httpServer.closeAllConnections();
      });
    },
  };
  for (const [name, data] of Object.entries(options.objects ?? {})) await server.set(name, data);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const name = decodeURIComponent(new URL(req.url ?? '/', origin).pathname.slice(1));
    const header = (key: string) => {
      const value = req.headers[key];
      return Array.isArray(value) ? value.join(', ') : value;
    };
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      name,
      range: header('range'),
      ifMatch: header('if-match'),
      ifUnmodifiedSince: header('if-unmodified-since'),
      acceptEncoding: header('accept-encoding'),
      status: 0,
      bytes: 0,
      arrived: performance.now(),
      finished: undefined,
    };
    server.requests.push(record);
    res.on('close', () => {
      record.finished = performance.now();
    });
    if (server.delayMs > 0) await new Promise((r) => setTimeout(r, server.delayMs));
    const reply = (status: number, headers: Record<string, string | number>) => {
      record.status = status;
      res.writeHead(status, headers);
    };

    if (server.fail5xx > 0) {
      server.fail5xx--;
      reply(503, { 'Content-Length': 0 });
      res.end();
      return;
    }
    const object = objects.get(name);
    if (!object) {
      reply(404, { 'Content-Length': 0 });
      res.end();
      return;
    }
    const etag = server.noEtag
      ? undefined
      : server.weakEtag
        ? `W/"${object.tag}"`
        : `"${object.tag}"`;
    const validators: Record<string, string> = {};
    if (etag !== undefined) validators.ETag = etag;
    if (!server.noLastModified) {
      validators['Last-Modified'] = new Date(object.modified).toUTCString();
    }

    if (!server.ignorePreconditions && !preconditionsHold(record, etag, object.modified)) {
      reply(412, { ...validators, 'Content-Length': 0 });
      res.end();
      return;
    }

    let start = 0;
    let end = object.size;
    let status = 200;
    const headers: Record<string, string | number> = {
      ...validators,
      'Content-Type': contentType(name),
    };
    if (!server.ignoreRange) {
      headers['Accept-Ranges'] = 'bytes';
      const range = parseRange(record.range, object.size);
      if (range === 'unsatisfiable') {
        reply(416, { ...headers, 'Content-Range': `bytes */${object.size}`, 'Content-Length': 0 });
        res.end();
        return;
      }
      if (range) {
        ({ start, end } = range);
        status = 206;
        headers['Content-Range'] = `bytes ${start}-${end - 1}/${object.size}`;
      }
    }

    if (server.gzip) {
      const chunks: Uint8Array[] = [];
      for await (const chunk of readChunks(object, start, end)) chunks.push(chunk);
      const body = gzipSync(Buffer.concat(chunks));
      reply(status, { ...headers, 'Content-Encoding': 'gzip', 'Content-Length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    reply(status, { ...headers, 'Content-Length': end - start });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    let dropAt: number | undefined;
    if (server.dropAfter !== undefined && server.dropCount > 0) {
      server.dropCount--;
      dropAt = server.dropAfter;
    }
    let sent = 0;
    for await (const chunk of readChunks(object, start, end)) {
      if (res.destroyed) return;
      if (dropAt !== undefined && sent + chunk.length > dropAt) {
        // Send what is allowed, then end the connection mid-body.
        res.flushHeaders();
        res.write(chunk.subarray(0, dropAt - sent));
        res.socket?.end();
        return;
      }
      sent += chunk.length;
      record.bytes = sent;
      if (!res.write(chunk)) {
        // Whichever fires first, both listeners go: no leak over a long body.
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.once('drain', done);
          res.once('close', done);
        });
      }
    }
    res.end();
  }

  return server;
}

/** If-Match (strong comparison) wins over If-Unmodified-Since, as in RFC 9110. */
function preconditionsHold(
  request: RecordedRequest,
  etag: string | undefined,
  modified: number,
): boolean {
  if (request.ifMatch !== undefined) {
    const tags = request.ifMatch.split(',').map((tag) => tag.trim());
    if (tags.includes('*')) return true;
    return etag !== undefined && !etag.startsWith('W/') && tags.includes(etag);
  }
  if (request.ifUnmodifiedSince !== undefined) {
    const since = Date.parse(request.ifUnmodifiedSince);
    return Number.isNaN(since) || modified <= since;
  }
  return true;
}

/**
 * A single `bytes=a-b`, `bytes=a-` or `bytes=-n` range, clipped to `size`.
 * Anything else is ignored (whole body), as servers do.
 */
function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size };
  }
  const start = Number(match[1]);
  const last = match[2] === '' ? size - 1 : Number(match[2]);
  if (last < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end: Math.min(last, size - 1) + 1 };
}

/** Bytes [start, end) of an object in chunks; files are read positionally, never whole. */
async function* readChunks(object: StoredObject, start: number, end: number) {
  const { data } = object;
  if (typeof data !== 'string') {
    for (let pos = start; pos < end; pos += CHUNK)
      yield data.subarray(pos, Math.min(end, pos + CHUNK));
    return;
  }
  const handle = await open(data, 'r');
  try {
    for (let pos = start; pos < end; ) {
      const buffer = Buffer.alloc(Math.min(CHUNK, end - pos));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, pos);
      if (bytesRead === 0) return;
      pos += bytesRead;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}
