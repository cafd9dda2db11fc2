// GeoParquet 1.1 geometry columns for the Flat manifest: GeoJSON geometry
// objects in, WKB out, plus the `geo` footer entry GeoPandas, GDAL and DuckDB read.
import { geojsonToWkb } from 'hyparquet-writer';
import { invalid, type SchemaElement } from './manifest-schema.js';

export interface GeoOptions {
  /** The geometry column (GeoJSON geometry objects or null). Default `geometry`. */
  column?: string;
  /** PROJJSON of the coordinates' CRS; omitted means OGC:CRS84 (lon/lat WGS 84). */
  crs?: Record<string, unknown>;
}

const GEOMETRY_TYPES = new Set([
  'Point',
  'LineString',
  'Polygon',
  'MultiPoint',
  'MultiLineString',
  'MultiPolygon',
  'GeometryCollection',
]);

interface Geometry {
  type: string;
  coordinates?: unknown;
  geometries?: Geometry[];
}

/**
 * A GeoParquet 1.1 column: WKB bytes in a BYTE_ARRAY annotated GEOMETRY, plus
 * the `geo` footer entry (types and bbox) that GeoPandas, GDAL and DuckDB read.
 */
export function geometryColumn(name: string, values: unknown[], geo: GeoOptions) {
  const types = new Set<string>();
  const bbox = [Infinity, Infinity, -Infinity, -Infinity];
  values.forEach((value, row) => {
    if (value === null || value === undefined) return;
    if (!isGeometry(value)) {
      throw invalid(`column ${name}, row ${row}: not a GeoJSON geometry`, { column: name, row });
    }
    const dims = extend(bbox, value);
    types.add(value.type + (dims === 3 ? ' Z' : dims === 4 ? ' ZM' : ''));
  });
  const column: Record<string, unknown> = {
    encoding: 'WKB',
    geometry_types: [...types].sort(),
  };
  if (bbox[0] <= bbox[2] && bbox[1] <= bbox[3]) column.bbox = bbox;
  if (geo.crs !== undefined) column.crs = geo.crs;
  const metadata = JSON.stringify({
    version: '1.1.0',
    primary_column: name,
    columns: { [name]: column },
  });
  const nullable = (v: unknown) => (v === undefined ? null : v);
  if (geo.crs === undefined) {
    // The GEOMETRY logical type (default CRS OGC:CRS84): the writer encodes
    // WKB from GeoJSON and adds geospatial statistics.
    const element: SchemaElement = {
      name,
      type: 'BYTE_ARRAY',
      repetition_type: 'OPTIONAL',
      logical_type: { type: 'GEOMETRY' },
    };
    return { element, data: values.map(nullable), metadata };
  }
  // Another CRS is described by the geo entry alone, so the column is plain WKB.
  const element: SchemaElement = { name, type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' };
  const data = values.map((v) =>
    v === null || v === undefined ? null : geojsonToWkb(v as Parameters<typeof geojsonToWkb>[0]),
  );
  return { element, data, metadata };
}

function isGeometry(value: unknown): value is Geometry {
  if (typeof value !== 'object' || value === null) return false;
  const { type, coordinates, geometries } = value as Geometry;
  if (typeof type !== 'string' || !GEOMETRY_TYPES.has(type)) return false;
  if (type === 'GeometryCollection')
    return Array.isArray(geometries) && geometries.every(isGeometry);
  return Array.isArray(coordinates);
}

/** Grows bbox [xmin, ymin, xmax, ymax] by the geometry; returns its widest position. */
function extend(bbox: number[], geometry: Geometry): number {
  if (geometry.type === 'GeometryCollection') {
    return Math.max(2, ...(geometry.geometries ?? []).map((child) => extend(bbox, child)));
  }
  let dims = 2;
  const walk = (coords: unknown): void => {
    if (!Array.isArray(coords)) return;
    if (typeof coords[0] === 'number') {
      const [x, y] = coords as number[];
      dims = Math.max(dims, coords.length);
      if (Number.isFinite(x) && Number.isFinite(y)) {
        bbox[0] = Math.min(bbox[0], x);
        bbox[1] = Math.min(bbox[1], y);
        bbox[2] = Math.max(bbox[2], x);
        bbox[3] = Math.max(bbox[3], y);
      }
      return;
    }
    for (const child of coords) walk(child);
  };
  walk(geometry.coordinates);
  return dims;
}
