// Checks on decoded MessagePack values, with the rules of Go's msgp readers:
// an integer field takes any integer family as long as the value fits the
// field; nil is never a container, string or number. (The decoder hands
// str and bin over alike as bytes, and an integral float as a number: both
// are accepted where Go is stricter; neither changes a value.)
import { corrupt } from './errors.js';
import { narrow } from './int64.js';

function kind(v: unknown): string {
  if (v === null) return 'nil';
  if (v instanceof Uint8Array) return 'str/bin';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'map';
  if (typeof v === 'number' && !Number.isInteger(v)) return 'float';
  return typeof v;
}

function wrongType(v: unknown, want: string, what: string): Error {
  return corrupt(`msgpack: ${what}: wanted ${want}, found ${kind(v)}`);
}

function integer(v: unknown, what: string): number | bigint {
  if (typeof v === 'bigint') return narrow(v);
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  throw wrongType(v, 'int', what);
}

/** An unsigned field of 8, 16 or 32 bits. */
export function uintField(v: unknown, bits: 8 | 16 | 32, what: string): number {
  const n = integer(v, what);
  if (n < 0) throw corrupt(`msgpack: ${what}: attempted to cast int ${n} to unsigned`);
  if (typeof n === 'bigint' || n >= 2 ** bits) {
    throw corrupt(`msgpack: ${what}: ${n} overflows uint${bits}`);
  }
  return n;
}

/** A uint64 field: a number when exact, else a bigint. */
export function uint64Field(v: unknown, what: string): number | bigint {
  const n = integer(v, what);
  if (n < 0) throw corrupt(`msgpack: ${what}: attempted to cast int ${n} to unsigned`);
  return n;
}

/** An int64 field: a number when exact, else a bigint. */
export function int64Field(v: unknown, what: string): number | bigint {
  const n = integer(v, what);
  if (typeof n === 'bigint' && n >= 1n << 63n) {
    throw corrupt(`msgpack: ${what}: ${n} overflows int64`);
  }
  return n;
}

export function boolField(v: unknown, what: string): boolean {
  if (typeof v !== 'boolean') throw wrongType(v, 'bool', what);
  return v;
}

/** A str or bin: its bytes (a view into the input). */
export function bytesField(v: unknown, what: string): Uint8Array {
  if (!(v instanceof Uint8Array)) throw wrongType(v, 'str/bin', what);
  return v;
}

/** An array, of exactly `length` elements when given. */
export function arrayField(v: unknown, what: string, length?: number): unknown[] {
  if (!Array.isArray(v)) throw wrongType(v, 'array', what);
  if (length !== undefined && v.length !== length) {
    throw corrupt(`msgpack: ${what}: wanted array of size ${length}; got ${v.length}`);
  }
  return v;
}

/** A map (decoded as a plain object). */
export function mapField(v: unknown, what: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array) {
    throw wrongType(v, 'map', what);
  }
  return v as Record<string, unknown>;
}

/** Checks every element of a decoded array in place (no copy of a large column). */
export function eachField<T>(
  arr: unknown[],
  what: string,
  check: (v: unknown, what: string) => T,
): T[] {
  for (let i = 0; i < arr.length; i++) arr[i] = check(arr[i], what);
  return arr as T[];
}
