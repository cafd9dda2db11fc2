// Archives for the zipindex tests, written with cozip's ZipWriter in memory.
import { bufferSink } from '../../src/zip/sink.js';
import { type EntryOptions, ZipWriter, type ZipWriterOptions } from '../../src/zip/writer.js';

export const FIXTURES = new URL('../../../shared/fixtures/zips/', import.meta.url).pathname;

export interface Member {
  name: string;
  data?: Uint8Array | string;
  /** Written as a stream: sizes and CRC go to a data descriptor. */
  stream?: boolean;
  directory?: boolean;
  options?: EntryOptions;
}

async function* once(data: Uint8Array) {
  yield data;
}

export async function makeZip(
  members: Member[],
  options: ZipWriterOptions = {},
): Promise<Uint8Array> {
  const sink = bufferSink();
  const w = new ZipWriter(sink, { mtime: new Date(Date.UTC(2024, 0, 1)), ...options });
  for (const m of members) {
    if (m.directory) {
      await w.addDirectory(m.name);
      continue;
    }
    const data =
      typeof m.data === 'string' ? new TextEncoder().encode(m.data) : (m.data ?? new Uint8Array(0));
    await w.add(m.name, m.stream ? once(data) : data, m.options);
  }
  await w.finish();
  return sink.bytes();
}

/** `n` small text members in `n / 100` folders. */
export function manyMembers(n: number): Member[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `dir${String(i % 100).padStart(3, '0')}/member-${String(i).padStart(5, '0')}.txt`,
    data: `line ${i}\n`.repeat(1 + (i % 20)),
    options: { method: i % 4 === 0 ? 0 : 8 },
  }));
}
