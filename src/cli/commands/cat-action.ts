// cozip cat, the action: the manifest reader (hyparquet) loads only to look
// a name up in a Flat cozip.
import { openMember } from '../../cozip/reader.js';
import { CozipError } from '../../errors.js';
import { openEntry } from '../../zip/entry-data.js';
import { flatCozip, type Opened, withArchive, zipView } from '../archive.js';
import { writeOut } from '../output.js';

export async function runCat(src: string, name: string): Promise<void> {
  await withArchive(src, async (opened) => {
    for await (const chunk of await memberStream(opened, name, src)) await writeOut(chunk);
  });
}

async function memberStream(
  opened: Opened,
  name: string,
  src: string,
): Promise<AsyncIterable<Uint8Array>> {
  if (opened.kind === 'cozip') {
    const { cozip } = opened;
    if (flatCozip(opened)) {
      const { readManifest } = await import('../../cozip/manifest.js');
      const [row] = await readManifest(cozip, {
        filter: { name },
        columns: ['name', 'offset', 'size'],
      });
      if (row) return openMember(cozip, row);
    }
    // Priority files are not manifest rows; the index says where they are.
    const priority = cozip.index.find((e) => e.name === name);
    if (priority) return openMember(cozip, priority);
  }
  const zip = await zipView(opened);
  const entry = zip.entries.find((e) => e.name === name);
  if (!entry || entry.isDirectory) {
    throw new CozipError('NOT_FOUND', `${name} is not a member of ${src}`, { details: { name } });
  }
  return openEntry(zip, entry);
}
