// The runtime-neutral SOZip API: the index format, detection, random access,
// validation and listing. Writing (worker threads, node:zlib) is in node.ts.
export * as sozipConstants from './constants.js';
export {
  type DetectOptions,
  detectAll,
  detectSozip,
  isZipArchive,
  mayBeFollowedByIndex,
  mayHaveIndex,
  type SozipDetection,
  type SozipIndex,
} from './detect.js';
export {
  type IndexNameStyle,
  indexNameCandidates,
  sozipIndexName,
  sozipIndexRawName,
} from './index-name.js';
export {
  chunkCount,
  decodeIndexHeader,
  encodeSozipIndex,
  offsetCount,
  type SozipIndexContent,
  type SozipIndexHeader,
} from './index-record.js';
export { formatSozipList, type ListSozipOptions, listSozip, type SozipListRow } from './list.js';
export {
  closeSozipMember,
  type OpenSozipOptions,
  openSeekable,
  openSozipMember,
  readRange,
  type SeekableMember,
  type SozipMember,
  type SozipReadOptions,
  streamRange,
} from './random-access.js';
export {
  formatSozipValidation,
  type SozipMemberReport,
  type SozipProblem,
  type SozipValidation,
  type ValidateSozipOptions,
  validateSozip,
} from './validate.js';
