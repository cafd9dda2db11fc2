// Compression methods and CRC-32, resolved to the runtime's native codecs
// through the `#codecs` import (node:zlib in Node, Compression Streams elsewhere).
import * as platform from '#codecs';
import { METHOD_DEFLATE, METHOD_STORE, METHOD_ZSTD } from './constants.js';

export type ByteStream = AsyncIterable<Uint8Array>;
export type Decompressor = (input: ByteStream) => ByteStream;

export const crc32: (data: Uint8Array, value?: number) => number = platform.crc32;
export const inflateRaw = platform.inflateRaw;
export const deflateRaw = platform.deflateRaw;
export const inflateRawBytes = platform.inflateRawBytes;
/** Synchronous inflate into a caller's buffer, where the runtime can (else undefined). */
export const inflateRawInto = platform.inflateRawInto;
/** The length and CRC-32 of what inflateRawBytes would give, without keeping it. */
export const inflateRawCrc = platform.inflateRawCrc;
/** inflateRawBytes that may run on another thread (zlib's pool in Node): for parallel decoding. */
export const inflateRawBytesOffThread = platform.inflateRawBytesOffThread;
export const deflateRawBytes = platform.deflateRawBytes;

const identity: Decompressor = (input) => input;

const decompressors = new Map<number, Decompressor>([
  [METHOD_STORE, identity],
  [METHOD_DEFLATE, platform.inflateRaw],
  [METHOD_ZSTD, platform.zstdDecompress],
]);

/** Adds (or replaces) the decompressor used for a compression method number. */
export function registerDecompressor(method: number, fn: Decompressor): void {
  decompressors.set(method, fn);
}

export function getDecompressor(method: number): Decompressor | undefined {
  return decompressors.get(method);
}

const METHOD_NAMES: Record<number, string> = {
  0: 'store',
  1: 'shrink',
  6: 'implode',
  8: 'deflate',
  9: 'deflate64',
  12: 'bzip2',
  14: 'lzma',
  93: 'zstd',
  95: 'xz',
  98: 'ppmd',
  99: 'aes',
};

export function methodName(method: number): string {
  return METHOD_NAMES[method] ?? `method ${method}`;
}
