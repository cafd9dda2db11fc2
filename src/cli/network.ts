// The command line's network settings (global options), for every place a
// command opens a source: set once before the command runs.

let timeoutMs: number | undefined;

/** --timeout SECONDS: how long a request may receive nothing before it is retried. */
export function setNetworkTimeout(seconds: number | undefined): void {
  timeoutMs = seconds === undefined ? undefined : Math.round(seconds * 1000);
}

/** Options for openSource / openZip / openCozip (http(s) and s3 sources use them). */
export function networkOptions(): { timeout?: number } {
  return timeoutMs === undefined ? {} : { timeout: timeoutMs };
}
