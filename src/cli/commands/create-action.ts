// cozip create, the action: the cozip writer (hyparquet-writer) and the
// table readers load here.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { warmManifestEncoder } from '#manifest-later';
import type { CozipRow } from '../../cozip/inputs.js';
import { writeCozip } from '../../cozip/writer.js';
import { CozipError } from '../../errors.js';
import { parseTypes } from '../column-types.js';
import { UsageError } from '../errors.js';
import { dirRows, readTable, tableFormat, tableRows } from '../inputs.js';
import { metaColumns } from '../options.js';
import { cozipSummary, cozipWritten, note, printJson, type Skipped, writeOut } from '../output.js';
import { withProgress } from '../progress.js';
import { checkTarget } from '../targets.js';
import { walkDir } from '../walk.js';
import type { CreateOptions } from './create.js';

export async function runCreate(out: string, dir: string | undefined, cmd: Command): Promise<void> {
  const opts = cmd.optsWithGlobals<CreateOptions>();
  if ((dir === undefined) === (opts.from === undefined)) {
    throw new UsageError('give either a directory or --from TABLE');
  }
  if (opts.priority && opts.profile !== 'none') {
    throw new UsageError('--priority applies to --profile none only');
  }
  const meta = metaColumns(opts.meta);
  // Before anything is read: `create manifest.csv --from manifest.csv` replaced its own table.
  checkTarget(out, { replace: opts.force, inputs: opts.from === undefined ? [] : [opts.from] });
  // A Flat manifest's encoder thread loads while the inputs are read.
  if ((opts.profile ?? 'flat') === 'flat') warmManifestEncoder();
  const { rows, dateColumns, skipped } =
    dir !== undefined
      ? { ...(await directoryRows(dir, out, cmd, opts)), dateColumns: [] }
      : { ...(await fromTable(opts)), skipped: [] };
  for (const row of rows) {
    for (const [column, value] of Object.entries(meta)) {
      if (column in row)
        throw new UsageError(`--meta ${column}: the rows already have that column`);
      row[column] = value;
    }
  }
  const result = await withProgress('create', opts.quiet, (onProgress) =>
    writeCozip(out, rows, {
      profile: opts.profile,
      priority: opts.priority,
      mtime: opts.mtime,
      escapeNames: opts.escapeNames,
      // Also refused if one appears while the archive is written.
      overwrite: opts.force === true,
      // Name order: a remote lookup by name reads one page of the manifest.
      manifest: { sortByName: true, dateColumns },
      onProgress,
    }).catch((err) => {
      // The writer counts rows from 0 in its array; people count a table's data rows from 1.
      throw dir === undefined ? inTable(err, opts.from!) : inDirectory(err, dir);
    }),
  );
  if (opts.json) await printJson(cozipSummary(out, result, skipped));
  else if (!opts.quiet) await writeOut(cozipWritten(out, result));
}

async function directoryRows(
  dir: string,
  out: string,
  cmd: Command,
  opts: CreateOptions,
): Promise<{ rows: CozipRow[]; skipped: Skipped[] }> {
  for (const option of ['nameCol', 'pathCol']) {
    if (cmd.getOptionValueSource(option) === 'cli') {
      throw new UsageError('--name-col and --path-col apply to --from tables only');
    }
  }
  const st = await stat(dir).catch(() => undefined);
  if (!st) throw new CozipError('NOT_FOUND', `${dir} does not exist`, { details: { path: dir } });
  if (!st.isDirectory()) {
    throw new UsageError(
      `${dir} is not a directory${tableFormat(dir) ? ` (for a table use --from ${dir})` : ''}`,
    );
  }
  // The output may live inside the directory: never pack it into itself.
  const files = walkDir(resolve(dir), resolve(out));
  // cozip entries must be non-empty: leave empty files out and say so.
  const empty = files.filter((f) => f.size === 0);
  if (empty.length > 0 && !opts.quiet && !opts.json) {
    const shown = empty
      .slice(0, 5)
      .map((f) => f.name)
      .join(', ');
    note(
      `cozip: skipping ${empty.length} empty file(s) (cozip entries are non-empty): ${shown}${empty.length > 5 ? ', …' : ''}`,
    );
  }
  const kept = files.filter((f) => f.size > 0);
  if (kept.length === 0)
    throw new CozipError('INVALID_INPUT', `${dir} holds no non-empty regular files`);
  return {
    rows: dirRows(kept, opts.mtime),
    skipped: empty.map((f) => ({ name: f.name, reason: 'empty file' })),
  };
}

async function fromTable(
  opts: CreateOptions,
): Promise<{ rows: CozipRow[]; dateColumns: string[] }> {
  const from = opts.from!;
  if (!tableFormat(from)) {
    throw new UsageError(
      `--from ${from}: expected a .csv, .json, .jsonl, .ndjson or .parquet file`,
    );
  }
  const st = await stat(from).catch(() => undefined);
  if (!st) throw new CozipError('NOT_FOUND', `${from} does not exist`, { details: { path: from } });
  const types = parseTypes(opts.types);
  for (const column of [opts.nameCol, opts.pathCol]) {
    if (types.has(column) && types.get(column) !== 'string') {
      throw new UsageError(`--types ${column}: the name and path columns are text`);
    }
  }
  const { records, dateColumns } = await readTable(from, {
    textColumns: [opts.nameCol, opts.pathCol],
    delimiter: opts.delimiter,
    types,
  });
  if (records.length === 0) throw new CozipError('INVALID_INPUT', `${from} lists no files`);
  return { rows: await tableRows(records, from, opts), dateColumns };
}

/** A row error of the writer, told as the table's 1-based data row. */
function inTable(err: unknown, table: string): unknown {
  if (!(err instanceof CozipError)) return err;
  const { row, rows } = err.details as { row?: unknown; rows?: unknown };
  let message: string | undefined;
  let details = err.details;
  if (typeof row === 'number' && /^row \d+: /.test(err.message)) {
    message = err.message.replace(/^row \d+: /, `${table} row ${row + 1}: `);
    details = { ...details, table, row: row + 1 };
  } else if (Array.isArray(rows) && /^rows \d+ and \d+ /.test(err.message)) {
    const [a, b] = rows as number[];
    message = err.message.replace(/^rows \d+ and \d+ /, `${table} rows ${a + 1} and ${b + 1} `);
    details = { ...details, table, rows: [a + 1, b + 1] };
  }
  return message ? new CozipError(err.code, message, { details, cause: err }) : err;
}

/** A row error of the writer, told as the file under the directory (rows are files there). */
function inDirectory(err: unknown, dir: string): unknown {
  if (!(err instanceof CozipError) || typeof err.details.name !== 'string') return err;
  if (!/^rows? \d+(?: and \d+)?:? /.test(err.message)) return err;
  const message = err.message.replace(/^rows? \d+(?: and \d+)?:? /, `${dir}: `);
  return new CozipError(err.code, message, { details: err.details, cause: err });
}
