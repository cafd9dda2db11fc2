// Findings known and not yet fixed. A finding that matches is reported as
// known, with the item, and does not fail the smoke run; anything else is
// new. (The issue 12 items once listed here are fixed.)
import type { Finding } from './runner.js';

interface Known {
  item: string;
  target?: string;
  kind?: Finding['kind'];
  /** Tested against the message and stack. */
  match: RegExp;
}

export const KNOWN: Known[] = [
  {
    // Found by this fuzzer, not fixed here: the loop is inside the dependency
    // (fzstd 0.1.1, the decoder of ZIP zstd members on Node < 22.15), one
    // synchronous call that no timeout can interrupt. Reported with issue 12.
    item: 'new: fzstd 0.1.1 never returns on some corrupt zstd members (reported, not fixed)',
    kind: 'hang',
    match: /seed [^\n]*zstd/,
  },
];

export function knownItem(f: Finding): string | undefined {
  const text = `${f.message}\nseed ${f.seedLabel ?? ''}\n${f.stack ?? ''}`;
  return KNOWN.find(
    (k) =>
      (!k.target || k.target === f.target) && (!k.kind || k.kind === f.kind) && k.match.test(text),
  )?.item;
}
