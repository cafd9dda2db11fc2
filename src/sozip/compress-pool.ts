// Node only: worker threads that compress SOZip chunk jobs. Jobs go to the
// first idle worker (spawned on demand, up to `threads`); callers keep order
// by awaiting results in submission order. Writers share one pool per thread
// count, so workers start once per process, and stop after a few idle
// seconds; idle workers never keep the process alive.
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { CozipError } from '../errors.js';
import { startSiblingWorker } from '../worker-node.js';
import type { CompressedJob, CompressJob } from './chunk-deflate.js';

interface Task {
  job: CompressJob;
  resolve: (done: CompressedJob) => void;
  reject: (err: unknown) => void;
}

interface Slot {
  worker: Worker;
  task: Task | undefined;
}

/** Worker threads by default: one per core. */
export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}

/** Idle workers of a shared pool are stopped after this long. */
const IDLE_MS = 5000;

const shared = new Map<number, CompressPool>();

/** The pool every writer asking for `threads` threads shares. */
export function sharedPool(threads: number): CompressPool {
  let pool = shared.get(threads);
  if (!pool) {
    pool = new CompressPool(threads, IDLE_MS);
    shared.set(threads, pool);
  }
  return pool;
}

export class CompressPool {
  readonly threads: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private closed = false;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;

  /** `idleMs`: stop the workers after that long without work (they restart on demand). */
  constructor(
    threads: number,
    private readonly idleMs?: number,
  ) {
    this.threads = threads;
  }

  /** Workers running now (for tests). */
  get workers(): number {
    return this.slots.length;
  }

  /** Compresses `job` on a worker; its data buffer is transferred (detached here). */
  run(job: CompressJob): Promise<CompressedJob> {
    if (this.closed) {
      return Promise.reject(new CozipError('WRITER_STATE', 'compression pool is closed'));
    }
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.dispatch();
    });
  }

  /** Stops every worker; queued and running jobs fail. */
  async close(): Promise<void> {
    this.closed = true;
    const err = new CozipError('ABORTED', 'compression pool closed');
    for (const task of this.queue.splice(0)) task.reject(err);
    const slots = this.slots.splice(0);
    for (const slot of slots) slot.task?.reject(err);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private dispatch(): void {
    if (this.queue.length === 0 && this.slots.every((s) => s.task === undefined)) {
      this.idle();
      return;
    }
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => s.task === undefined);
      if (!slot && this.slots.length < this.threads) slot = this.spawn();
      if (!slot) return;
      const task = this.queue.shift()!;
      slot.task = task;
      // A busy worker keeps the process alive until its result is in.
      slot.worker.ref();
      slot.worker.postMessage(task.job, [task.job.data.buffer as ArrayBuffer]);
    }
  }

  /** Nothing to do: stop the workers after a while (a new job cancels that). */
  private idle(): void {
    if (this.idleMs === undefined || this.idleTimer || this.slots.length === 0) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.queue.length > 0 || this.slots.some((s) => s.task !== undefined)) return;
      for (const slot of this.slots.splice(0)) {
        slot.worker.removeAllListeners('exit');
        slot.worker.terminate().catch(() => {});
      }
    }, this.idleMs);
    this.idleTimer.unref();
  }

  private spawn(): Slot {
    const worker = startSiblingWorker(import.meta.url, 'compress-worker');
    const slot: Slot = { worker, task: undefined };
    worker.on('message', (msg: CompressedJob | { id: number; error: string }) => {
      const task = slot.task;
      slot.task = undefined;
      worker.unref();
      if (!task) return;
      if ('error' in msg) {
        task.reject(new CozipError('INVALID_ARGUMENT', `chunk compression failed: ${msg.error}`));
      } else {
        task.resolve(msg);
      }
      this.dispatch();
    });
    const lost = (err: unknown) => {
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      slot.task?.reject(err);
      slot.task = undefined;
      if (!this.closed) this.dispatch();
    };
    worker.on('error', lost);
    worker.on('exit', (code) => {
      if (!this.closed) lost(new CozipError('ABORTED', `compression worker exited (code ${code})`));
    });
    worker.unref();
    this.slots.push(slot);
    return slot;
  }
}
