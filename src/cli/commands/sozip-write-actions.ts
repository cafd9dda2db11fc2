// cozip sozip create / convert, the actions (createSozipWriter,
// convertToSozip): the SOZip writer and its worker threads load here.

import { lstatSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { CozipError } from '../../errors.js';
import { appendSozip } from '../../sozip/append.js';
import { convertToSozip } from '../../sozip/convert.js';
import { createSozipWriter } from '../../sozip/writer.js';
import { openZip } from '../../zip/reader.js';
import { UsageError } from '../errors.js';
import { networkOptions } from '../network.js';
import { count, printJson, writeOut } from '../output.js';
import { progressBar } from '../progress.js';
import { checkTarget, refuseInput } from '../targets.js';
import { walkDir } from '../walk.js';
import { type SozipWriteOptions, warningNotes } from './sozip-options.js';
import type { CreateOptions } from './sozip-write.js';

interface InputFile {
  name: string;
  path: string;
  size: number;
}

export async function runCreate(out: string, files: string[], opts: CreateOptions): Promise<void> {
  const prefix = namePrefix(opts.namePrefix);
  if (opts.append) {
    // The archive must be there; it is never one of the files added to it.
    if (!lstatSync(out, { throwIfNoEntry: false })?.isFile()) {
      throw new CozipError(
        'NOT_FOUND',
        `${out} does not exist (--append adds to an existing archive)`,
        {
          details: { path: out },
        },
      );
    }
    refuseInput(out, files, '--append');
  } else {
    // `sozip create a.tif b.tif` (the output name forgotten) must not eat a.tif.
    checkTarget(out, { replace: opts.force, inputs: files });
  }
  const inputs = await collectInputs(files, out, prefix, opts.junkPaths === true);
  const total = inputs.reduce((sum, f) => sum + f.size, 0);
  const bar = progressBar('sozip create', opts.quiet);
  try {
    const options = {
      chunkSize: opts.chunkSize,
      minSize: opts.minSize,
      level: opts.level,
      threads: opts.threads,
      mtime: opts.mtime,
      onWarning: warningNotes(opts.quiet),
      onProgress: (p: { bytesIn: number }) => bar.update(p.bytesIn, total),
    };
    const writer = opts.append
      ? await appendSozip(out, options)
      : await createSozipWriter(out, { ...options, overwrite: opts.force === true });
    let sozip = 0;
    let result: Awaited<ReturnType<typeof writer.finish>>;
    try {
      for (const f of inputs) {
        const w = await writer.addFile(f.name, f.path, {
          // Without --mtime each entry keeps its file's time (an undefined would erase it).
          ...(opts.mtime ? { mtime: opts.mtime } : {}),
          // --level 0 stores, as zip -0 does (a Deflate stream of stored blocks helps nobody).
          ...(opts.level === 0 ? { method: 0 } : {}),
        });
        if (w.sozip) sozip++;
      }
      result = await writer.finish();
    } catch (err) {
      await writer.abort(err);
      throw err;
    }
    bar.stop();
    if (opts.json) {
      await printJson({
        output: out,
        format: 'zip',
        entries: result.entries,
        sozipMembers: sozip,
        chunkSize: writer.chunkSize,
        size: result.size,
        zip64: result.zip64,
      });
    } else if (!opts.quiet) {
      await writeOut(
        `wrote ${out}: ${count(result.entries)} entries (${count(sozip)} SOZip-optimized, chunk size ${count(writer.chunkSize)}), ${count(result.size)} bytes${result.zip64 ? ', ZIP64' : ''}\n`,
      );
    }
  } finally {
    bar.stop();
  }
}

export async function runConvert(
  input: string,
  out: string,
  opts: SozipWriteOptions,
): Promise<void> {
  checkTarget(out, { replace: opts.force, inputs: [input] });
  // Opened here (one tail request) for the progress total; convert reuses the source.
  const zip = await openZip(input, networkOptions());
  const bar = progressBar('sozip convert', opts.quiet);
  try {
    const total = zip.entries.reduce((sum, e) => sum + (e.isDirectory ? 0 : e.uncompressedSize), 0);
    const result = await convertToSozip(zip.source, out, {
      chunkSize: opts.chunkSize,
      minSize: opts.minSize,
      level: opts.level,
      threads: opts.threads,
      overwrite: opts.force === true,
      onWarning: warningNotes(opts.quiet),
      onProgress: (p) => bar.update(p.bytesIn, total),
    });
    bar.stop();
    if (opts.json) {
      await printJson({
        output: out,
        format: 'zip',
        entries: result.entries,
        size: result.size,
        zip64: result.zip64,
        converted: result.converted,
        reused: result.reused,
        copied: result.copied,
      });
    } else if (!opts.quiet) {
      await writeOut(
        `wrote ${out}: ${count(result.entries)} entries, ${count(result.size)} bytes${result.zip64 ? ', ZIP64' : ''} (${count(result.converted)} recompressed as SOZip, ${count(result.reused)} SOZip kept, ${count(result.copied)} copied)\n`,
      );
    }
  } finally {
    bar.stop();
    await zip.source.close?.();
  }
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
 * What a directory argument is called in the archive: its own name, as zip
 * -r keeps it ("tiles/" and "/data/tiles" both give "tiles/..."); "." (the
 * current folder, however written) gives no folder, as `zip -r out.zip .`.
 */
function folderName(given: string, resolved: string): string {
  if (given.split(/[\\/]+/).every((p) => p === '' || p === '.')) return '';
  const name = basename(resolved);
  return name === '' ? '' : `${name}/`;
}

/**
 * Every file to add, checked before anything is written: missing inputs,
 * special files and names that collide fail here.
 */
async function collectInputs(
  files: string[],
  out: string,
  prefix: string,
  junkPaths: boolean,
): Promise<InputFile[]> {
  const target = resolve(out);
  const inputs: InputFile[] = [];
  for (const file of files) {
    const st = await stat(file).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
      throw new CozipError('NOT_FOUND', `${file} does not exist`, { details: { path: file } });
    });
    const path = resolve(file);
    if (st.isDirectory()) {
      const folder = junkPaths ? '' : folderName(file, path);
      // The output may live inside the directory: never pack it into itself.
      for (const f of walkDir(path, target)) {
        const name = junkPaths ? basename(f.path) : folder + f.name;
        inputs.push({ name: prefix + name, path: f.path, size: f.size });
      }
    } else if (st.isFile()) {
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
  // The walk skips OUT by path; a hard link to it under another name is caught here.
  refuseInput(
    out,
    inputs.map((f) => f.path),
  );
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
