// cozip sozip: SOZip (seek-optimized ZIP) archives. create and convert write
// them (sozip-write.ts); validate, list and cat read any ZIP, locally or over
// http(s)/s3, and never download more than the bytes they need. The bodies
// are in sozip-read-actions.ts, loaded only when a subcommand runs.
import type { Command } from 'commander';
import { parseCount } from '../options.js';
import { registerSozipConvert, registerSozipCreate } from './sozip-write.js';

export function registerSozip(program: Command): void {
  const group = program
    .command('sozip')
    .description('SOZip archives: create, convert, validate, list, read byte ranges of members')
    .addHelpText(
      'after',
      `
A SOZip member is Deflate compressed in independent chunks, followed by a
hidden chunk index, so a reader can seek inside it; the archive is still an
ordinary ZIP. validate, list and cat take any ZIP. SRC is a local path, an
http(s):// URL or s3://bucket/key. Exit status: 0 ok, 1 failure (validate:
a SOZip index is invalid), 2 usage error.

Example:
  $ cozip sozip create rivers.zip rivers.gpkg && cozip sozip cat rivers.zip rivers.gpkg --offset 1000000 --length 4096`,
    );
  registerSozipCreate(group);
  registerSozipConvert(group);
  registerSozipValidate(group);
  registerSozipList(group);
  registerSozipCat(group);
}

function registerSozipValidate(group: Command): void {
  group
    .command('validate')
    .description(
      'check every member: SOZip-optimized or not, index valid or not; exit 1 if invalid',
    )
    .argument('<src>', 'ZIP path or http(s)/s3 URL')
    .option('--deep', 'also decode every chunk on its own and check the CRC-32 of the whole')
    .option('--json', 'one JSON report')
    .addHelpText(
      'after',
      `
Like GDAL's sozip --validate: one line per member saying whether it is
SOZip-optimized, with its chunk size and chunk count, and every problem of
its index as CODE: message (SOZIP_INVALID_INDEX, SOZIP_INDEX_LISTED, and with
--deep SOZIP_BAD_CHUNK, CRC_MISMATCH). Without --deep only the index is
read; with it the compressed data of SOZip members is read too.

Exit status: 1 if any index is invalid. A ZIP without SOZip members is valid
(exit 0) and says so in a note ("note" in the JSON report), as GDAL does.

Examples:
  $ cozip sozip validate rivers.zip --deep
  $ cozip sozip validate https://example.com/rivers.zip --json`,
    )
    .action(async (src: string, opts: { deep?: boolean; json?: boolean }) => {
      const { runValidate } = await import('./sozip-read-actions.js');
      await runValidate(src, opts);
    });
}

function registerSozipList(group: Command): void {
  group
    .command('list')
    .description('list the members with sizes, method, SOZip status and chunk size')
    .argument('<src>', 'ZIP path or http(s)/s3 URL')
    .option('--json', 'one JSON array of member objects')
    .addHelpText(
      'after',
      `
Like GDAL's sozip --list. Hidden indexes have no central directory entry, so
they are not listed; "SOZip" is yes only when the member's index is valid.
JSON fields: name, compressedSize, uncompressedSize, method, isDirectory,
mtime, sozip, chunkSize (null when not SOZip).

Examples:
  $ cozip sozip list rivers.zip
  $ cozip sozip list s3://bucket/rivers.zip --json`,
    )
    .action(async (src: string, opts: { json?: boolean }) => {
      const { runList } = await import('./sozip-read-actions.js');
      await runList(src, opts);
    });
}

export interface CatOptions {
  offset?: number;
  length?: number;
  quiet?: boolean;
}

function registerSozipCat(group: Command): void {
  group
    .command('cat')
    .description("write a byte range of a member's content to stdout")
    .argument('<src>', 'ZIP path or http(s)/s3 URL')
    .argument('<name>', 'the member name, as list shows it')
    .option('--offset <n>', 'first byte of the content to write (default 0)', parseCount)
    .option('--length <n>', 'bytes to write at most (default: to the end)', parseCount)
    .addHelpText(
      'after',
      `
With a SOZip index only the chunks covering the range are fetched (one range
request) and decoded; stored members are read directly; any other member is
decoded from its start. A range running past the end stops at the end; an
--offset past the end fails with OUT_OF_RANGE.

Examples:
  $ cozip sozip cat rivers.zip rivers.gpkg --offset 1000000 --length 4096 > page.bin
  $ cozip sozip cat https://example.com/rivers.zip rivers.gpkg --offset 100 | head -c 16 | xxd`,
    )
    .action(async (src: string, name: string, _opts, cmd: Command) => {
      const { runCat } = await import('./sozip-read-actions.js');
      await runCat(src, name, cmd.optsWithGlobals<CatOptions>());
    });
}
