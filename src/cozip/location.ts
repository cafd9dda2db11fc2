// Where a member is, as GDAL names it: the `cozip:location` column readers
// add to every Flat manifest row (`taco:location` in TACO), so GDAL, rasterio
// or DuckDB's spatial extension open a member in place.
import { CozipError } from '../errors.js';

/** The reader column of the Flat profile (spec revision 0.1.0). */
export const LOCATION_COLUMN = 'cozip:location';
/** The reader column of the TACO profile (spec revision 0.1.0). */
export const TACO_LOCATION_COLUMN = 'taco:location';
/** The name readers used before revision 0.1.0; given only when asked for. */
export const GDAL_VSI_COLUMN = 'cozip:gdal_vsi';
/** Reserved reader columns: never stored (writers refuse them, readers discard them). */
export const LOCATION_COLUMNS: readonly string[] = [LOCATION_COLUMN, TACO_LOCATION_COLUMN];

/**
 * A GDAL path that opens one member in place, without extracting it:
 * `/vsisubfile/<offset>_<size>,<file>` where `<file>` is the archive's local
 * path, `/vsicurl/<url>` for http(s), `/vsis3/bucket/key` for s3:// and
 * `/vsigs/bucket/key` for gs://. Works because cozip members are stored.
 */
export function gdalVsiPath(archiveLocation: string, offset: number, size: number): string {
  return subfile(gdalFilename(archiveLocation), offset, size);
}

function subfile(file: string, offset: number, size: number): string {
  for (const [what, n] of [
    ['offset', offset],
    ['size', size],
  ] as const) {
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new CozipError('INVALID_ARGUMENT', `${what} must be a non-negative integer: ${n}`);
    }
  }
  return `/vsisubfile/${offset}_${size},${file}`;
}

/** The archive location as GDAL names it. */
export function gdalFilename(location: string): string {
  if (location === '') throw new CozipError('INVALID_ARGUMENT', 'empty archive location');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(location)?.[1]?.toLowerCase();
  switch (scheme) {
    case undefined:
      return location; // a local path (or already a /vsi path)
    case 'http':
    case 'https':
      return `/vsicurl/${location}`;
    case 's3':
      return `/vsis3/${location.slice('s3://'.length)}`;
    case 'gs':
      return `/vsigs/${location.slice('gs://'.length)}`;
    case 'file':
      return fileUrlPath(location);
    default:
      throw new CozipError('INVALID_ARGUMENT', `no GDAL file system for ${location}`, {
        details: { location },
      });
  }
}

/** file:///C:/x or file:///tmp/x as a plain path (no node:url: this runs in browsers too). */
function fileUrlPath(location: string): string {
  const path = decodeURIComponent(new URL(location).pathname);
  return /^\/[A-Za-z]:\//.test(path) ? path.slice(1) : path;
}

/** Copies of `rows` with `column` (default `cozip:location`) from each row's `offset` and `size`. */
export function addLocationColumn(
  rows: Array<Record<string, unknown>>,
  archiveLocation: string,
  column: string = LOCATION_COLUMN,
): Array<Record<string, unknown>> {
  const file = gdalFilename(archiveLocation);
  return rows.map((row, i) => {
    const { offset, size } = row;
    if (typeof offset !== 'number' || typeof size !== 'number') {
      throw new CozipError('INVALID_ARGUMENT', `row ${i} lacks numeric offset and size`, {
        details: { row: i },
      });
    }
    return { ...row, [column]: subfile(file, offset, size) };
  });
}

/** The column-wise form: adds `column` next to the `offset` and `size` columns. */
export function addLocationColumnData(
  data: Record<string, unknown[]>,
  archiveLocation: string,
  column: string = LOCATION_COLUMN,
): Record<string, unknown[]> {
  const { offset, size } = data;
  if (!offset || !size) {
    throw new CozipError('INVALID_ARGUMENT', `${column} needs the offset and size columns`);
  }
  const file = gdalFilename(archiveLocation);
  return {
    ...data,
    [column]: offset.map((o, i) => subfile(file, o as number, size[i] as number)),
  };
}
