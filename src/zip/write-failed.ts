// One typed error for a file system refusing a write (ENOSPC, EDQUOT, EIO…).
import { CozipError } from '../errors.js';

/**
 * `err` as WRITE_FAILED naming `path` (the final name, not the temp file),
 * with the OS error as cause. CozipErrors and non-OS errors pass unchanged.
 */
export function writeFailed(err: unknown, path: string): unknown {
  if (err instanceof CozipError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !/^E[A-Z0-9]+$/.test(code)) return err;
  // "ENOSPC: no space left on device, write" → "no space left on device".
  const text = /^E[A-Z0-9]+: ([^,]+)/.exec((err as Error).message ?? '')?.[1];
  return new CozipError(
    'WRITE_FAILED',
    `cannot write ${path}: ${text ? `${text} (${code})` : code}`,
    {
      cause: err,
      details: { path, code },
    },
  );
}
