// cozip sozip create / convert: writing SOZip archives. Output is written to
// a temp file and renamed on success. The bodies are in
// sozip-write-actions.ts, loaded only when a subcommand runs.
import type { Command } from 'commander';
import { parseDate } from '../options.js';
import {
  CHUNK_SIZE_HELP,
  DEFAULT_MIN_SIZE,
  FORCE_HELP,
  LEVEL_HELP,
  MIN_SIZE_HELP,
  parseByteCount,
  parseChunkSize,
  parseLevel,
  parseThreads,
  type SozipWriteOptions,
  THREADS_HELP,
} from './sozip-options.js';

export interface CreateOptions extends SozipWriteOptions {
  mtime?: Date;
  namePrefix?: string;
  /** -j: every file under its basename, folders dropped. */
  junkPaths?: boolean;
  /** Add to an existing archive (appendSozip) rather than write a new one. */
  append?: boolean;
}

export function registerSozipCreate(group: Command): void {
  group
    .command('create')
    .description('write files and directories into a new SOZip archive')
    .argument('<out>', 'the archive to write (an existing one only with --force)')
    .argument(
      '<files...>',
      'files (stored under their basename) and directories (recursed, under their own name)',
    )
    .option('--chunk-size <bytes>', CHUNK_SIZE_HELP, parseChunkSize)
    .option('--min-size <bytes>', MIN_SIZE_HELP, parseByteCount, parseByteCount(DEFAULT_MIN_SIZE))
    .option('--threads <n>', THREADS_HELP, parseThreads)
    .option('--level <0-9>', `${LEVEL_HELP}; 0 stores the files`, parseLevel)
    .option('-j, --junk-paths', 'store every file under its basename (no folders)')
    .option('--append', 'add the files to the existing archive OUT (its entries are kept)')
    .option('--force', FORCE_HELP)
    .option('--json', 'print a JSON summary object on stdout')
    .option('--mtime <iso>', 'modification time of every entry, for reproducible output', parseDate)
    .option('--name-prefix <dir/>', 'put every entry under this folder in the archive')
    .addHelpText(
      'after',
      `
A FILE is stored under its basename; a directory's regular files under the
directory's own name, then their path inside it, as zip -r keeps it
("tiles/" and "/data/tiles" give "tiles/0/1.tif"; "." no folder), sorted,
symlinks skipped. -j stores every file under its basename;
--name-prefix puts everything under a folder. Every Deflate member larger
than --min-size (and the chunk size) is chunked, compressed on worker threads
and followed by its hidden index (.NAME.sozip.idx); smaller ones are
ordinary Deflate. --append adds to an existing archive in place (undone if
it fails). The result is an ordinary ZIP that any unzip reads.

Examples:
  $ cozip sozip create rivers.zip rivers.gpkg lakes.gpkg
  $ cozip sozip create tiles.zip tiles/ --chunk-size 64K --threads 4
  $ cozip sozip create rivers.zip more.gpkg --append`,
    )
    .action(async (out: string, files: string[], _opts, cmd: Command) => {
      const { runCreate } = await import('./sozip-write-actions.js');
      await runCreate(out, files, cmd.optsWithGlobals<CreateOptions>());
    });
}

export function registerSozipConvert(group: Command): void {
  group
    .command('convert')
    .description('rewrite any ZIP as a SOZip archive')
    .argument('<in>', 'ZIP path or http(s)/s3 URL')
    .argument('<out>', 'the archive to write (an existing one only with --force)')
    .option('--chunk-size <bytes>', CHUNK_SIZE_HELP, parseChunkSize)
    .option('--min-size <bytes>', MIN_SIZE_HELP, parseByteCount, parseByteCount(DEFAULT_MIN_SIZE))
    .option('--threads <n>', THREADS_HELP, parseThreads)
    .option('--level <0-9>', LEVEL_HELP, parseLevel)
    .option('--force', FORCE_HELP)
    .option('--json', 'print a JSON summary object on stdout')
    .addHelpText(
      'after',
      `
Deflate members larger than --min-size and the chunk size are decompressed (CRC-checked)
and recompressed as SOZip; members that already have a valid index with the
same chunk size are copied with it; everything else (stored and small
members, directories) is copied verbatim, with its time, permissions and
comment.

Example:
  $ cozip sozip convert https://example.com/plain.zip seekable.zip --chunk-size 64K`,
    )
    .action(async (input: string, out: string, _opts, cmd: Command) => {
      const { runConvert } = await import('./sozip-write-actions.js');
      await runConvert(input, out, cmd.optsWithGlobals<SozipWriteOptions>());
    });
}
