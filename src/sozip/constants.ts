// Numbers from the SOZip specification 0.5.0.

/** Chunk size writers use unless told otherwise (the spec's "generally safe default"). */
export const DEFAULT_CHUNK_SIZE = 32 * 1024;
/** Below this the spec "strongly recommends" against a chunk size: writers warn. */
export const MIN_RECOMMENDED_CHUNK_SIZE = 4096;

/** The index file: 32-byte header, then the offset section. */
export const INDEX_HEADER_SIZE = 32;
export const INDEX_VERSION = 1;
export const INDEX_OFFSET_SIZE = 8;

/**
 * The empty stored block a Z_FULL_FLUSH writes after a Z_SYNC_FLUSH (its 3
 * header bits start on a byte boundary, so all 5 bytes are fixed). Every
 * chunk but the last ends with it.
 */
export const FULL_FLUSH_BLOCK = Uint8Array.of(0x00, 0x00, 0x00, 0xff, 0xff);

/**
 * What a validator requires at the end of every chunk but the last: the
 * fixed tail of the sync-flush block (its header bits share a byte with the
 * data before it) followed by the full-flush block.
 */
export const CHUNK_TRAILER = Uint8Array.of(0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0xff, 0xff);
