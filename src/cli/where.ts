// --where text to a manifest filter, for the actions that filter a manifest
// (ls, extract); kept out of options.ts so start-up never loads the parser.
import { type ManifestFilter, parseWhere } from '../cozip/manifest-filter.js';
import { UsageError } from './errors.js';

/** A syntax error is a usage error (exit 2). */
export function whereFilter(expr: string | undefined): ManifestFilter | undefined {
  if (expr === undefined) return undefined;
  try {
    return parseWhere(expr);
  } catch (err) {
    throw new UsageError(`--where: ${(err as Error).message}`, { cause: err });
  }
}
