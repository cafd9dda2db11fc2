// cozip/node: everything in the core entry plus what needs Node's fs.
export * from './index.js';
export { type FileSource, openFileSource } from './io/file-source.js';
export { type ExtractOptions, type ExtractResult, extractZip } from './zip/extract.js';
