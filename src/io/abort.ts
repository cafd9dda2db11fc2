import { CozipError } from '../errors.js';

/** The ABORTED error for a fired signal; the signal's reason is kept as the cause. */
export function abortedError(signal?: AbortSignal): CozipError {
  return new CozipError('ABORTED', 'operation aborted', { cause: signal?.reason });
}

/** What a read on a closed source fails with: closing cancels what was in flight too. */
export function closedError(name: string): CozipError {
  return new CozipError('ABORTED', `${name} is closed`, { details: { closed: true } });
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortedError(signal);
}

/** Resolves after `ms`, or rejects with ABORTED as soon as `signal` fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortedError(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortedError(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Waits for `promise` but gives up with ABORTED when `signal` fires. The work
 * behind `promise` goes on: use it when that work is shared with other callers.
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortedError(signal));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(abortedError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/**
 * Aborts `controller` with a TIMEOUT error (retryable) when `touch` has not
 * been called for `ms` (0: never): a stalled server (no headers, or a body
 * that stops) then fails the attempt instead of hanging it. One timer per
 * attempt, re-armed only when it fires early: touching costs a clock read,
 * not a timer per chunk. `dispose` clears it.
 */
export function idleTimer(
  controller: AbortController,
  ms: number,
  what: string,
): { touch: () => void; dispose: () => void } {
  if (ms <= 0) return { touch: () => {}, dispose: () => {} };
  let last = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const check = () => {
    const idle = performance.now() - last;
    if (idle < ms) {
      timer = setTimeout(check, ms - idle);
      return;
    }
    timer = undefined;
    controller.abort(
      new CozipError('TIMEOUT', `${what}: nothing received for ${ms / 1000} s`, {
        details: { timeoutMs: ms, retryable: true },
      }),
    );
  };
  timer = setTimeout(check, ms);
  return {
    touch: () => {
      last = performance.now();
    },
    dispose: () => clearTimeout(timer),
  };
}

/** The TIMEOUT error a signal under idleTimer was aborted with, if that is why. */
export function timeoutReason(signal: AbortSignal | undefined): CozipError | undefined {
  const reason = signal?.aborted ? signal.reason : undefined;
  return reason instanceof CozipError && reason.code === 'TIMEOUT' ? reason : undefined;
}
