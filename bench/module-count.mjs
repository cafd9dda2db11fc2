// Preload that lists every module a Node process loads, for the entries
// suite's start-up rows:
//   MODULE_COUNT_FILE=out.txt node --import ./bench/module-count.mjs dist/cli/main.js --version
// ES modules (and CommonJS ones reached by `import`) are seen by a load hook
// (module-count-hooks.mjs, on the hooks thread), which appends each URL to the
// file as it loads; CommonJS modules loaded by `require` are added from the
// require cache when the process exits. The suite dedupes the lines.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';

const out = process.env.MODULE_COUNT_FILE;
if (out) {
  register('./module-count-hooks.mjs', import.meta.url, { data: { out } });
  const require = createRequire(import.meta.url);
  process.on('exit', () => {
    const lines = Object.keys(require.cache).map((file) => `${pathToFileURL(file).href}\n`);
    if (lines.length) appendFileSync(out, lines.join(''));
  });
}
