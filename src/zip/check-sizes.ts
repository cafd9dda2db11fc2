// What a member's local record says about its data, against the central
// directory: the local header's CRC-32 and sizes, or, when flag bit 3 defers
// them, the data descriptor after the data. A reader trusting the central
// directory is not fooled, but a tool reading local headers front to back
// (a streaming unzip) would read other bytes: checkZip reports it.
import { CozipError, type ErrorCode } from '../errors.js';
import { EXTRA_ZIP64, FLAG_DATA_DESCRIPTOR, U32_SENTINEL } from './constants.js';
import { decodeDataDescriptor } from './data-descriptor.js';
import type { ZipEntry } from './entry.js';
import { findExtra, parseExtraFields, readZip64Extra } from './extra-fields.js';
import type { LocalHeader } from './local-header.js';

export interface RecordProblem {
  code: ErrorCode;
  message: string;
}

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

/**
 * Disagreements between the local record of `entry` and its central record.
 * `after` holds the bytes that follow the data (empty when the member was
 * not held): a data descriptor is checked only when it is there to read.
 */
export function localRecordProblems(
  entry: ZipEntry,
  header: LocalHeader,
  after: Uint8Array,
): RecordProblem[] {
  const zip64Extra = findExtra(parseExtraFields(header.extra), EXTRA_ZIP64);
  if (header.flags & FLAG_DATA_DESCRIPTOR) {
    // The descriptor has 8-byte sizes when the local header has a ZIP64 extra (APPNOTE 4.3.9.2).
    const d = decodeDataDescriptor(after, 0, zip64Extra !== undefined, entry.crc32);
    return d ? compare(entry, d, 'data descriptor') : [];
  }
  let sizes: { compressedSize: number; uncompressedSize: number };
  try {
    sizes = localSizes(header, zip64Extra);
  } catch (err) {
    if (!(err instanceof CozipError)) throw err;
    return [{ code: err.code, message: `local header: ${err.message}` }];
  }
  return compare(entry, { crc32: header.crc32, ...sizes }, 'local header');
}

/** The local sizes, from the ZIP64 extra where the 32-bit fields are saturated. */
function localSizes(
  h: LocalHeader,
  zip64Extra: Uint8Array | undefined,
): { compressedSize: number; uncompressedSize: number } {
  const need = {
    uncompressedSize: h.uncompressedSize === U32_SENTINEL,
    compressedSize: h.compressedSize === U32_SENTINEL,
    localHeaderOffset: false,
    diskStart: false,
  };
  if (!need.uncompressedSize && !need.compressedSize) return h;
  const v = readZip64Extra(zip64Extra ?? new Uint8Array(0), need);
  return {
    compressedSize: v.compressedSize ?? h.compressedSize,
    uncompressedSize: v.uncompressedSize ?? h.uncompressedSize,
  };
}

function compare(
  e: ZipEntry,
  local: { crc32: number; compressedSize: number; uncompressedSize: number },
  where: string,
): RecordProblem[] {
  const out: RecordProblem[] = [];
  if (local.crc32 !== e.crc32) {
    out.push({
      code: 'CRC_MISMATCH',
      message: `${where} CRC-32 ${hex(local.crc32)} differs from the central ${hex(e.crc32)}`,
    });
  }
  for (const field of ['compressedSize', 'uncompressedSize'] as const) {
    if (local[field] !== e[field]) {
      const what = field === 'compressedSize' ? 'compressed' : 'uncompressed';
      out.push({
        code: 'SIZE_MISMATCH',
        message: `${where} ${what} size ${local[field]} differs from the central ${e[field]}`,
      });
    }
  }
  return out;
}
