// Node only: a worker thread compressing SOZip chunk jobs with the same
// function the main thread uses (so threaded output is byte-identical).
import { parentPort } from 'node:worker_threads';
import { type CompressJob, compressJob } from './chunk-deflate.js';

parentPort?.on('message', (job: CompressJob) => {
  try {
    const done = compressJob(job);
    parentPort!.postMessage(done, [done.bytes.buffer as ArrayBuffer]);
  } catch (err) {
    parentPort!.postMessage({
      id: job.id,
      error: err instanceof Error ? err.message : String(err),
    });
  }
});
