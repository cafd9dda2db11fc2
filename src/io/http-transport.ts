// How an HttpSource sends one GET: a transport. This one is fetch (browsers,
// Workers, Deno, and any fetch a caller passes); Node gets its own through
// the `#http-transport` import (http-transport-node.ts), which skips the web
// streams and per-request objects that make fetch cost several times more
// CPU per small range.
import { iterateStream } from './web-stream.js';

/** What a transport hands back once the status and headers are in. */
export interface HttpReply {
  readonly status: number;
  /** A response header, or null; names are case-insensitive. */
  header(name: string): string | null;
  /** The body's chunks, to be iterated once; leaving early cancels the body. */
  chunks(): AsyncIterable<Uint8Array>;
  /** Releases the connection of a body that will not be read. */
  discard(): void;
}

/**
 * Sends a GET with exactly these headers (lower-case names) and resolves at
 * the response headers; `signal` cancels the request and its body.
 */
export type HttpTransport = (
  url: string,
  headers: Record<string, string>,
  signal: AbortSignal,
) => Promise<HttpReply>;

/** A transport over a fetch function. */
export function fetchTransport(fetchImpl: typeof globalThis.fetch): HttpTransport {
  return async (url, headers, signal) => {
    const response = await fetchImpl(url, { headers, signal });
    return {
      status: response.status,
      header: (name) => response.headers.get(name),
      chunks: () => (response.body ? iterateStream(response.body) : EMPTY),
      discard: () => {
        response.body?.cancel().catch(() => {});
      },
    };
  };
}

const EMPTY: AsyncIterable<Uint8Array> = {
  async *[Symbol.asyncIterator]() {},
};

/** The runtime's own transport: fetch outside Node. */
export function defaultTransport(): HttpTransport {
  return fetchTransport(globalThis.fetch.bind(globalThis));
}
