// Checking a user-supplied Flat manifest against the plan: every planned
// entry must appear once with the planned offset and size, and nothing else;
// and no reserved location column may be stored (spec revision 0.1.0).
import { CozipError } from '../errors.js';
import { bytesSource } from '../io/bytes-source.js';
import { locationColumn } from './inputs.js';

export async function checkManifestBytes(
  parquet: Uint8Array,
  planned: Array<Record<string, unknown>> | undefined,
): Promise<void> {
  // The Parquet reader loads only for a supplied manifest: writers that
  // generate theirs (create, convert) never need it.
  const { openManifest } = await import('./manifest-read.js');
  const manifest = await openManifest(bytesSource(parquet, 'metadata'), 0, parquet.length);
  const [stored] = manifest.discarded;
  if (stored !== undefined) throw locationColumn(stored, 'the supplied manifest');
  if (!planned) return;
  const rows = await manifest.rows({ columns: ['name', 'offset', 'size'] });
  const mismatch = (message: string, details: Record<string, unknown> = {}) =>
    new CozipError('MANIFEST_MISMATCH', `supplied manifest disagrees with the plan: ${message}`, {
      details,
    });
  if (rows.length !== planned.length) {
    throw mismatch(`${rows.length} rows for ${planned.length} entries`, {
      rows: rows.length,
      entries: planned.length,
    });
  }
  const want = new Map(planned.map((p) => [p.name as string, p]));
  for (const row of rows) {
    const p = want.get(row.name as string);
    if (!p)
      throw mismatch(`row ${JSON.stringify(row.name)} names no planned entry (or appears twice)`, {
        name: row.name,
      });
    if (row.offset !== p.offset || row.size !== p.size) {
      throw mismatch(
        `${JSON.stringify(row.name)} has offset ${row.offset} and size ${row.size}, the plan says ${p.offset} and ${p.size}`,
        {
          name: row.name,
        },
      );
    }
    want.delete(row.name as string);
  }
}
