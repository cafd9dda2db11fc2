// The cozip name rules: the one-pass checker against a plain statement of
// the rules, and the writer's duplicate check (a hash table over the encoded
// names) against a Set.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { cozipNameProblem } from '../../src/cozip/names.js';
import { stageMetadata } from '../../src/cozip/stage.js';
import { isCozipError } from '../../src/errors.js';

/** The spec's rules, one test each (slow and obvious); 0.1.0 adds "ASCII only". */
function plainlyInvalid(name: string, spec: '0.1.0' | '1.0.1'): boolean {
  return (
    name === '' ||
    (spec === '0.1.0' && /[^\u0000-\u007f]/.test(name)) ||
    !name.isWellFormed() ||
    new TextEncoder().encode(name).length > 0xffff ||
    name.startsWith('/') ||
    /^[A-Za-z]:/.test(name) ||
    name.includes('\\') ||
    name.includes('\u0000') ||
    name.endsWith('/') ||
    name.split('/').some((part) => part === '.' || part === '..')
  );
}

// Characters that exercise every rule: separators, dots, a drive colon, NUL,
// 2-, 3- and 4-byte UTF-8 and lone surrogates.
const piece = fc.constantFrom(
  'a',
  'Z',
  '.',
  '..',
  '/',
  '\\',
  ':',
  'C:',
  '\u0000',
  'é',
  '漢',
  '😀',
  '\ud800',
  '\udc00',
  'x.y',
);
const names = fc.array(piece, { maxLength: 8 }).map((parts) => parts.join(''));

describe('cozip names', () => {
  for (const spec of ['0.1.0', '1.0.1'] as const) {
    it(`the one-pass check refuses exactly what the ${spec} rules refuse`, () => {
      fc.assert(
        fc.property(names, (name) => {
          assert.equal(
            cozipNameProblem(name, spec) !== undefined,
            plainlyInvalid(name, spec),
            JSON.stringify(name),
          );
        }),
        { numRuns: 5000 },
      );
    });
  }

  it('the current rules are 0.1.0: ASCII only', () => {
    assert.match(cozipNameProblem('é') ?? '', /non-ASCII character "é" \(cozip 0\.1\.0/);
    assert.equal(cozipNameProblem('é', '1.0.1'), undefined);
  });

  it('measures the 65,535-byte limit in UTF-8 bytes, not characters (1.0.1)', () => {
    assert.equal(cozipNameProblem('a'.repeat(0xffff)), undefined);
    assert.match(cozipNameProblem('a'.repeat(0x10000)) ?? '', /65,535/);
    // 21,845 three-byte characters are 65,535 bytes; one more ASCII byte is too many.
    assert.equal(cozipNameProblem('漢'.repeat(21_845), '1.0.1'), undefined);
    assert.match(cozipNameProblem(`${'漢'.repeat(21_845)}a`, '1.0.1') ?? '', /65,535/);
  });

  it('finds the first repeated name, with both rows, exactly when a Set would', async () => {
    const small = fc.array(fc.constantFrom('a', 'b', 'c/d', 'e%', 'x/y/z', 'b2', 'B'), {
      minLength: 1,
      maxLength: 30,
    });
    // (The writer hashes bytes: same-length ASCII names that differ in one byte collide often.)
    await fc.assert(
      fc.asyncProperty(small, async (list) => {
        const rows = list.map((name) => ({ name, path: new Uint8Array([1]) }));
        const seen = new Map<string, number>();
        let expected: [number, number] | undefined;
        for (const [i, name] of list.entries()) {
          const first = seen.get(name);
          if (first !== undefined) {
            expected = [first, i];
            break;
          }
          seen.set(name, i);
        }
        try {
          await stageMetadata(rows);
          assert.equal(expected, undefined, `no error for ${JSON.stringify(list)}`);
        } catch (err) {
          if (!isCozipError(err) || err.code !== 'DUPLICATE_NAME') throw err;
          assert.deepEqual(err.details?.rows, expected);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('tells 100,000 distinct names apart and finds one repeat among them', async () => {
    const rows = Array.from({ length: 100_000 }, (_, i) => ({
      name: `t/${i % 97}/${i}.bin`,
      path: new Uint8Array([i & 0xff]),
    }));
    const staged = await stageMetadata(rows);
    assert.equal(staged.table.length, 100_000);
    rows.push({ name: rows[54_321].name, path: new Uint8Array([1]) });
    await assert.rejects(stageMetadata(rows), (err: unknown) => {
      assert.ok(isCozipError(err) && err.code === 'DUPLICATE_NAME');
      assert.deepEqual(err.details?.rows, [54_321, 100_000]);
      return true;
    });
  });
});
