// Progress bars on stderr, only for people: never when stderr is not a
// terminal (pipes, CI logs) or with --quiet.
import { createRequire } from 'node:module';

// cli-progress is CommonJS and a dozen files: required only when a bar is
// shown, so quiet and piped runs never load it.
const require = createRequire(import.meta.url);

export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

const SILENT: Progress = { update() {}, stop() {} };

function mib(n: number): string {
  return (n / (1024 * 1024)).toFixed(1);
}

export function progressBar(label: string, quiet: boolean | undefined): Progress {
  if (quiet || !process.stderr.isTTY) return SILENT;
  const cliProgress = require('cli-progress') as typeof import('cli-progress');
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {percentage}% | {done} / {size} MiB | ETA {eta_formatted}`,
      hideCursor: true,
      // Bytes arrive in many small steps: redraw on a timer, not on every chunk.
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total) {
      const payload = { done: mib(done), size: mib(total) };
      if (!started) {
        bar.start(total, done, payload);
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(done, payload);
      }
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}

/**
 * Runs `work` with a bar fed by its byte progress; the bar is gone (also
 * on failure) before anything is printed after it.
 */
export async function withProgress<T>(
  label: string,
  quiet: boolean | undefined,
  work: (onProgress: (p: { bytes: number; totalBytes: number }) => void) => Promise<T>,
): Promise<T> {
  const bar = progressBar(label, quiet);
  try {
    return await work((p) => bar.update(p.bytes, p.totalBytes));
  } finally {
    bar.stop();
  }
}
