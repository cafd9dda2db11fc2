// Browser / edge variant of the `#file-source` import: there is no file
// system, so a local path is a usage error with a clear way out.
import { CozipError } from '../errors.js';
import type { FileIdentity, FileSource } from './file-source.js';

export async function openFileSource(path: string): Promise<FileSource> {
  throw new CozipError(
    'INVALID_ARGUMENT',
    `cannot open local path ${path} in this runtime: pass a URL, a Blob/File or bytes`,
    { details: { path } },
  );
}

export async function fileSize(path: string): Promise<number> {
  return (await openFileSource(path)).size;
}

export function readFileBytes(path: string, _size: number): Uint8Array {
  throw new CozipError(
    'INVALID_ARGUMENT',
    `cannot read local path ${path} in this runtime: pass a URL, a Blob/File or bytes`,
    { details: { path } },
  );
}

export function readFileInto(path: string, size: number, _t: Uint8Array, _at: number): void {
  readFileBytes(path, size);
}

/** No files here: nothing is ever at a path. */
export function fileIdentity(_path: string): FileIdentity | undefined {
  return undefined;
}
