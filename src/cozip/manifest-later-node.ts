// Node's `#manifest-later`: a manifest of many rows is encoded on a worker
// thread while the writer copies the members on this one (a cold Parquet
// encode of 100,000 rows takes a few hundred ms; the second core is idle).
// Small manifests, values a clone would change, and any failure to start
// the worker are encoded here instead.
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { encodeManifestLater as encodeHere } from './manifest-later.js';
import { errorOf, type ManifestReply, manifestJob } from './manifest-worker-protocol.js';
import type { EncodeManifestOptions, ManifestColumns } from './manifest-write.js';

/** Below this many rows a worker's start-up costs more than it saves. */
const WORKER_ROWS = 10_000;

export function encodeManifestLater(
  columns: ManifestColumns,
  options: EncodeManifestOptions | undefined,
): Promise<Uint8Array> {
  if (columns.name.length < WORKER_ROWS) return encodeHere(columns, options);
  const job = manifestJob(columns, options);
  if (!job) return encodeHere(columns, options);
  return new Promise((resolve, reject) => {
    let settled = false;
    let worker: Worker;
    // The worker is a sibling module: .ts when run from source, .js when built.
    const self = fileURLToPath(import.meta.url);
    try {
      worker = new Worker(new URL(`./manifest-worker${extname(self)}`, import.meta.url));
    } catch {
      encodeHere(columns, options).then(resolve, reject);
      return;
    }
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
