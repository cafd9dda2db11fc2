// The fuzzer's smoke run (npm run fuzz, fixed seed): a couple of thousand
// mutated inputs per target, each behind the fence (5 s, 256 MB heap). Any
// untyped error, crash, hang or OOM that is not a known, pending issue fails
// the suite, printing the seed and how to replay it. The fence itself is
// tested on targets that misbehave on purpose.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type Finding, runFuzz } from '../../fuzz/runner.js';
import { TARGETS } from '../../fuzz/targets.js';

const SEED = 20_261_204;
const PER_TARGET = 2000;

const show = (f: Finding) =>
  `${f.kind} in ${f.target}, seed ${f.seed}, input #${f.index} (${f.seedLabel}: ${f.steps?.join('; ')}): ${f.message}\n` +
  `  replay: npm run fuzz -- --replay ${f.file}\n` +
  `  or rerun: npm run fuzz -- --targets ${f.target} --seed ${f.seed} --count ${f.index + 1}`;

describe('fuzz smoke run', () => {
  it(`${PER_TARGET} inputs per target, seed ${SEED}: no untyped error, crash, hang or OOM`, async (t) => {
    const findingsDir = mkdtempSync(join(tmpdir(), 'cozip-fuzz-smoke-'));
    const report = await runFuzz({
      targets: TARGETS.map((x) => x.name),
      count: PER_TARGET,
      seed: SEED,
      jobs: 2,
      findingsDir,
    });
    for (const r of report.targets) {
      t.diagnostic(
        `${r.target}: ${r.inputs} inputs, ${r.ok} ok, ${r.typed} typed, ${r.known.length} known`,
      );
    }
    const known = [...new Map(report.known.map((f) => [`${f.target}#${f.index}`, f])).values()];
    for (const f of known.slice(0, 5)) t.diagnostic(`known (${f.known}): ${show(f)}`);
    if (known.length > 5) t.diagnostic(`... and ${known.length - 5} more known findings`);
    assert.deepEqual(report.findings.map(show), [], `new findings (saved under ${findingsDir})`);
    for (const r of report.targets) {
      assert.equal(r.inputs, PER_TARGET, `${r.target} ran every input`);
      // Mutations must reach past the first check: some inputs fail typed, some still parse.
      assert.ok(r.typed > 0, `${r.target}: no input failed a check`);
    }
  });

  it('the fence catches untyped errors, hangs, OOMs, crashes and unhandled rejections, and resumes', async () => {
    const report = await runFuzz({
      targets: [
        'selftest-untyped',
        'selftest-hang',
        'selftest-oom',
        'selftest-crash',
        'selftest-rejection',
      ],
      count: 3,
      seed: 1,
      jobs: 2,
      inputTimeoutMs: 1500,
      heapMb: 64,
      rssMb: 512,
    });
    const kinds = (target: string) =>
      report.findings
        .filter((f) => f.target === target)
        .map((f) => f.kind)
        .sort();
    assert.deepEqual(kinds('selftest-untyped'), ['untyped', 'untyped', 'untyped']);
    assert.deepEqual(kinds('selftest-hang'), ['hang', 'hang', 'hang']);
    assert.deepEqual(kinds('selftest-oom'), ['oom', 'oom', 'oom']);
    assert.deepEqual(kinds('selftest-crash'), ['crash', 'crash', 'crash']);
    assert.deepEqual(kinds('selftest-rejection'), ['crash', 'crash', 'crash']);
    for (const r of report.targets) assert.equal(r.inputs, 3, `${r.target} resumed after each`);
  });
});
