// The Flat manifest of an open cozip: `__metadata__` read through range
// requests, optionally with the synthetic `cozip:gdal_vsi` column.
import { CozipError } from '../errors.js';
import { METADATA_NAME, PROFILE_FLAT } from './constants.js';
import { addGdalColumn } from './gdal.js';
import {
  type Manifest,
  type ManifestReadOptions,
  type OpenManifestOptions,
  openManifest,
} from './manifest-read.js';
import type { CozipArchive } from './reader.js';

const opened = new WeakMap<CozipArchive, Promise<Manifest>>();

/** The manifest of a Flat cozip (opened once per archive: its footer is read once). */
export function cozipManifest(
  archive: CozipArchive,
  options: OpenManifestOptions = {},
): Promise<Manifest> {
  let m = opened.get(archive);
  if (!m) {
    if (archive.profile !== PROFILE_FLAT) {
      return Promise.reject(
        new CozipError(
          'MISSING_ENTRY',
          `only Flat cozips have a ${METADATA_NAME} manifest (this one is ${archive.profileName ?? archive.profile})`,
        ),
      );
    }
    const md = archive.index.find((e) => e.name === METADATA_NAME)!;
    m = openManifest(archive.source, md.offset, md.size, options);
    opened.set(archive, m);
  }
  return m;
}

export interface ReadManifestOptions extends ManifestReadOptions {
  /** Add `cozip:gdal_vsi` to every row (a path GDAL/rasterio can open in place). */
  gdal?: boolean;
}

/** Rows of a Flat cozip's manifest: projection and filters fetch only what they need. */
export async function readManifest(
  archive: CozipArchive,
  options: ReadManifestOptions = {},
): Promise<Array<Record<string, unknown>>> {
  const { gdal, ...read } = options;
  // The GDAL path is built from offset and size: make sure they are read.
  if (gdal && read.columns) read.columns = [...new Set([...read.columns, 'offset', 'size'])];
  const rows = await (await cozipManifest(archive)).rows(read);
  return gdal ? addGdalColumn(rows, archiveLocation(archive)) : rows;
}

/** The path or URL the archive was opened from (the innermost source's name). */
export function archiveLocation(archive: CozipArchive): string {
  let s: { name: string; source?: unknown } = archive.source;
  while (s.source && typeof (s.source as { name?: unknown }).name === 'string')
    s = s.source as typeof s;
  return s.name;
}

/**
 * Finds a member of a Flat cozip by name (through the manifest, whose `name`
 * statistics let row groups be skipped); MISSING_ENTRY when absent.
 */
export async function findMember(
  archive: CozipArchive,
  name: string,
): Promise<Record<string, unknown>> {
  const [row] = await readManifest(archive, { filter: { name } });
  if (!row)
    throw new CozipError('MISSING_ENTRY', `no member named ${JSON.stringify(name)}`, {
      details: { name },
    });
  return row;
}
