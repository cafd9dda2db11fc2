// Node's transport for HttpSource: node:http(s) with keep-alive agents.
// Reading 10,000 small ranges this way costs about a quarter of the CPU of
// Node's fetch (no web streams, Headers, Request or Response per request).
// It behaves as fetch does where it matters here: redirects are followed
// (credentials dropped when the origin changes), the signal cancels the
// request and its body, and the body is never decoded.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { HttpReply, HttpTransport } from './http-transport.js';

/** As many as fetch follows. */
const MAX_REDIRECTS = 20;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Headers that must not follow a redirect to another origin. */
const CREDENTIALS = ['authorization', 'cookie', 'proxy-authorization'];

// One pool of connections per process; idle sockets do not keep it alive.
const agents = {
  'http:': new HttpAgent({ keepAlive: true, scheduling: 'lifo' }),
  'https:': new HttpsAgent({ keepAlive: true, scheduling: 'lifo' }),
};

export function defaultTransport(): HttpTransport {
  return nodeTransport;
}

const nodeTransport: HttpTransport = async (url, headers, signal) => {
  let current = new URL(url);
  let sent = headers['user-agent'] === undefined ? { ...headers, 'user-agent': 'cozip' } : headers;
  for (let redirects = 0; ; redirects++) {
    const response = await get(current, sent, signal);
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (!REDIRECTS.has(status) || location === undefined) return reply(response);
    // A redirect's own body is small: read it off so the connection is reused.
    response.resume();
    if (redirects === MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects`);
    const next = new URL(location, current);
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      throw new Error(`redirect to ${next.protocol} is not followed`);
    }
    if (next.origin !== current.origin) {
      sent = { ...sent };
      for (const name of CREDENTIALS) delete sent[name];
    }
    current = next;
  }
};

function get(
  url: URL,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const protocol = url.protocol as 'http:' | 'https:';
    const send = protocol === 'https:' ? httpsRequest : httpRequest;
    if (!(protocol in agents)) {
      reject(new Error(`unsupported protocol ${url.protocol}`));
      return;
    }
    const req = send(url, { method: 'GET', headers, agent: agents[protocol], signal });
    req.once('response', resolve);
    // Kept on: a socket error after the response must not go unhandled (the
    // body's reader sees it).
    req.on('error', reject);
    req.end();
  });
}

function reply(response: IncomingMessage): HttpReply {
  // Errors reach whoever iterates the body; none may crash the process first.
  response.on('error', () => {});
  return {
    status: response.statusCode ?? 0,
    header(name) {
      const value = response.headers[name.toLowerCase()];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(', ') : value;
    },
    chunks: () => plainChunks(response),
    discard: () => {
      response.destroy();
    },
  };
}

/**
 * The message's chunks as plain Uint8Array views (as fetch gives them, so
 * callers see one type everywhere); an early exit destroys the message.
 */
async function* plainChunks(response: IncomingMessage): AsyncGenerator<Uint8Array> {
  for await (const chunk of response as AsyncIterable<Buffer>) {
    yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
}
