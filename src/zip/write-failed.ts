// One typed error for a file system refusing a write (ENOSPC, EDQUOT, EIO…).
import { CozipError } from '../errors.js';

/**
 * `err` as a CozipError naming `path` (the final name, not the temp file),
 * with the OS error as cause: EEXIST is FILE_EXISTS, every other system
 * error WRITE_FAILED with its code in `details.code`. CozipErrors and
 * non-OS errors (a member's own failure) pass unchanged.
 */
export function writeFailed(err: unknown, path: string): unknown {
  if (err instanceof CozipError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !/^E[A-Z0-9]+$/.test(code)) return err;
  // The message names the path short (a hostile name may be 64 KiB long); details keep it whole.
  const shown = path.length > 200 ? `${path.slice(0, 200)}...` : path;
  if (code === 'EEXIST') {
    return new CozipError('FILE_EXISTS', `${shown} already exists`, {
      cause: err,
      details: { path, code },
    });
  }
  // "ENOSPC: no space left on device, write" → "no space left on device".
  const text = /^E[A-Z0-9]+: ([^,]+)/.exec((err as Error).message ?? '')?.[1];
  return new CozipError(
    'WRITE_FAILED',
    `cannot write ${shown}: ${text ? `${text} (${code})` : code}`,
    {
      cause: err,
      details: { path, code },
    },
  );
}
