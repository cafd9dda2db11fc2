// A small HTTP/1.1 file server for the entries suite: one file, single
// `Range` requests, ETag and Last-Modified, and a log of every request with
// the byte range it served and when it arrived and finished (server clock),
// so the suite can count requests, bytes, repeated ranges and round trips.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface ServedRequest {
  method: string;
  range: string | undefined;
  status: number;
  /** Bytes [start, end) sent in the body; start === end for HEAD and errors. */
  start: number;
  end: number;
  /** performance.now() when the request arrived and when its response finished. */
  arrived: number;
  finished: number;
}

export interface FileServer {
  url: string;
  size: number;
  log: ServedRequest[];
  close(): Promise<void>;
}

/** `bytes=a-b`, `bytes=a-`, `bytes=-n`: [start, end), 'bad' (416), or undefined (whole body). */
function parseRange(
  header: string | undefined,
  size: number,
): [number, number] | 'bad' | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const n = Number(m[2]);
    return n === 0 || size === 0 ? 'bad' : [Math.max(0, size - n), size];
  }
  const start = Number(m[1]);
  const last = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size) return 'bad';
  if (last < start) return undefined;
  return [start, last + 1];
}

/**
 * Serves `path` as /NAME on 127.0.0.1. Keep-alive sockets are kept 60 s
 * (Node's default is 5 s), so a client that parses a large directory between
 * two requests does not meet a closed socket.
 */
export async function serveFile(path: string, name = 'archive.zip'): Promise<FileServer> {
  const info = await stat(path);
  const size = info.size;
  const etag = `"${size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
  const lastModified = new Date(Math.floor(info.mtimeMs / 1000) * 1000).toUTCString();
  const log: ServedRequest[] = [];
  const server = createServer((req, res) => {
    const entry: ServedRequest = {
      method: req.method ?? 'GET',
      range: req.headers.range,
      status: 0,
      start: 0,
      end: 0,
      arrived: performance.now(),
      finished: 0,
    };
    log.push(entry);
    res.on('close', () => {
      entry.finished = performance.now();
    });
    const reply = (status: number, headers: Record<string, string | number>) => {
      entry.status = status;
      res.writeHead(status, headers);
    };
    if (req.url !== `/${name}`) {
      reply(404, { 'Content-Length': 0 });
      res.end();
      return;
    }
    const common = {
      ETag: etag,
      'Last-Modified': lastModified,
      'Accept-Ranges': 'bytes',
      'Content-Type': 'application/zip',
    };
    const range = parseRange(entry.range, size);
    if (range === 'bad') {
      reply(416, { ...common, 'Content-Range': `bytes */${size}`, 'Content-Length': 0 });
      res.end();
      return;
    }
    const [start, end] = range ?? [0, size];
    const headers: Record<string, string | number> = { ...common, 'Content-Length': end - start };
    if (range) headers['Content-Range'] = `bytes ${start}-${end - 1}/${size}`;
    reply(range ? 206 : 200, headers);
    if (req.method === 'HEAD' || start === end) {
      res.end();
      return;
    }
    entry.start = start;
    entry.end = end;
    const body = createReadStream(path, { start, end: end - 1, highWaterMark: 256 * 1024 });
    body.on('error', () => res.destroy());
    body.pipe(res);
  });
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 61_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/${name}`,
    size,
    log,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

export interface LogSummary {
  requests: number;
  /** Body bytes sent. */
  bytes: number;
  /** Bytes sent more than once (sum of every overlap with an earlier range). */
  repeatedBytes: number;
  /** Requests whose range overlaps one that starts at or before it. */
  repeatedRequests: number;
  /**
   * Sequential round trips: a request that arrived after another had finished
   * is one round deeper than it; concurrent requests share a round.
   */
  rounds: number;
  /** The first overlap found: the Range header of the later-starting request and of the one it overlaps. */
  firstRepeat: [string, string] | undefined;
}

export function summarizeLog(log: ServedRequest[]): LogSummary {
  // Rounds: in arrival order, a request is one deeper than the deepest one
  // that had finished when it arrived (that one arrived earlier: already seen).
  const byArrival = [...log].sort((a, b) => a.arrived - b.arrived);
  const byFinish = [...byArrival].sort((a, b) => a.finished - b.finished);
  const depth = new Map<ServedRequest, number>();
  let done = 0;
  let deepestDone = 0;
  let rounds = 0;
  for (const r of byArrival) {
    while (done < byFinish.length && byFinish[done].finished <= r.arrived) {
      deepestDone = Math.max(deepestDone, depth.get(byFinish[done]) ?? 0);
      done++;
    }
    depth.set(r, deepestDone + 1);
    rounds = Math.max(rounds, deepestDone + 1);
  }
  // Bytes served twice: the ranges by start, with the furthest end seen so far.
  const ranges = log
    .filter((r) => r.end > r.start)
    .sort((a, b) => a.start - b.start || a.end - b.end);
  let bytes = 0;
  let union = 0;
  let reach = 0;
  let reachedBy: ServedRequest | undefined;
  let repeatedRequests = 0;
  let firstRepeat: [string, string] | undefined;
  for (const r of ranges) {
    bytes += r.end - r.start;
    if (r.start < reach) {
      repeatedRequests++;
      firstRepeat ??= [r.range ?? '(whole)', reachedBy?.range ?? '(whole)'];
    }
    if (r.end > reach) {
      union += r.end - Math.max(r.start, reach);
      reach = r.end;
      reachedBy = r;
    }
  }
  return {
    requests: log.length,
    bytes,
    repeatedBytes: bytes - union,
    repeatedRequests,
    rounds,
    firstRepeat,
  };
}
