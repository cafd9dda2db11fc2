// Numbers and names of the cozip format (spec revision 0.1.0, binary version 1).
import {
  FLAG_CD_ENCRYPTED,
  FLAG_DATA_DESCRIPTOR,
  FLAG_ENCRYPTED,
  FLAG_STRONG_ENCRYPTION,
} from '../zip/constants.js';

export const INDEX_NAME = '__cozip__';
export const PADDING_NAME = '__cozip_padding__';
export const METADATA_NAME = '__metadata__';

/** The `__cozip__` local header: 30 fixed + 9 name + 12 extra bytes. */
export const INDEX_HEADER_SIZE = 51;
export const INDEX_EXTRA_ID = 0xca0c;
/** Bytes 43..50 of the archive hold the integrity hash. */
export const HASH_OFFSET = 43;
/** The hash covers the index payload and this many trailing bytes. */
export const HASHED_TAIL = 32768;
/** Smallest legal archive: the hashed tail never reaches the hash bytes. */
export const MIN_ARCHIVE_SIZE = HASHED_TAIL + INDEX_HEADER_SIZE;

/** Index payload header: magic "CZIP", u16 version, u8 profile, u32 entry count. */
export const INDEX_MAGIC = 0x50495a43; // "CZIP" read as a little-endian u32
export const INDEX_PAYLOAD_HEADER = 11;
export const FORMAT_VERSION = 1;

export const PROFILE_NONE = 0;
export const PROFILE_FLAT = 1;
export const PROFILE_TACO = 2;

export type ProfileName = 'none' | 'flat' | 'taco';

export const PROFILE_NAMES: Record<number, ProfileName> = {
  [PROFILE_NONE]: 'none',
  [PROFILE_FLAT]: 'flat',
  [PROFILE_TACO]: 'taco',
};

export const TACO_COLLECTION = 'COLLECTION.json';
export const TACO_METADATA_DIR = 'METADATA/';

/** General-purpose flags no cozip entry may have: encryption (bits 0, 6, 13) and data descriptors (bit 3). */
export const FORBIDDEN_FLAGS =
  FLAG_ENCRYPTED | FLAG_DATA_DESCRIPTOR | FLAG_STRONG_ENCRYPTION | FLAG_CD_ENCRYPTED;
