// Findings already known and being fixed elsewhere (issue 12). A finding that
// matches is reported as known, with the item, and does not fail the smoke
// run; anything else is new. Items are numbered in the order issue 12 lists
// its known findings.
import type { Finding } from './runner.js';

interface Known {
  item: string;
  target?: string;
  kind?: Finding['kind'];
  /** Tested against the message and stack. */
  match: RegExp;
}

export const KNOWN: Known[] = [];

export function knownItem(f: Finding): string | undefined {
  const text = `${f.message}\n${f.stack ?? ''}`;
  return KNOWN.find(
    (k) =>
      (!k.target || k.target === f.target) && (!k.kind || k.kind === f.kind) && k.match.test(text),
  )?.item;
}
