// openS3Source against a real S3-compatible server: s3rver, behind a small
// front that checks every SigV4 signature and fixes s3rver's Range handling.
//
// s3rver 3.7.1 stores objects and answers S3's errors (NoSuchKey, NoSuchBucket,
// InvalidAccessKeyId for an unknown access key), but it does not verify V4
// signatures at all (lib/middleware/authentication.js: "Signature version 4
// calculation is unimplemented") and its ranges are wrong: `bytes=0-0` sends
// the whole object, `bytes=-N` sends the first N+1 bytes, and any range on an
// empty object closes the connection. So the front (written here from the
// SigV4 spec) recomputes each signature with the secret key and refuses
// mismatches with S3's 403 SignatureDoesNotMatch, fetches whole objects from
// s3rver and serves the range itself, and answers If-Match with 412 as S3 does.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AwsClient } from 'aws4fetch';
import { readManifest } from '../../src/cozip/manifest.js';
import { openCozip, readMember } from '../../src/cozip/reader.js';
import { openSource } from '../../src/io/open-source.js';
import { openS3Source, type S3SourceOptions } from '../../src/io/s3-source.js';
import { readAll } from '../../src/io/stream.js';
import { readEntry } from '../../src/zip/entry-data.js';
import { openZip } from '../../src/zip/reader.js';
import { randomInt, rng, seededBytes } from '../helpers/random.js';
import { rejectsWith } from './expect.js';

interface S3rver {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverClass = new (options: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  configureBuckets: Array<{ name: string }>;
}) => S3rver;
// s3rver is CommonJS without types.
const S3rverServer = createRequire(import.meta.url)('s3rver') as S3rverClass;

const COZIP_FIXTURE = new URL('../../../shared/fixtures/cozip/flat_simple.cozip', import.meta.url)
  .pathname;
const BUCKET = 'cozip-test';
const REGION = 'us-east-1';
/** s3rver knows this one access key id and refuses others (InvalidAccessKeyId). */
const KEY_ID = 'S3RVER';
/** The front checks signatures with this secret (s3rver ignores it). */
const SECRET = 'cozip-test-secret';
const CREDENTIALS = { accessKeyId: KEY_ID, secretAccessKey: SECRET };

const DATA = seededBytes(11, 300_000);
const ODD_KEY = 'dir with spaces/ünïcødé ☃ + plus (1)!.bin';
const ODD_DATA = seededBytes(12, 70_000);
const keys = {
  data: 'data/seeded.bin',
  odd: ODD_KEY,
  zip: 'archives/sample.zip',
  cozip: 'archives/flat_simple.cozip',
  empty: 'data/empty',
  mutable: 'data/mutable.bin',
  private: 'private/secret.bin',
};

/** One request as the front saw it. */
interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** verified: signature recomputed and equal; unknown-key: left to s3rver. */
  auth: 'verified' | 'unsigned' | 'unknown-key' | 'rejected';
  status: number;
}

/** Percent-encodes every byte outside RFC 3986's unreserved set (SigV4's UriEncode). */
function uriEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const encodePath = (key: string) => key.split('/').map(uriEncode).join('/');
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const hmac = (key: string | Buffer, text: string) =>
  createHmac('sha256', key).update(text, 'utf8').digest();

type Verdict = {
  auth: Seen['auth'];
  error?: [status: number, code: string, message: string, extraXml?: string];
};

/** Checks a request's SigV4 Authorization header the way S3 does. */
function verifySignature(req: IncomingMessage): Verdict {
  const header = req.headers.authorization;
  if (header === undefined) return { auth: 'unsigned' };
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(
      header,
    );
  const reject = (status: number, code: string, message: string, extraXml?: string): Verdict => ({
    auth: 'rejected',
    error: [status, code, message, extraXml],
  });
  if (!match) return reject(400, 'AuthorizationHeaderMalformed', 'malformed Authorization');
  const [, keyId, day, region, service, signedList, signature] = match;
  if (keyId !== KEY_ID) return { auth: 'unknown-key' };
  if (service !== 's3') return reject(400, 'AuthorizationHeaderMalformed', `service ${service}`);
  if (region !== REGION) {
    return reject(
      400,
      'AuthorizationHeaderMalformed',
      `the region '${region}' is wrong; expecting '${REGION}'`,
      `<Region>${REGION}</Region>`,
    );
  }
  const value = (name: string) => {
    const v = req.headers[name];
    return (Array.isArray(v) ? v.join(',') : (v ?? '')).trim().replace(/\s+/g, ' ');
  };
  const amzDate = value('x-amz-date');
  const time = Date.parse(
    amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'),
  );
  if (!amzDate.startsWith(day) || !(Math.abs(Date.now() - time) < 15 * 60_000)) {
    return reject(403, 'RequestTimeTooSkewed', `bad x-amz-date ${amzDate}`);
  }
  const signed = signedList.split(';');
  const unsigned = Object.keys(req.headers).filter(
    (h) => (h === 'host' || h.startsWith('x-amz-')) && !signed.includes(h),
  );
  if (unsigned.length > 0) {
    return reject(403, 'AccessDenied', `headers present but not signed: ${unsigned.join(', ')}`);
  }
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q + 1);
  const canonicalQuery = query
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const eq = pair.indexOf('=');
      const [k, v] = eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
      return [uriEncode(decodeURIComponent(k)), uriEncode(decodeURIComponent(v))];
    })
    .sort(([k1, v1], [k2, v2]) => (k1 === k2 ? (v1 < v2 ? -1 : 1) : k1 < k2 ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalRequest = [
    req.method,
    path
      .split('/')
      .map((s) => uriEncode(decodeURIComponent(s)))
      .join('/'),
    canonicalQuery,
    ...signed.map((h) => `${h}:${value(h)}`),
    '',
    signedList,
    value('x-amz-content-sha256'),
  ].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${SECRET}`, day), region), service), 'aws4_request');
  const expected = hmac(signingKey, stringToSign);
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
    return reject(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match',
    );
  }
  return { auth: 'verified' };
}

/** [start, end) of a Range header on `size` bytes; null to ignore it, 'unsatisfiable' for 416. */
function resolveRange(header: string, size: number): [number, number] | null | 'unsatisfiable' {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return null;
  if (match[1] === '') {
    const n = Number(match[2]);
    return n === 0 || size === 0 ? 'unsatisfiable' : [Math.max(0, size - n), size];
  }
  const start = Number(match[1]);
  if (match[2] !== '' && Number(match[2]) < start) return null;
  if (start >= size) return 'unsatisfiable';
  return [start, match[2] === '' ? size : Math.min(Number(match[2]) + 1, size)];
}

/** Headers that belong to one hop, or that the front handles itself. */
const NOT_FORWARDED = new Set([
  'host',
  'connection',
  'keep-alive',
  'content-length',
  'transfer-encoding',
  'expect',
  'accept-encoding',
  'range',
  'if-match',
  'if-unmodified-since',
]);

async function startFront(upstream: string) {
  const seen: Seen[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const record: Seen = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headers,
      auth: 'unsigned',
      status: 0,
    };
    seen.push(record);
    const reply = (status: number, headers: Record<string, string>, payload?: Uint8Array) => {
      record.status = status;
      res.writeHead(status, headers);
      res.end(payload);
    };
    const error = (status: number, code: string, message: string, extraXml = '') => {
      const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>${extraXml}</Error>`;
      reply(status, { 'Content-Type': 'application/xml' }, Buffer.from(xml));
    };

    const verdict = verifySignature(req);
    record.auth = verdict.auth;
    if (verdict.error) return error(...verdict.error);
    if (verdict.auth === 'unsigned' && record.path.startsWith(`/${BUCKET}/private/`)) {
      return error(403, 'AccessDenied', 'Access Denied');
    }

    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && !NOT_FORWARDED.has(name)) {
        headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      }
    }
    const up = await fetch(upstream + record.path, {
      method: record.method,
      headers,
      body: record.method === 'PUT' ? body : undefined,
    });
    const data = new Uint8Array(await up.arrayBuffer());
    const out: Record<string, string> = {};
    up.headers.forEach((value, name) => {
      if (!['connection', 'keep-alive', 'transfer-encoding', 'content-encoding'].includes(name)) {
        out[name] = value;
      }
    });
    if (record.method === 'HEAD') return reply(up.status, out);
    out['content-length'] = String(data.length);
    if (record.method === 'GET' && up.status === 200) {
      const ifMatch = req.headers['if-match'];
      if (ifMatch !== undefined && ifMatch !== up.headers.get('etag')) {
        return error(412, 'PreconditionFailed', 'At least one of the preconditions failed');
      }
      const range = req.headers.range ? resolveRange(req.headers.range, data.length) : null;
      // Like S3, a 416 here carries no Content-Range: the client must cope.
      if (range === 'unsatisfiable') return error(416, 'InvalidRange', 'not satisfiable');
      if (range) {
        const [start, end] = range;
        out['content-range'] = `bytes ${start}-${end - 1}/${data.length}`;
        out['content-length'] = String(end - start);
        return reply(206, out, data.subarray(start, end));
      }
    }
    reply(up.status, out, data);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      res.statusCode = 500;
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    /** Requests for one key since `from`. */
    requestsFor: (key: string, from = 0) =>
      seen.slice(from).filter((s) => s.path === `/${BUCKET}/${encodePath(key)}`),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A fetch that records what openS3Source sends, then sends it. */
function recordingFetch() {
  const calls: Array<{ url: string; method: string; headers: Headers }> = [];
  const fetch = (input: string | URL | Request, init?: RequestInit) => {
    calls.push({
      url: String(input),
      method: init?.method ?? 'GET',
      headers: new Headers(init?.headers),
    });
    return globalThis.fetch(input, init);
  };
  return { fetch: fetch as typeof globalThis.fetch, calls };
}

const AWS_VARS = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_S3',
  'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS',
  'AWS_NO_SIGN_REQUEST',
];

/** Runs `fn` with exactly these AWS_* variables set (the others unset), then restores them. */
async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = new Map(AWS_VARS.map((name) => [name, process.env[name]]));
  for (const name of AWS_VARS) delete process.env[name];
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/** A deflate + stored archive written by Python's zipfile (an independent writer), > 64 KiB. */
function pythonZip(path: string) {
  execFileSync('python3', [
    '-c',
    `import sys, zipfile, random
r = random.Random(7)
with zipfile.ZipFile(sys.argv[1], 'w') as z:
    z.writestr(zipfile.ZipInfo('random.bin'), r.randbytes(150000))
    for i in range(40):
        z.writestr('text/%02d ünï.txt' % i, ('line %d\\n' % i) * (50 + i), zipfile.ZIP_DEFLATED)`,
    path,
  ]);
}

describe('openS3Source against s3rver', () => {
  let dir: string;
  let s3rver: S3rver;
  let front: Awaited<ReturnType<typeof startFront>>;
  let zipBytes: Uint8Array<ArrayBuffer>;
  /** Options that reach the front with the test credentials, ignoring the machine's AWS_*. */
  let options: S3SourceOptions;
  const client = new AwsClient({ ...CREDENTIALS, service: 's3', region: REGION, retries: 0 });

  const put = async (key: string, body: Uint8Array<ArrayBuffer>) => {
    const response = await client.fetch(`${front.url}/${BUCKET}/${encodePath(key)}`, {
      method: 'PUT',
      body,
    });
    assert.equal(response.status, 200, `PUT ${key}: ${await response.text()}`);
  };
  const envVars = () => ({
    AWS_ACCESS_KEY_ID: KEY_ID,
    AWS_SECRET_ACCESS_KEY: SECRET,
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: 'eu-west-3',
    AWS_ENDPOINT_URL_S3: front.url,
    // Must lose to AWS_ENDPOINT_URL_S3: nothing listens on port 9.
    AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
  });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cozip-s3-'));
    s3rver = new S3rverServer({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: join(dir, 's3rver'),
      configureBuckets: [{ name: BUCKET }],
    });
    const { port } = await s3rver.run();
    front = await startFront(`http://127.0.0.1:${port}`);
    options = { ...CREDENTIALS, region: REGION, endpoint: front.url, env: {}, retryDelayMs: 1 };
    pythonZip(join(dir, 'sample.zip'));
    zipBytes = new Uint8Array(readFileSync(join(dir, 'sample.zip')));
    await put(keys.data, DATA);
    await put(keys.odd, ODD_DATA);
    await put(keys.zip, zipBytes);
    await put(keys.cozip, new Uint8Array(readFileSync(COZIP_FIXTURE)));
    await put(keys.empty, new Uint8Array(0));
    await put(keys.mutable, DATA.subarray(0, 5000));
    await put(keys.private, DATA.subarray(0, 100));
    assert.ok(
      front.seen.every((s) => s.auth === 'verified' && s.status === 200),
      'the uploads are signed',
    );
  });

  after(async () => {
    await front?.close();
    await s3rver?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('discovers the size and reads exact ranges, every request signed and verified', async () => {
    const from = front.seen.length;
    const recorder = recordingFetch();
    const source = await openS3Source(`s3://${BUCKET}/${keys.data}`, {
      ...options,
      fetch: recorder.fetch,
    });
    assert.equal(source.size, DATA.length);
    assert.equal(source.name, `s3://${BUCKET}/${keys.data}`);
    assert.equal(source.url, `${front.url}/${BUCKET}/${keys.data}`);
    assert.equal(source.signed, true);
    assert.ok(source.etag);
    const random = rng(5);
    for (let i = 0; i < 20; i++) {
      const start = randomInt(random, 0, DATA.length);
      const end = randomInt(random, start, Math.min(DATA.length, start + 40_000) + 1);
      assert.deepEqual(
        await source.read(start, end),
        DATA.subarray(start, end),
        `[${start}, ${end})`,
      );
    }
    assert.deepEqual(await source.read(0, 1), DATA.subarray(0, 1));
    assert.deepEqual(await source.read(DATA.length - 1, DATA.length), DATA.subarray(-1));
    assert.deepEqual(await readAll(source.stream(1000, 250_000)), DATA.subarray(1000, 250_000));

    // What was sent: SigV4 with the test key, Range and Accept-Encoding left unsigned.
    assert.equal(recorder.calls.length, source.stats.requests);
    for (const { headers } of recorder.calls) {
      const match =
        /^AWS4-HMAC-SHA256 Credential=S3RVER\/\d{8}\/us-east-1\/s3\/aws4_request, SignedHeaders=([^,]+), Signature=[0-9a-f]{64}$/.exec(
          headers.get('Authorization') ?? '',
        );
      assert.ok(match, String(headers.get('Authorization')));
      const signed = match[1].split(';');
      for (const h of ['host', 'x-amz-content-sha256', 'x-amz-date']) assert.ok(signed.includes(h));
      assert.ok(!signed.includes('accept-encoding') && !signed.includes('range'));
    }
    assert.ok(recorder.calls.slice(1).every((c) => c.headers.get('If-Match') === source.etag));
    // What the server made of it: every signature recomputed and equal, every range served.
    const seen = front.seen.slice(from);
    assert.equal(seen.length, recorder.calls.length);
    assert.ok(seen.every((s) => s.auth === 'verified' && s.status === 206));
    // Node's fetch really does append to the Accept-Encoding that was not signed.
    assert.match(String(seen[0].headers['accept-encoding']), /^identity/);
    await source.close();
  });

  it('a key with spaces, unicode, + and ! is stored and read under its exact name', async () => {
    const from = front.seen.length;
    const source = await openS3Source(`s3://${BUCKET}/${ODD_KEY}`, options);
    assert.equal(source.size, ODD_DATA.length);
    assert.deepEqual(await source.read(0, ODD_DATA.length), ODD_DATA);
    assert.deepEqual(await source.read(65_000, 69_999), ODD_DATA.subarray(65_000, 69_999));
    const seen = front.requestsFor(ODD_KEY, from);
    assert.equal(seen.length, 3);
    assert.ok(seen.every((s) => s.auth === 'verified' && s.status === 206));
    assert.equal(
      seen[0].path,
      `/${BUCKET}/dir%20with%20spaces/%C3%BCn%C3%AFc%C3%B8d%C3%A9%20%E2%98%83%20%2B%20plus%20%281%29%21.bin`,
    );
    // s3rver lists the key exactly as written.
    const list = await client.fetch(`${front.url}/${BUCKET}?list-type=2&prefix=dir`);
    const listed = [...(await list.text()).matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]);
    assert.deepEqual(listed, [ODD_KEY]);
  });

  it('openSource("s3://...") configured by AWS_* variables alone', async () => {
    const from = front.seen.length;
    await withEnv(envVars(), async () => {
      const planner = await openSource(`s3://${BUCKET}/${keys.data}`);
      assert.equal(planner.size, DATA.length);
      assert.equal(planner.source.name, `s3://${BUCKET}/${keys.data}`);
      assert.deepEqual(await planner.read(123_456, 234_567), DATA.subarray(123_456, 234_567));
      const byUrl = await openSource(new URL(`s3://${BUCKET}/${encodeURI(ODD_KEY)}`));
      assert.deepEqual(await byUrl.read(10, 60_010), ODD_DATA.subarray(10, 60_010));
    });
    const seen = front.seen.slice(from);
    assert.ok(seen.length >= 4);
    assert.ok(seen.every((s) => s.auth === 'verified' && s.status === 206));
    assert.ok(seen.every((s) => !('x-amz-security-token' in s.headers)));
  });

  it('openZip over s3:// lists the archive and reads members byte for byte', async () => {
    const from = front.seen.length;
    const local = await openZip(zipBytes);
    const remote = await withEnv(envVars(), () => openZip(`s3://${BUCKET}/${keys.zip}`));
    assert.deepEqual(
      remote.entries.map((e) => e.name),
      local.entries.map((e) => e.name),
    );
    assert.equal(remote.entries.length, 41);
    // The first request fetched the tail with a suffix range.
    const first = front.requestsFor(keys.zip, from)[0];
    assert.match(String(first.headers.range), /^bytes=-\d+$/);
    assert.equal(first.status, 206);
    for (const i of [0, 1, 17, 40]) {
      const bytes = await readEntry(remote, remote.entries[i]);
      assert.deepEqual(bytes, await readEntry(local, local.entries[i]), remote.entries[i].name);
    }
    assert.equal((await readEntry(remote, remote.entries[0])).length, 150_000);
    assert.ok(front.seen.slice(from).every((s) => s.auth === 'verified'));
  });

  it('openCozip over s3:// checks the hash, reads the manifest and a member', async () => {
    const local = await openCozip(COZIP_FIXTURE);
    const archive = await withEnv(envVars(), () =>
      openCozip(`s3://${BUCKET}/${keys.cozip}`, { verifyHash: true }),
    );
    assert.equal(archive.hashVerified, true);
    const rows = (await readManifest(archive)) as Array<{
      name: string;
      offset: number;
      size: number;
    }>;
    assert.deepEqual(
      rows.map((r) => r.name),
      ['lima.txt', 'paris.txt', 'tokyo.txt', 'denver.txt'],
    );
    assert.deepEqual(await readMember(archive, rows[2]), await readMember(local, rows[2]));
    await archive.source.close?.();
    await local.source.close?.();
  });

  it('a missing key or bucket is NOT_FOUND, with the S3 code', async () => {
    let err = await rejectsWith(openS3Source(`s3://${BUCKET}/no/such.zip`, options), 'NOT_FOUND');
    assert.match(err.message, /^s3:\/\/cozip-test\/no\/such\.zip not found \(HTTP 404 NoSuchKey/);
    assert.equal(err.details.s3Code, 'NoSuchKey');
    err = await rejectsWith(
      withEnv(envVars(), () => openZip('s3://no-such-bucket/a.zip')),
      'NOT_FOUND',
    );
    assert.match(err.message, /bucket no-such-bucket does not exist.*NoSuchBucket/);
  });

  it('wrong credentials are refused: a wrong secret by the signature, an unknown key by s3rver', async () => {
    let from = front.seen.length;
    let err = await rejectsWith(
      openS3Source(`s3://${BUCKET}/${keys.data}`, { ...options, secretAccessKey: 'wrong' }),
      'HTTP_STATUS',
    );
    assert.equal(err.details.status, 403);
    assert.equal(err.details.s3Code, 'SignatureDoesNotMatch');
    assert.match(err.message, /access denied.*check the credentials \(access key S3RVER/);
    assert.deepEqual(
      front.seen.slice(from).map((s) => [s.auth, s.status]),
      [['rejected', 403]],
      'refused once, not retried',
    );

    from = front.seen.length;
    err = await rejectsWith(
      withEnv({ ...envVars(), AWS_ACCESS_KEY_ID: 'NOT-A-KEY' }, () =>
        openSource(`s3://${BUCKET}/${keys.data}`),
      ),
      'HTTP_STATUS',
    );
    assert.equal(err.details.s3Code, 'InvalidAccessKeyId');
    assert.match(err.message, /access key NOT-A-KEY, from the environment/);
    assert.deepEqual(
      front.seen.slice(from).map((s) => [s.auth, s.status]),
      [['unknown-key', 403]],
    );
  });

  it('a wrong region is refused and named', async () => {
    const err = await rejectsWith(
      openS3Source(`s3://${BUCKET}/${keys.data}`, { ...options, region: 'eu-west-1' }),
      'HTTP_STATUS',
    );
    assert.match(err.message, /is in region us-east-1, not eu-west-1/);
  });

  it('anonymous requests are unsigned: public objects read, private ones say why not', async () => {
    const recorder = recordingFetch();
    const anonymous = { ...options, accessKeyId: undefined, secretAccessKey: undefined };
    const source = await openS3Source(`s3://${BUCKET}/${keys.data}`, {
      ...anonymous,
      fetch: recorder.fetch,
    });
    assert.equal(source.signed, false);
    assert.deepEqual(await source.read(500, 1500), DATA.subarray(500, 1500));
    assert.ok(recorder.calls.every((c) => !c.headers.has('Authorization')));
    assert.ok(
      front
        .requestsFor(keys.data)
        .slice(-2)
        .every((s) => s.auth === 'unsigned'),
    );

    const err = await rejectsWith(
      openS3Source(`s3://${BUCKET}/${keys.private}`, anonymous),
      'HTTP_STATUS',
    );
    assert.match(err.message, /AccessDenied.*not signed: no credentials/);
    const signed = await openS3Source(`s3://${BUCKET}/${keys.private}`, options);
    assert.deepEqual(await signed.read(0, 100), DATA.subarray(0, 100));
  });

  it('a session token is sent and signed', async () => {
    const from = front.seen.length;
    const source = await openS3Source(`s3://${BUCKET}/${keys.data}`, {
      ...options,
      sessionToken: 'FwoGZXIvYXdzEXAMPLE',
    });
    await source.read(0, 10);
    const seen = front.seen.slice(from);
    assert.ok(seen.every((s) => s.headers['x-amz-security-token'] === 'FwoGZXIvYXdzEXAMPLE'));
    assert.ok(seen.every((s) => s.auth === 'verified' && s.status === 206));
  });

  it('an empty object has size 0 (416, then a HEAD)', async () => {
    const from = front.seen.length;
    const source = await openS3Source(`s3://${BUCKET}/${keys.empty}`, options);
    assert.equal(source.size, 0);
    assert.deepEqual(await source.read(0, 0), new Uint8Array(0));
    assert.deepEqual(
      front.requestsFor(keys.empty, from).map((s) => [s.method, s.status, s.auth]),
      [
        ['GET', 416, 'verified'],
        ['HEAD', 200, 'verified'],
      ],
    );
  });

  it('an object overwritten while open is OBJECT_CHANGED (If-Match)', async () => {
    const source = await openS3Source(`s3://${BUCKET}/${keys.mutable}`, options);
    assert.deepEqual(await source.read(0, 100), DATA.subarray(0, 100));
    await put(keys.mutable, DATA.subarray(5000, 10_000));
    await rejectsWith(source.read(100, 200), 'OBJECT_CHANGED');
  });
});
