// The browser-safe io API. file-source.ts is Node only and exported from the Node entry.
export { type BlobSource, blobSource } from './blob-source.js';
export { type BytesSource, bytesSource } from './bytes-source.js';
export {
  type HttpProbe,
  type HttpSource,
  type HttpSourceOptions,
  openHttpSource,
} from './http-source.js';
export {
  isRangeSource,
  type OpenSourceOptions,
  openSource,
  type SourceInput,
} from './open-source.js';
export {
  createReadPlanner,
  type PlannerStats,
  ReadPlanner,
  type ReadPlannerOptions,
} from './planner.js';
export { runPool } from './pool.js';
export {
  openS3Source,
  parseS3Url,
  type S3Config,
  type S3Location,
  type S3Source,
  type S3SourceOptions,
  s3ObjectUrl,
} from './s3-source.js';
export { checkRange, type IoStats, type RangeSource, type ReadOptions } from './source.js';
export {
  concatBytes,
  DEFAULT_CHUNK_SIZE,
  type ReadStreamOptions,
  readAll,
  readStream,
} from './stream.js';
