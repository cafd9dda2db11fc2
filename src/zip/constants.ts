// Numbers from PKWARE's APPNOTE.TXT (6.3.10) and the Info-ZIP extra field list.

export const SIG_LOCAL = 0x04034b50;
export const SIG_CENTRAL = 0x02014b50;
export const SIG_EOCD = 0x06054b50;
export const SIG_ZIP64_EOCD = 0x06064b50;
export const SIG_ZIP64_LOCATOR = 0x07064b50;
export const SIG_DATA_DESCRIPTOR = 0x08074b50;

export const LOCAL_HEADER_SIZE = 30;
export const CENTRAL_HEADER_SIZE = 46;
export const EOCD_SIZE = 22;
export const ZIP64_EOCD_SIZE = 56;
export const ZIP64_LOCATOR_SIZE = 20;
export const MAX_COMMENT = 0xffff;

/** A 32-bit field holding this value means "see the ZIP64 extra field". */
export const U32_SENTINEL = 0xffffffff;
export const U16_SENTINEL = 0xffff;

// General purpose bit flags.
export const FLAG_ENCRYPTED = 1 << 0;
export const FLAG_DATA_DESCRIPTOR = 1 << 3;
export const FLAG_STRONG_ENCRYPTION = 1 << 6;
export const FLAG_UTF8 = 1 << 11;
export const FLAG_CD_ENCRYPTED = 1 << 13;

// Compression methods.
export const METHOD_STORE = 0;
export const METHOD_DEFLATE = 8;
export const METHOD_ZSTD = 93;
/** WinZip AES: the real method is inside the 0x9901 extra field. */
export const METHOD_AES = 99;

// Extra field header ids.
export const EXTRA_ZIP64 = 0x0001;
export const EXTRA_NTFS = 0x000a;
export const EXTRA_EXTENDED_TIMESTAMP = 0x5455;
export const EXTRA_INFOZIP_UNIX_OLD = 0x5855;
export const EXTRA_UNICODE_PATH = 0x7075;
export const EXTRA_AES = 0x9901;

// Version made by: the high byte names the host system.
export const HOST_MSDOS = 0;
export const HOST_UNIX = 3;
export const HOST_NTFS = 10;
export const HOST_MACOS = 19;

/** Version needed: 1.0 store, 2.0 deflate/directories, 4.5 ZIP64, 6.3 zstd/UTF-8. */
export const VERSION_STORE = 10;
export const VERSION_DEFLATE = 20;
export const VERSION_ZIP64 = 45;
export const VERSION_ZSTD = 63;

// Unix file type bits in the high 16 bits of external attributes.
export const S_IFMT = 0o170000;
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;
