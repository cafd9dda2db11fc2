// The command line's network settings (global options), for every place a
// command opens a source: set once before the command runs.
import type { CozipError } from '../errors.js';
import { note } from './output.js';

let timeoutMs: number | undefined;
let requireRange = false;
let quiet = false;

/**
 * --timeout SECONDS: how long a request may receive nothing before it is
 * retried; --require-range: a server that ignores Range is an error.
 */
export function setNetworkOptions(options: {
  timeout?: number;
  requireRange?: boolean;
  quiet?: boolean;
}): void {
  timeoutMs = options.timeout === undefined ? undefined : Math.round(options.timeout * 1000);
  requireRange = options.requireRange === true;
  quiet = options.quiet === true;
}

/** A server that ignores Range, said on stderr (unless it is an error). */
function warn(warning: CozipError): void {
  if (!quiet) note(`cozip: warning: ${warning.message} (--require-range makes this an error)`);
}

/** Options for openSource / openZip / openCozip (http(s) and s3 sources use them). */
export function networkOptions(): {
  timeout?: number;
  requireRange: boolean;
  onWarning: (warning: CozipError) => void;
} {
  return {
    ...(timeoutMs === undefined ? {} : { timeout: timeoutMs }),
    requireRange,
    onWarning: warn,
  };
}
