// `sozip -l`: the members of an archive with their SOZip status.
import { isRangeSource, type OpenSourceOptions, type SourceInput } from '../io/open-source.js';
import { methodName } from '../zip/codecs.js';
import { type OpenZipOptions, openZip, type ZipArchive } from '../zip/reader.js';
import { type DetectOptions, detectAll, isZipArchive } from './detect.js';

export interface SozipListRow {
  name: string;
  compressedSize: number;
  uncompressedSize: number;
  method: string;
  crc32: number;
  localHeaderOffset: number;
  isDirectory: boolean;
  mtime: Date;
  /** SOZip-optimized: a valid hidden index follows it. */
  sozip: boolean;
  chunkSize?: number;
}

export interface ListSozipOptions extends DetectOptions, OpenZipOptions, OpenSourceOptions {
  concurrency?: number;
}

export async function listSozip(
  input: ZipArchive | SourceInput,
  options: ListSozipOptions = {},
): Promise<SozipListRow[]> {
  const given = isZipArchive(input);
  const zip = given ? input : await openZip(input, options);
  try {
    const found = await detectAll(zip, options);
    return zip.entries.map((e) => {
      const index = found.get(e)?.index;
      return {
        name: e.name,
        compressedSize: e.compressedSize,
        uncompressedSize: e.uncompressedSize,
        method: methodName(e.method),
        crc32: e.crc32,
        localHeaderOffset: e.localHeaderOffset,
        isDirectory: e.isDirectory,
        mtime: e.mtime,
        sozip: index !== undefined,
        chunkSize: index?.chunkSize,
      };
    });
  } finally {
    if (!given && !isRangeSource(input)) await zip.source.close?.();
  }
}

/** The rows as an aligned text table. */
export function formatSozipList(rows: SozipListRow[]): string {
  const header = ['Length', 'Compressed', 'Method', 'SOZip', 'Chunk size', 'Name'];
  const body = rows.map((r) => [
    String(r.uncompressedSize),
    String(r.compressedSize),
    r.isDirectory ? 'dir' : r.method,
    r.sozip ? 'yes' : 'no',
    r.chunkSize === undefined ? '' : String(r.chunkSize),
    r.name,
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((r) => r[c].length)));
  const line = (cells: string[]) =>
    cells.map((cell, c) => (c === cells.length - 1 ? cell : cell.padStart(widths[c]))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
