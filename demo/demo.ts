// The quick-start demo: pack the bundled sample dataset (256 GeoJSON tiles
// with split and label columns) as a Flat cozip, serve it over HTTP on
// 127.0.0.1, then query it as a remote client would — open, filter the
// manifest, fetch three members — and count the requests and bytes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type HttpSource,
  openCozip,
  type ReadPlanner,
  readManifest,
  readMember,
  writeCozip,
} from '../src/index.js';
// The tests' range server: real HTTP with Range, ETag and a request log.
import { startRangeServer } from '../test/helpers/http-server.js';
import { sampleTiles } from './sample.js';

const dir = mkdtempSync(join(tmpdir(), 'cozip-demo-'));
const server = await startRangeServer();
const enc = new TextEncoder();
try {
  // 1. Pack: `path` is where bytes come from (here, in memory), `name` the
  //    name in the archive; every other column goes to the Parquet manifest.
  const tiles = sampleTiles();
  const path = join(dir, 'tiles.zip');
  const written = await writeCozip(
    path,
    tiles.map((t) => ({
      name: t.name,
      path: enc.encode(t.content),
      split: t.split,
      label: t.label,
      z: t.z,
      x: t.x,
      y: t.y,
    })),
    { mtime: new Date('2026-01-01T00:00:00Z') },
  );
  console.log(
    `packed ${written.entries} tiles into ${path} (${written.size.toLocaleString()} bytes, an ordinary ZIP)`,
  );

  // 2. Serve it and open it remotely: index + hash check.
  await server.set('tiles.zip', path);
  const url = server.url('tiles.zip');
  const archive = await openCozip(url);
  console.log(
    `opened ${url}: profile ${archive.profileName}, integrity hash verified: ${archive.hashVerified}`,
  );

  // 3. Query the manifest locally, then fetch just the members we want.
  const rows = await readManifest(archive, {
    filter: { split: 'val', label: 'water' },
  });
  console.log(`manifest: ${rows.length} tiles match split = val and label = water`);
  for (const row of rows.slice(0, 3)) {
    const geojson = JSON.parse(
      new TextDecoder().decode(await readMember(archive, row as { offset: number; size: number })),
    );
    console.log(
      `  ${row.name}: ${geojson.features.length} features  (GDAL: ${row['cozip:location']})`,
    );
  }

  // The planner wraps the HTTP source; the source's counters are the network's.
  const http = (archive.source as ReadPlanner).source as HttpSource;
  const requests = server.requestsFor('tiles.zip').length;
  const pct = ((100 * http.stats.bytesFetched) / written.size).toFixed(1);
  console.log(
    `HTTP: ${requests} requests, ${http.stats.bytesFetched.toLocaleString()} of ${written.size.toLocaleString()} bytes fetched (${pct}%)`,
  );
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
