// The hidden index's name: `.NAME.sozip.idx` beside the member, i.e. a dot
// inserted after the last `/` of the member's name and `.sozip.idx` appended.
// GDAL inserts the dot after the FIRST `/` instead (`a/.b/c.sozip.idx` for
// `a/b/c`); readers look for both, writers write the specified one.

const SLASH = 0x2f;
const DOT = 0x2e;
const SUFFIX = new TextEncoder().encode('.sozip.idx');

export type IndexNameStyle = 'spec' | 'gdal';

/** The index name the specification gives `name` (`dir/.file.sozip.idx`). */
export function sozipIndexName(name: string, style: IndexNameStyle = 'spec'): string {
  const cut = (style === 'spec' ? name.lastIndexOf('/') : name.indexOf('/')) + 1;
  return `${name.slice(0, cut)}.${name.slice(cut)}.sozip.idx`;
}

/**
 * The same on a header's raw name bytes, whatever their encoding: `/` is
 * byte 0x2F in CP437 and UTF-8 alike, and never part of a UTF-8 sequence.
 */
export function sozipIndexRawName(raw: Uint8Array, style: IndexNameStyle = 'spec'): Uint8Array {
  const cut = (style === 'spec' ? raw.lastIndexOf(SLASH) : raw.indexOf(SLASH)) + 1;
  const out = new Uint8Array(raw.length + 1 + SUFFIX.length);
  out.set(raw.subarray(0, cut), 0);
  out[cut] = DOT;
  out.set(raw.subarray(cut), cut + 1);
  out.set(SUFFIX, raw.length + 1);
  return out;
}

/** Both names a reader accepts for the index of `name`: the specified one first. */
export function indexNameCandidates(name: string): string[] {
  const spec = sozipIndexName(name, 'spec');
  const gdal = sozipIndexName(name, 'gdal');
  return spec === gdal ? [spec] : [spec, gdal];
}
