// Runs in the page of test/browser/core.test.ts, next to the bundled core
// (globalThis.cozip); plain JavaScript, as the browser loads it. Returns plain
// data for the Node side to compare with the same reads done in Node.
export async function runInPage(origin) {
  const c = globalThis.cozip;
  const hex = async (b) =>
    [...new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(b)))]
      .map((x) => x.toString(16).padStart(2, '0'))
      .join('');
  const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

  // 1. A cozip written to memory, read back from a Blob.
  const a = new TextEncoder().encode('hello from the browser\n'.repeat(100));
  const b = new Uint8Array(5000).map((_, i) => (i * 7) & 0xff);
  const sink = c.bufferSink();
  await c.writeCozip(sink, [
    { name: 'a.txt', path: a, kind: 'text' },
    { name: 'b/c.bin', path: b, kind: 'binary' },
  ]);
  const archive = await c.openCozip(new Blob([sink.bytes()]));
  const rows = await c.readManifest(archive);
  const readA = await c.readMember(archive, rows[0]);
  const readB = await c.readMember(archive, rows[1]);
  const written = {
    names: rows.map((r) => r.name),
    same: same(readA, a) && same(readB, b),
    manifestRows: rows.length,
  };

  // 2. A deflated ZIP (CompressionStream), read back (DecompressionStream).
  const zsink = c.bufferSink();
  const zw = new c.ZipWriter(zsink);
  await zw.add('x.txt', a, { method: 8 });
  await zw.finish();
  const zip = await c.openZip(new Blob([zsink.bytes()]));
  const deflated = {
    same: same(await c.readEntry(zip, zip.entries[0]), a),
    method: zip.entries[0].method,
  };

  // 3. The shared cozip fixture over HTTP.
  const remote = await c.openCozip(`${origin}/flat.cozip`);
  const remoteRows = await c.readManifest(remote);
  const remoteCozip = {
    rows: remoteRows.length,
    first: remoteRows[0].name,
    digest: await hex(await c.readMember(remote, remoteRows[0])),
  };

  // 4. Deflate and zstd members over HTTP.
  const plainZips = {};
  for (const name of ['test.zip', 'zstd.zip']) {
    const z = await c.openZip(`${origin}/${name}`);
    const digests = {};
    for (const e of z.entries)
      if (!e.isDirectory) digests[e.name] = await hex(await c.readEntry(z, e));
    plainZips[name] = digests;
  }

  // 5. zipindex: index a remote ZIP, open a member through it; serialize 30
  //    entries (type 3, zstd-compressed by the WebAssembly codec) and back.
  const files = await c.zipindex.fromSource(`${origin}/test.zip`);
  const source = await c.openSource(`${origin}/test.zip`);
  const index = await c.zipindex.serialize(files);
  const file = c.zipindex.findSerialized(index, 'test.txt');
  const chunks = [];
  for await (const chunk of c.zipindex.open(file, source)) chunks.push(chunk);
  const many = Array.from({ length: 30 }, (_, i) => ({
    ...files[0],
    name: `f${i}`,
    offset: BigInt(i * 100),
  }));
  const big = await c.zipindex.serialize(many);
  const zipindex = {
    type: big[0],
    files: c.zipindex.deserializeFiles(big).length,
    found: c.zipindex.findSerialized(big, 'f17')?.offset === 1700n,
    digest: await hex(c.concatBytes(chunks)),
  };

  // 6. A range inside a SOZip member over HTTP.
  const member = await c.openSozipMember(`${origin}/sozip.zip`, 'big.txt');
  const sozip = {
    digest: await hex(await c.readRange(member, 100_000, 5000)),
    chunkSize: member.index.chunkSize,
  };
  await c.closeSozipMember(member);

  return { written, deflated, remoteCozip, plainZips, zipindex, sozip };
}
