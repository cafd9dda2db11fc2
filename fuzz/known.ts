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

export const KNOWN: Known[] = [
  {
    item: 'issue 12 item 5 (RangeError from a SOZip index claiming 2^40 entries)',
    target: 'sozip',
    kind: 'untyped',
    match: /RangeError[\s\S]*src\/sozip\//,
  },
  {
    item: 'issue 12 item 6 (TypeError in the Parquet schema walk)',
    kind: 'untyped',
    match: /TypeError[\s\S]*(schema|parquet)/i,
  },
  {
    item: 'issue 12 item 7 (unhandled rejection from a mutated Parquet table, as in create --from)',
    target: 'cli-tables',
    kind: 'crash',
    match: /^unhandled rejection/,
  },
  {
    item: 'issue 12 item 11 (zstd frame declaring more content than it holds)',
    target: 'zipindex',
    kind: 'untyped',
    match: /src\/zipindex\/zstd\.ts/,
  },
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
