// cozip sozip: SOZip (seek-optimized ZIP) archives. create and convert write
// them (sozip-write.ts); validate, list and cat read any ZIP, locally or over
// http(s)/s3, and never download more than the bytes they need.
import type { Command } from 'commander';
import {
  CozipError,
  closeSozipMember,
  formatSozipList,
  formatSozipValidation,
  listSozip,
  openSozipMember,
  openZip,
  readRange,
  streamRange,
  validateSozip,
} from '../../node.js';
import { EXIT_FAILURE } from '../errors.js';
import { parseCount } from '../options.js';
import { printJson, writeOut } from '../output.js';
import { warningNotes } from './sozip-options.js';
import { registerSozipConvert, registerSozipCreate } from './sozip-write.js';

/** Ranges up to this size are read at once; larger ones are streamed in steps. */
const READ_AT_ONCE = 4 * 1024 * 1024;

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
      const v = await validateSozip(src, { deep: opts.deep === true });
      const note =
        v.ok && v.sozipMembers === 0
          ? `${src} is a valid ZIP without SOZip-optimized members (readers decode them from the start)`
          : undefined;
      if (opts.json) await printJson({ source: src, ...v, ...(note ? { note } : {}) });
      else await writeOut(`${formatSozipValidation(v)}\n${note ? `note: ${note}\n` : ''}`);
      if (!v.ok) process.exitCode = EXIT_FAILURE;
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
      const rows = await listSozip(src);
      if (opts.json) await printJson(rows.map((r) => ({ ...r, chunkSize: r.chunkSize ?? null })));
      else await writeOut(`${formatSozipList(rows)}\n`);
    });
}

interface CatOptions {
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
      const opts = cmd.optsWithGlobals<CatOptions>();
      const zip = await openZip(src);
      try {
        const entry = zip.entries.find((e) => e.name === name);
        if (!entry || entry.isDirectory) {
          throw new CozipError('NOT_FOUND', `${name} is not a file member of ${src}`, {
            details: { name },
          });
        }
        const member = await openSozipMember(zip, entry, { onWarning: warningNotes(opts.quiet) });
        try {
          const offset = opts.offset ?? 0;
          if (offset > member.size) {
            throw new CozipError(
              'OUT_OF_RANGE',
              `--offset ${offset} is past the end of ${name} (${member.size} bytes)`,
              { details: { offset, size: member.size } },
            );
          }
          const end =
            opts.length === undefined ? member.size : Math.min(member.size, offset + opts.length);
          if (end - offset <= READ_AT_ONCE) {
            await writeOut(await readRange(member, offset, end - offset));
          } else {
            for await (const bytes of streamRange(member, offset, end)) await writeOut(bytes);
          }
        } finally {
          await closeSozipMember(member);
        }
      } finally {
        await zip.source.close?.();
      }
    });
}
