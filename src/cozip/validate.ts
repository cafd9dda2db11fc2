// Full conformance check of a cozip: the index and hash, the ZIP structure
// against the core rules, index/ZIP agreement, and the profile's rules
// (Flat manifest rows, TACO priority block). Every problem is collected with
// the spec's canonical code.
import { CozipError, type ErrorCode } from '../errors.js';
import {
  isRangeSource,
  type OpenSourceOptions,
  openSource,
  type SourceInput,
} from '../io/open-source.js';
import type { ReadPlanner } from '../io/planner.js';
import { runPool } from '../io/pool.js';
import { bytesEqual } from '../zip/bytes.js';
import { findOverlaps, overlappingNames } from '../zip/check.js';
import { FLAG_UTF8, U32_SENTINEL } from '../zip/constants.js';
import type { ZipEntry } from '../zip/entry.js';
import { openEntry, prefetchLocalRecords, readLocalRecord } from '../zip/entry-data.js';
import { decodeUtf8Strict, isAscii } from '../zip/names.js';
import { openZip, type ZipArchive } from '../zip/reader.js';
import {
  FORBIDDEN_FLAGS,
  INDEX_NAME,
  METADATA_NAME,
  PADDING_NAME,
  PROFILE_FLAT,
  PROFILE_TACO,
  TACO_COLLECTION,
  TACO_METADATA_DIR,
} from './constants.js';
import { openManifest } from './manifest-read.js';
import { type CozipSpec, CURRENT_SPEC, cozipNameProblem } from './names.js';
import { type CozipArchive, openCozip } from './reader.js';

export interface CozipProblem {
  code: ErrorCode;
  message: string;
  entry?: string;
}

export interface CozipValidation {
  ok: boolean;
  profile: string | undefined;
  /** Entries in the central directory. */
  entries: number;
  problems: CozipProblem[];
}

export interface ValidateCozipOptions extends OpenSourceOptions {
  /** Also read every payload and check its CRC-32 (default false). */
  content?: boolean;
  /**
   * The spec revision to check names against (default '0.1.0', whose names
   * are ASCII); '1.0.1' accepts the UTF-8 names that revision allowed.
   */
  spec?: CozipSpec;
  /** Local headers read concurrently (default 16; the planner merges neighbours). */
  concurrency?: number;
}

export async function validateCozip(
  input: SourceInput,
  options: ValidateCozipOptions = {},
): Promise<CozipValidation> {
  const problems: CozipProblem[] = [];
  const result = (cz?: CozipArchive, zip?: ZipArchive): CozipValidation => ({
    ok: problems.length === 0,
    profile: cz?.profileName ?? (cz ? String(cz.profile) : undefined),
    entries: zip?.entries.length ?? 0,
    problems,
  });
  const source = await openSource(input, options);
  try {
    return await validateOpened(source, options, problems, result);
  } finally {
    // A source this call opened (from a path or URL) is closed; one passed in is not.
    if (!isRangeSource(input)) await source.close();
  }
}

async function validateOpened(
  source: ReadPlanner,
  options: ValidateCozipOptions,
  problems: CozipProblem[],
  result: (cz?: CozipArchive, zip?: ZipArchive) => CozipValidation,
): Promise<CozipValidation> {
  const add = (code: ErrorCode, message: string, entry?: string) =>
    problems.push({ code, message, entry });
  let cz: CozipArchive;
  try {
    cz = await openCozip(source, { verifyHash: true });
  } catch (err) {
    if (!(err instanceof CozipError)) throw err;
    add(err.code, err.message);
    return result();
  }
  let zip: ZipArchive;
  try {
    zip = await openZip(source);
  } catch (err) {
    if (!(err instanceof CozipError)) throw err;
    add(
      err.code === 'INVALID_ZIP64' ? 'INVALID_ZIP64' : 'INVALID_ZIP_STRUCTURE',
      `ZIP structure: ${err.message}`,
    );
    return result(cz);
  }
  checkEnd(zip, add);
  const byName = checkEntries(zip, add, options.spec ?? CURRENT_SPEC);
  // Known before any payload is read: overlapping members are reported and
  // never decoded (a full-overlap bomb inflates gigabytes from kilobytes).
  const overlaps = findOverlaps(zip.entries, zip.cdOffset);
  for (const p of overlaps) {
    add(p.code === 'OVERLAP' ? 'OVERLAP' : 'INVALID_ZIP_STRUCTURE', p.message, p.entry);
  }
  const overlapping = overlappingNames(overlaps);
  const payloads = await checkLocalHeaders(zip, options.concurrency ?? 16, add);

  const indexEntry = byName.get(INDEX_NAME);
  if (indexEntry?.localHeaderOffset !== 0)
    add('INVALID_ZIP_STRUCTURE', `${INDEX_NAME} is not the entry at byte 0`);
  const where = (name: string) => {
    const e = byName.get(name);
    return e && { entry: e, offset: payloads.get(e), size: e.uncompressedSize };
  };
  for (const ie of cz.index) {
    const z = where(ie.name);
    if (!z)
      add('MISSING_ENTRY', `indexed file ${JSON.stringify(ie.name)} is not in the ZIP`, ie.name);
    else if (z.offset !== undefined && (z.offset !== ie.offset || z.size !== ie.size)) {
      add(
        'MISSING_ENTRY',
        `index says ${ie.name} is [${ie.offset}, +${ie.size}), the ZIP says [${z.offset}, +${z.size})`,
        ie.name,
      );
    }
    if (ie.name === PADDING_NAME)
      add('INVALID_NAME', `${PADDING_NAME} may not be indexed`, ie.name);
  }

  if (cz.profile === PROFILE_FLAT) await checkFlat(cz, zip, payloads, add);
  if (cz.profile === PROFILE_TACO) checkTaco(cz, zip, add);

  if (options.content) {
    for (const e of zip.entries) {
      if (overlapping.has(e.name)) continue;
      try {
        for await (const _ of openEntry(zip, e)) {
          // openEntry checks size and CRC-32 as it streams.
        }
      } catch (err) {
        if (!(err instanceof CozipError)) throw err;
        add('INVALID_ZIP_STRUCTURE', `${e.name}: ${err.message}`, e.name);
      }
    }
  }
  return result(cz, zip);
}

type Add = (code: ErrorCode, message: string, entry?: string) => void;

function checkEnd(zip: ZipArchive, add: Add): void {
  if (zip.rawComment.length > 0 || zip.commentTruncated)
    add('INVALID_ZIP_STRUCTURE', 'the EOCD comment must be empty');
  if (zip.trailingBytes > 0)
    add('INVALID_ZIP_STRUCTURE', `${zip.trailingBytes} bytes follow the EOCD`);
  if (zip.prefixLength > 0)
    add('INVALID_ZIP_STRUCTURE', `${zip.prefixLength} bytes precede the archive`);
}

/** Central directory rules; returns the entries by name. */
function checkEntries(zip: ZipArchive, add: Add, spec: CozipSpec): Map<string, ZipEntry> {
  const byName = new Map<string, ZipEntry>();
  let paddings = 0;
  for (const e of zip.entries) {
    const n = e.name;
    if (e.method !== 0)
      add('INVALID_ZIP_STRUCTURE', `${n}: method ${e.method}, cozip entries are STORE`, n);
    if (e.compressedSize !== e.uncompressedSize)
      add('INVALID_ZIP_STRUCTURE', `${n}: compressed and uncompressed sizes differ`, n);
    if (e.uncompressedSize === 0)
      add('INVALID_ZIP_STRUCTURE', `${n}: zero-byte entries are not allowed`, n);
    if (e.flags & FORBIDDEN_FLAGS)
      add(
        'INVALID_ZIP_STRUCTURE',
        `${n}: flags 0x${e.flags.toString(16)} set encryption or data-descriptor bits`,
        n,
      );
    if (decodeUtf8Strict(e.rawName) === undefined)
      add('INVALID_NAME', `${n}: name is not valid UTF-8`, n);
    else if (!isAscii(e.rawName) && !(e.flags & FLAG_UTF8))
      add('INVALID_NAME', `${n}: non-ASCII name without flag bit 11`, n);
    const problem = cozipNameProblem(n, spec);
    if (problem) {
      // A UTF-8 name the older revision allowed: say so, the archive is not broken.
      const older = spec !== '1.0.1' && cozipNameProblem(n, '1.0.1') === undefined;
      const note = older ? "; the name conforms to cozip 1.0.1 (check with spec '1.0.1')" : '';
      add('INVALID_NAME', `${JSON.stringify(n)}: ${problem}${note}`, n);
    }
    if (byName.has(n)) add('DUPLICATE_NAME', `${JSON.stringify(n)} appears twice`, n);
    if (n === PADDING_NAME) paddings++;
    byName.set(n, e);
  }
  if (paddings > 1) add('INVALID_ZIP_STRUCTURE', `${PADDING_NAME} appears ${paddings} times`);
  return byName;
}

/** Local headers against the central records; returns payload offsets. */
async function checkLocalHeaders(
  zip: ZipArchive,
  concurrency: number,
  add: Add,
): Promise<Map<ZipEntry, number>> {
  const payloads = new Map<ZipEntry, number>();
  await prefetchLocalRecords(zip, zip.entries);
  await runPool(zip.entries, concurrency, async (e) => {
    try {
      const { header, payloadOffset } = await readLocalRecord(zip, e);
      payloads.set(e, payloadOffset);
      const sized =
        header.compressedSize === U32_SENTINEL || header.compressedSize === e.compressedSize;
      if (
        !bytesEqual(header.rawName, e.rawName) ||
        header.method !== e.method ||
        header.flags !== e.flags ||
        !sized ||
        header.crc32 !== e.crc32
      ) {
        add(
          'INVALID_ZIP_STRUCTURE',
          `${e.name}: local header disagrees with the central directory`,
          e.name,
        );
      }
      if (payloadOffset + e.compressedSize > zip.cdOffset)
        add('INVALID_OFFSET', `${e.name}: data runs into the central directory`, e.name);
    } catch (err) {
      if (!(err instanceof CozipError)) throw err;
      add('INVALID_ZIP_STRUCTURE', `${e.name}: ${err.message}`, e.name);
    }
  });
  return payloads;
}

async function checkFlat(
  cz: CozipArchive,
  zip: ZipArchive,
  payloads: Map<ZipEntry, number>,
  add: Add,
): Promise<void> {
  const md = cz.index.find((e) => e.name === METADATA_NAME);
  if (!md) return; // openCozip already refused a Flat index without it
  const data = zip.entries.filter(
    (e) => e.name !== INDEX_NAME && e.name !== METADATA_NAME && e.name !== PADDING_NAME,
  );
  let rows: Array<Record<string, unknown>>;
  try {
    const manifest = await openManifest(cz.source, md.offset, md.size);
    rows = await manifest.rows({ columns: ['name', 'offset', 'size'] });
  } catch (err) {
    if (!(err instanceof CozipError)) throw err;
    add('INVALID_ZIP_STRUCTURE', `${METADATA_NAME}: ${err.message}`, METADATA_NAME);
    return;
  }
  if (rows.length !== data.length) {
    add(
      'MISSING_ENTRY',
      `${METADATA_NAME} has ${rows.length} rows for ${data.length} data entries`,
      METADATA_NAME,
    );
  }
  const entries = new Map(data.map((e) => [e.name, e]));
  const seen = new Set<string>();
  for (const row of rows) {
    const name = String(row.name);
    if (seen.has(name))
      add('DUPLICATE_NAME', `${METADATA_NAME} lists ${JSON.stringify(name)} twice`, name);
    seen.add(name);
    const e = entries.get(name);
    if (!e) {
      add(
        'MISSING_ENTRY',
        `manifest row ${JSON.stringify(name)} is not a data entry of the ZIP`,
        name,
      );
      continue;
    }
    const offset = payloads.get(e);
    if (row.offset !== offset || row.size !== e.uncompressedSize) {
      add(
        'MISSING_ENTRY',
        `manifest says ${name} is [${row.offset}, +${row.size}), the ZIP says [${offset}, +${e.uncompressedSize})`,
        name,
      );
    }
  }
}

function checkTaco(cz: CozipArchive, zip: ZipArchive, add: Add): void {
  const isPriority = (n: string) =>
    n === TACO_COLLECTION ||
    (n.startsWith(TACO_METADATA_DIR) && n.toLowerCase().endsWith('.parquet'));
  const expected = zip.entries
    .filter((e) => isPriority(e.name))
    .map((e) => e.name)
    .sort();
  const indexed = cz.index.map((e) => e.name).sort();
  if (expected.join('\n') !== indexed.join('\n')) {
    add(
      'MISSING_ENTRY',
      `TACO index lists ${indexed.length} files, the ZIP has ${expected.length} priority files`,
    );
  }
  // The priority files must be the last entries before the central directory.
  const byOffset = zip.entries.slice().sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  const block = byOffset.slice(byOffset.length - indexed.length);
  if (!block.every((e) => isPriority(e.name))) {
    add(
      'INVALID_ZIP_STRUCTURE',
      'TACO priority files do not form one block right before the central directory',
    );
  }
}
