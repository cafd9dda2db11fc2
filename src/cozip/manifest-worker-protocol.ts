// What passes between the writer and the manifest worker: the columns in a
// compact, cloneable form (names back to back in one buffer, numbers in
// typed arrays), and the bytes or a failure back.
import { CozipError, type ErrorCode } from '../errors.js';
import type { EncodeManifestOptions, ManifestColumns } from './manifest-write.js';

export interface ManifestJob {
  names: Uint8Array;
  /** Row i's name is names[starts[i], starts[i + 1]). */
  starts: Uint32Array;
  offset: Float64Array;
  size: Float64Array;
  extra: ManifestColumns['extra'];
  options: EncodeManifestOptions | undefined;
}

export type ManifestReply =
  | { bytes: Uint8Array }
  | { error: { code?: ErrorCode; message: string; details?: Record<string, unknown> } };

/** The job for `columns`, or undefined when a value would not survive cloning as it is. */
export function manifestJob(
  columns: ManifestColumns,
  options: EncodeManifestOptions | undefined,
): ManifestJob | undefined {
  const n = columns.name.length;
  if (columns.name.some((name) => !(name instanceof Uint8Array))) return undefined;
  if (!columns.extra.every((c) => c.values.every(plainValue))) return undefined;
  if (options?.geo) return undefined;
  const starts = new Uint32Array(n + 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    starts[i] = total;
    total += columns.name[i].length;
  }
  starts[n] = total;
  const names = new Uint8Array(total);
  for (let i = 0; i < n; i++) names.set(columns.name[i] as Uint8Array, starts[i]);
  const numbers = (values: Array<number | bigint>) => {
    if (values.some((v) => typeof v !== 'number')) return undefined;
    return Float64Array.from(values as number[]);
  };
  const offset = numbers(columns.offset);
  const size = numbers(columns.size);
  if (!offset || !size) return undefined;
  return { names, starts, offset, size, extra: columns.extra, options };
}

/** Values a structured clone gives back exactly (no prototypes, methods or toJSON to lose). */
function plainValue(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  const t = typeof v;
  if (t === 'string' || t === 'number' || t === 'boolean' || t === 'bigint') return true;
  if (v instanceof Date) return Object.getPrototypeOf(v) === Date.prototype;
  return v instanceof Uint8Array && Object.getPrototypeOf(v) === Uint8Array.prototype;
}

export function jobColumns(job: ManifestJob): ManifestColumns {
  const n = job.starts.length - 1;
  const name: Uint8Array[] = new Array(n);
  for (let i = 0; i < n; i++) name[i] = job.names.subarray(job.starts[i], job.starts[i + 1]);
  return { name, offset: Array.from(job.offset), size: Array.from(job.size), extra: job.extra };
}

export function replyError(err: unknown): ManifestReply {
  if (err instanceof CozipError) {
    return { error: { code: err.code, message: err.message, details: err.details } };
  }
  return { error: { message: String((err as Error)?.message ?? err) } };
}

export function errorOf(reply: Extract<ManifestReply, { error: unknown }>): Error {
  const { code, message, details } = reply.error;
  return code ? new CozipError(code, message, { details }) : new Error(message);
}
