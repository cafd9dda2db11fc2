// Opening a cozip: one read of the archive's head gives the index (and, for
// small indexes, all of it), one read of the last 32 KiB verifies the
// integrity hash; priority files and members are then single range reads.
import { CozipError } from '../errors.js';
import {
  isRangeSource,
  type OpenSourceOptions,
  openSource,
  type SourceInput,
} from '../io/open-source.js';
import type { RangeSource, ReadOptions } from '../io/source.js';
import { readStream } from '../io/stream.js';
import { crc32 } from '../zip/codecs.js';
import { READ_ENTRY_LIMIT } from '../zip/entry-data.js';
import {
  HASHED_TAIL,
  INDEX_HEADER_SIZE,
  METADATA_NAME,
  MIN_ARCHIVE_SIZE,
  PROFILE_FLAT,
  PROFILE_NAMES,
  PROFILE_TACO,
  type ProfileName,
} from './constants.js';
import { integrityHash } from './hash.js';
import { decodeIndexHeader } from './index-header.js';
import { decodeIndexPayload, type IndexEntry } from './index-payload.js';
import {
  checkHeaderBefore,
  checkPayloadCrc,
  crcMismatch,
  headerWindow,
  noHeader,
  wideHeaderWindow,
} from './member-check.js';

export interface CozipArchive {
  source: RangeSource;
  /** Archive size in bytes. */
  size: number;
  version: number;
  /** Profile byte from the index (0 none, 1 flat, 2 taco; others reserved). */
  profile: number;
  /** Undefined for a reserved profile value: names still resolve literally. */
  profileName: ProfileName | undefined;
  /** Priority files, in index order. */
  index: IndexEntry[];
  /** The integrity hash was recomputed and matched. */
  hashVerified: boolean;
}

export interface OpenCozipOptions extends OpenSourceOptions {
  /** Recompute the integrity hash (one read of the last 32 KiB). Default: on for http(s) and s3, off for local data. */
  verifyHash?: boolean;
  /** Bytes read speculatively from the start (default 4 KiB): small indexes cost one request. */
  headSize?: number;
  /** Fail with UNKNOWN_PROFILE unless the profile is one of these. */
  profiles?: ProfileName[];
  /** Refuse indexes larger than this (default 256 MiB, about ten million entries). */
  maxIndexBytes?: number;
}

const DEFAULT_MAX_INDEX = 256 * 1024 * 1024;

/** A Flat index is 92 bytes; a None or TACO index of a hundred priority files still fits. */
const DEFAULT_HEAD = 4 * 1024;

function isRemote(input: SourceInput): boolean {
  if (input instanceof URL) return input.protocol !== 'file:';
  if (typeof input === 'string') return /^(https?|s3):\/\//i.test(input);
  // An HTTP source (possibly inside a planner) carries validators.
  const inner = (input as { source?: unknown }).source ?? input;
  return typeof inner === 'object' && inner !== null && 'rangeSupported' in inner;
}

/** Opens a cozip from a path (Node), URL, Blob, bytes or RangeSource and checks its index. */
export async function openCozip(
  input: SourceInput,
  options: OpenCozipOptions = {},
): Promise<CozipArchive> {
  const headSize = Math.max(INDEX_HEADER_SIZE, options.headSize ?? DEFAULT_HEAD);
  const verify = options.verifyHash ?? isRemote(input);
  // Over HTTP the hashed tail is asked for with the head, in the same round trip.
  const source = await openSource(input, {
    probe: { start: 0, end: headSize },
    tailProbe: verify ? HASHED_TAIL : undefined,
    ...options,
  });
  try {
    return await readIndex(source, headSize, verify, options);
  } catch (err) {
    // A source opened here from a path or URL is closed on failure.
    if (!isRangeSource(input)) await source.close();
    throw err;
  }
}

async function readIndex(
  source: RangeSource,
  headSize: number,
  verify: boolean,
  options: OpenCozipOptions,
): Promise<CozipArchive> {
  const read: ReadOptions = { signal: options.signal };
  const size = source.size;
  const head = await source.read(0, Math.min(size, headSize), read);
  const header = decodeIndexHeader(head);
  if (size < MIN_ARCHIVE_SIZE) {
    throw new CozipError(
      'ARCHIVE_TOO_SMALL',
      `archive is ${size} bytes; a cozip has at least ${MIN_ARCHIVE_SIZE}`,
      {
        details: { size },
      },
    );
  }
  const maxIndex = options.maxIndexBytes ?? DEFAULT_MAX_INDEX;
  if (header.indexSize > maxIndex) {
    throw new CozipError(
      'LIMIT_EXCEEDED',
      `index of ${header.indexSize} bytes exceeds maxIndexBytes (${maxIndex})`,
      {
        details: { indexSize: header.indexSize },
      },
    );
  }
  const indexEnd = INDEX_HEADER_SIZE + header.indexSize;
  if (indexEnd > size) {
    throw new CozipError(
      'TRUNCATED_INDEX',
      `index of ${header.indexSize} bytes runs past the archive end ${size}`,
    );
  }
  const payload =
    indexEnd <= head.length
      ? head.subarray(INDEX_HEADER_SIZE, indexEnd)
      : await source.read(INDEX_HEADER_SIZE, indexEnd, read);
  if (crc32(payload) !== header.crc32) {
    throw new CozipError(
      'INVALID_LFH',
      'the CRC-32 of the index payload does not match its local header',
    );
  }
  const index = decodeIndexPayload(payload, size);

  if (verify) {
    const tail = await source.read(Math.max(indexEnd, size - HASHED_TAIL), size, read);
    const hash = integrityHash(payload, tail, size);
    if (!hash.every((b, i) => b === header.hash[i])) {
      throw new CozipError(
        'HASH_MISMATCH',
        'integrity hash mismatch: the index or the archive tail changed since writing',
        {
          details: { stored: hex(header.hash), computed: hex(hash) },
        },
      );
    }
  }
  const profileName = PROFILE_NAMES[index.profile];
  if (options.profiles && (!profileName || !options.profiles.includes(profileName))) {
    throw new CozipError(
      'UNKNOWN_PROFILE',
      `profile ${profileName ?? index.profile} is not one of ${options.profiles.join(', ')}`,
      {
        details: { profile: index.profile },
      },
    );
  }
  if (
    index.profile === PROFILE_FLAT &&
    (index.entries.length !== 1 || index.entries[0].name !== METADATA_NAME)
  ) {
    throw new CozipError(
      'MISSING_ENTRY',
      `a Flat cozip indexes exactly one file, ${METADATA_NAME}`,
    );
  }
  return {
    source,
    size,
    version: index.version,
    profile: index.profile,
    profileName,
    index: index.entries,
    hashVerified: verify,
  };
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** A priority file's index entry; MISSING_ENTRY when the index does not list it. */
export function priorityEntry(archive: CozipArchive, name: string): IndexEntry {
  const e = archive.index.find((x) => x.name === name);
  if (!e)
    throw new CozipError(
      'MISSING_ENTRY',
      `${JSON.stringify(name)} is not a priority file of this cozip`,
      { details: { name } },
    );
  return e;
}

/** A priority file's bytes: one range request. */
export function readPriorityFile(
  archive: CozipArchive,
  name: string,
  options: ReadOptions = {},
): Promise<Uint8Array> {
  const e = priorityEntry(archive, name);
  return archive.source.read(e.offset, e.offset + e.size, options).then((b) => new Uint8Array(b));
}

/**
 * All priority files with one range request over [min offset, max end): the
 * TACO profile guarantees they form one contiguous block.
 */
export async function readPriorityBlock(
  archive: CozipArchive,
  options: ReadOptions = {},
): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  if (archive.index.length === 0) return out;
  const start = Math.min(...archive.index.map((e) => e.offset));
  const end = Math.max(...archive.index.map((e) => e.offset + e.size));
  if (archive.profile !== PROFILE_TACO && end - start > 64 * 1024 * 1024) {
    // Outside TACO the files may be far apart: do not fetch what lies between.
    for (const e of archive.index)
      out.set(e.name, await readPriorityFile(archive, e.name, options));
    return out;
  }
  const block = await archive.source.read(start, end, options);
  for (const e of archive.index)
    out.set(e.name, new Uint8Array(block.subarray(e.offset - start, e.offset - start + e.size)));
  return out;
}

/** Where a member's payload is: a manifest row, an index entry, or any { offset, size }. */
export interface MemberRange {
  offset: number;
  size: number;
  name?: string;
}

/** A manifest row (any object with numeric offset and size) or a MemberRange. */
export type MemberLike = MemberRange | Record<string, unknown>;

function checkMember(archive: CozipArchive, like: MemberLike): MemberRange {
  const m = like as MemberRange;
  if (typeof m.offset !== 'number' || typeof m.size !== 'number') {
    throw new CozipError(
      'INVALID_ARGUMENT',
      'a member needs numeric offset and size (pass a manifest row)',
    );
  }
  // A corrupt manifest can hold a null (or numeric) name: it names no member.
  if (m.name !== undefined && typeof m.name !== 'string') {
    throw new CozipError(
      'INVALID_ARGUMENT',
      `a member's name must be a string, not ${m.name === null ? 'null' : typeof m.name}`,
      { details: { offset: m.offset, size: m.size } },
    );
  }
  if (
    !Number.isSafeInteger(m.offset) ||
    !Number.isSafeInteger(m.size) ||
    m.offset < 0 ||
    m.size < 0 ||
    m.offset + m.size > archive.size
  ) {
    throw new CozipError(
      'INVALID_OFFSET',
      `member ${m.name ?? ''} [${m.offset}, ${m.offset + m.size}) is outside the archive`,
      { details: { offset: m.offset, size: m.size } },
    );
  }
  return m;
}

export interface MemberReadOptions extends ReadOptions {
  /**
   * Check the member's local header (fetched with the payload, in the same
   * request) against the row, and the CRC-32 of what is returned (default
   * true). A mismatch is MISSING_ENTRY or CRC_MISMATCH, never bytes. false
   * trusts the row and reads the payload alone.
   */
  verify?: boolean;
  /**
   * readMember and readMemberRange hold what they return in memory: more
   * bytes than this (default 256 MiB, as readEntry) are refused with
   * LIMIT_EXCEEDED before anything is read. Larger: stream with openMember.
   */
  maxBytes?: number;
}

/** LIMIT_EXCEEDED when `n` bytes would be held in memory beyond `maxBytes`. */
function checkHeld(n: number, maxBytes: number, what: string): void {
  if (n <= maxBytes) return;
  throw new CozipError(
    'LIMIT_EXCEEDED',
    `${what} is ${n} bytes, over the in-memory limit of ${maxBytes} (raise maxBytes, or stream it with openMember)`,
    { details: { size: n, limit: maxBytes } },
  );
}

/** The local header's CRC-32, from `before` or (foreign headers with long extras) a second read. */
async function headerCrc(
  archive: CozipArchive,
  member: MemberRange,
  before: Uint8Array,
  options: ReadOptions,
): Promise<number> {
  const crc = checkHeaderBefore(before, member);
  if (crc !== undefined) return crc;
  const wide = wideHeaderWindow(member);
  if (wide > before.length) {
    const more = await archive.source.read(member.offset - wide, member.offset, options);
    const again = checkHeaderBefore(more, member);
    if (again !== undefined) return again;
  }
  throw noHeader(member);
}

/**
 * A member's bytes (cozip members are stored): one range request, which also
 * brings the member's local header; both are checked (see `verify`).
 */
export async function readMember(
  archive: CozipArchive,
  row: MemberLike,
  options: MemberReadOptions = {},
): Promise<Uint8Array> {
  const member = checkMember(archive, row);
  const { verify = true, maxBytes = READ_ENTRY_LIMIT, ...read } = options;
  checkHeld(member.size, maxBytes, member.name ?? `the member at ${member.offset}`);
  if (!verify) {
    return new Uint8Array(
      await archive.source.read(member.offset, member.offset + member.size, read),
    );
  }
  const window = headerWindow(member);
  const bytes = await archive.source.read(
    member.offset - window,
    member.offset + member.size,
    read,
  );
  const crc = await headerCrc(archive, member, bytes.subarray(0, window), read);
  const payload = bytes.slice(window);
  checkPayloadCrc(payload, crc, member);
  return payload;
}

/** How far into a member a verified range read still fetches the header with the range. */
const RANGE_WITH_HEADER = 64 * 1024;

/**
 * Bytes [start, end) of a member (relative to the member). Verified reads
 * check the local header when the range starts within the first 64 KiB (it
 * comes in the same request), and the CRC-32 when the range is the whole
 * member; a range further in is read as it is.
 */
export async function readMemberRange(
  archive: CozipArchive,
  row: MemberLike,
  start: number,
  end: number,
  options: MemberReadOptions = {},
): Promise<Uint8Array> {
  const member = checkMember(archive, row);
  if (
    !Number.isSafeInteger(start) ||
    !Number.isSafeInteger(end) ||
    start < 0 ||
    end < start ||
    end > member.size
  ) {
    throw new CozipError(
      'OUT_OF_RANGE',
      `range [${start}, ${end}) is outside the member (size ${member.size})`,
    );
  }
  const { verify = true, maxBytes = READ_ENTRY_LIMIT, ...read } = options;
  checkHeld(end - start, maxBytes, `${member.name} [${start}, ${end})`);
  if (!verify || start > RANGE_WITH_HEADER) {
    return new Uint8Array(
      await archive.source.read(member.offset + start, member.offset + end, read),
    );
  }
  const window = headerWindow(member);
  const bytes = await archive.source.read(member.offset - window, member.offset + end, read);
  const crc = await headerCrc(archive, member, bytes.subarray(0, window), read);
  const payload = bytes.slice(window);
  if (start === 0 && end === member.size) checkPayloadCrc(payload, crc, member);
  return payload.subarray(start);
}

/**
 * A member as a stream: one request over HTTP, whatever its size, which
 * brings the local header first. Verified streams check the header before
 * the first chunk and the CRC-32 after the last (a mismatch is thrown then:
 * a consumer that must never act on bad bytes reads with readMember).
 */
export async function* openMember(
  archive: CozipArchive,
  row: MemberLike,
  options: MemberReadOptions = {},
): AsyncGenerator<Uint8Array> {
  const member = checkMember(archive, row);
  const { verify = true, ...read } = options;
  if (!verify) {
    yield* readStream(archive.source, member.offset, member.offset + member.size, read);
    return;
  }
  const window = headerWindow(member);
  const chunks = readStream(
    archive.source,
    member.offset - window,
    member.offset + member.size,
    read,
  );
  const head = new Uint8Array(window);
  let have = 0;
  let crc: number | undefined;
  let running = 0;
  for await (const chunk of chunks) {
    let c = chunk;
    if (crc === undefined) {
      const take = Math.min(window - have, c.length);
      head.set(c.subarray(0, take), have);
      have += take;
      c = c.subarray(take);
      if (have < window) continue;
      crc = await headerCrc(archive, member, head, read);
    }
    if (c.length === 0) continue;
    running = crc32(c, running);
    yield c;
  }
  if (crc === undefined) crc = await headerCrc(archive, member, head.subarray(0, have), read);
  if (running !== crc) throw crcMismatch(member, running, crc);
}

/**
 * Several members at once. The reads are issued together, so the planner
 * merges members that lie close to each other into one request.
 */
export function readMembers(
  archive: CozipArchive,
  rows: MemberLike[],
  options: MemberReadOptions = {},
): Promise<Uint8Array[]> {
  return Promise.all(rows.map((row) => readMember(archive, row, options)));
}
