// The bundled sample dataset, generated deterministically: a 16 x 16 grid of
// GeoJSON tiles (zoom 4 over the world), each with a few seeded points and a
// land-cover label and train/val/test split.
export interface SampleTile {
  name: string;
  content: string;
  split: 'train' | 'val' | 'test';
  label: string;
  z: number;
  x: number;
  y: number;
}

const LABELS = ['forest', 'water', 'urban', 'cropland', 'grassland', 'bare'];

function seeded(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

/** Longitude/latitude of the north-west corner of tile (x, y) at zoom z (Web Mercator). */
function tileCorner(z: number, x: number, y: number): [number, number] {
  const n = 2 ** z;
  const lon = (x / n) * 360 - 180;
  const lat = (Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / n))) * 180) / Math.PI;
  return [lon, lat];
}

export function sampleTiles(): SampleTile[] {
  const random = seeded(42);
  const z = 4;
  const tiles: SampleTile[] = [];
  for (let y = 0; y < 16; y++) {
    for (let x = 0; x < 16; x++) {
      const [west, north] = tileCorner(z, x, y);
      const [east, south] = tileCorner(z, x + 1, y + 1);
      const points = Array.from({ length: 3 + Math.floor(random() * 20) }, (_, i) => ({
        type: 'Feature',
        properties: { id: i, value: Math.round(random() * 1000) / 10 },
        geometry: {
          type: 'Point',
          coordinates: [
            Math.round((west + random() * (east - west)) * 1e5) / 1e5,
            Math.round((south + random() * (north - south)) * 1e5) / 1e5,
          ],
        },
      }));
      const r = random();
      tiles.push({
        name: `tiles/${z}/${x}/${y}.geojson`,
        content: JSON.stringify({
          type: 'FeatureCollection',
          bbox: [west, south, east, north],
          features: points,
        }),
        split: r < 0.7 ? 'train' : r < 0.85 ? 'val' : 'test',
        label: LABELS[Math.floor(random() * LABELS.length)],
        z,
        x,
        y,
      });
    }
  }
  return tiles;
}
