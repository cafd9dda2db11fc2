// cozip validate, the action: a cozip against its spec (validateCozip), any
// other ZIP through the integrity check (checkZip). Problems print as
// `CODE: message`. The cozip validator (hyparquet, for the manifest) loads
// only for cozips.
import { openCozip } from '../../cozip/reader.js';
import { CozipError, isCozipError } from '../../errors.js';
import type { ReadPlanner } from '../../io/planner.js';
import { mayBeFollowedByIndex } from '../../sozip/detect.js';
import { validateSozip } from '../../sozip/validate.js';
import { checkZip, overlappingNames } from '../../zip/check.js';
import type { ZipEntry } from '../../zip/entry.js';
import { openZip } from '../../zip/reader.js';
import { claimsCozip, openSrc } from '../archive.js';
import { EXIT_FAILURE } from '../errors.js';
import { count, printJson, writeOut } from '../output.js';
import type { ValidateOptions } from './validate.js';

interface Problem {
  code: string;
  message: string;
  entry?: string;
}

interface Report {
  source: string;
  ok: boolean;
  format: 'cozip' | 'zip' | 'unknown';
  profile?: string;
  entries: number;
  /** Plain ZIPs: members with a valid SOZip index. */
  sozipMembers?: number;
  problems: Problem[];
  warnings: Problem[];
}

export async function runValidate(src: string, opts: ValidateOptions): Promise<void> {
  const source = await openSrc(src);
  let report: Report;
  try {
    report = (await isCozip(source))
      ? await cozipReport(src, source, opts.content === true, opts.spec)
      : await zipReport(src, source);
  } finally {
    await source.close();
  }
  if (opts.json) await printJson(report);
  else await writeOut(describe(report));
  if (!report.ok) process.exitCode = EXIT_FAILURE;
}

/** A cozip, or an archive that claims to be one and is damaged: the cozip rules apply. */
async function isCozip(source: ReadPlanner): Promise<boolean> {
  try {
    await openCozip(source, { verifyHash: false });
    return true;
  } catch (err) {
    if (await claimsCozip(source)) return true;
    // Plain ZIPs (and non-ZIPs) fail here; I/O errors are not a verdict.
    if (isCozipError(err, 'INVALID_LFH')) return false;
    throw err;
  }
}

async function cozipReport(
  src: string,
  source: ReadPlanner,
  content: boolean,
  spec: ValidateOptions['spec'],
): Promise<Report> {
  const { validateCozip } = await import('../../cozip/validate.js');
  const v = await validateCozip(source, { content, spec });
  return {
    source: src,
    ok: v.ok,
    format: 'cozip',
    profile: v.profile,
    entries: v.entries,
    problems: v.problems,
    warnings: [],
  };
}

async function zipReport(src: string, source: ReadPlanner): Promise<Report> {
  try {
    const zip = await openZip(source);
    // One pass over the archive: while checking, note the members a hidden
    // SOZip index may follow; only those get the SOZip deep check (each
    // chunk decoded on its own).
    const candidates = new Set<ZipEntry>();
    const r = await checkZip(zip, {
      content: true,
      inspect: (m) => {
        // The last member's `after` runs up to the central directory: all there is.
        const complete = m.payloadOffset + m.entry.compressedSize + m.after.length >= zip.cdOffset;
        if (mayBeFollowedByIndex(m.entry, m.data ? m.after : undefined, complete)) {
          candidates.add(m.entry);
        }
      },
    });
    // Overlapping members are reported by checkZip already and not decoded.
    const overlapping = overlappingNames(r.problems);
    const s = await validateSozip(zip, {
      deep: true,
      select: (e) => candidates.has(e) && !overlapping.has(e.name),
    });
    return {
      source: src,
      ok: r.ok && s.ok,
      format: 'zip',
      entries: r.entries,
      sozipMembers: s.sozipMembers,
      problems: [...r.problems, ...s.problems],
      warnings: r.warnings,
    };
  } catch (err) {
    // Not even a ZIP directory to check: that is the one problem.
    if (!(err instanceof CozipError)) throw err;
    const problem = { code: err.code, message: err.message };
    return {
      source: src,
      ok: false,
      format: 'unknown',
      entries: 0,
      problems: [problem],
      warnings: [],
    };
  }
}

function line(p: Problem): string {
  const where = p.entry && !p.message.includes(p.entry) ? ` (${p.entry})` : '';
  return `${p.code}: ${p.message.split('\n')[0]}${where}\n`;
}

function describe(r: Report): string {
  const what =
    r.format === 'cozip'
      ? `cozip${r.profile ? ` (profile ${r.profile})` : ''}`
      : r.format === 'zip'
        ? 'ZIP'
        : 'not a ZIP';
  let out = r.problems.map(line).join('');
  out += r.warnings.map((w) => `warning: ${line(w)}`).join('');
  out += r.ok
    ? `ok: ${r.source}: ${what}, ${count(r.entries)} entries\n`
    : `FAILED: ${r.source}: ${what}, ${count(r.problems.length)} problem(s)\n`;
  if (r.sozipMembers)
    out = out.replace(/ entries\n$/, ` entries (${count(r.sozipMembers)} SOZip)\n`);
  return out;
}
