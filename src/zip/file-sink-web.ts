// Browser / edge variant of the `#file-sink` import: no file system, so an
// output path is a usage error; pass a Sink (bufferSink, writableStreamSink).
import { CozipError } from '../errors.js';
import type { FileSink, FileSinkOptions } from './file-sink.js';

export async function createFileSink(
  path: string,
  _options: FileSinkOptions = {},
): Promise<FileSink> {
  throw new CozipError(
    'INVALID_ARGUMENT',
    `cannot write ${path} in this runtime: pass a Sink instead of a path`,
    {
      details: { path },
    },
  );
}
