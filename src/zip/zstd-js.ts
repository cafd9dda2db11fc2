// Streaming Zstandard decompression in pure JS (fzstd), for runtimes whose
// zlib has no zstd (Node < 22.15, browsers). fzstd is imported on first use:
// every ZIP reader loads this module, few archives hold zstd members.
import { CozipError } from '../errors.js';
import { zstdOutputLimit, zstdOverrun } from './zstd-limit.js';

export async function* zstdDecompressJs(
  input: AsyncIterable<Uint8Array>,
): AsyncIterable<Uint8Array> {
  const { Decompress } = await import('fzstd');
  let out: Uint8Array[] = [];
  let consumed = 0;
  let produced = 0;
  const d = new Decompress((chunk) => {
    produced += chunk.length;
    // Thrown out of push(): the decoder's loop cannot run on.
    if (produced > zstdOutputLimit(consumed)) throw zstdOverrun(consumed, produced);
    out.push(chunk);
  });
  const push = (chunk: Uint8Array, final: boolean) => {
    consumed += chunk.length;
    try {
      d.push(chunk, final);
    } catch (err) {
      if (err instanceof CozipError) throw err;
      throw new CozipError('CORRUPT_DATA', `zstd: ${(err as Error)?.message ?? err}`, {
        cause: err,
      });
    }
  };
  for await (const chunk of input) {
    push(chunk, false);
    if (out.length) {
      yield* out;
      out = [];
    }
  }
  push(new Uint8Array(0), true);
  yield* out;
}
