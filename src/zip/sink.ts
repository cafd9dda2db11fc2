// Where writers put bytes. One interface so the same writer code produces a
// file, a buffer or a stream.
import { CozipError } from '../errors.js';

export interface Sink {
  /** Appends bytes; resolves when the sink can take more (backpressure). */
  write(chunk: Uint8Array): Promise<void>;
  /**
   * True when the sink is done with a chunk once `write` resolves (it wrote
   * or copied it): the writer may then fill the same memory again. Sinks
   * that keep chunks (a buffer, a stream) leave it unset.
   */
  readonly doneWithChunks?: boolean;
  /** Flushes and finishes the output. */
  close(): Promise<void>;
  /** Abandons the output (a file sink deletes its temp file). */
  abort?(reason?: unknown): Promise<void>;
  /**
   * Overwrites bytes already written, at an absolute offset. Only seekable
   * sinks (files, buffers) have it; writers must not require it.
   */
  writeAt?(offset: number, bytes: Uint8Array): Promise<void>;
  /**
   * Reads back bytes already written (files, buffers): a writer checks what
   * landed before it seals the output. Optional like writeAt.
   */
  readAt?(offset: number, length: number): Promise<Uint8Array>;
}

/** Collects everything written in memory; `bytes()` returns the result. */
export function bufferSink(): Sink & { bytes(): Uint8Array } {
  const parts: Uint8Array[] = [];
  let length = 0;
  let flat: Uint8Array | undefined;
  const flatten = (): Uint8Array => {
    if (!flat) {
      flat = new Uint8Array(length);
      let o = 0;
      for (const p of parts) {
        flat.set(p, o);
        o += p.length;
      }
      parts.length = 0;
      parts.push(flat);
    }
    return flat;
  };
  return {
    async write(chunk) {
      parts.push(new Uint8Array(chunk));
      length += chunk.length;
      flat = undefined;
    },
    async close() {},
    async writeAt(offset, bytes) {
      if (offset < 0 || offset + bytes.length > length) {
        throw new CozipError(
          'OUT_OF_RANGE',
          `writeAt [${offset}, ${offset + bytes.length}) past ${length}`,
        );
      }
      flatten().set(bytes, offset);
    },
    async readAt(offset, n) {
      if (offset < 0 || n < 0 || offset + n > length) {
        throw new CozipError('OUT_OF_RANGE', `readAt [${offset}, ${offset + n}) past ${length}`);
      }
      return flatten().slice(offset, offset + n);
    },
    bytes: flatten,
  };
}

/** Writes into a WHATWG WritableStream (browsers, Deno, Node's web streams). */
export function writableStreamSink(stream: WritableStream<Uint8Array>): Sink {
  const writer = stream.getWriter();
  return {
    async write(chunk) {
      await writer.ready;
      await writer.write(chunk);
    },
    async close() {
      await writer.close();
    },
    async abort(reason) {
      await writer.abort(reason);
    },
  };
}
