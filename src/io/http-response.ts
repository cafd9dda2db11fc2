// What an HTTP response means for a range read: errors for statuses and
// failures, and the few headers that matter.
import { CozipError } from '../errors.js';
import { abortedError, timeoutReason } from './abort.js';
import type { HttpReply } from './http-transport.js';

/** Maps whatever a request or a body read threw to a CozipError. */
export function toCozipError(
  err: unknown,
  signal: AbortSignal | undefined,
  url: string,
): CozipError {
  if (signal?.aborted) return timeoutReason(signal) ?? abortedError(signal);
  if (err instanceof CozipError) return err;
  // Body streams fail with plain errors (TypeError: terminated) when a connection drops.
  return new CozipError(
    'NETWORK',
    `reading the response from ${url} failed: ${networkReason(err)}`,
    {
      cause: err,
      details: { url, retryable: true },
    },
  );
}

/**
 * Why a request failed, in a few words for the one-line message: the
 * innermost cause (fetch wraps the socket's error in "fetch failed"), with
 * its system code when the text lacks it. The whole chain stays the cause.
 */
export function networkReason(err: unknown): string {
  let inner: unknown = err;
  for (let depth = 0; depth < 8 && inner instanceof Error && inner.cause !== undefined; depth++) {
    inner = inner.cause;
  }
  const message = inner instanceof Error ? inner.message : String(inner);
  const code = (inner as { code?: unknown } | null)?.code;
  const text = message || (inner instanceof Error ? inner.name : 'unknown error');
  return typeof code === 'string' && !text.includes(code) ? `${text} (${code})` : text;
}

/** Retry-After (seconds or an HTTP date) in ms, when the header says. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function statusError(url: string, status: number, retryAfter?: number): CozipError {
  const details: Record<string, unknown> = { url, status };
  if (retryAfter !== undefined) details.retryAfterMs = retryAfter;
  if (status === 404 || status === 410) {
    return new CozipError('NOT_FOUND', `${url} not found (HTTP ${status})`, { details });
  }
  if (status === 412) return changedError(url, 'a precondition failed (HTTP 412)', details);
  if (status === 416) {
    return new CozipError('RANGE_NOT_SATISFIABLE', `${url}: range not satisfiable (HTTP 416)`, {
      details,
    });
  }
  const retryable = status === 429 || status >= 500;
  return new CozipError('HTTP_STATUS', `${url}: HTTP ${status}`, {
    details: retryable ? { ...details, retryable } : details,
  });
}

export function changedError(
  url: string,
  why: string,
  details: Record<string, unknown> = {},
): CozipError {
  return new CozipError('OBJECT_CHANGED', `${url} changed while being read: ${why}`, {
    details: { url, ...details },
  });
}

export function badResponse(url: string, why: string): CozipError {
  return new CozipError('HTTP_STATUS', `${url}: unexpected response: ${why}`, {
    details: { url, status: 206 },
  });
}

export function lengthError(url: string, expected: number, received: number): CozipError {
  return new CozipError('SHORT_READ', `${url}: expected ${expected} body bytes, got ${received}`, {
    details: { url, expected, received, retryable: true },
  });
}

/** `bytes a-b/total` with an exclusive end; total is undefined for `*`. */
export function parseContentRange(
  value: string | null,
): { start: number; end: number; total: number | undefined } | undefined {
  const match = /^\s*bytes\s+(\d+)-(\d+)\/(\d+|\*)\s*$/i.exec(value ?? '');
  if (!match) return undefined;
  const start = Number(match[1]);
  const end = Number(match[2]) + 1;
  const total = match[3] === '*' ? undefined : Number(match[3]);
  if (end <= start || (total !== undefined && end > total)) return undefined;
  return { start, end, total };
}

export function contentLength(response: HttpReply): number | undefined {
  const value = response.header('Content-Length');
  if (value === null || !/^\s*\d+\s*$/.test(value)) return undefined;
  return Number(value);
}

export function isWeak(etag: string): boolean {
  return etag.startsWith('W/');
}

/** Releases the connection of a response whose body we will not read. */
export function discard(response: HttpReply): void {
  response.discard();
}

/** discard for a fetch Response (the S3 signer sees those). */
export function cancelBody(response: Response): void {
  response.body?.cancel().catch(() => {});
}
