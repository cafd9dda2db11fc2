// Node-only SOZip API: writing, appending in place and converting.
export { type AppendSozipOptions, appendSozip } from './append.js';
export { deflateChunk } from './chunk-deflate.js';
export { type ConvertSozipOptions, type ConvertSozipResult, convertToSozip } from './convert.js';
export {
  createSozipWriter,
  type SozipEntryOptions,
  type SozipOptions,
  SozipWriter,
  type SozipWriterOptions,
  type SozipWrittenEntry,
  sozipBound,
} from './writer.js';
