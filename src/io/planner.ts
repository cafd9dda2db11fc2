import { CozipError } from '../errors.js';
import { abortable, abortedError, closedError, throwIfAborted } from './abort.js';
import { SegmentCache } from './segment-cache.js';
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
  cache: boolean;
  maxGap: number;
  resolve: (bytes: Uint8Array) => void;
  reject: (err: unknown) => void;
}

/** A request to the source still in flight; later reads inside it wait for it. */
interface Flight {
  start: number;
  end: number;
  promise: Promise<Uint8Array>;
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
  private readonly cache: SegmentCache;
  private closed = false;

  constructor(source: RangeSource, options: ReadPlannerOptions = {}) {
    this.source = source;
    this.size = source.size;
    this.name = source.name;
    this.maxGap = limit('maxGap', options.maxGap ?? 64 * 1024);
    this.maxRequest = limit('maxRequest', options.maxRequest ?? 16 * 1024 * 1024);
    this.cacheBytes = limit('cacheBytes', options.cacheBytes ?? 32 * 1024 * 1024);
    this.cache = new SegmentCache(this.cacheBytes);
    // An HttpSource keeps the bytes of its probes: reuse them instead of refetching.
    const prefetched = (source as { prefetched?: Array<{ start: number; bytes: Uint8Array }> })
      .prefetched;
    for (const p of prefetched ?? []) this.seed(p.start, p.bytes);
  }

  /** Bytes the cache holds now (never more than `cacheBytes`). */
  get cachedBytes(): number {
    return this.cache.bytes;
  }

  /** The cached ranges, least recently used first (tests watch the eviction order). */
  cachedRanges(): [number, number][] {
    return [...this.cache.ranges()];
  }

  async read(start: number, end: number, options: ReadOptions = {}): Promise<Uint8Array> {
    // No await before the read is queued: reads issued together must meet in `pending`.
    this.stats.reads++;
    checkRange(this, start, end);
    if (this.closed) throw closedError(this.name);
    throwIfAborted(options.signal);
    if (start === end) return new Uint8Array(0);

    const hit = this.cache.get(start, end);
    if (hit) {
      this.stats.cacheHits++;
      return hit;
    }
    // The first or last bytes are cached (a probe's, say, before a scan from
    // the start): fetch only what lies between, so no byte is fetched twice.
    const head = this.cache.from(start, end);
    const tail = this.cache.until(start, end);
    const from = start + (head?.length ?? 0);
    const to = end - (tail?.length ?? 0);
    if ((head || tail) && from < to) {
      const middle = await this.fetchRange(from, to, options);
      const out = new Uint8Array(end - start);
      if (head) out.set(head, 0);
      out.set(middle, from - start);
      if (tail) out.set(tail, to - start);
      return out;
    }
    return this.fetchRange(start, end, options);
  }

  /** [start, end) from a request in flight, or queued for the next flush. */
  private async fetchRange(start: number, end: number, options: ReadOptions): Promise<Uint8Array> {
    for (const flight of this.flights) {
      if (flight.start <= start && end <= flight.end) {
        const bytes = await abortable(flight.promise, options.signal);
        return bytes.subarray(start - flight.start, end - flight.start);
      }
    }
    return new Promise((resolve, reject) => {
      const cache = options.cache !== false;
      const maxGap = Math.min(this.maxGap, options.maxGap ?? this.maxGap);
      this.pending.push({ start, end, signal: options.signal, cache, maxGap, resolve, reject });
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
    const hit = start < end ? this.cache.get(start, end) : undefined;
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
    if (!this.closed) this.cache.put(start, bytes);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const read of this.pending) read.reject(closedError(this.name));
    this.pending = [];
    this.cache.clear();
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
      const last = group[group.length - 1];
      const joins =
        group.length > 0 &&
        read.start - groupEnd <= Math.min(read.maxGap, last.maxGap) &&
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
    const promise = this.fetch(
      start,
      end,
      signal,
      reads.some((r) => r.cache),
    );
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

  private async fetch(
    start: number,
    end: number,
    signal: AbortSignal | undefined,
    cache: boolean,
  ): Promise<Uint8Array> {
    this.stats.requests++;
    const bytes = await this.source.read(start, end, { signal });
    this.stats.bytesFetched += bytes.length;
    // Big reads (a whole member) would flush everything else out of the cache.
    if (cache && bytes.length <= this.cacheBytes / 4 && !this.closed) this.cache.put(start, bytes);
    return bytes;
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
