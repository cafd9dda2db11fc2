// The runtime-neutral ZIP API. extract.ts and the file sinks are Node only
// and exported from the Node entry.

export { type CentralHeader, decodeCentralHeader, encodeCentralHeader } from './central-header.js';
export {
  type CheckZipOptions,
  checkZip,
  findOverlaps,
  type ZipCheckReport,
  type ZipProblem,
} from './check.js';
export {
  type ByteStream,
  crc32,
  type Decompressor,
  deflateRaw,
  getDecompressor,
  inflateRaw,
  methodName,
  registerDecompressor,
} from './codecs.js';
export * as zipConstants from './constants.js';
export {
  type DataDescriptor,
  decodeDataDescriptor,
  encodeDataDescriptor,
} from './data-descriptor.js';
export { fromDosDateTime, toDosDateTime } from './dos-time.js';
export {
  decodeEocd,
  decodeZip64Eocd,
  decodeZip64Locator,
  type Eocd,
  encodeEocd,
  encodeZip64Eocd,
  encodeZip64Locator,
  findEocd,
  type Zip64Eocd,
  type Zip64Locator,
} from './end-records.js';
export type { ZipEntry } from './entry.js';
export {
  type LocalRecord,
  openEntry,
  openEntryRaw,
  payloadOffset,
  payloadRange,
  prefetchLocalRecords,
  READ_ENTRY_LIMIT,
  type ReadEntryOptions,
  readEntry,
  readLocalRecord,
  verifyContent,
} from './entry-data.js';
export {
  type ExtraField,
  encodeExtraFields,
  encodeZip64Extra,
  findExtra,
  parseExtraFields,
  readZip64Extra,
  type Zip64Values,
} from './extra-fields.js';
export {
  type ExtractLimits,
  type ExtractPlan,
  type ExtractPlanOptions,
  type PlannedItem,
  planExtraction,
} from './extract-plan.js';
export { decodeLocalHeader, encodeLocalHeader, type LocalHeader } from './local-header.js';
export { decodeName, type NameEncoding, unsafeNameReason } from './names.js';
export { DEFAULT_TAIL_SIZE, type OpenZipOptions, openZip, type ZipArchive } from './reader.js';
export { bufferSink, type Sink, writableStreamSink } from './sink.js';
export {
  type CompressedEntryInfo,
  type DirectoryOptions,
  type EntryOptions,
  type FinishResult,
  type HiddenRecordOptions,
  type RawEntryInfo,
  type WriterProgress,
  type WrittenEntry,
  type ZipAppendBase,
  type ZipInput,
  ZipWriter,
  type ZipWriterOptions,
} from './writer.js';
