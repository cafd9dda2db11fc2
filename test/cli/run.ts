// Runs the built `cozip` binary the way a user does: a separate Node process.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'dist/cli/main.js');

export interface Run {
  code: number;
  /** stdout as bytes (cat) and as text. */
  bytes: Buffer;
  stdout: string;
  stderr: string;
}

export function assertBuilt(): void {
  assert.ok(existsSync(BIN), `${BIN} is missing: run npm run build first`);
}

/**
 * `cozip ...args`; resolves with the exit code instead of throwing.
 * `nodeArgs` go to Node before the script (e.g. `--import` a loader hook).
 */
export function cozip(args: string[], cwd = ROOT, nodeArgs: string[] = []): Promise<Run> {
  // The test runner's own variables must not leak into the child.
  const { NODE_TEST_CONTEXT: _, NODE_OPTIONS: __, ...env } = process.env;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...nodeArgs, BIN, ...args],
      { cwd, env, encoding: 'buffer', maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({
          code,
          bytes: stdout,
          stdout: stdout.toString('utf8'),
          stderr: stderr.toString('utf8'),
        });
      },
    );
  });
}

/** Runs and asserts the exit code, showing stderr when it differs. */
export async function expectExit(args: string[], code: number, cwd = ROOT): Promise<Run> {
  const run = await cozip(args, cwd);
  assert.equal(run.code, code, `cozip ${args.join(' ')} exited ${run.code}, stderr: ${run.stderr}`);
  return run;
}

export const ok = (args: string[], cwd = ROOT) => expectExit(args, 0, cwd);

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `cozip-cli-${prefix}-`));
}

/** stdout parsed as the single JSON document --json promises. */
export function json<T = unknown>(run: Run): T {
  return JSON.parse(run.stdout) as T;
}
