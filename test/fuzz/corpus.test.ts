// The malicious-archive corpus (fuzz/corpus.ts): every case built in memory,
// every expected outcome asserted. Cases whose fix is pending elsewhere
// (issue 12) run as todos naming the item, so they report without failing.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type CorpusCase, corpus, type Expectation } from '../../fuzz/corpus.js';
import { runProbe } from '../../fuzz/probe.js';

function describeOutcome(o: Awaited<ReturnType<typeof runProbe>>): string {
  if (o.kind === 'typed') return `threw ${o.code}`;
  if (o.kind === 'untyped') return `threw an untyped ${(o.error as Error)?.stack ?? o.error}`;
  return `returned${o.problems.length ? ` problems ${[...new Set(o.problems)].join(', ')}` : ''}`;
}

async function check(c: CorpusCase, bytes: Uint8Array, e: Expectation): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cozip-corpus-'));
  try {
    const o = await runProbe(e.probe, bytes, dir);
    const got = describeOutcome(o);
    if (e.throws) {
      assert.equal(o.kind, 'typed', `${e.probe}: expected ${e.throws}, ${got}`);
      if (e.throws !== 'any') assert.equal(o.code, e.throws, `${e.probe}: ${got}`);
    }
    if (e.reports) {
      assert.equal(o.kind, 'ok', `${e.probe}: expected a report with ${e.reports}, ${got}`);
      assert.ok(o.problems.includes(e.reports), `${e.probe}: expected ${e.reports}, ${got}`);
    }
    if (e.safe) {
      assert.equal(o.kind, 'ok', `${e.probe}: expected ${e.safe.what}, ${got}`);
      const wrong = e.safe.check(o.value, { content: c.content });
      assert.equal(wrong, undefined, `${e.probe}: expected ${e.safe.what}: ${wrong}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const cases = corpus();
const classes = [...new Set(cases.map((c) => c.class))];

for (const cls of classes) {
  describe(`corpus: ${cls}`, () => {
    for (const c of cases.filter((x) => x.class === cls)) {
      describe(c.name, () => {
        let built: Promise<Uint8Array> | undefined;
        const bytes = () => {
          built ??= c.build();
          return built;
        };
        for (const e of c.expect) {
          const what = e.throws
            ? `throws ${e.throws}`
            : e.reports
              ? `reports ${e.reports}`
              : e.safe!.what;
          it(`${e.probe}: ${what}`, { todo: e.pending }, async () => check(c, await bytes(), e));
        }
      });
    }
  });
}

it('the corpus covers every class the issue lists', () => {
  for (const cls of [
    'EOCD/ZIP64 absurd counts and offsets',
    'overlapping and quoted-overlap bombs',
    'deflate bombs',
    'path traversal',
    'symlink tricks',
    'data-descriptor lies',
    'cozip manifests pointing anywhere',
    'SOZip indexes that lie',
    'msgpack and zstd bombs in zipindex',
  ]) {
    assert.ok(classes.includes(cls), cls);
  }
});
