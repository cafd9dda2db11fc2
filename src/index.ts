// cozip: the runtime-neutral entry (Node, browsers, Deno, edge runtimes).
// Node-only additions (files, extraction, worker threads) are in `cozip/node`.

export * from './cozip/index.js';
export { CozipError, type ErrorCode, isCozipError } from './errors.js';
export * from './io/index.js';
export * from './sozip/index.js';
export * from './zip/index.js';
export * as zipindex from './zipindex/index.js';
