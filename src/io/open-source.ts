// One entry point from "what the user has" to a planned RangeSource: a URL,
// a local path (Node), a Blob/File, bytes, or a RangeSource of their own.
import { openFileSource } from '#file-source';
import { CozipError } from '../errors.js';
import { blobSource } from './blob-source.js';
import { bytesSource } from './bytes-source.js';
import type { HttpSourceOptions } from './http-source.js';
import { ReadPlanner, type ReadPlannerOptions } from './planner.js';
import type { S3Config } from './s3-source.js';
import type { RangeSource } from './source.js';

export type SourceInput = string | URL | Blob | Uint8Array | ArrayBuffer | RangeSource;

export interface OpenSourceOptions extends HttpSourceOptions, ReadPlannerOptions {
  /** For s3:// inputs: credentials, region, endpoint (default: the AWS_* variables). */
  s3?: S3Config;
}

export function isRangeSource(x: unknown): x is RangeSource {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as RangeSource).read === 'function' &&
    typeof (x as RangeSource).size === 'number'
  );
}

/**
 * Opens `input` for range reads, wrapped in a ReadPlanner (coalescing and a
 * bounded cache). http(s) strings and URLs are fetched with Range requests,
 * s3:// ones with SigV4-signed Range requests; other strings are local paths
 * (Node only). An HTTP probe's bytes (e.g. the
 * tail of a ZIP) seed the planner's cache, so they are fetched once.
 */
export async function openSource(
  input: SourceInput,
  options: OpenSourceOptions = {},
): Promise<ReadPlanner> {
  if (input instanceof ReadPlanner) return input;
  return new ReadPlanner(await openRaw(input, options), options);
}

async function openRaw(input: SourceInput, options: OpenSourceOptions): Promise<RangeSource> {
  if (isRangeSource(input)) return input;
  if (input instanceof URL) return openUrl(input, options);
  if (typeof input === 'string') {
    if (/^s3:\/\//i.test(input)) return openS3(input, options);
    return /^https?:\/\//i.test(input) ? openUrl(new URL(input), options) : openFileSource(input);
  }
  if (input instanceof Uint8Array) return bytesSource(input);
  if (input instanceof ArrayBuffer) return bytesSource(new Uint8Array(input));
  if (typeof Blob !== 'undefined' && input instanceof Blob) return blobSource(input);
  throw new CozipError(
    'INVALID_ARGUMENT',
    `cannot read from ${Object.prototype.toString.call(input)}`,
  );
}

async function openUrl(url: URL, options: OpenSourceOptions): Promise<RangeSource> {
  if (url.protocol === 's3:') return openS3(url, options);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CozipError(
      'INVALID_ARGUMENT',
      `unsupported URL scheme ${url.protocol} (use http, https or s3)`,
    );
  }
  // Loaded on first use too: a local archive needs none of it.
  const { openHttpSource } = await import('./http-source.js');
  return openHttpSource(url, options);
}

/** Loaded on first use, so code that never reads S3 does not load the signer. */
async function openS3(url: string | URL, options: OpenSourceOptions): Promise<RangeSource> {
  const { openS3Source } = await import('./s3-source.js');
  const { s3, ...rest } = options;
  return openS3Source(url, { ...rest, ...s3 });
}
