// Custom metadata: a MessagePack map of str -> str, at most 1000 pairs.
import { CozipError } from '../errors.js';
import { tooManyCustomEntries } from './errors.js';
import { bytesField, mapField } from './fields.js';
import { MAX_CUSTOM_ENTRIES } from './file.js';

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

export function checkCustom(custom: Map<string, string> | undefined): void {
  if (!custom) return;
  if (custom.size > MAX_CUSTOM_ENTRIES) throw tooManyCustomEntries(custom.size);
  // The decoder refuses this key (it would replace an object's prototype).
  if (custom.has('__proto__')) {
    throw new CozipError('INVALID_ARGUMENT', 'zipindex: "__proto__" cannot be a custom key');
  }
}

/** The map as the encoder takes it (an empty map is written too: `80`). */
export function customObject(custom: Map<string, string> | undefined): Record<string, string> {
  checkCustom(custom);
  return custom ? Object.fromEntries(custom) : {};
}

/** A decoded custom map; undefined when it is empty. Duplicate keys: the last wins. */
export function customFromValue(v: unknown): Map<string, string> | undefined {
  const obj = mapField(v, 'custom');
  const keys = Object.keys(obj);
  if (keys.length === 0) return undefined;
  const out = new Map<string, string>();
  for (const k of keys) out.set(k, utf8.decode(bytesField(obj[k], 'custom value')));
  return out;
}
