// Node only: a Sink over a Node writable stream (process.stdout, a socket, an
// HTTP response), honouring backpressure so a slow consumer never makes the
// writer buffer a whole archive in memory.
import { CozipError } from '../errors.js';
import type { Sink } from './sink.js';

export interface NodeStreamSinkOptions {
  /**
   * End the stream on close and destroy it on abort. Default: true, except
   * for process.stdout and process.stderr, which must stay open.
   */
  end?: boolean;
}

/** The parts of stream.Writable we use beyond NodeJS.WritableStream. */
interface WritableExtras {
  destroy?: (error?: Error) => void;
  destroyed?: boolean;
  writableFinished?: boolean;
}

export function nodeStreamSink(
  writable: NodeJS.WritableStream,
  options: NodeStreamSinkOptions = {},
): Sink {
  const stream = writable as NodeJS.WritableStream & WritableExtras;
  const owned = options.end ?? (writable !== process.stdout && writable !== process.stderr);
  // A stream error is reported by the next write or close; listening also
  // keeps it from becoming an uncaught exception.
  let failure: unknown;
  stream.on('error', (err) => {
    failure ??= err;
  });

  const check = (what: string, finished = false) => {
    if (failure !== undefined) {
      throw new CozipError('ABORTED', `${what}: output stream failed`, { cause: failure });
    }
    // A stream that finished is destroyed by autoDestroy: that is success.
    if (stream.destroyed && !finished) {
      throw new CozipError('ABORTED', `${what}: output stream was destroyed`);
    }
  };

  /** Resolves on `event`; rejects if the stream errors or closes first. */
  const waitFor = (event: 'drain' | 'finish', what: string) =>
    new Promise<void>((resolve, reject) => {
      const done = (err?: unknown) => {
        stream.off(event, onEvent);
        stream.off('error', onError);
        stream.off('close', onClose);
        if (err === undefined) resolve();
        else reject(err);
      };
      const onEvent = () => done();
      const onError = (err: unknown) =>
        done(new CozipError('ABORTED', `${what}: output stream failed`, { cause: err }));
      const onClose = () =>
        done(
          event === 'finish' && stream.writableFinished
            ? undefined
            : new CozipError('ABORTED', `${what}: output stream closed early`),
        );
      stream.on(event, onEvent);
      stream.on('error', onError);
      stream.on('close', onClose);
    });

  return {
    async write(chunk) {
      check('write');
      if (chunk.length === 0) return;
      // write() returning false asks us to wait for 'drain' before the next chunk.
      if (!stream.write(chunk)) await waitFor('drain', 'write');
      check('write');
    },
    async close() {
      check('close');
      if (owned) {
        const finished = waitFor('finish', 'close');
        stream.end();
        await finished;
      } else {
        // Not ours to end: wait until what we wrote has been handed on.
        await new Promise<void>((resolve, reject) => {
          stream.write(new Uint8Array(0), (err?: Error | null) => (err ? reject(err) : resolve()));
        });
      }
      check('close', true);
    },
    async abort() {
      // Bytes already sent cannot be taken back; a stream we own is cut off
      // so the consumer sees an error rather than an archive that looks whole.
      if (owned && !stream.destroyed) stream.destroy?.();
    },
  };
}
