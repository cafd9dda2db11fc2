// Custom metadata: a MessagePack map of str -> str, at most 1000 pairs.
import { tooManyCustomEntries } from './errors.js';
import { MAX_CUSTOM_ENTRIES } from './file.js';
import type { MsgReader } from './msgpack-read.js';
import type { MsgWriter } from './msgpack-write.js';

const utf8 = new TextDecoder();

export function checkCustom(custom: Map<string, string> | undefined): void {
  if (custom && custom.size > MAX_CUSTOM_ENTRIES) throw tooManyCustomEntries(custom.size);
}

export function writeCustom(w: MsgWriter, custom: Map<string, string> | undefined): void {
  checkCustom(custom);
  w.mapHeader(custom?.size ?? 0);
  if (custom) {
    for (const [k, v] of custom) {
      w.str(k);
      w.str(v);
    }
  }
}

/** Reads the map; undefined when it is empty. Duplicate keys: the last wins. */
export function readCustom(r: MsgReader): Map<string, string> | undefined {
  const n = r.mapHeader();
  if (n > MAX_CUSTOM_ENTRIES) throw tooManyCustomEntries(n);
  if (n === 0) return undefined;
  const out = new Map<string, string>();
  for (let i = 0; i < n; i++) {
    const k = utf8.decode(r.str());
    out.set(k, utf8.decode(r.str()));
  }
  return out;
}
