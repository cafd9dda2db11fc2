// zstd for the index payloads. Compression: node:zlib when the runtime has
// zstd (Node >= 22.15), else a WebAssembly build of libzstd, loaded on first
// use. Decompression: fzstd, frame by frame, after checking each frame header
// against the limits Go's decoder applies (8 MiB window, 128 MiB output), so
// an index Go refuses is refused here too.
import { Decompress } from 'fzstd';
import { CozipError } from '../errors.js';
import { concatBytes } from '../io/stream.js';
import { getU16, getU32 } from '../zip/bytes.js';
import { corrupt, indexTooLarge } from './errors.js';
import { MAX_INDEX_SIZE } from './file.js';

/** Go writes with "SpeedBetterCompression", described as about zstd level 7-8. */
const LEVEL = 7;
/** Go's encoder window (128 KiB). */
const WINDOW_LOG = 17;
/** Go's decoder refuses larger windows. */
export const MAX_WINDOW = 8 << 20;

const FRAME_MAGIC = 0xfd2fb528;
/** Most decompressed bytes per compressed byte (beyond the first MiB). */
const MAX_RATIO = 4096;

interface NodeZstd {
  zstdCompressSync(data: Uint8Array, options: { params: Record<number, number> }): Uint8Array;
  constants: Record<string, number>;
}

function nativeZstd(): NodeZstd | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const zlib = proc?.getBuiltinModule?.('node:zlib') as Partial<NodeZstd> | undefined;
  return typeof zlib?.zstdCompressSync === 'function' ? (zlib as NodeZstd) : undefined;
}

type WasmZstd = { compress(data: Uint8Array, level?: number): Uint8Array };
let wasm: Promise<(data: Uint8Array) => Uint8Array> | undefined;

/** The parts of the wasm module's (untyped) internals that compress() uses. */
interface WasmInternals {
  _mainModule?: {
    dataToHeap(d: Uint8Array): { ptr: number; size: number };
    malloc(n: number): { ptr: number; size: number };
    heapView(h: { ptr: number; size: number }): Uint8Array;
    free(h: { ptr: number; size: number }): void;
  };
  _zstdClass?: {
    compressBound(n: number): number;
    compress(dst: number, cap: number, src: number, n: number, level: number): number;
    isError(code: number): boolean;
    getErrorName(code: number): string;
  };
}

/**
 * A compress function over the wasm build. Its public compress() copies the
 * output through a JS array (seconds and hundreds of MB for a large index),
 * so the heap is copied directly when the internals are as expected.
 */
async function loadWasm(): Promise<(data: Uint8Array) => Uint8Array> {
  const { Zstd } = await import('@hpcc-js/wasm-zstd');
  const z = (await Zstd.load()) as unknown as WasmZstd & WasmInternals;
  const heap = z._mainModule;
  const lib = z._zstdClass;
  if (typeof heap?.heapView !== 'function' || typeof lib?.compress !== 'function') {
    return (data) => z.compress(data, LEVEL);
  }
  return (data) => {
    const src = heap.dataToHeap(data);
    const dst = heap.malloc(lib.compressBound(data.length));
    try {
      const n = lib.compress(dst.ptr, dst.size, src.ptr, src.size, LEVEL);
      if (lib.isError(n)) throw new CozipError('CORRUPT_DATA', `zstd: ${lib.getErrorName(n)}`);
      return heap.heapView({ ptr: dst.ptr, size: n }).slice();
    } finally {
      heap.free(dst);
      heap.free(src);
    }
  };
}

/** One zstd frame holding `data`. */
export async function zstdCompress(data: Uint8Array): Promise<Uint8Array> {
  const native = nativeZstd();
  let out: Uint8Array;
  if (native) {
    const c = native.constants;
    out = native.zstdCompressSync(data, {
      params: {
        [c.ZSTD_c_compressionLevel]: LEVEL,
        [c.ZSTD_c_windowLog]: WINDOW_LOG,
        [c.ZSTD_c_checksumFlag]: 1,
      },
    });
  } else {
    wasm ??= loadWasm();
    out = (await wasm)(data);
  }
  if (out.length < 4 || getU32(out, 0) !== FRAME_MAGIC) {
    throw new CozipError('CORRUPT_DATA', 'zstd: the compressor did not produce a frame');
  }
  return out;
}

/** Header facts of one frame, and where it ends. */
interface Frame {
  end: number;
  /** Declared decompressed size, when the header has one. */
  contentSize: number | undefined;
}

/** Walks the frame at `o`: header limits, then block headers to find its end. */
function scanFrame(b: Uint8Array, o: number): Frame {
  const cut = () => corrupt('zstd: unexpected EOF in frame', { offset: o });
  let p = o + 4;
  if (p >= b.length) throw cut();
  const fhd = b[p++];
  const fcsFlag = fhd >> 6;
  const singleSegment = (fhd & 0x20) !== 0;
  const checksum = (fhd & 0x04) !== 0;
  const dictBytes = [0, 1, 2, 4][fhd & 3];
  if (fhd & 0x08) throw corrupt('zstd: reserved frame header bit set', { offset: o });
  let window = 0;
  if (!singleSegment) {
    if (p >= b.length) throw cut();
    const wd = b[p++];
    const log = 10 + (wd >> 3);
    window = 2 ** log + (2 ** log / 8) * (wd & 7);
  }
  p += dictBytes;
  const fcsBytes = [singleSegment ? 1 : 0, 2, 4, 8][fcsFlag];
  if (p + fcsBytes > b.length) throw cut();
  let contentSize: number | undefined;
  if (fcsBytes === 1) contentSize = b[p];
  else if (fcsBytes === 2) contentSize = getU16(b, p) + 256;
  else if (fcsBytes === 4) contentSize = getU32(b, p);
  else if (fcsBytes === 8) contentSize = getU32(b, p) + getU32(b, p + 4) * 2 ** 32;
  p += fcsBytes;
  // A single-segment frame needs a window as large as its content.
  if (singleSegment) window = contentSize ?? 0;
  if (window > MAX_WINDOW) throw indexTooLarge(`zstd window of ${window} bytes`, window);
  for (;;) {
    if (p + 3 > b.length) throw cut();
    const h = b[p] | (b[p + 1] << 8) | (b[p + 2] << 16);
    p += 3;
    const type = (h >> 1) & 3;
    if (type === 3) throw corrupt('zstd: reserved block type', { offset: p - 3 });
    p += type === 1 ? 1 : h >>> 3;
    if (p > b.length) throw cut();
    if (h & 1) break;
  }
  if (checksum) p += 4;
  if (p > b.length) throw cut();
  return { end: p, contentSize };
}

/**
 * Decodes a sequence of zstd frames (skippable frames are skipped) into one
 * payload of at most 128 MiB, and at most 1 MiB + 4096 bytes per input byte.
 * An empty input gives an empty payload.
 */
export function zstdDecompress(b: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  // An index compresses maybe tenfold; a few hundred bytes that inflate to
  // 128 MiB are a bomb, refused before the decoder spends a second on it.
  const limit = Math.min(MAX_INDEX_SIZE, MAX_RATIO * b.length + (1 << 20));
  let o = 0;
  while (o < b.length) {
    if (b.length - o < 4) throw corrupt('zstd: unexpected EOF', { offset: o });
    const magic = getU32(b, o);
    if ((magic & 0xfffffff0) === 0x184d2a50) {
      if (b.length - o < 8) throw corrupt('zstd: unexpected EOF in skippable frame', { offset: o });
      o += 8 + getU32(b, o + 4);
      if (o > b.length) throw corrupt('zstd: unexpected EOF in skippable frame', { offset: o });
      continue;
    }
    if (magic !== FRAME_MAGIC)
      throw corrupt('zstd: invalid input: magic number mismatch', { offset: o });
    const frame = scanFrame(b, o);
    if (frame.contentSize !== undefined && frame.contentSize > limit - total) {
      throw indexTooLarge(`zstd frame declares ${frame.contentSize} bytes`, frame.contentSize);
    }
    let produced = 0;
    const d = new Decompress((chunk) => {
      produced += chunk.length;
      total += chunk.length;
      if (total > limit) throw indexTooLarge(`decompressed payload (${b.length} bytes in)`, total);
      parts.push(chunk);
    });
    try {
      d.push(b.subarray(o, frame.end), true);
    } catch (err) {
      if (err instanceof CozipError) throw err;
      throw corrupt(`zstd: ${(err as Error)?.message ?? err}`, { offset: o });
    }
    // fzstd does not hold a frame to its declared size; Go's decoder does.
    if (frame.contentSize !== undefined && produced !== frame.contentSize) {
      throw corrupt(
        `zstd: frame declares ${frame.contentSize} bytes of content and holds ${produced}`,
        { offset: o },
      );
    }
    o = frame.end;
  }
  return concatBytes(parts);
}
