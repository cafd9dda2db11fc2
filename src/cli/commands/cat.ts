// cozip cat: one member's bytes to stdout.
import type { Command } from 'commander';
import { CozipError, openEntry, openMember, readManifest } from '../../node.js';
import { flatCozip, type Opened, withArchive, zipView } from '../archive.js';
import { writeOut } from '../output.js';

export function registerCat(program: Command): void {
  program
    .command('cat')
    .description("write one member's bytes to stdout")
    .argument('<src>', 'archive path or http(s) URL')
    .argument('<name>', 'the member name, as ls shows it')
    .addHelpText(
      'after',
      `
A Flat cozip finds the member through its manifest and reads it with one
range request; priority files (__metadata__) can be read too. Other ZIPs
are decompressed and CRC-checked.

Examples:
  $ cozip cat dataset.zip train/0.tif > 0.tif
  $ cozip cat https://example.com/dataset.zip __metadata__ > manifest.parquet`,
    )
    .action(async (src: string, name: string) => {
      await withArchive(src, async (opened) => {
        for await (const chunk of await memberStream(opened, name, src)) await writeOut(chunk);
      });
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
