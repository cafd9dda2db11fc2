// cozip/node: everything in the core entry plus what needs Node's fs.
export * from './index.js';
export { type FileSource, openFileSource } from './io/file-source.js';
export * from './sozip/node.js';
export { type ExtractOptions, type ExtractResult, extractZip } from './zip/extract.js';
export { createFileSink, type FileSink, type FileSinkOptions } from './zip/file-sink.js';
export { type NodeStreamSinkOptions, nodeStreamSink } from './zip/node-sink.js';
