// Exit codes and the one-line error report: `cozip: CODE: message`.
import { CommanderError } from 'commander';
import { CozipError, type ErrorCode } from '../errors.js';
import { toJsonLine } from './output.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A mistake in how the command was called (bad option value, bad --where): exit 2. */
export class UsageError extends Error {
  readonly code: ErrorCode = 'INVALID_ARGUMENT';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'UsageError';
  }
}

/** Rethrows a library INVALID_ARGUMENT (a bad filter or column list) as a usage error. */
export function asUsage(err: unknown): never {
  if (err instanceof CozipError && err.code === 'INVALID_ARGUMENT') {
    throw new UsageError(err.message, { cause: err });
  }
  throw err;
}

/** The code printed for an error: the CozipError code, or a Node system error's. */
function codeOf(err: unknown): string {
  if (err instanceof CozipError || err instanceof UsageError) return err.code;
  const sys = (err as { code?: unknown } | null)?.code;
  if (sys === 'ENOENT') return 'NOT_FOUND';
  if (typeof sys === 'string' && /^E[A-Z]+$/.test(sys)) return sys;
  return 'INTERNAL_ERROR';
}

/**
 * Under --json, the error as one JSON line on stderr (stdout stays for
 * results): {"error": {"code", "message", "exitCode", "details"?}}.
 */
function jsonError(code: string, message: string, exitCode: number, details?: unknown): void {
  const error: Record<string, unknown> = { code, message, exitCode };
  if (details && typeof details === 'object' && Object.keys(details).length > 0) {
    error.details = details;
  }
  process.stderr.write(`${toJsonLine({ error })}\n`);
}

/** Prints `err` on stderr (a JSON object under `json`) and returns the exit code. */
export function reportError(err: unknown, debug: boolean, json = false): number {
  if (err instanceof CommanderError) {
    // Help and --version end parsing through here too.
    if (err.exitCode === 0) return EXIT_OK;
    // `cozip` alone: commander has already printed the help on stderr.
    if (err.code === 'commander.help') return EXIT_USAGE;
    const message = `${err.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ')} (see --help)`;
    if (json) jsonError('INVALID_ARGUMENT', message, EXIT_USAGE);
    else process.stderr.write(`cozip: INVALID_ARGUMENT: ${message}\n`);
    return EXIT_USAGE;
  }
  const message = err instanceof Error ? err.message : String(err);
  const exitCode = err instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE;
  if (json) {
    jsonError(codeOf(err), message, exitCode, err instanceof CozipError ? err.details : undefined);
  } else {
    // One line: multi-line messages (the --where caret) keep their first line.
    process.stderr.write(`cozip: ${codeOf(err)}: ${message.split('\n')[0]}\n`);
  }
  if (debug) {
    let prefix = '';
    for (let e: unknown = err; e !== undefined; e = e instanceof Error ? e.cause : undefined) {
      process.stderr.write(`${prefix}${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      prefix = 'caused by: ';
    }
  }
  return exitCode;
}
