import { CozipError } from '../errors.js';
import { abortable, abortedError, closedError, throwIfAborted } from './abort.js';
import { checkRange, type RangeSource, type ReadOptions } from './source.js';
import { readStream } from './stream.js';

export interface ReadPlannerOptions {
  /** Reads at most this far apart are fetched by one request. Default 64 KiB. */
  maxGap?: number;
  /** A merged request never grows beyond this. Default 16 MiB. */
  maxRequest?: number;
  /** Budget of the cache of fetched bytes; 0 disables it. Default 32 MiB. */
  cacheBytes?: number;
}

export interface PlannerStats {
  /** read() calls made on the planner. */
  reads: number;
  /** Reads and streams asked of the wrapped source. */
  requests: number;
  /** Bytes the wrapped source returned. */
  bytesFetched: number;
  /** Reads answered from the cache alone. */
  cacheHits: number;
}

interface PendingRead {
  start: number;
  end: number;
  signal: AbortSignal | undefined;
  resolve: (bytes: Uint8Array) => void;
  reject: (err: unknown) => void;
}

/** A request to the source still in flight; later reads inside it wait for it. */
interface Flight {
  start: number;
  end: number;
  promise: Promise<Uint8Array>;
}

interface Segment {
  start: number;
  end: number;
  bytes: Uint8Array;
}

/**
 * Wraps a RangeSource so that many small reads cost few requests:
 * reads issued together (in the same tick) that lie close to each other are
 * fetched by one request, and fetched bytes are kept in a bounded LRU cache.
 *
 * Returned bytes may be views into cached data: treat them as read-only.
 */
export class ReadPlanner implements RangeSource {
  readonly source: RangeSource;
  readonly size: number;
  readonly name: string;
  readonly stats: PlannerStats = { reads: 0, requests: 0, bytesFetched: 0, cacheHits: 0 };
  readonly maxGap: number;
  readonly maxRequest: number;
  readonly cacheBytes: number;

  private pending: PendingRead[] = [];
  private flushQueued = false;
  private readonly flights = new Set<Flight>();
  /** Iteration order is the LRU order: least recently used first. */
  private readonly segments = new Set<Segment>();
  /** The same segments sorted by start, for binary search. */
  private readonly byStart: Segment[] = [];
  private cached = 0;
  private closed = false;

  constructor(source: RangeSource, options: ReadPlannerOptions = {}) {
    this.source = source;
    this.size = source.size;
    this.name = source.name;
    this.maxGap = limit('maxGap', options.maxGap ?? 64 * 1024);
    this.maxRequest = limit('maxRequest', options.maxRequest ?? 16 * 1024 * 1024);
    this.cacheBytes = limit('cacheBytes', options.cacheBytes ?? 32 * 1024 * 1024);
    // An HttpSource keeps the bytes of its probe: reuse them instead of refetching.
    const prefetched = (source as { prefetched?: { start: number; bytes: Uint8Array } }).prefetched;
    if (prefetched) this.seed(prefetched.start, prefetched.bytes);
  }

  /** Bytes the cache holds now (never more than `cacheBytes`). */
  get cachedBytes(): number {
    return this.cached;
  }

  async read(start: number, end: number, options: ReadOptions = {}): Promise<Uint8Array> {
    // No await before the read is queued: reads issued together must meet in `pending`.
    this.stats.reads++;
    checkRange(this, start, end);
    if (this.closed) throw closedError(this.name);
    throwIfAborted(options.signal);
    if (start === end) return new Uint8Array(0);

    const hit = this.fromCache(start, end);
    if (hit) {
      this.stats.cacheHits++;
      return hit;
    }
    for (const flight of this.flights) {
      if (flight.start <= start && end <= flight.end) {
        const bytes = await abortable(flight.promise, options.signal);
        return bytes.subarray(start - flight.start, end - flight.start);
      }
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ start, end, signal: options.signal, resolve, reject });
      if (!this.flushQueued) {
        this.flushQueued = true;
        queueMicrotask(() => this.flush());
      }
    });
  }

  /**
   * Streams [start, end) straight from the source (one request when the source
   * can stream); the bytes bypass the cache.
   */
  async *stream(
    start: number,
    end: number,
    options: ReadOptions = {},
  ): AsyncGenerator<Uint8Array, void, undefined> {
    checkRange(this, start, end);
    if (this.closed) throw closedError(this.name);
    const hit = start < end ? this.fromCache(start, end) : undefined;
    if (hit) {
      this.stats.cacheHits++;
      yield hit;
      return;
    }
    const streams = this.source.stream !== undefined;
    if (streams && start < end) this.stats.requests++;
    for await (const chunk of readStream(this.source, start, end, options)) {
      if (!streams) this.stats.requests++; // one read per chunk
      this.stats.bytesFetched += chunk.length;
      yield chunk;
    }
  }

  /** Adds bytes known to be at `start` (e.g. a probe's) to the cache. */
  seed(start: number, bytes: Uint8Array): void {
    checkRange(this, start, start + bytes.length);
    this.insert(start, bytes);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const read of this.pending) read.reject(closedError(this.name));
    this.pending = [];
    this.segments.clear();
    this.byStart.length = 0;
    this.cached = 0;
    await this.source.close?.();
  }

  /** Groups the queued reads into as few requests as the limits allow. */
  private flush(): void {
    this.flushQueued = false;
    const reads = this.pending;
    this.pending = [];
    const live: PendingRead[] = [];
    for (const read of reads) {
      if (read.signal?.aborted) read.reject(abortedError(read.signal));
      else live.push(read);
    }
    live.sort((a, b) => a.start - b.start || a.end - b.end);

    let group: PendingRead[] = [];
    let groupStart = 0;
    let groupEnd = 0;
    for (const read of live) {
      const joins =
        group.length > 0 &&
        read.start - groupEnd <= this.maxGap &&
        Math.max(groupEnd, read.end) - groupStart <= this.maxRequest;
      if (joins) {
        group.push(read);
        groupEnd = Math.max(groupEnd, read.end);
        continue;
      }
      if (group.length > 0) this.fetchGroup(groupStart, groupEnd, group);
      group = [read];
      groupStart = read.start;
      groupEnd = read.end;
    }
    if (group.length > 0) this.fetchGroup(groupStart, groupEnd, group);
  }

  /** One request for [start, end), answering every read of the group. */
  private fetchGroup(start: number, end: number, reads: PendingRead[]): void {
    // Only a lone read may cancel the request: a merged one serves other readers,
    // who stop waiting on their own signal instead.
    const signal = reads.length === 1 ? reads[0].signal : undefined;
    const promise = this.fetch(start, end, signal);
    if (signal === undefined) {
      const flight: Flight = { start, end, promise };
      this.flights.add(flight);
      const landed = () => this.flights.delete(flight);
      promise.then(landed, landed);
    }
    for (const read of reads) {
      abortable(promise, read.signal).then(
        (bytes) => read.resolve(bytes.subarray(read.start - start, read.end - start)),
        read.reject,
      );
    }
  }

  private async fetch(start: number, end: number, signal?: AbortSignal): Promise<Uint8Array> {
    this.stats.requests++;
    const bytes = await this.source.read(start, end, { signal });
    this.stats.bytesFetched += bytes.length;
    // Big reads (a whole member) would flush everything else out of the cache.
    if (bytes.length <= this.cacheBytes / 4) this.insert(start, bytes);
    return bytes;
  }

  /** Index of the first segment in byStart whose start is > pos. */
  private upper(pos: number): number {
    let lo = 0;
    let hi = this.byStart.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.byStart[mid].start <= pos) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * The cached segment covering `pos` that reaches furthest. Segments rarely
   * overlap, so only a few predecessors are looked at: a pathological overlap
   * costs a cache miss, never a wrong byte.
   */
  private covering(pos: number): Segment | undefined {
    let best: Segment | undefined;
    const i = this.upper(pos) - 1;
    for (let k = i; k >= 0 && k > i - 8; k--) {
      const segment = this.byStart[k];
      if (segment.end > pos && (!best || segment.end > best.end)) best = segment;
    }
    return best;
  }

  /** The bytes [start, end) if cached segments cover all of them. */
  private fromCache(start: number, end: number): Uint8Array | undefined {
    const parts: { segment: Segment; from: number; to: number }[] = [];
    for (let pos = start; pos < end; ) {
      const best = this.covering(pos);
      if (!best) return undefined;
      const to = Math.min(end, best.end);
      parts.push({ segment: best, from: pos, to });
      pos = to;
    }
    for (const { segment } of parts) this.touch(segment);
    if (parts.length === 1) {
      const { segment } = parts[0];
      return segment.bytes.subarray(start - segment.start, end - segment.start);
    }
    const out = new Uint8Array(end - start);
    for (const { segment, from, to } of parts) {
      out.set(segment.bytes.subarray(from - segment.start, to - segment.start), from - start);
    }
    return out;
  }

  private insert(start: number, bytes: Uint8Array): void {
    const end = start + bytes.length;
    if (bytes.length === 0 || bytes.length > this.cacheBytes || this.closed) return;
    const around = this.covering(start);
    if (around && around.start <= start && end <= around.end) {
      this.touch(around); // already cached
      return;
    }
    // Segments inside the new one are now redundant.
    for (let i = this.upper(start - 1); i < this.byStart.length && this.byStart[i].start < end; ) {
      const segment = this.byStart[i];
      if (segment.end <= end) this.remove(segment);
      else i++;
    }
    const segment = { start, end, bytes };
    this.byStart.splice(this.upper(start), 0, segment);
    this.segments.add(segment);
    this.cached += bytes.length;
    for (const old of this.segments) {
      if (this.cached <= this.cacheBytes) break;
      this.remove(old);
    }
  }

  /** Marks a segment most recently used. */
  private touch(segment: Segment): void {
    this.segments.delete(segment);
    this.segments.add(segment);
  }

  private remove(segment: Segment): void {
    this.segments.delete(segment);
    let i = this.upper(segment.start) - 1;
    while (i >= 0 && this.byStart[i] !== segment) i--;
    if (i >= 0) this.byStart.splice(i, 1);
    this.cached -= segment.bytes.length;
  }
}

function limit(what: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new CozipError('INVALID_ARGUMENT', `${what} must be a non-negative integer: ${value}`);
  }
  return value;
}

export function createReadPlanner(source: RangeSource, options?: ReadPlannerOptions): ReadPlanner {
  return new ReadPlanner(source, options);
}
