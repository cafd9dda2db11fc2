// Node worker threads for modules that sit next to their caller (the
// manifest encoder, SOZip's chunk compressors).
import { Worker } from 'node:worker_threads';

/**
 * Starts `stem`.js beside the module at `here` (its import.meta.url), or
 * `stem`.ts when the sources run under tsx: Node 20 workers do not inherit
 * tsx's loader hooks, so such a worker registers them itself first.
 */
export function startSiblingWorker(here: string, stem: string): Worker {
  if (!here.endsWith('.ts')) return new Worker(new URL(`./${stem}.js`, here));
  const tsx = import.meta.resolve('tsx/esm/api');
  const file = new URL(`./${stem}.ts`, here).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(file)}); });`;
  return new Worker(boot, { eval: true });
}
