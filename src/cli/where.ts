// --where text to a manifest filter, for the actions that filter a manifest
// (ls, extract). The parser is imported only when --where is given.
import type { ManifestFilter } from '../cozip/manifest-filter.js';
import { UsageError } from './errors.js';

/** A syntax error is a usage error (exit 2). */
export async function whereFilter(expr: string | undefined): Promise<ManifestFilter | undefined> {
  if (expr === undefined) return undefined;
  const { parseWhere } = await import('../cozip/manifest-filter.js');
  try {
    return parseWhere(expr);
  } catch (err) {
    throw new UsageError(`--where: ${(err as Error).message}`, { cause: err });
  }
}
