// `cozip:location` as GDAL reads it: every manifest row's location opens the
// member in place with GDAL (through pyogrio, GDAL's Python binding for
// vectors), from a local path and over HTTP (/vsicurl/ with range requests).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { readManifest } from '../../src/cozip/manifest.js';
import { openCozip } from '../../src/cozip/reader.js';
import { writeCozip } from '../../src/cozip/writer.js';
import { type RangeServer, startRangeServer } from '../helpers/http-server.js';
import { haveTool } from '../helpers/tools.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'cozip-location-'));
const archivePath = join(dir, 'points.zip');
let server: RangeServer;

function points(n: number, label: string): Uint8Array {
  const features = Array.from({ length: n }, (_, i) => ({
    type: 'Feature',
    properties: { label, i },
    geometry: { type: 'Point', coordinates: [i, -i] },
  }));
  return new TextEncoder().encode(JSON.stringify({ type: 'FeatureCollection', features }));
}

/** What GDAL reads at each path: the feature count and the first label. */
async function gdalRead(paths: string[]): Promise<Array<[number, string]>> {
  const script = [
    'import json, sys, pyogrio',
    'out = []',
    'for p in json.loads(sys.argv[1]):',
    '    meta, _, _, fields = pyogrio.raw.read(p)',
    '    labels = fields[meta["fields"].tolist().index("label")]',
    '    out.append([len(labels), str(labels[0])])',
    'print(json.dumps(out))',
  ].join('\n');
  const { stdout } = await run('python3', ['-c', script, JSON.stringify(paths)], {
    env: { ...process.env, GDAL_HTTP_UNSAFESSL: 'YES', CPL_VSIL_CURL_ALLOWED_EXTENSIONS: '.zip' },
  });
  return JSON.parse(stdout);
}

let gdal: boolean | undefined;
async function requireGdal(t: TestContext): Promise<boolean> {
  gdal ??=
    haveTool('python3') &&
    (await run('python3', ['-c', 'import pyogrio']).then(
      () => true,
      () => false,
    ));
  if (gdal) return true;
  if (process.env.CI) throw new Error('python3 with pyogrio (GDAL) must be installed in CI');
  t.skip('pyogrio (GDAL) is not installed');
  return false;
}

before(async () => {
  await writeCozip(archivePath, [
    { name: 'a/north.geojson', path: points(3, 'north') },
    { name: 'a/south.geojson', path: points(5, 'south') },
    { name: 'b/east.geojson', path: points(8, 'east') },
  ]);
  server = await startRangeServer({ objects: { 'points.zip': archivePath } });
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('cozip:location with GDAL', () => {
  it('local: an absolute /vsisubfile/ path GDAL opens, even from a relative archive path', async (t) => {
    const archive = await openCozip(relative(process.cwd(), archivePath));
    try {
      const rows = await readManifest(archive);
      for (const row of rows) {
        assert.equal(row['cozip:location'], `/vsisubfile/${row.offset}_${row.size},${archivePath}`);
      }
      if (!(await requireGdal(t))) return;
      assert.deepEqual(await gdalRead(rows.map((r) => r['cozip:location'] as string)), [
        [3, 'north'],
        [5, 'south'],
        [8, 'east'],
      ]);
    } finally {
      await archive.source.close?.();
    }
  });

  it('HTTP: /vsicurl/ inside /vsisubfile/, read by GDAL with range requests', async (t) => {
    const url = server.url('points.zip');
    const archive = await openCozip(url);
    const rows = await readManifest(archive, { columns: ['name', 'cozip:location'] });
    assert.deepEqual(Object.keys(rows[0]), ['name', 'cozip:location'], 'only what was asked');
    assert.match(
      rows[0]['cozip:location'] as string,
      /^\/vsisubfile\/\d+_\d+,\/vsicurl\/http:\/\//,
    );
    if (!(await requireGdal(t))) return;
    assert.deepEqual(await gdalRead(rows.map((r) => r['cozip:location'] as string)), [
      [3, 'north'],
      [5, 'south'],
      [8, 'east'],
    ]);
  });

  it('the legacy name only when asked for, and none when turned off', async () => {
    const archive = await openCozip(archivePath);
    try {
      const [legacy] = await readManifest(archive, { location: 'legacy' });
      assert.equal(
        legacy['cozip:gdal_vsi'],
        `/vsisubfile/${legacy.offset}_${legacy.size},${archivePath}`,
      );
      assert.equal('cozip:location' in legacy, false);
      const [none] = await readManifest(archive, { location: false });
      assert.deepEqual(Object.keys(none), ['name', 'offset', 'size']);
      const [projected] = await readManifest(archive, { columns: ['name'] });
      assert.deepEqual(Object.keys(projected), ['name']);
    } finally {
      await archive.source.close?.();
    }
  });
});
