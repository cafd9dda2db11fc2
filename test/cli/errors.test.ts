// Failures and their exit codes: 1 for a bad archive or input (with the
// CozipError code), 2 for a bad command line.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { seededBytes } from '../helpers/random.js';
import { assertBuilt, expectExit, ok, tempDir } from './run.js';

describe('cozip errors and exit codes', () => {
  let dir: string;
  let ds: string;

  before(async () => {
    assertBuilt();
    dir = tempDir('errors');
    writeFileSync(join(dir, 'a.bin'), seededBytes(1, 2000));
    writeFileSync(join(dir, 'b.bin'), seededBytes(2, 3000));
    ds = join(dir, 'ds.zip');
    await ok(['create', ds, '--from', writeCsv(), '-q']);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function writeCsv(): string {
    const csv = join(dir, 'm.csv');
    writeFileSync(csv, 'name,path,k\na.bin,a.bin,1\nb.bin,b.bin,2\n');
    return csv;
  }

  it('a missing file: exit 1, NOT_FOUND, one line, no stack', async () => {
    // ls, cat, get, extract and info share one opener; validate has its own.
    for (const command of ['ls', 'validate']) {
      const run = await expectExit([command, join(dir, 'nope.zip')], 1);
      assert.match(run.stderr, /^cozip: NOT_FOUND: .*nope\.zip/);
      assert.equal(run.stderr.trimEnd().split('\n').length, 1, run.stderr);
      assert.equal(run.stdout, '');
    }
  });

  it('--debug adds the stack trace', async () => {
    const run = await expectExit(['ls', join(dir, 'nope.zip'), '--debug'], 1);
    assert.match(run.stderr, /^cozip: NOT_FOUND: /);
    assert.match(run.stderr, /\n\s+at /);
  });

  it('not a ZIP: exit 1, NOT_A_ZIP', async () => {
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'just some text, long enough to look for an end record in\n'.repeat(20));
    for (const command of ['info', 'cat']) {
      const args = command === 'cat' ? [command, text, 'x'] : [command, text];
      const run = await expectExit(args, 1);
      assert.match(run.stderr, /^cozip: NOT_A_ZIP: /);
    }
    const run = await expectExit(['validate', text], 1);
    assert.match(run.stdout, /^NOT_A_ZIP: /m);
  });

  it('a corrupted cozip: validate exits 1 reporting HASH_MISMATCH', async () => {
    const bytes = readFileSync(ds);
    bytes[bytes.length - 16_384] ^= 0x01; // inside the hashed last 32 KiB
    const bad = join(dir, 'corrupt.zip');
    writeFileSync(bad, bytes);
    const run = await expectExit(['validate', bad], 1);
    assert.match(run.stdout, /^HASH_MISMATCH: /m);
    const report = JSON.parse((await expectExit(['validate', bad, '--json'], 1)).stdout);
    assert.equal(report.ok, false);
    assert.equal(report.problems[0].code, 'HASH_MISMATCH');
    // info still describes it, flagging the hash, and exits 1.
    const info = JSON.parse((await expectExit(['info', bad, '--json'], 1)).stdout);
    assert.equal(info.cozip.hashVerified, false);
    assert.match(info.cozip.hashProblem, /^HASH_MISMATCH/);
    const text = await expectExit(['info', bad], 1);
    assert.match(text.stdout, /^hash {6}FAILED \(HASH_MISMATCH: /m);
    assert.equal(text.stderr, '');
  });

  it('a bad --where is a usage error: exit 2 with INVALID_ARGUMENT', async () => {
    let run = await expectExit(['ls', ds, '--where', 'k >'], 2);
    assert.match(run.stderr, /^cozip: INVALID_ARGUMENT: --where: bad filter at position 3/);
    assert.equal(run.stderr.trimEnd().split('\n').length, 1);
    run = await expectExit(['ls', ds, '--where', 'nosuch = 1'], 2);
    assert.match(run.stderr, /^cozip: INVALID_ARGUMENT: filter column nosuch/);
    run = await expectExit(['ls', ds, '--where', 'k = x'], 2);
    assert.match(run.stderr, /INVALID_ARGUMENT/);
    await expectExit(['extract', ds, '-o', join(dir, 'x'), '--where', 'k or'], 2);
    await expectExit(['ls', ds, '--columns', 'name,nosuch'], 2);
  });

  it('a network failure says why in its one line; --debug prints the cause chain', async () => {
    // A port nothing listens on: the connection is refused.
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    await new Promise((r) => server.close(r));
    const url = `http://127.0.0.1:${port}/ds.zip`;
    let run = await expectExit(['ls', url, '--timeout', '5'], 1);
    assert.equal(
      run.stderr,
      `cozip: NETWORK: request to ${url} failed: connect ECONNREFUSED 127.0.0.1:${port}\n`,
    );
    run = await expectExit(['ls', url, '--timeout', '5', '--debug'], 1);
    assert.match(run.stderr, /^caused by: Error: connect ECONNREFUSED/m);
  });

  it('command-line mistakes exit 2', async () => {
    let run = await expectExit(['frobnicate'], 2);
    assert.match(run.stderr, /^cozip: INVALID_ARGUMENT: unknown command 'frobnicate'/);
    run = await expectExit(['ls', ds, '--bogus'], 2);
    assert.match(run.stderr, /unknown option '--bogus'/);
    await expectExit(['ls'], 2); // missing argument
    await expectExit(['ls', ds, 'extra'], 2); // too many arguments
    await expectExit(['ls', ds, '--limit', 'ten'], 2);
    await expectExit(['ls', ds, '--json', '--csv'], 2);
    run = await expectExit([], 2);
    assert.match(run.stderr, /Usage: cozip/);
    assert.equal(run.stdout, '');
  });
});
