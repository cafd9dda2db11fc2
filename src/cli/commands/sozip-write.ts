// cozip sozip create / convert: writing SOZip archives (createSozipWriter,
// convertToSozip). Output is written to a temp file and renamed on success.
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import { CozipError, convertToSozip, createSozipWriter, openZip } from '../../node.js';
import { UsageError } from '../errors.js';
import { parseDate } from '../options.js';
import { count, writeOut } from '../output.js';
import { progressBar } from '../progress.js';
import { walkDir } from '../walk.js';
import {
  CHUNK_SIZE_HELP,
  LEVEL_HELP,
  parseChunkSize,
  parseLevel,
  parseThreads,
  type SozipWriteOptions,
  THREADS_HELP,
  warningNotes,
} from './sozip-options.js';

interface CreateOptions extends SozipWriteOptions {
  mtime?: Date;
  namePrefix?: string;
}

interface InputFile {
  name: string;
  path: string;
  size: number;
}

export function registerSozipCreate(group: Command): void {
  group
    .command('create')
    .description('write files and directories into a new SOZip archive')
    .argument('<out>', 'the archive to write (replaced atomically)')
    .argument('<files...>', 'files (stored under their basename) and directories (recursed)')
    .option('--chunk-size <bytes>', CHUNK_SIZE_HELP, parseChunkSize)
    .option('--threads <n>', THREADS_HELP, parseThreads)
    .option('--level <0-9>', LEVEL_HELP, parseLevel)
    .option('--mtime <iso>', 'modification time of every entry, for reproducible output', parseDate)
    .option('--name-prefix <dir/>', 'put every entry under this folder in the archive')
    .addHelpText(
      'after',
      `
A FILE is stored under its basename; a directory's regular files are stored
under their path relative to that directory (sorted; symlinks skipped).
--name-prefix puts everything under a folder. Every Deflate member larger
than the chunk size is chunked, compressed on worker threads and followed by
its hidden index (.NAME.sozip.idx); smaller ones are ordinary Deflate. The
result is an ordinary ZIP that any unzip reads.

Examples:
  $ cozip sozip create rivers.zip rivers.gpkg lakes.gpkg
  $ cozip sozip create tiles.zip tiles/ --name-prefix tiles/ --chunk-size 64K --threads 4`,
    )
    .action(async (out: string, files: string[], _opts, cmd: Command) => {
      const opts = cmd.optsWithGlobals<CreateOptions>();
      const prefix = namePrefix(opts.namePrefix);
      const inputs = await collectInputs(files, out, prefix);
      const total = inputs.reduce((sum, f) => sum + f.size, 0);
      const bar = progressBar('sozip create', opts.quiet);
      try {
        const writer = await createSozipWriter(out, {
          chunkSize: opts.chunkSize,
          level: opts.level,
          threads: opts.threads,
          mtime: opts.mtime,
          onWarning: warningNotes(opts.quiet),
          onProgress: (p) => bar.update(p.bytesIn, total),
        });
        let sozip = 0;
        let result: Awaited<ReturnType<typeof writer.finish>>;
        try {
          for (const f of inputs) {
            // Without --mtime each entry keeps its file's time (an undefined would erase it).
            const w = await writer.addFile(f.name, f.path, opts.mtime ? { mtime: opts.mtime } : {});
            if (w.sozip) sozip++;
          }
          result = await writer.finish();
        } catch (err) {
          await writer.abort(err);
          throw err;
        }
        bar.stop();
        if (!opts.quiet) {
          await writeOut(
            `wrote ${out}: ${count(result.entries)} entries (${count(sozip)} SOZip-optimized, chunk size ${count(writer.chunkSize)}), ${count(result.size)} bytes${result.zip64 ? ', ZIP64' : ''}\n`,
          );
        }
      } finally {
        bar.stop();
      }
    });
}

export function registerSozipConvert(group: Command): void {
  group
    .command('convert')
    .description('rewrite any ZIP as a SOZip archive')
    .argument('<in>', 'ZIP path or http(s)/s3 URL')
    .argument('<out>', 'the archive to write (replaced atomically)')
    .option('--chunk-size <bytes>', CHUNK_SIZE_HELP, parseChunkSize)
    .option('--threads <n>', THREADS_HELP, parseThreads)
    .option('--level <0-9>', LEVEL_HELP, parseLevel)
    .addHelpText(
      'after',
      `
Deflate members larger than the chunk size are decompressed (CRC-checked)
and recompressed as SOZip; members that already have a valid index with the
same chunk size are copied with it; everything else (stored and small
members, directories) is copied verbatim, with its time, permissions and
comment.

Example:
  $ cozip sozip convert https://example.com/plain.zip seekable.zip --chunk-size 64K`,
    )
    .action(async (input: string, out: string, _opts, cmd: Command) => {
      const opts = cmd.optsWithGlobals<SozipWriteOptions>();
      // Opened here (one tail request) for the progress total; convert reuses the source.
      const zip = await openZip(input);
      const bar = progressBar('sozip convert', opts.quiet);
      try {
        const total = zip.entries.reduce(
          (sum, e) => sum + (e.isDirectory ? 0 : e.uncompressedSize),
          0,
        );
        const result = await convertToSozip(zip.source, out, {
          chunkSize: opts.chunkSize,
          level: opts.level,
          threads: opts.threads,
          onWarning: warningNotes(opts.quiet),
          onProgress: (p) => bar.update(p.bytesIn, total),
        });
        bar.stop();
        if (!opts.quiet) {
          await writeOut(
            `wrote ${out}: ${count(result.entries)} entries, ${count(result.size)} bytes${result.zip64 ? ', ZIP64' : ''} (${count(result.converted)} recompressed as SOZip, ${count(result.reused)} SOZip kept, ${count(result.copied)} copied)\n`,
          );
        }
      } finally {
        bar.stop();
        await zip.source.close?.();
      }
    });
}

/** --name-prefix as a folder: `dir` and `dir/` both give `dir/`. */
function namePrefix(text: string | undefined): string {
  if (text === undefined || text === '') return '';
  const prefix = text.endsWith('/') ? text : `${text}/`;
  if (prefix.startsWith('/') || prefix.includes('\\') || prefix.split('/').includes('..')) {
    throw new UsageError(
      `--name-prefix ${JSON.stringify(text)}: expected a relative folder (no leading /, no .., no \\)`,
    );
  }
  return prefix;
}

/**
 * Every file to add, checked before anything is written: missing inputs,
 * special files and names that collide fail here.
 */
async function collectInputs(files: string[], out: string, prefix: string): Promise<InputFile[]> {
  const target = resolve(out);
  const inputs: InputFile[] = [];
  for (const file of files) {
    const st = await stat(file).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
      throw new CozipError('NOT_FOUND', `${file} does not exist`, { details: { path: file } });
    });
    const path = resolve(file);
    if (st.isDirectory()) {
      // The output may live inside the directory: never pack it into itself.
      for (const f of walkDir(path, target)) {
        inputs.push({ name: prefix + f.name, path: f.path, size: f.size });
      }
    } else if (st.isFile()) {
      if (path === target) throw new UsageError(`${file} is the archive being written`);
      inputs.push({ name: prefix + basename(path), path, size: st.size });
    } else {
      throw new CozipError('INVALID_INPUT', `${file} is not a regular file or a directory`, {
        details: { path: file },
      });
    }
  }
  if (inputs.length === 0) {
    throw new CozipError('INVALID_INPUT', `no regular files in ${files.join(', ')}`);
  }
  const seen = new Map<string, string>();
  for (const f of inputs) {
    const other = seen.get(f.name);
    if (other !== undefined) {
      const why = other === f.path ? `${f.path} is given twice` : `${other} and ${f.path}`;
      throw new CozipError('DUPLICATE_NAME', `${why}: both would be stored as ${f.name}`, {
        details: { name: f.name },
      });
    }
    seen.set(f.name, f.path);
  }
  return inputs;
}
