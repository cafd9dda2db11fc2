// cozip index: zipindex files. build indexes any ZIP from its central
// directory; ls and find read a serialized index; cat opens one member of the
// ZIP from the index alone, with one range read of the ZIP. The bodies are in
// index-actions.ts, loaded only when a subcommand runs.
import type { Command } from 'commander';

export interface BuildOptions {
  output: string;
  custom?: string[];
  all?: boolean;
  json?: boolean;
  force?: boolean;
  quiet?: boolean;
}

export function registerIndex(program: Command): void {
  const group = program
    .command('index')
    .description('zipindex files: index any ZIP once, then read members with one range request')
    .addHelpText(
      'after',
      `
A zipindex is a compact, serialized copy of what a ZIP's central directory
says about its files (the Go zipindex format, types 1-4): name, sizes,
offset, CRC-32, method, flags and optional custom key/value strings. Kept
next to the data (a database row, an object's metadata), it lets a reader
open any member with a single range read of the ZIP and no directory read.
SRC is a local path, an http(s):// URL or s3://bucket/key.

Examples:
  $ cozip index build https://example.com/photos.zip -o photos.zipindex
  $ cozip index cat photos.zipindex https://example.com/photos.zip 2024/01.jpg > 01.jpg`,
    );
  registerBuild(group);
  registerLs(group);
  registerFind(group);
  registerCat(group);
}

function registerBuild(group: Command): void {
  group
    .command('build')
    .description("index a ZIP's central directory into a zipindex file")
    .argument('<src>', 'ZIP path or http(s)/s3 URL')
    .requiredOption(
      '-o, --output <file>',
      'the index file to write (an existing one only with --force)',
    )
    .option('--custom <key=value...>', 'attach this key/value string to every indexed file')
    .option('--all', 'index every entry: directories, symlinks, unsupported methods too')
    .option('--json', 'one JSON summary object')
    .option('--force', 'replace OUT if it exists (never one of the inputs)')
    .addHelpText(
      'after',
      `
Only the end of SRC is read: the end records and the central directory
(remotely one request, two when the directory is larger than ~70 KiB).

By default the index keeps the regular files whose compression method this
build can decompress (store, deflate, zstd), like Go's zipindex: directories,
symlinks and other special entries, and members with other methods, are left
out, so every indexed file can be opened with 'index cat'. --all keeps every
entry of the central directory.

Entries are sorted by offset and CRC-32s repeated in data descriptors are
dropped (optimizeSize) before serializing. The summary gives the number of
entries, the index size, the bytes per entry and the size of the central
directory it replaces. --custom is variadic: put it after SRC, or end it
with --.

Examples:
  $ cozip index build photos.zip -o photos.zipindex --custom owner=alice
  $ cozip index build s3://bucket/photos.zip -o photos.zipindex --json`,
    )
    .action(async (src: string, _opts, cmd: Command) => {
      const { runBuild } = await import('./index-actions.js');
      await runBuild(src, cmd.optsWithGlobals<BuildOptions>());
    });
}

function registerLs(group: Command): void {
  group
    .command('ls')
    .description('list the files of a zipindex')
    .argument('<index>', 'zipindex path or http(s)/s3 URL')
    .option('--json', 'one JSON array of file objects')
    .addHelpText(
      'after',
      `
Columns: name, size, compressedSize, method, localHeaderOffset, crc32
("descriptor", null in JSON, when the index left it to the data descriptor),
flags, and custom when any file has custom values: the keys of every
listing (README, "JSON output"). JSON objects have every field, custom as an
object.

Example:
  $ cozip index ls photos.zipindex --json`,
    )
    .action(async (index: string, opts: { json?: boolean }) => {
      const { runLs } = await import('./index-actions.js');
      await runLs(index, opts);
    });
}

function registerFind(group: Command): void {
  group
    .command('find')
    .description('look up one file in a zipindex')
    .argument('<index>', 'zipindex path or http(s)/s3 URL')
    .argument('<name>', 'the file name, as index ls shows it')
    .option('--json', 'one JSON object')
    .addHelpText(
      'after',
      `
Decodes only what the encoding needs to find NAME. A name not in the index
fails with NOT_FOUND (exit 1).

Example:
  $ cozip index find photos.zipindex 2024/01.jpg --json`,
    )
    .action(async (index: string, name: string, opts: { json?: boolean }) => {
      const { runFind } = await import('./index-actions.js');
      await runFind(index, name, opts);
    });
}

function registerCat(group: Command): void {
  group
    .command('cat')
    .description("write one file's content to stdout, located through the index")
    .argument('<index>', 'zipindex path or http(s)/s3 URL')
    .argument('<src>', 'the indexed ZIP: path or http(s)/s3 URL')
    .argument('<name>', 'the file name, as index ls shows it')
    .addHelpText(
      'after',
      `
The ZIP's central directory is never read: the member (local header, data
and data descriptor) is fetched with one range read, decompressed, and its
size and CRC-32 checked. A ZIP that changed since it was indexed fails
(BAD_SIGNATURE, CRC_MISMATCH, ...) rather than returning wrong bytes.

Example:
  $ cozip index cat photos.zipindex https://example.com/photos.zip 2024/01.jpg > 01.jpg`,
    )
    .action(async (index: string, src: string, name: string) => {
      const { runCat } = await import('./index-actions.js');
      await runCat(index, src, name);
    });
}
