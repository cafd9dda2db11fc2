// The runtime-neutral core in a real browser: dist/index.js bundled for the
// browser platform (so no Node built-in may be reached), loaded in headless
// Chromium from the test range server, and driven there: writing a cozip and a
// deflated ZIP to memory and reading them back from a Blob (Compression
// Streams), reading archives over HTTP with fetch and Range (cozip manifest
// and members, deflate and zstd members, a SOZip range), and a zipindex
// round trip through the WebAssembly zstd codec. Needs Debian's chromium;
// skipped without it, except under CI.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { after, before, describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { openCozip, readManifest, readMember } from '../../src/cozip/index.js';
import { createSozipWriter } from '../../src/sozip/node.js';
import { readEntry } from '../../src/zip/entry-data.js';
import { openZip } from '../../src/zip/reader.js';
import { bufferSink } from '../../src/zip/sink.js';
import { type RangeServer, startRangeServer } from '../helpers/http-server.js';
import { seededBytes } from '../helpers/random.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = new URL('../../', import.meta.url);
const FIXTURES = fileURLToPath(new URL('../shared/fixtures/', ROOT));
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** What the page computes, to compare with the same reads done here in Node. */
interface PageResults {
  written: { names: string[]; same: boolean; manifestRows: number };
  deflated: { same: boolean; method: number };
  remoteCozip: { rows: number; first: string; digest: string };
  plainZips: Record<string, Record<string, string>>;
  zipindex: { type: number; files: number; found: boolean; digest: string };
  sozip: { digest: string; chunkSize: number };
}

function requireChromium(t: TestContext): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI) throw new Error(`${CHROMIUM} is required in CI (Debian package chromium)`);
  t.skip('chromium is not installed');
  return false;
}

describe('the core in headless Chromium', () => {
  let server: RangeServer;
  let browser: Browser | undefined;
  let page: Page;
  const text = seededText(300_000);

  before(async () => {
    // The published entry, bundled as a browser would get it: dist/ is built by `npm test`.
    const bundle = await build({
      stdin: {
        contents: "import * as cozip from './dist/index.js'; globalThis.cozip = cozip;",
        resolveDir: fileURLToPath(ROOT),
      },
      bundle: true,
      format: 'esm',
      platform: 'browser',
      write: false,
      logLevel: 'silent',
    });
    const sozip = bufferSink();
    const writer = await createSozipWriter(sozip, { chunkSize: 16 * 1024 });
    await writer.add('big.txt', text);
    await writer.finish();
    server = await startRangeServer({
      objects: {
        'index.html': new TextEncoder().encode(
          '<!doctype html><script type="module" src="bundle.js"></script>' +
            '<script type="module">import { runInPage } from "./page.js"; globalThis.runInPage = runInPage;</script>',
        ),
        'bundle.js': bundle.outputFiles[0].contents,
        'page.js': fileURLToPath(new URL('./page.js', import.meta.url)),
        'flat.cozip': `${FIXTURES}cozip/flat_simple.cozip`,
        'test.zip': `${FIXTURES}zips/test.zip`,
        'zstd.zip': `${FIXTURES}zips/zstd-compressed.zip`,
        'sozip.zip': sozip.bytes(),
      },
    });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(t: TestContext): Promise<boolean> {
    if (!requireChromium(t)) return false;
    if (!browser) {
      const { chromium } = await import('playwright-core');
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
      page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(String(err)));
      await page.goto(server.url('index.html'));
      await page.waitForFunction('globalThis.cozip && globalThis.runInPage', undefined, {
        timeout: 20_000,
      });
      assert.deepEqual(errors, []);
    }
    return true;
  }

  it('writes, reads and indexes archives with the same results as Node', async (t) => {
    if (!(await open(t))) return;
    const origin = server.origin;
    // A string, not a function: the test's transpiled code must not reach the page.
    const got = (await page.evaluate(`runInPage(${JSON.stringify(origin)})`)) as PageResults;

    // Written in the page and read back from a Blob.
    assert.deepEqual(got.written, { names: ['a.txt', 'b/c.bin'], same: true, manifestRows: 2 });
    assert.deepEqual(got.deflated, { same: true, method: 8 });

    // The shared cozip fixture over HTTP: the same first member as Node reads.
    const archive = await openCozip(`${FIXTURES}cozip/flat_simple.cozip`);
    const rows = await readManifest(archive);
    const first = await readMember(archive, rows[0]);
    await archive.source.close?.();
    assert.deepEqual(got.remoteCozip, {
      rows: rows.length,
      first: rows[0].name as string,
      digest: sha256(first),
    });

    // Deflate and zstd members over HTTP, digest for digest.
    for (const [name, file] of [
      ['test.zip', 'zips/test.zip'],
      ['zstd.zip', 'zips/zstd-compressed.zip'],
    ]) {
      const zip = await openZip(`${FIXTURES}${file}`);
      const want: Record<string, string> = {};
      for (const e of zip.entries)
        if (!e.isDirectory) want[e.name] = sha256(await readEntry(zip, e));
      await zip.source.close?.();
      assert.deepEqual(got.plainZips[name], want, name);
    }

    // zipindex: 30 entries serialize to type 3 (zstd through WebAssembly).
    assert.equal(got.zipindex.type, 3);
    assert.equal(got.zipindex.files, 30);
    assert.equal(got.zipindex.found, true);
    const testZip = await openZip(`${FIXTURES}zips/test.zip`);
    const member = testZip.entries.find((e) => e.name === 'test.txt')!;
    assert.equal(got.zipindex.digest, sha256(await readEntry(testZip, member)));
    await testZip.source.close?.();

    // A SOZip range read over HTTP equals the slice of the original text.
    assert.deepEqual(got.sozip, {
      digest: sha256(text.subarray(100_000, 105_000)),
      chunkSize: 16 * 1024,
    });
  });
});

/** Seeded log-like text (compressible, so deflate and SOZip chunks are real). */
function seededText(n: number): Uint8Array {
  const noise = seededBytes(7, n);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = 97 + (noise[i] % 8);
  return out;
}
