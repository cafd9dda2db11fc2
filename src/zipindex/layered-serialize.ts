// A layered index as bytes, in the Go implementation's layout (MessagePack,
// no type byte): version 1 (uint), the layer count (uint32), then for each
// layer, bottom first: reference (bin), isDelete (bool), the layer's
// serialized index (bin).
import { CozipError } from '../errors.js';
import { type Layer, LayeredIndex } from './layered.js';
import { MsgReader } from './msgpack-read.js';
import { MsgWriter } from './msgpack-write.js';
import { deserializeFiles, type SerializeOptions, serialize } from './serialize.js';

const VERSION = 1;

/** How layer references become bytes and back. */
export interface RefSerializer<T> {
  marshal(ref: T): Uint8Array;
  unmarshal(bytes: Uint8Array): T;
}

/** References that are strings, stored as UTF-8. */
export const stringRefSerializer: RefSerializer<string> = {
  marshal: (ref) => new TextEncoder().encode(ref),
  unmarshal: (bytes) => new TextDecoder().decode(bytes),
};

export async function serializeLayered<T>(
  index: LayeredIndex<T>,
  refs: RefSerializer<T>,
  options: SerializeOptions = {},
): Promise<Uint8Array> {
  const layers = index.getLayers();
  const w = new MsgWriter(1024);
  w.uint(VERSION);
  w.uint(layers.length);
  for (const layer of layers) {
    w.binBytes(refs.marshal(layer.ref));
    w.bool(layer.isDelete);
    w.binBytes(await serialize(layer.files, options));
  }
  return w.bytes().slice();
}

export function deserializeLayered<T>(bytes: Uint8Array, refs: RefSerializer<T>): LayeredIndex<T> {
  const r = new MsgReader(bytes);
  const version = r.uint(8);
  if (version !== VERSION) {
    throw new CozipError(
      'UNSUPPORTED_VERSION',
      `zipindex: unsupported layered version ${version}`,
      {
        details: { version },
      },
    );
  }
  const count = r.uint(32);
  const layers: Layer<T>[] = [];
  for (let i = 0; i < count; i++) {
    const ref = refs.unmarshal(r.bin());
    const isDelete = r.bool();
    layers.push({ ref, isDelete, files: deserializeFiles(r.bin()) });
  }
  return LayeredIndex.fromLayers(layers);
}
