// The command line and cozip revision 0.1.0: the location column in
// machine-readable listings, convert --escape-names, validate --spec, and
// the network --timeout against a server that never answers.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeCozip } from '../../src/cozip/writer.js';
import { bufferSink } from '../../src/zip/sink.js';
import { ZipWriter } from '../../src/zip/writer.js';
import { assertBuilt, expectExit, json, ok, tempDir } from './run.js';

type Row = Record<string, unknown>;

describe('cli: revision 0.1.0', () => {
  let dir: string;
  let flat: string;
  before(async () => {
    assertBuilt();
    dir = tempDir('revision');
    flat = join(dir, 'flat.zip');
    await writeCozip(flat, [
      { name: 'a.txt', path: new TextEncoder().encode('aaa'), n: 1 },
      { name: 'b.txt', path: new TextEncoder().encode('bb'), n: 2 },
    ]);
  });

  it('ls --json and --csv carry cozip:location; --no-location and --columns choose', async () => {
    const rows = json<Row[]>(await ok(['ls', flat, '--json']));
    assert.deepEqual(Object.keys(rows[0]), ['name', 'offset', 'size', 'n', 'cozip:location']);
    assert.equal(rows[0]['cozip:location'], `/vsisubfile/${rows[0].offset}_3,${flat}`);
    const csv = (await ok(['ls', flat, '--csv'])).stdout.split(/\r?\n/)[0];
    assert.equal(csv, 'name,offset,size,n,cozip:location');
    const none = json<Row[]>(await ok(['ls', flat, '--json', '--no-location']));
    assert.deepEqual(Object.keys(none[0]), ['name', 'offset', 'size', 'n']);
    const picked = json<Row[]>(
      await ok(['ls', flat, '--json', '--columns', 'name,cozip:location']),
    );
    assert.deepEqual(Object.keys(picked[1]), ['name', 'cozip:location']);
    assert.doesNotMatch(
      (await ok(['ls', flat])).stdout,
      /vsisubfile/,
      'not in the table for people',
    );
  });

  it('convert refuses non-ASCII names, listing them; --escape-names converts', async () => {
    const sink = bufferSink();
    const w = new ZipWriter(sink);
    await w.add('été/1.txt', new TextEncoder().encode('1'));
    await w.add('ok.txt', new TextEncoder().encode('2'));
    await w.finish();
    const src = join(dir, 'utf8.zip');
    writeFileSync(src, sink.bytes());
    const refused = await expectExit(['convert', src, join(dir, 'c1.zip')], 1);
    assert.match(refused.stderr, /1 member name is not ASCII.*"été\/1\.txt".*--escape-names/s);
    const out = join(dir, 'c2.zip');
    await ok(['convert', src, out, '--escape-names']);
    const rows = json<Row[]>(await ok(['ls', out, '--json', '--columns', 'name,source_name']));
    assert.deepEqual(rows, [
      { name: '%C3%A9t%C3%A9/1.txt', source_name: 'été/1.txt' },
      { name: 'ok.txt', source_name: 'ok.txt' },
    ]);
  });

  it('convert tells a bad member by the archive and the member, not by a row number', async () => {
    const write = async (file: string, names: string[]) => {
      const sink = bufferSink();
      const w = new ZipWriter(sink, { allowUnsafeNames: true });
      for (const name of names) await w.add(name, new TextEncoder().encode('data'));
      await w.finish();
      writeFileSync(join(dir, file), sink.bytes());
      return join(dir, file);
    };
    const slash = await write('slash.zip', ['ok.txt', 'a\\b.txt']);
    let run = await expectExit(['convert', slash, join(dir, 'c3.zip')], 1);
    assert.equal(
      run.stderr,
      `cozip: INVALID_NAME: ${slash}: invalid name "a\\\\b.txt": backslash (use / as the separator)\n`,
    );
    // ZipWriter refuses a second a.txt: name it c.txt, then rename it in the headers.
    const twice = await write('twice.zip', ['a.txt', 'b.txt', 'c.txt']);
    writeFileSync(
      twice,
      Buffer.from(readFileSync(twice).toString('latin1').replaceAll('c.txt', 'a.txt'), 'latin1'),
    );
    run = await expectExit(['convert', twice, join(dir, 'c4.zip')], 1);
    assert.equal(run.stderr, `cozip: DUPLICATE_NAME: ${twice}: two members use the name "a.txt"\n`);
  });

  it('validate checks 0.1.0 names by default; --spec 1.0.1 the older rules', async () => {
    const legacy = join(dir, 'legacy.zip');
    await writeCozip(legacy, [{ name: 'été.txt', path: new Uint8Array([1]) }], { spec: '1.0.1' });
    const current = await expectExit(['validate', legacy], 1);
    assert.match(current.stdout + current.stderr, /INVALID_NAME.*conforms to cozip 1\.0\.1/);
    await ok(['validate', legacy, '--spec', '1.0.1']);
  });
});

describe('cli: --timeout', () => {
  const hanging: ServerResponse[] = [];
  const server = createServer((_req, res) => {
    hanging.push(res); // never answers
  });
  let url = '';
  before(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x.zip`;
  });
  after(async () => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('a server that never answers fails with TIMEOUT instead of hanging', async () => {
    const t0 = performance.now();
    const run = await expectExit(['--timeout', '0.2', 'ls', url], 1);
    assert.match(run.stderr, /TIMEOUT/);
    assert.ok(performance.now() - t0 < 15_000);
    assert.ok(hanging.length >= 2, 'the attempt was retried');
  });

  it('--timeout takes seconds and refuses anything else', async () => {
    await expectExit(['--timeout', 'soon', 'ls', url], 2);
  });
});
