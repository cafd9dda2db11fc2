// S3 objects (and S3-compatible stores: MinIO, R2, s3rver...) for range reads.
// Every request goes through the HTTP source unchanged (Range, retries,
// If-Match validation, 200-vs-206), with a fetch that signs it with SigV4.
// Browser-safe: aws4fetch signs with WebCrypto, and the environment is read
// only where a `process` exists.
import { AwsClient } from 'aws4fetch';
import { CozipError } from '../errors.js';
import { cancelBody } from './http-response.js';
import { type HttpSource, type HttpSourceOptions, openHttpSource } from './http-source.js';
import type { ReadOptions } from './source.js';

/** Where and how to reach S3; every field falls back to the AWS environment variables. */
export interface S3Config {
  /** With `secretAccessKey` (and `sessionToken`), replaces AWS_ACCESS_KEY_ID & co. */
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  /** Default: AWS_REGION, then AWS_DEFAULT_REGION, then us-east-1. */
  region?: string;
  /**
   * An S3-compatible endpoint (`http://127.0.0.1:9000`). Default:
   * AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL; none means AWS itself.
   */
  endpoint?: string | URL;
  /**
   * `endpoint/bucket/key` instead of `bucket.host/key`. Default: true with an
   * endpoint, and for AWS buckets whose names cannot be a host name (dots, capitals).
   */
  forcePathStyle?: boolean;
  /** Send unsigned requests (public buckets) even when credentials are configured. */
  anonymous?: boolean;
  /** Where the AWS_* variables are read from. Default: `process.env` where it exists. */
  env?: Record<string, string | undefined>;
}

export interface S3SourceOptions extends HttpSourceOptions, S3Config {}

export interface S3Location {
  bucket: string;
  key: string;
}

/** An HttpSource named `s3://bucket/key`. */
export interface S3Source extends HttpSource {
  readonly bucket: string;
  readonly key: string;
  readonly region: string;
  /** The http(s) URL the requests go to. */
  readonly url: string;
  /** True when requests are SigV4-signed; false for anonymous access. */
  readonly signed: boolean;
}

/** The parts of an S3 error response that explain it. */
interface S3ErrorInfo {
  status: number;
  code: string | undefined;
  message: string | undefined;
  /** Where the bucket really is (x-amz-bucket-region or <Region>). */
  region: string | undefined;
}

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string | undefined;
  /** 'options' or 'environment', for error messages. */
  from: string;
}

/** What one S3Source knows; the request hook updates `lastError`. */
interface S3Context {
  name: string;
  location: S3Location;
  url: string;
  region: string;
  credentials: Credentials | undefined;
  lastError: S3ErrorInfo | undefined;
}

/** Error codes S3 answers when the credentials (not the request) are the problem. */
const CREDENTIAL_CODES = new Set([
  'AccessDenied',
  'AllAccessDisabled',
  'ExpiredToken',
  'InvalidAccessKeyId',
  'InvalidToken',
  'SignatureDoesNotMatch',
  'TokenRefreshRequired',
]);

/** Error codes S3 answers when the request went to the wrong region. */
const REGION_CODES = new Set([
  'AuthorizationHeaderMalformed',
  'IllegalLocationConstraintException',
  'PermanentRedirect',
]);

/**
 * Opens `s3://bucket/key` for range reads. Credentials, region and endpoint
 * come from `options`, else from the AWS environment variables; without
 * credentials the requests are sent unsigned (public buckets).
 */
export async function openS3Source(
  url: string | URL,
  options: S3SourceOptions = {},
): Promise<S3Source> {
  const {
    accessKeyId,
    secretAccessKey,
    sessionToken,
    region: regionOption,
    endpoint: endpointOption,
    forcePathStyle,
    anonymous,
    env: envOption,
    ...httpOptions
  } = options;
  const location = parseS3Url(url);
  const env = envOption ?? processEnv();
  const region = checkRegion(
    regionOption ?? nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION) ?? 'us-east-1',
  );
  const ignoreEnvEndpoint = isTrue(env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS);
  const endpoint =
    endpointOption ??
    (ignoreEnvEndpoint
      ? undefined
      : nonEmpty(env.AWS_ENDPOINT_URL_S3) || nonEmpty(env.AWS_ENDPOINT_URL));
  const credentials =
    anonymous || isTrue(env.AWS_NO_SIGN_REQUEST)
      ? undefined
      : resolveCredentials({ accessKeyId, secretAccessKey, sessionToken }, env);
  const ctx: S3Context = {
    name: `s3://${location.bucket}/${location.key}`,
    location,
    url: s3ObjectUrl(location, { region, endpoint, forcePathStyle }),
    region,
    credentials,
    lastError: undefined,
  };
  const fetch = s3Fetch(ctx, httpOptions.fetch ?? globalThis.fetch.bind(globalThis));
  let http: HttpSource;
  try {
    http = await openHttpSource(ctx.url, { ...httpOptions, fetch });
  } catch (err) {
    throw explain(ctx, err);
  }
  return wrap(ctx, http);
}

/**
 * `s3://bucket/key` as bucket and key. A string's key is taken literally
 * (`%20` stays `%20`, as in the AWS CLI); a URL's path is percent-decoded.
 */
export function parseS3Url(url: string | URL): S3Location {
  let bucket: string;
  let key: string;
  if (url instanceof URL) {
    if (url.protocol !== 's3:') throw invalid(`not an s3:// URL: ${url.href}`);
    if (url.username || url.password || url.port || url.search || url.hash) {
      throw invalid(
        `${url.href}: an s3:// URL has only a bucket and a key (pass a string for keys with ? or #)`,
      );
    }
    bucket = url.hostname;
    try {
      key = decodeURIComponent(url.pathname.replace(/^\//, ''));
    } catch (err) {
      throw invalid(`${url.href}: the key is not valid percent-encoding`, err);
    }
  } else {
    const match = /^s3:\/\/([^/]*)(?:\/(.*))?$/is.exec(String(url));
    if (!match) throw invalid(`not an s3:// URL: ${String(url)}`);
    bucket = match[1];
    key = match[2] ?? '';
  }
  if (bucket === '') throw invalid(`${String(url)}: no bucket (expected s3://bucket/key)`);
  if (!/^[A-Za-z0-9._-]{1,255}$/.test(bucket)) {
    throw invalid(`${String(url)}: invalid bucket name ${JSON.stringify(bucket)}`);
  }
  if (key === '') throw invalid(`${String(url)}: no key (expected s3://bucket/key)`);
  // fetch resolves `.` and `..` segments (even as %2E) before sending: the
  // request would name another object.
  if (key.split('/').some((s) => s === '.' || s === '..')) {
    throw invalid(`${String(url)}: keys with . or .. path segments cannot be fetched`);
  }
  return { bucket, key };
}

/**
 * The http(s) URL of an object: path-style `endpoint/bucket/key` with an
 * endpoint (or `forcePathStyle`), `https://bucket.s3.region.amazonaws.com/key`
 * otherwise. Key segments are percent-encoded (RFC 3986), `/` is kept.
 */
export function s3ObjectUrl(
  location: S3Location,
  options: { region?: string; endpoint?: string | URL; forcePathStyle?: boolean } = {},
): string {
  const { bucket } = location;
  const key = location.key.split('/').map(encodeSegment).join('/');
  if (options.endpoint !== undefined && String(options.endpoint) !== '') {
    const base = parseEndpoint(options.endpoint);
    const prefix = base.pathname.replace(/\/+$/, '');
    if (options.forcePathStyle === false) {
      return `${base.protocol}//${bucket}.${base.host}${prefix}/${key}`;
    }
    return `${base.protocol}//${base.host}${prefix}/${encodeSegment(bucket)}/${key}`;
  }
  const region = checkRegion(options.region ?? 'us-east-1');
  const host = `s3.${region}.${region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}`;
  // Dots would break the TLS wildcard certificate; capitals and _ are not host names.
  const hostable = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(bucket);
  if (options.forcePathStyle || !hostable) return `https://${host}/${bucket}/${key}`;
  return `https://${bucket}.${host}/${key}`;
}

/** The source the callers see: the HTTP source, named s3://, with S3-aware errors. */
function wrap(ctx: S3Context, http: HttpSource): S3Source {
  return {
    size: http.size,
    name: ctx.name,
    bucket: ctx.location.bucket,
    key: ctx.location.key,
    region: ctx.region,
    url: ctx.url,
    signed: ctx.credentials !== undefined,
    stats: http.stats,
    get etag() {
      return http.etag;
    },
    get lastModified() {
      return http.lastModified;
    },
    get rangeSupported() {
      return http.rangeSupported;
    },
    ...(http.prefetched ? { prefetched: http.prefetched } : {}),
    async read(start: number, end: number, options?: ReadOptions) {
      try {
        return await http.read(start, end, options);
      } catch (err) {
        throw explain(ctx, err);
      }
    },
    stream(start: number, end: number, options?: ReadOptions) {
      // Argument errors throw now, as the HTTP source's do.
      return explainStream(ctx, http.stream(start, end, options));
    },
    close: () => http.close(),
  };
}

async function* explainStream(ctx: S3Context, chunks: AsyncIterable<Uint8Array>) {
  try {
    yield* chunks;
  } catch (err) {
    throw explain(ctx, err);
  }
}

/**
 * The fetch the HTTP source uses: signs each request (a fresh signature per
 * attempt, so retries never reuse an old date), and keeps the S3 error code
 * of a failed response for `explain`.
 */
function s3Fetch(ctx: S3Context, inner: typeof globalThis.fetch): typeof globalThis.fetch {
  const client = ctx.credentials
    ? new AwsClient({
        accessKeyId: ctx.credentials.accessKeyId,
        secretAccessKey: ctx.credentials.secretAccessKey,
        sessionToken: ctx.credentials.sessionToken,
        service: 's3',
        region: ctx.region,
        retries: 0, // the HTTP source retries
      })
    : undefined;

  const send = async (url: string, init: RequestInit): Promise<Response> => {
    const headers = new Headers(init.headers);
    // Node's fetch appends its own `identity` to Accept-Encoding when Range is
    // set, and browsers replace it: a signed value would not match what S3 sees.
    const acceptEncoding = headers.get('Accept-Encoding');
    headers.delete('Accept-Encoding');
    let sent = headers;
    if (client) {
      const signed = await client.sign(url, { method: init.method ?? 'GET', headers });
      sent = new Headers(signed.headers);
    }
    if (acceptEncoding !== null) sent.set('Accept-Encoding', acceptEncoding);
    return inner(url, { ...init, headers: sent });
  };

  const fetch = async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = input instanceof Request ? input.url : String(input);
    const response = await send(url, init);
    if (response.status === 416 && !response.headers.has('Content-Range')) {
      return withSize(response, url, init, send);
    }
    if (response.status >= 300 && response.status !== 304) {
      return remember(ctx, response);
    }
    return response;
  };
  return fetch as typeof globalThis.fetch;
}

/**
 * S3 answers a range request on an empty object with 416 InvalidRange, which
 * may not say the size; a HEAD does, in the `bytes *\/N` the HTTP source reads.
 */
async function withSize(
  response: Response,
  url: string,
  init: RequestInit,
  send: (url: string, init: RequestInit) => Promise<Response>,
): Promise<Response> {
  cancelBody(response);
  const headers = new Headers(init.headers);
  headers.delete('Range');
  const head = await send(url, { ...init, method: 'HEAD', headers });
  cancelBody(head);
  const length = head.headers.get('Content-Length');
  const out = new Headers(response.headers);
  if (head.status === 200 && length !== null && /^\d+$/.test(length.trim())) {
    out.set('Content-Range', `bytes */${length.trim()}`);
  }
  return new Response(null, { status: 416, statusText: response.statusText, headers: out });
}

/** Reads the (small, XML) error body into `ctx.lastError` and hands on an equivalent response. */
async function remember(ctx: S3Context, response: Response): Promise<Response> {
  let body = '';
  try {
    body = await response.text();
  } catch {
    // the status alone still says what happened
  }
  const tag = (name: string) =>
    new RegExp(`<${name}>([^<]*)</${name}>`).exec(body)?.[1]?.trim() || undefined;
  ctx.lastError = {
    status: response.status,
    code: tag('Code'),
    message: tag('Message'),
    region: response.headers.get('x-amz-bucket-region') ?? tag('Region'),
  };
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

/** Rewrites an HTTP status error into what it means for this bucket and key. */
function explain(ctx: S3Context, err: unknown): unknown {
  if (!(err instanceof CozipError) || typeof err.details.status !== 'number') return err;
  const status = err.details.status;
  if (err.code === 'OBJECT_CHANGED' || err.code === 'RANGE_NOT_SATISFIABLE') return err;
  // A HEAD's error has no body: the status is all there is.
  const info: S3ErrorInfo =
    ctx.lastError?.status === status
      ? ctx.lastError
      : { status, code: undefined, message: undefined, region: undefined };
  const s3 = info.code ? `${info.code}${info.message ? `: ${info.message}` : ''}` : undefined;
  const said = s3 ? `HTTP ${status} ${s3}` : `HTTP ${status}`;
  const details = {
    ...err.details,
    url: ctx.url,
    bucket: ctx.location.bucket,
    key: ctx.location.key,
    s3Code: info.code,
    s3Message: info.message,
    ...(info.region ? { bucketRegion: info.region } : {}),
  };
  const { bucket } = ctx.location;
  let message: string;
  if (status === 404 || status === 410) {
    message =
      info.code === 'NoSuchBucket'
        ? `${ctx.name}: bucket ${bucket} does not exist (${said})`
        : `${ctx.name} not found (${said})`;
  } else if (
    (status === 301 || REGION_CODES.has(info.code ?? '')) &&
    info.region &&
    info.region !== ctx.region
  ) {
    message = `${ctx.name}: bucket ${bucket} is in region ${info.region}, not ${ctx.region} (${said}): set AWS_REGION or the region option`;
  } else if (status === 403 || CREDENTIAL_CODES.has(info.code ?? '')) {
    const hint = ctx.credentials
      ? `check the credentials (access key ${ctx.credentials.accessKeyId}, from the ${ctx.credentials.from}) and that they may read this object`
      : 'the request was not signed: no credentials in the options or in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY';
    message = `${ctx.name}: access denied (${said}): ${hint}`;
  } else if (s3) {
    message = `${ctx.name}: ${said}`;
  } else {
    return err;
  }
  return new CozipError(err.code, message, { cause: err, details });
}

function resolveCredentials(
  options: { accessKeyId?: string; secretAccessKey?: string; sessionToken?: string },
  env: Record<string, string | undefined>,
): Credentials | undefined {
  const fromOptions =
    options.accessKeyId !== undefined ||
    options.secretAccessKey !== undefined ||
    options.sessionToken !== undefined;
  // Never mix: an environment session token belongs to the environment's keys.
  const accessKeyId = fromOptions ? options.accessKeyId : nonEmpty(env.AWS_ACCESS_KEY_ID);
  const secretAccessKey = fromOptions
    ? options.secretAccessKey
    : nonEmpty(env.AWS_SECRET_ACCESS_KEY);
  const sessionToken = fromOptions ? options.sessionToken : nonEmpty(env.AWS_SESSION_TOKEN);
  const from = fromOptions ? 'options' : 'environment';
  if (!accessKeyId && !secretAccessKey && !sessionToken) return undefined;
  if (!accessKeyId || !secretAccessKey) {
    const names = fromOptions
      ? 'accessKeyId and secretAccessKey'
      : 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';
    throw invalid(`incomplete S3 credentials in the ${from}: set both ${names}`);
  }
  return { accessKeyId, secretAccessKey, sessionToken: sessionToken || undefined, from };
}

/** `process.env` in Node (and Deno/Bun), nothing in a browser. */
function processEnv(): Record<string, string | undefined> {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return proc?.env ?? {};
}

function parseEndpoint(endpoint: string | URL): URL {
  let url: URL;
  try {
    url = new URL(String(endpoint));
  } catch (err) {
    throw invalid(`invalid S3 endpoint ${String(endpoint)} (expected http(s)://host[:port])`, err);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalid(`invalid S3 endpoint ${String(endpoint)} (expected http(s)://host[:port])`);
  }
  return url;
}

function checkRegion(region: string): string {
  if (!/^[a-z0-9-]{1,64}$/.test(region)) throw invalid(`invalid AWS region ${region}`);
  return region;
}

/** encodeURIComponent plus the characters RFC 3986 reserves and it leaves alone. */
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function isTrue(value: string | undefined): boolean {
  return /^(1|true|yes|on)$/i.test(value?.trim() ?? '');
}

function invalid(message: string, cause?: unknown): CozipError {
  return new CozipError('INVALID_ARGUMENT', message, cause === undefined ? {} : { cause });
}
