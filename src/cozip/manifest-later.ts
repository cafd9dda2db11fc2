// The Flat manifest, encoded while the writer copies the members (the
// `#manifest-later` import). Here, in any runtime: on the spot. Node's
// variant (manifest-later-node.ts) encodes big manifests on a worker thread.
import {
  type EncodeManifestOptions,
  encodeManifestColumns,
  type ManifestColumns,
} from './manifest-write.js';

export function encodeManifestLater(
  columns: ManifestColumns,
  options: EncodeManifestOptions | undefined,
): Promise<Uint8Array> {
  return new Promise((resolve) => resolve(encodeManifestColumns(columns, options)));
}

/** Node starts its encoder thread ahead; here there is nothing to start. */
export function warmManifestEncoder(_rows?: number): void {}
