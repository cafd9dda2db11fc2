// Runs one corpus probe on an archive and reports what happened: the typed
// error it threw, the problems a check reported, or the value it returned.
import { lstatSync, mkdirSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { readManifest } from '../src/cozip/manifest.js';
import { openCozip, readMember } from '../src/cozip/reader.js';
import { validateCozip } from '../src/cozip/validate.js';
import { CozipError } from '../src/errors.js';
import { bytesSource } from '../src/io/bytes-source.js';
import { openSozipMember, readRange } from '../src/sozip/random-access.js';
import { validateSozip } from '../src/sozip/validate.js';
import { checkZip } from '../src/zip/check.js';
import { openEntry } from '../src/zip/entry-data.js';
import { extractZip } from '../src/zip/extract.js';
import { planExtraction } from '../src/zip/extract-plan.js';
import { openZip } from '../src/zip/reader.js';
import { deserializeFiles, findSerialized } from '../src/zipindex/index.js';
import type { Probe } from './corpus.js';

export interface ProbeOutcome {
  kind: 'ok' | 'typed' | 'untyped';
  code?: string;
  problems: string[];
  value?: unknown;
  error?: unknown;
}

const READ_CAP = 256 << 20;

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, d.name);
    out.push(p);
    if (d.isDirectory()) out.push(...walk(p));
  }
  return out;
}

async function run(
  probe: Probe,
  b: Uint8Array,
  dir: string,
): Promise<{ value: unknown; problems?: string[] }> {
  const zip = () => openZip(bytesSource(b));
  switch (probe) {
    case 'openZip':
      return { value: await zip() };
    case 'checkZip': {
      const report = await checkZip(await zip(), { content: true });
      return { value: report, problems: report.problems.map((p) => p.code) };
    }
    case 'plan':
    case 'planSymlinks': {
      const z = await zip();
      return {
        value: planExtraction(z.entries, z.cdOffset, { allowSymlinks: probe === 'planSymlinks' }),
      };
    }
    case 'extract':
    case 'extractSymlinks': {
      // Target two levels down: any escape lands in `dir`, outside `target`.
      const target = join(dir, 'root', 'out');
      mkdirSync(target, { recursive: true });
      const inside = (p: string) => !relative(target, p).startsWith('..');
      let result: unknown;
      let failed: unknown;
      try {
        result = await extractZip(await zip(), target, {
          allowSymlinks: probe === 'extractSymlinks',
        });
      } catch (err) {
        failed = err;
      }
      // An escape fails the probe whether or not the extraction then threw.
      const outside = walk(dir).filter((p) => !inside(p) && p !== join(dir, 'root'));
      if (outside.length) {
        throw new Error(`extraction wrote outside the target: ${outside.join(', ')}`);
      }
      if (failed) throw failed;
      const escapes = walk(target).filter((p) => {
        if (!lstatSync(p).isSymbolicLink()) return false;
        try {
          return !inside(realpathSync(p));
        } catch {
          return !inside(resolve(dirname(p), readlinkSync(p)));
        }
      });
      return { value: { result, outside: [], escapes } };
    }
    case 'readEntries': {
      const z = await zip();
      const contents: Uint8Array[] = [];
      for (const e of z.entries) {
        if (e.isDirectory) continue;
        const chunks: Uint8Array[] = [];
        let n = 0;
        for await (const c of openEntry(z, e)) {
          chunks.push(c);
          n += c.length;
          if (n > READ_CAP) throw new Error(`more than ${READ_CAP} bytes from one member`);
        }
        contents.push(Buffer.concat(chunks));
      }
      return { value: contents };
    }
    case 'cozipOpen':
      return { value: await openCozip(b, { verifyHash: true }) };
    case 'cozipMembers': {
      const cz = await openCozip(b, { verifyHash: true });
      const rows = await readManifest(cz);
      const out: Uint8Array[] = [];
      for (const row of rows) out.push(await readMember(cz, row));
      return { value: out };
    }
    case 'cozipValidate': {
      const report = await validateCozip(b, { content: true });
      return { value: report, problems: report.problems.map((p) => p.code) };
    }
    case 'sozipRead': {
      const m = await openSozipMember(await zip(), 'm.txt', { onWarning: () => {} });
      return { value: await readRange(m, 0, m.size) };
    }
    case 'sozipValidate': {
      const report = await validateSozip(await zip(), { deep: true });
      return { value: report, problems: report.problems.map((p) => p.code) };
    }
    case 'zipindex':
      return { value: deserializeFiles(b) };
    case 'zipindexFind':
      return { value: findSerialized(b, 'f5.txt') };
  }
}

export async function runProbe(probe: Probe, b: Uint8Array, dir: string): Promise<ProbeOutcome> {
  try {
    const { value, problems = [] } = await run(probe, b, dir);
    return { kind: 'ok', problems, value };
  } catch (err) {
    if (err instanceof CozipError)
      return { kind: 'typed', code: err.code, problems: [], error: err };
    return { kind: 'untyped', problems: [], error: err };
  }
}
