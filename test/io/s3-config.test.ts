// openS3Source without a server: how s3:// URLs, options and the AWS_*
// variables become request URLs and signed headers (a fake fetch records them).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openSource } from '../../src/io/open-source.js';
import {
  openS3Source,
  parseS3Url,
  type S3SourceOptions,
  s3ObjectUrl,
} from '../../src/io/s3-source.js';
import { rejectsWith } from './expect.js';

const DATA = new Uint8Array(1000).map((_, i) => i % 251);
const KEYS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };

/** Answers every request from DATA (206, or whatever `respond` says) and keeps what was sent. */
function fakeS3(respond?: (url: string, headers: Headers, method: string) => Response | undefined) {
  const calls: Array<{ url: string; method: string; headers: Headers }> = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    const method = init?.method ?? 'GET';
    const headers = new Headers(init?.headers);
    calls.push({ url, method, headers });
    const custom = respond?.(url, headers, method);
    if (custom) return custom;
    const match = /^bytes=(\d+)-(\d+)$/.exec(headers.get('Range') ?? '');
    assert.ok(match, `unexpected Range ${headers.get('Range')}`);
    const start = Number(match[1]);
    const end = Math.min(Number(match[2]) + 1, DATA.length);
    return new Response(DATA.slice(start, end), {
      status: 206,
      headers: { 'Content-Range': `bytes ${start}-${end - 1}/${DATA.length}`, ETag: '"e"' },
    });
  };
  return { fetch: fetch as typeof globalThis.fetch, calls };
}

/** The parts of a SigV4 Authorization header. */
function authOf(headers: Headers) {
  const value = headers.get('Authorization');
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, SignedHeaders=([^,]+), Signature=[0-9a-f]{64}$/.exec(
      value ?? '',
    );
  assert.ok(match, `not a SigV4 Authorization header: ${value}`);
  return { keyId: match[1], region: match[3], signed: match[4].split(';') };
}

async function open(url: string, options: S3SourceOptions) {
  const fake = fakeS3();
  const source = await openS3Source(url, { retryDelayMs: 1, ...options, fetch: fake.fetch });
  return { source, calls: fake.calls };
}

describe('parseS3Url', () => {
  it('takes a string key literally and decodes a URL path', () => {
    assert.deepEqual(parseS3Url('s3://bkt/a b/ünï+%20.zip'), {
      bucket: 'bkt',
      key: 'a b/ünï+%20.zip',
    });
    assert.deepEqual(parseS3Url('S3://bkt/k?x#y'), { bucket: 'bkt', key: 'k?x#y' });
    assert.deepEqual(parseS3Url(new URL('s3://bkt/a%20b/%C3%BC+.zip')), {
      bucket: 'bkt',
      key: 'a b/ü+.zip',
    });
    assert.deepEqual(parseS3Url('s3://My_Legacy.Bucket/x//y/'), {
      bucket: 'My_Legacy.Bucket',
      key: 'x//y/',
    });
  });

  it('refuses a missing bucket or key, other schemes and unfetchable keys', () => {
    for (const bad of [
      's3://',
      's3:///key',
      's3://bucket',
      's3://bucket/',
      's3://user@bucket/key',
      's3://bucket:9000/key',
      'https://bucket/key',
      's3://bucket/a/../b',
      's3://bucket/./b',
      new URL('s3://bucket'),
      new URL('s3://bucket/key?versionId=1'),
      new URL('https://bucket/key'),
    ]) {
      assert.throws(
        () => parseS3Url(bad),
        (err: { code?: string }) => err.code === 'INVALID_ARGUMENT',
        String(bad),
      );
    }
  });
});

describe('s3ObjectUrl', () => {
  const key = 'dir/a b+c (1)/ü.bin';
  const encoded = 'dir/a%20b%2Bc%20%281%29/%C3%BC.bin';

  it('virtual-hosted style on AWS, with each key segment encoded', () => {
    assert.equal(
      s3ObjectUrl({ bucket: 'my-bucket', key }, { region: 'eu-west-1' }),
      `https://my-bucket.s3.eu-west-1.amazonaws.com/${encoded}`,
    );
    assert.equal(
      s3ObjectUrl({ bucket: 'my-bucket', key: 'k' }),
      'https://my-bucket.s3.us-east-1.amazonaws.com/k',
    );
    assert.equal(
      s3ObjectUrl({ bucket: 'my-bucket', key: 'k' }, { region: 'cn-north-1' }),
      'https://my-bucket.s3.cn-north-1.amazonaws.com.cn/k',
    );
  });

  it('path style when forced, and for bucket names that are not host names', () => {
    assert.equal(
      s3ObjectUrl({ bucket: 'my-bucket', key }, { region: 'eu-west-1', forcePathStyle: true }),
      `https://s3.eu-west-1.amazonaws.com/my-bucket/${encoded}`,
    );
    assert.equal(
      s3ObjectUrl({ bucket: 'data.example.com', key: 'k' }, { region: 'us-west-2' }),
      'https://s3.us-west-2.amazonaws.com/data.example.com/k',
    );
  });

  it('path style on an endpoint (keeping its path prefix), virtual-hosted on request', () => {
    assert.equal(
      s3ObjectUrl({ bucket: 'b', key }, { endpoint: 'http://127.0.0.1:9000' }),
      `http://127.0.0.1:9000/b/${encoded}`,
    );
    assert.equal(
      s3ObjectUrl({ bucket: 'b', key: 'k' }, { endpoint: new URL('https://gw.example/s3/') }),
      'https://gw.example/s3/b/k',
    );
    assert.equal(
      s3ObjectUrl(
        { bucket: 'b', key: 'k' },
        { endpoint: 'https://r2.example.com', forcePathStyle: false },
      ),
      'https://b.r2.example.com/k',
    );
  });

  it('refuses endpoints that are not http(s) URLs and malformed regions', () => {
    for (const endpoint of ['localhost:9000', 'ftp://host', 'not a url']) {
      assert.throws(
        () => s3ObjectUrl({ bucket: 'b', key: 'k' }, { endpoint }),
        (err: { code?: string }) => err.code === 'INVALID_ARGUMENT',
        endpoint,
      );
    }
    assert.throws(
      () => s3ObjectUrl({ bucket: 'b', key: 'k' }, { region: 'evil.com/x' }),
      (err: { code?: string }) => err.code === 'INVALID_ARGUMENT',
    );
  });
});

describe('openS3Source: configuration', () => {
  it('signs with the options, names the source s3://, keeps Accept-Encoding out of the signature', async () => {
    const { source, calls } = await open('s3://bkt/dir/k.bin', {
      ...KEYS,
      region: 'eu-central-1',
      env: {},
    });
    assert.equal(source.name, 's3://bkt/dir/k.bin');
    assert.equal(source.url, 'https://bkt.s3.eu-central-1.amazonaws.com/dir/k.bin');
    assert.equal(source.size, DATA.length);
    assert.equal(source.signed, true);
    assert.deepEqual(await source.read(10, 20), DATA.subarray(10, 20));
    assert.equal(calls.length, 2);
    for (const { url, headers } of calls) {
      assert.equal(url, source.url);
      const auth = authOf(headers);
      assert.equal(auth.keyId, 'AKIDTEST');
      assert.equal(auth.region, 'eu-central-1');
      assert.ok(auth.signed.includes('host') && auth.signed.includes('x-amz-date'));
      assert.ok(!auth.signed.includes('accept-encoding'), auth.signed.join(';'));
      assert.equal(headers.get('Accept-Encoding'), 'identity');
      assert.equal(headers.get('X-Amz-Content-Sha256'), 'UNSIGNED-PAYLOAD');
    }
    // The second request carries the validator captured by the first, signed.
    assert.equal(calls[1].headers.get('If-Match'), '"e"');
    assert.ok(authOf(calls[1].headers).signed.includes('if-match'));
  });

  it('reads credentials, session token, region and endpoint from the environment', async () => {
    const { source, calls } = await open('s3://bkt/k', {
      env: {
        AWS_ACCESS_KEY_ID: 'AKIDENV',
        AWS_SECRET_ACCESS_KEY: 'envsecret',
        AWS_SESSION_TOKEN: 'token123',
        AWS_REGION: 'ap-south-1',
        AWS_DEFAULT_REGION: 'us-west-1',
        AWS_ENDPOINT_URL: 'http://generic.example:1',
        AWS_ENDPOINT_URL_S3: 'http://s3.example:9000',
      },
    });
    assert.equal(source.url, 'http://s3.example:9000/bkt/k');
    assert.equal(source.region, 'ap-south-1');
    const auth = authOf(calls[0].headers);
    assert.equal(auth.keyId, 'AKIDENV');
    assert.equal(auth.region, 'ap-south-1');
    assert.equal(calls[0].headers.get('X-Amz-Security-Token'), 'token123');
    assert.ok(auth.signed.includes('x-amz-security-token'));
  });

  it('falls back to AWS_DEFAULT_REGION, AWS_ENDPOINT_URL and us-east-1', async () => {
    let { source } = await open('s3://bkt/k', {
      env: { AWS_DEFAULT_REGION: 'us-west-1', AWS_ENDPOINT_URL: 'http://generic.example:1' },
    });
    assert.equal(source.region, 'us-west-1');
    assert.equal(source.url, 'http://generic.example:1/bkt/k');
    ({ source } = await open('s3://bkt/k', { env: {} }));
    assert.equal(source.url, 'https://bkt.s3.us-east-1.amazonaws.com/k');
    ({ source } = await open('s3://bkt/k', {
      env: {
        AWS_ENDPOINT_URL_S3: 'http://s3.example:9000',
        AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true',
      },
    }));
    assert.equal(source.url, 'https://bkt.s3.us-east-1.amazonaws.com/k');
  });

  it('reads process.env when no env option is given', async (t) => {
    const saved = process.env.AWS_ENDPOINT_URL_S3;
    t.after(() => {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_S3;
      else process.env.AWS_ENDPOINT_URL_S3 = saved;
    });
    process.env.AWS_ENDPOINT_URL_S3 = 'http://from-process-env.example:1234';
    const { source } = await open('s3://bkt/k', { anonymous: true });
    assert.equal(source.url, 'http://from-process-env.example:1234/bkt/k');
  });

  it('options win over the environment, and never borrow its session token', async () => {
    const { calls } = await open('s3://bkt/k', {
      ...KEYS,
      env: {
        AWS_ACCESS_KEY_ID: 'AKIDENV',
        AWS_SECRET_ACCESS_KEY: 'envsecret',
        AWS_SESSION_TOKEN: 'envtoken',
      },
    });
    assert.equal(authOf(calls[0].headers).keyId, 'AKIDTEST');
    assert.equal(calls[0].headers.get('X-Amz-Security-Token'), null);
  });

  it('sends unsigned requests without credentials, when anonymous, or with AWS_NO_SIGN_REQUEST', async () => {
    const env = { AWS_ACCESS_KEY_ID: 'AKIDENV', AWS_SECRET_ACCESS_KEY: 'envsecret' };
    for (const options of [
      { env: {} },
      { env, anonymous: true },
      { ...KEYS, env: { ...env, AWS_NO_SIGN_REQUEST: 'YES' } },
    ]) {
      const { source, calls } = await open('s3://bkt/k', options);
      assert.equal(source.signed, false);
      assert.ok(
        calls.every((c) => !c.headers.has('Authorization') && !c.headers.has('X-Amz-Date')),
      );
    }
  });

  it('refuses half a key pair', async () => {
    await rejectsWith(open('s3://bkt/k', { accessKeyId: 'AKID', env: {} }), 'INVALID_ARGUMENT');
    await rejectsWith(
      open('s3://bkt/k', { env: { AWS_SECRET_ACCESS_KEY: 'secret' } }),
      'INVALID_ARGUMENT',
    );
    await rejectsWith(open('s3://bkt', { env: {} }), 'INVALID_ARGUMENT');
  });
});

describe('openS3Source: S3 answers', () => {
  const xml = (code: string, extra = '') =>
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>msg for ${code}</Message>${extra}</Error>`;

  async function failWith(response: () => Response, options: S3SourceOptions = {}) {
    const fake = fakeS3(() => response());
    return openS3Source('s3://bkt/k', { env: {}, retryDelayMs: 1, ...options, fetch: fake.fetch });
  }

  it('403 is HTTP_STATUS and speaks of credentials, signed or not', async () => {
    let err = await rejectsWith(
      failWith(() => new Response(xml('SignatureDoesNotMatch'), { status: 403 }), KEYS),
      'HTTP_STATUS',
    );
    assert.match(err.message, /access denied.*SignatureDoesNotMatch.*credentials.*AKIDTEST/);
    assert.equal(err.details.s3Code, 'SignatureDoesNotMatch');
    assert.equal(err.details.status, 403);
    err = await rejectsWith(
      failWith(() => new Response(null, { status: 403 })),
      'HTTP_STATUS',
    );
    assert.match(err.message, /not signed: no credentials.*AWS_ACCESS_KEY_ID/);
  });

  it('404 NoSuchKey and NoSuchBucket are NOT_FOUND', async () => {
    let err = await rejectsWith(
      failWith(() => new Response(xml('NoSuchKey'), { status: 404 })),
      'NOT_FOUND',
    );
    assert.match(err.message, /^s3:\/\/bkt\/k not found \(HTTP 404 NoSuchKey/);
    err = await rejectsWith(
      failWith(() => new Response(xml('NoSuchBucket'), { status: 404 })),
      'NOT_FOUND',
    );
    assert.match(err.message, /bucket bkt does not exist/);
  });

  it('a wrong region is named, from x-amz-bucket-region or the error body', async () => {
    let err = await rejectsWith(
      failWith(
        () =>
          new Response(xml('PermanentRedirect'), {
            status: 301,
            headers: { 'x-amz-bucket-region': 'eu-west-2' },
          }),
      ),
      'HTTP_STATUS',
    );
    assert.match(err.message, /is in region eu-west-2, not us-east-1.*AWS_REGION/);
    err = await rejectsWith(
      failWith(
        () =>
          new Response(xml('AuthorizationHeaderMalformed', '<Region>ap-east-1</Region>'), {
            status: 400,
          }),
        KEYS,
      ),
      'HTTP_STATUS',
    );
    assert.match(err.message, /is in region ap-east-1/);
  });

  it('5xx is retried by the HTTP source, then reported with the S3 code', async () => {
    let n = 0;
    const err = await rejectsWith(
      failWith(() => {
        n++;
        return new Response(xml('SlowDown'), { status: 503 });
      }),
      'HTTP_STATUS',
    );
    assert.equal(n, 4, 'one try and three retries');
    assert.match(err.message, /HTTP 503 SlowDown/);
    assert.equal(err.details.retryable, true);
  });

  it('416 without Content-Range (an empty object) asks a HEAD for the size', async () => {
    const fake = fakeS3((_url, _headers, method) =>
      method === 'HEAD'
        ? new Response(null, { status: 200, headers: { 'Content-Length': '0' } })
        : new Response(xml('InvalidRange'), { status: 416 }),
    );
    const source = await openS3Source('s3://bkt/empty', { ...KEYS, env: {}, fetch: fake.fetch });
    assert.equal(source.size, 0);
    assert.deepEqual(await source.read(0, 0), new Uint8Array(0));
    assert.deepEqual(
      fake.calls.map((c) => [c.method, c.headers.get('Range')]),
      [
        ['GET', 'bytes=0-0'],
        ['HEAD', null],
      ],
    );
    assert.ok(fake.calls[1].headers.has('Authorization'), 'the HEAD is signed too');
  });
});

describe('openSource routes s3://', () => {
  it('strings and URLs, with options.s3 and the shared fetch option', async () => {
    for (const input of ['s3://bkt/a b.bin', new URL('s3://bkt/a%20b.bin')]) {
      const fake = fakeS3();
      const planner = await openSource(input, { fetch: fake.fetch, s3: { ...KEYS, env: {} } });
      assert.equal(planner.size, DATA.length);
      assert.deepEqual(await planner.read(100, 300), DATA.subarray(100, 300));
      assert.equal(fake.calls[0].url, 'https://bkt.s3.us-east-1.amazonaws.com/a%20b.bin');
      assert.ok(fake.calls.every((c) => c.headers.has('Authorization')));
    }
  });

  it('still refuses other schemes', async () => {
    const err = await rejectsWith(openSource(new URL('ftp://host/x')), 'INVALID_ARGUMENT');
    assert.match(err.message, /http, https or s3/);
  });
});
