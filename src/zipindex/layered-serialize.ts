// A layered index as bytes, in the Go implementation's layout (MessagePack,
// no type byte): version 1 (uint), the layer count (uint32), then for each
// layer, bottom first: reference (bin), isDelete (bool), the layer's
// serialized index (bin).
import { CozipError } from '../errors.js';
import { concatBytes } from '../io/stream.js';
import { boolField, bytesField, uintField } from './fields.js';
import { type Layer, LayeredIndex } from './layered.js';
import { chunkDecoder, encode, readValues } from './msgpack.js';
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
  const parts = [encode(VERSION), encode(layers.length)];
  for (const layer of layers) {
    parts.push(encode(refs.marshal(layer.ref)));
    parts.push(encode(layer.isDelete));
    parts.push(encode(await serialize(layer.files, options)));
  }
  return concatBytes(parts);
}

export function deserializeLayered<T>(bytes: Uint8Array, refs: RefSerializer<T>): LayeredIndex<T> {
  return readValues(chunkDecoder, bytes, (values) => {
    const version = uintField(values.take('version'), 8, 'version');
    if (version !== VERSION) {
      throw new CozipError(
        'UNSUPPORTED_VERSION',
        `zipindex: unsupported layered version ${version}`,
        { details: { version } },
      );
    }
    const count = uintField(values.take('layer count'), 32, 'layer count');
    const layers: Layer<T>[] = [];
    for (let i = 0; i < count; i++) {
      const ref = refs.unmarshal(bytesField(values.take('layer ref'), 'layer ref'));
      const isDelete = boolField(values.take('layer kind'), 'layer kind');
      const files = deserializeFiles(bytesField(values.take('layer index'), 'layer index'));
      layers.push({ ref, isDelete, files });
    }
    return LayeredIndex.fromLayers(layers);
  });
}
