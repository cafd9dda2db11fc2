// Run by test/zip/retention.test.ts in a child `node --expose-gc`: reads
// members of an archive (a path or a URL) and reports how much memory is
// still held once they are dropped, plus every process warning emitted.
//   node --expose-gc --import tsx heap-probe.ts ARCHIVE COUNT CONCURRENCY
import { readEntry } from '../../src/zip/entry-data.js';
import { openZip } from '../../src/zip/reader.js';

const [input, countArg, concurrencyArg] = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const warnings: string[] = [];
process.on('warning', (w) => warnings.push(`${w.name}: ${w.message}`));

function held(): number {
  gc!();
  gc!();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

const zip = await openZip(input);
const files = zip.entries.filter((e) => !e.isDirectory);
const count = Math.min(Number(countArg), files.length);
// A fixed shuffle: random access, as a data loader does.
const order = files.map((_, i) => (i * 7919) % files.length).slice(0, count);
const before = held();
let bytes = 0;
let next = 0;
const worker = async () => {
  while (next < order.length) {
    const data = await readEntry(zip, files[order[next++]]);
    bytes += data.length;
  }
};
await Promise.all(Array.from({ length: Number(concurrencyArg) }, worker));
const after = held();
await zip.source.close?.();
process.stdout.write(
  `${JSON.stringify({ members: count, bytes, retained: after - before, warnings })}\n`,
);
