// Node worker: encodes one Flat manifest and posts its bytes back.
import { parentPort } from 'node:worker_threads';
import {
  jobColumns,
  type ManifestJob,
  type ManifestReply,
  replyError,
} from './manifest-worker-protocol.js';
import { encodeManifestColumns } from './manifest-write.js';

parentPort?.once('message', (job: ManifestJob) => {
  let reply: ManifestReply;
  try {
    reply = { bytes: encodeManifestColumns(jobColumns(job), job.options) };
  } catch (err) {
    reply = replyError(err);
  }
  const transfer = 'bytes' in reply ? [reply.bytes.buffer as ArrayBuffer] : [];
  parentPort?.postMessage(reply, transfer);
});
