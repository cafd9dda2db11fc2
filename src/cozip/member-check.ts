// Verified member reads: a manifest row or index entry says where a payload
// is, and a corrupt or hostile one would make a reader return other bytes
// (another member, the central directory). The payload's own local header
// sits right before it, so it comes with the payload in the same request:
// signature, name, STORE, flags and sizes are checked against the row, and
// the header's CRC-32 against the bytes (spec revision 0.1.0 issue: never
// serve bytes a row merely points at).
import { CozipError } from '../errors.js';
import { bytesEqual } from '../zip/bytes.js';
import { crc32 } from '../zip/codecs.js';
import { LOCAL_HEADER_SIZE, U32_SENTINEL } from '../zip/constants.js';
import { findExtra, parseExtraFields, readZip64Extra } from '../zip/extra-fields.js';
import { decodeLocalHeader, findLocalHeaderBefore } from '../zip/local-header.js';
import { encodeUtf8 } from '../zip/names.js';
import { FORBIDDEN_FLAGS } from './constants.js';

/** Where a member's payload is, as a row says. */
export interface CheckedMember {
  offset: number;
  size: number;
  name?: string;
}

/** The largest local header: 30 bytes, a 65,535-byte name and a 65,535-byte extra. */
const MAX_HEADER = LOCAL_HEADER_SIZE + 2 * 0xffff;
const ZIP64_EXTRA = 20;

/**
 * Bytes to fetch before the payload so the header comes with it: exactly
 * what a cozip writer puts there (30 + name, + 20 for a ZIP64 size), or a
 * generous guess for a row without a name.
 */
export function headerWindow(member: CheckedMember): number {
  const guess =
    member.name === undefined
      ? 1024
      : LOCAL_HEADER_SIZE + encodeUtf8(member.name).length + ZIP64_EXTRA;
  return Math.min(member.offset, guess);
}

/** Bytes to fetch before the payload when the first window did not hold the header. */
export function wideHeaderWindow(member: CheckedMember): number {
  return Math.min(member.offset, MAX_HEADER);
}

function mismatch(member: CheckedMember, what: string): CozipError {
  const label =
    member.name === undefined ? `member at ${member.offset}` : JSON.stringify(member.name);
  return new CozipError(
    'MISSING_ENTRY',
    `${label}: ${what} (the manifest or index points where this member is not)`,
    { details: { name: member.name, offset: member.offset, size: member.size } },
  );
}

/**
 * Checks the local header that `before` (the bytes just before the payload)
 * ends with; returns its CRC-32. `undefined` when `before` holds no header
 * ending at the payload (fetch a wider window); MISSING_ENTRY when the one it
 * holds disagrees with the row.
 */
export function checkHeaderBefore(before: Uint8Array, member: CheckedMember): number | undefined {
  const raw = member.name === undefined ? undefined : encodeUtf8(member.name);
  const at = findLocalHeaderBefore(before, raw?.length);
  if (at < 0) return undefined;
  const h = decodeLocalHeader(before, at, member.offset - before.length + at);
  if (raw && !bytesEqual(h.rawName, raw))
    throw mismatch(member, 'its local header names another entry');
  if (h.method !== 0) throw mismatch(member, `its local header says method ${h.method}, not STORE`);
  if (h.flags & FORBIDDEN_FLAGS) {
    throw mismatch(member, `its local header has flags 0x${h.flags.toString(16)}`);
  }
  let compressed = h.compressedSize;
  let uncompressed = h.uncompressedSize;
  if (compressed === U32_SENTINEL || uncompressed === U32_SENTINEL) {
    const data = findExtra(parseExtraFields(h.extra), 0x0001);
    if (!data) throw mismatch(member, 'its local header has a ZIP64 size but no ZIP64 extra');
    const v = readZip64Extra(data, {
      uncompressedSize: uncompressed === U32_SENTINEL,
      compressedSize: compressed === U32_SENTINEL,
      localHeaderOffset: false,
      diskStart: false,
    });
    compressed = v.compressedSize ?? compressed;
    uncompressed = v.uncompressedSize ?? uncompressed;
  }
  if (compressed !== member.size || uncompressed !== member.size) {
    throw mismatch(member, `its local header says ${uncompressed} bytes, the row ${member.size}`);
  }
  return h.crc32;
}

/** A header not found in either window. */
export function noHeader(member: CheckedMember): CozipError {
  return mismatch(member, 'no local header ends where its payload should start');
}

/** CRC_MISMATCH unless `bytes` (the whole payload) have the header's CRC-32. */
export function checkPayloadCrc(bytes: Uint8Array, expected: number, member: CheckedMember): void {
  const actual = crc32(bytes);
  if (actual !== expected) throw crcMismatch(member, actual, expected);
}

export function crcMismatch(member: CheckedMember, actual: number, expected: number): CozipError {
  const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;
  return new CozipError(
    'CRC_MISMATCH',
    `${member.name === undefined ? `member at ${member.offset}` : JSON.stringify(member.name)}: CRC-32 ${hex(actual)}, its local header says ${hex(expected)}`,
    { details: { name: member.name, offset: member.offset, actual, expected } },
  );
}
