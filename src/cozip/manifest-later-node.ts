// Node's `#manifest-later`: a manifest of many rows is encoded on a worker
// thread while the writer copies the members on this one (a cold Parquet
// encode of 100,000 rows takes a few hundred ms; the second core is idle).
// Small manifests, values a clone would change, and any failure to start
// the worker are encoded here instead.
import type { Worker } from 'node:worker_threads';
import { startSiblingWorker } from '../worker-node.js';
import { encodeManifestLater as encodeHere } from './manifest-later.js';
import { errorOf, type ManifestReply, manifestJob } from './manifest-worker-protocol.js';
import type { EncodeManifestOptions, ManifestColumns } from './manifest-write.js';

/** Below this many rows a worker's start-up costs more than it saves. */
const WORKER_ROWS = 10_000;

/** A warm worker no write has taken by then is stopped (a failed write, say). */
const WARM_IDLE_MS = 10_000;

/**
 * A worker started ahead of its job (see warmManifestEncoder), unref'd so an
 * unused one never holds the process open. Dropped if it dies first.
 */
let warm: Worker | undefined;

function startWorker(): Worker | undefined {
  try {
    return startSiblingWorker(import.meta.url, 'manifest-worker');
  } catch {
    return undefined;
  }
}

/**
 * Starts the worker for a manifest of `rows` rows (unknown: a guess that
 * they are many) now, so that loading the Parquet writer (100-150 ms cold)
 * overlaps reading the inputs and planning rather than the copy. A no-op
 * below the worker threshold or when one is waiting.
 */
export function warmManifestEncoder(rows?: number): void {
  if ((rows !== undefined && rows < WORKER_ROWS) || warm) return;
  const worker = startWorker();
  if (!worker) return;
  worker.unref();
  const drop = () => {
    clearTimeout(idle);
    if (warm === worker) warm = undefined;
  };
  const idle = setTimeout(() => {
    if (warm !== worker) return;
    drop();
    void worker.terminate();
  }, WARM_IDLE_MS);
  idle.unref();
  worker.once('error', drop);
  worker.once('exit', drop);
  warm = worker;
}

function takeWorker(): Worker | undefined {
  const worker = warm;
  warm = undefined;
  if (!worker) return startWorker();
  worker.ref();
  return worker;
}

export function encodeManifestLater(
  columns: ManifestColumns,
  options: EncodeManifestOptions | undefined,
): Promise<Uint8Array> {
  if (columns.name.length < WORKER_ROWS) return encodeHere(columns, options);
  const job = manifestJob(columns, options);
  if (!job) return encodeHere(columns, options);
  const worker = takeWorker();
  if (!worker) return encodeHere(columns, options);
  return new Promise((resolve, reject) => {
    let settled = false;
    const fallBack = () => {
      if (settled) return;
      settled = true;
      encodeHere(columns, options).then(resolve, reject);
    };
    worker.once('message', (reply: ManifestReply) => {
      settled = true;
      void worker.terminate();
      if ('bytes' in reply) resolve(reply.bytes);
      else reject(errorOf(reply));
    });
    worker.once('error', fallBack);
    worker.once('exit', fallBack);
    const buffers = [job.names, job.starts, job.offset, job.size].map(
      (a) => a.buffer as ArrayBuffer,
    );
    worker.postMessage(job, buffers);
  });
}
