// The cozip format API (runtime-neutral; paths work in Node through the
// conditional file imports).
export * as cozipConstants from './constants.js';
export { type ConvertOptions, convertToCozip } from './convert.js';
export {
  type CozipIndex,
  decodeIndexPayload,
  encodeIndexPayload,
  type IndexEntry,
} from './index-payload.js';
export { type CozipRow, type EntrySource, fileInput, type SizedStream } from './inputs.js';
export {
  addLocationColumn,
  GDAL_VSI_COLUMN,
  gdalVsiPath,
  LOCATION_COLUMN,
  TACO_LOCATION_COLUMN,
} from './location.js';
export {
  archiveLocation,
  cozipManifest,
  type ReadManifestOptions,
  readManifest,
} from './manifest.js';
export { filterRows, type ManifestFilter, parseWhere } from './manifest-filter.js';
export {
  type Manifest,
  type ManifestColumn,
  type ManifestReadOptions,
  type OpenManifestOptions,
  openManifest,
} from './manifest-read.js';
export { type EncodeManifestOptions, encodeManifest } from './manifest-write.js';
export {
  type CozipArchive,
  type MemberLike,
  type MemberRange,
  type OpenCozipOptions,
  openCozip,
  openMember,
  priorityEntry,
  readMember,
  readMemberRange,
  readMembers,
  readPriorityBlock,
  readPriorityFile,
} from './reader.js';
export {
  type StageCreateOptions,
  type StagedMetadata,
  stageCreate,
  stageMetadata,
} from './stage.js';
export {
  type CozipProblem,
  type CozipValidation,
  type ValidateCozipOptions,
  validateCozip,
} from './validate.js';
export {
  type CozipProgress,
  type CozipWriteResult,
  type WriteCozipOptions,
  writeCozip,
} from './writer.js';
