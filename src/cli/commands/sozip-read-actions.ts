// cozip sozip validate / list / cat, the actions: the SOZip readers only.

import { CozipError } from '../../errors.js';
import { formatSozipList, listSozip } from '../../sozip/list.js';
import {
  closeSozipMember,
  openSozipMember,
  readRange,
  streamRange,
} from '../../sozip/random-access.js';
import { formatSozipValidation, validateSozip } from '../../sozip/validate.js';
import { methodName } from '../../zip/codecs.js';
import { openZip } from '../../zip/reader.js';
import { EXIT_FAILURE } from '../errors.js';
import { networkOptions } from '../network.js';
import { isoTime, printJson, writeOut } from '../output.js';
import type { CatOptions } from './sozip.js';
import { warningNotes } from './sozip-options.js';

/** Ranges up to this size are read at once; larger ones are streamed in steps. */
const READ_AT_ONCE = 4 * 1024 * 1024;

export async function runValidate(
  src: string,
  opts: { deep?: boolean; json?: boolean },
): Promise<void> {
  const v = await validateSozip(src, { deep: opts.deep === true });
  const note =
    v.ok && v.sozipMembers === 0
      ? `${src} is a valid ZIP without SOZip-optimized members (readers decode them from the start)`
      : undefined;
  if (opts.json) {
    // Members in the listings' vocabulary (size, compressedSize, method by name).
    const members = v.members.map(
      ({ name, method, compressedSize, uncompressedSize, ...rest }) => ({
        name,
        size: uncompressedSize,
        compressedSize,
        method: methodName(method),
        ...rest,
      }),
    );
    await printJson({ source: src, ...v, members, ...(note ? { note } : {}) });
  } else await writeOut(`${formatSozipValidation(v)}\n${note ? `note: ${note}\n` : ''}`);
  if (!v.ok) process.exitCode = EXIT_FAILURE;
}

export async function runList(src: string, opts: { json?: boolean }): Promise<void> {
  const rows = await listSozip(src);
  if (opts.json) {
    await printJson(
      rows.map((r) => ({
        name: r.name,
        size: r.uncompressedSize,
        compressedSize: r.compressedSize,
        method: r.method,
        crc32: r.crc32,
        localHeaderOffset: r.localHeaderOffset,
        mtime: isoTime(r.mtime),
        isDirectory: r.isDirectory,
        sozip: r.sozip,
        chunkSize: r.chunkSize ?? null,
      })),
    );
  } else await writeOut(`${formatSozipList(rows)}\n`);
}

export async function runCat(src: string, name: string, opts: CatOptions): Promise<void> {
  const zip = await openZip(src, networkOptions());
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
}
