// zipindex: index a ZIP once, keep the few bytes per entry anywhere, and later
// open any member with one range read. The serialized form is the Go
// zipindex format (types 1-4): either side reads what the other writes.

// One decompressor registry for the whole library: what it holds is what the
// default filter keeps and what `open` can decompress.
export { type Decompressor, getDecompressor, registerDecompressor } from '../zip/codecs.js';
export { type DirEntry, defaultFileFilter, type FileFilter } from './dir-entry.js';
export { isNeedMoreData, NeedMoreDataError } from './errors.js';
export {
  cloneFile,
  type File,
  findFile,
  MAX_CUSTOM_ENTRIES,
  MAX_FILES,
  MAX_INDEX_SIZE,
  METHOD_DEFLATE,
  METHOD_STORE,
  METHOD_ZSTD,
  optimizeSize,
  removeInsecurePaths,
  sortFiles,
  sortFilesByName,
  stripCRC,
  stripFlags,
} from './file.js';
export { findSerialized } from './find.js';
export { type FileWithRef, type Layer, LayeredIndex } from './layered.js';
export {
  deserializeLayered,
  type RefSerializer,
  serializeLayered,
  stringRefSerializer,
} from './layered-serialize.js';
export { nameBytes } from './names.js';
export { type OpenInput, open, openRaw } from './open.js';
export {
  type FromSourceOptions,
  fromSource,
  MAX_DIRECTORY_SIZE,
  type ReadDirOptions,
  readDir,
  readFile,
} from './read-dir.js';
export { deserializeFiles, type SerializeOptions, serialize } from './serialize.js';
