// The Flat manifest of an open cozip: `__metadata__` read through range
// requests, with the synthetic `cozip:location` column (spec revision 0.1.0).
import { CozipError } from '../errors.js';
import { METADATA_NAME, PROFILE_FLAT } from './constants.js';
import { addLocationColumn, GDAL_VSI_COLUMN, LOCATION_COLUMN } from './location.js';
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
  /**
   * Add `cozip:location` to every row (default true): a GDAL path that opens
   * the member in place (`/vsisubfile/<offset>_<size>,<archive>`). `'legacy'`
   * names it `cozip:gdal_vsi`, as readers did before spec revision 0.1.0;
   * false leaves it out. With `columns`, it is added only when listed there.
   */
  location?: boolean | 'legacy';
}

/** Rows of a Flat cozip's manifest: projection and filters fetch only what they need. */
export async function readManifest(
  archive: CozipArchive,
  options: ReadManifestOptions = {},
): Promise<Array<Record<string, unknown>>> {
  const { location = true, ...read } = options;
  const column = location === 'legacy' ? GDAL_VSI_COLUMN : LOCATION_COLUMN;
  const asked = read.columns;
  const add = location !== false && (asked === undefined || asked.includes(column));
  const manifest = await cozipManifest(archive);
  if (!add) return manifest.rows(read);
  // The location is built from offset and size: read them even when not asked for.
  const fetched = asked && [...new Set([...asked.filter((c) => c !== column), 'offset', 'size'])];
  const rows = addLocationColumn(
    await manifest.rows({ ...read, columns: fetched }),
    archiveLocation(archive),
    column,
  );
  if (!asked) return rows;
  // Keys in the order asked, and only those.
  return rows.map((row) => Object.fromEntries(asked.map((c) => [c, row[c]])));
}

/**
 * Where the archive is, for location paths: the innermost source's
 * `location` (an absolute path for a local file) or its name (a URL).
 */
export function archiveLocation(archive: CozipArchive): string {
  let s: { name: string; location?: string; source?: unknown } = archive.source;
  while (s.source && typeof (s.source as { name?: unknown }).name === 'string')
    s = s.source as typeof s;
  return s.location ?? s.name;
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
