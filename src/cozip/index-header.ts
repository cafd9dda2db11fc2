// The `__cozip__` local header, bytes 0..50 of every cozip:
//
//  0 u32 0x04034b50   14 u32 CRC-32 of the index payload   30 "__cozip__"
//  4 u16 version      18 u32 index size                     39 u16 0xCA0C
//  6 u16 flags        22 u32 index size                     41 u16 8
//  8 u16 method 0     26 u16 9 (name length)                43 u64 integrity hash
// 10 u32 DOS time     28 u16 12 (extra length)
import { CozipError } from '../errors.js';
import { getU16, getU32, putU16 } from '../zip/bytes.js';
import {
  FLAG_CD_ENCRYPTED,
  FLAG_DATA_DESCRIPTOR,
  FLAG_ENCRYPTED,
  FLAG_STRONG_ENCRYPTION,
  FLAG_UTF8,
  SIG_LOCAL,
  U32_SENTINEL,
  VERSION_STORE,
} from '../zip/constants.js';
import { encodeLocalHeader } from '../zip/local-header.js';
import { encodeUtf8 } from '../zip/names.js';
import { HASH_OFFSET, INDEX_EXTRA_ID, INDEX_HEADER_SIZE, INDEX_NAME } from './constants.js';

const NAME_BYTES = encodeUtf8(INDEX_NAME);

/** The extra block of the index entry, hash zeroed until the archive is complete. */
export function indexExtra(hash = new Uint8Array(8)): Uint8Array {
  const extra = new Uint8Array(12);
  putU16(extra, 0, INDEX_EXTRA_ID);
  putU16(extra, 2, 8);
  extra.set(hash, 4);
  return extra;
}

export function encodeIndexHeader(
  indexSize: number,
  crc32: number,
  dosDate: number,
  dosTime: number,
): Uint8Array {
  const b = encodeLocalHeader({
    versionNeeded: VERSION_STORE,
    flags: FLAG_UTF8,
    method: 0,
    dosTime,
    dosDate,
    crc32,
    compressedSize: indexSize,
    uncompressedSize: indexSize,
    rawName: NAME_BYTES,
    extra: indexExtra(),
  });
  if (b.length !== INDEX_HEADER_SIZE) throw new Error('index header must be 51 bytes');
  return b;
}

export interface IndexHeader {
  indexSize: number;
  crc32: number;
  hash: Uint8Array;
  flags: number;
}

/** Checks the first 51 bytes of an archive (the spec's local header checks); INVALID_LFH on failure. */
export function decodeIndexHeader(b: Uint8Array): IndexHeader {
  const fail = (what: string) => new CozipError('INVALID_LFH', `not a cozip: ${what}`);
  if (b.length < INDEX_HEADER_SIZE) throw fail(`only ${b.length} bytes, the index header needs 51`);
  if (getU32(b, 0) !== SIG_LOCAL) throw fail('byte 0 is not a local file header signature');
  const flags = getU16(b, 6);
  if (
    flags &
    (FLAG_ENCRYPTED | FLAG_DATA_DESCRIPTOR | FLAG_STRONG_ENCRYPTION | FLAG_CD_ENCRYPTED)
  ) {
    throw fail(`index entry flags 0x${flags.toString(16)} set encryption or data-descriptor bits`);
  }
  if (getU16(b, 8) !== 0) throw fail(`index entry method ${getU16(b, 8)} is not STORE`);
  const csize = getU32(b, 18);
  const usize = getU32(b, 22);
  if (csize === 0 || csize === U32_SENTINEL) throw fail(`index size ${csize} is not in 1..2^32-2`);
  if (usize !== csize)
    throw fail(`index compressed size ${csize} differs from uncompressed size ${usize}`);
  if (getU16(b, 26) !== 9) throw fail(`index name length is ${getU16(b, 26)}, not 9`);
  if (getU16(b, 28) !== 12) throw fail(`index extra length is ${getU16(b, 28)}, not 12`);
  for (let i = 0; i < 9; i++)
    if (b[30 + i] !== NAME_BYTES[i]) throw fail('the first entry is not named __cozip__');
  if (getU16(b, 39) !== INDEX_EXTRA_ID)
    throw fail(`index extra id is 0x${getU16(b, 39).toString(16)}, not 0xca0c`);
  if (getU16(b, 41) !== 8) throw fail(`index extra size is ${getU16(b, 41)}, not 8`);
  return {
    indexSize: csize,
    crc32: getU32(b, 14),
    hash: b.slice(HASH_OFFSET, HASH_OFFSET + 8),
    flags,
  };
}
