// Any ZIP to a Flat cozip: every file member is decompressed (CRC-checked)
// and stored; the manifest gets the member's mtime and original method.
import { CozipError } from '../errors.js';
import { isRangeSource, type OpenSourceOptions, type SourceInput } from '../io/open-source.js';
import { methodName } from '../zip/codecs.js';
import type { ZipEntry } from '../zip/entry.js';
import { openZip } from '../zip/reader.js';
import { SequentialContents } from '../zip/scan.js';
import type { Sink } from '../zip/sink.js';
import { INDEX_NAME, METADATA_NAME, PADDING_NAME } from './constants.js';
import type { CozipRow } from './inputs.js';
import { CURRENT_SPEC, isAsciiName } from './names.js';
import { type CozipWriteResult, type WriteCozipOptions, writeCozip } from './writer.js';

const RESERVED = new Set([INDEX_NAME, PADDING_NAME, METADATA_NAME]);

export interface ConvertOptions
  extends Omit<WriteCozipOptions, 'profile' | 'metadata'>,
    OpenSourceOptions {
  /** Extra manifest columns per member, from the ZIP entry. */
  columns?: (entry: { name: string; mtime: Date; method: number }) => Record<string, unknown>;
}

/**
 * Rewrites `input` (any ZIP, a cozip too) as a Flat cozip at `out`.
 * Directories, empty files and symlinks are left out (cozip stores non-empty
 * regular files only), and so are a cozip's own `__cozip__`,
 * `__cozip_padding__` and `__metadata__`; `skipped` lists them. Names must
 * satisfy the cozip rules.
 */
export async function convertToCozip(
  input: SourceInput,
  out: string | Sink,
  options: ConvertOptions = {},
): Promise<CozipWriteResult & { skipped: Array<{ name: string; reason: string }> }> {
  const zip = await openZip(input, options);
  try {
    const skipped: Array<{ name: string; reason: string }> = [];
    const kept: ZipEntry[] = [];
    for (const e of zip.entries) {
      const reason = e.isDirectory
        ? 'directory'
        : e.isSymlink
          ? 'symlink'
          : e.uncompressedSize === 0
            ? 'empty file'
            : RESERVED.has(e.name)
              ? 'cozip structure entry'
              : undefined;
      if (reason) skipped.push({ name: e.name, reason });
      else kept.push(e);
    }
    // Members go in the order they lie in the source, which is read front
    // to back in large windows; their CRC-32 is known, so the writer needs
    // no patch after each one.
    if (!options.escapeNames && options.spec !== '1.0.1') refuseNonAscii(kept.map((e) => e.name));
    const contents = new SequentialContents(zip, kept);
    const rows: CozipRow[] = contents.order.map((e) => {
      const mtime = e.mtime;
      const row: CozipRow = {
        name: e.name,
        path: { size: e.uncompressedSize, crc32: e.crc32, stream: () => contents.next(e) },
        mtime,
        source_method: methodName(e.method),
      };
      // Not a spread in the literal: that is a slow path taken 100,000 times.
      return options.columns
        ? Object.assign(row, options.columns({ name: row.name, mtime, method: e.method }))
        : row;
    });
    try {
      const written = await writeCozip(out, rows, { ...options, profile: 'flat' }).catch((err) => {
        throw asMemberError(err, rows);
      });
      return { ...written, skipped };
    } finally {
      await contents.close();
    }
  } finally {
    if (!isRangeSource(input)) await zip.source.close?.();
  }
}

/**
 * The writer counts rows from 0 in its array; here the rows are the ZIP's
 * members, so its errors are told by member name ("row 3: ..." means
 * nothing to someone converting an archive).
 */
function asMemberError(err: unknown, rows: CozipRow[]): unknown {
  if (!(err instanceof CozipError)) return err;
  const { row, rows: pair } = err.details as { row?: unknown; rows?: unknown };
  let message: string | undefined;
  if (typeof row === 'number' && rows[row] && /^row \d+: /.test(err.message)) {
    const name = rows[row].name;
    const rest = err.message.replace(/^row \d+: /, '');
    message = rest.includes(JSON.stringify(name))
      ? rest
      : `member ${JSON.stringify(name)}: ${rest}`;
  } else if (Array.isArray(pair) && /^rows \d+ and \d+ both /.test(err.message)) {
    message = err.message.replace(/^rows \d+ and \d+ both /, 'two members ');
  }
  if (message === undefined) return err;
  const at = typeof row === 'number' ? row : Array.isArray(pair) ? Number(pair[0]) : undefined;
  const member = at !== undefined ? rows[at]?.name : undefined;
  return new CozipError(err.code, message, {
    details: { ...err.details, ...(member !== undefined ? { member } : {}) },
    cause: err,
  });
}

/** Names the current spec refuses for being non-ASCII, all listed in one error. */
function refuseNonAscii(names: string[]): void {
  const bad = names.filter((name) => !isAsciiName(name));
  if (bad.length === 0) return;
  const shown = bad.slice(0, 10).map((n) => JSON.stringify(n));
  const more = bad.length > shown.length ? ` and ${bad.length - shown.length} more` : '';
  throw new CozipError(
    'INVALID_NAME',
    `${bad.length} member name${bad.length === 1 ? ' is' : 's are'} not ASCII (cozip ${CURRENT_SPEC} names are): ` +
      `${shown.join(', ')}${more}; escape them (option escapeNames, CLI --escape-names) to store each ` +
      'non-ASCII byte as %XX with the original name in the source_name column',
    { details: { names: bad } },
  );
}
