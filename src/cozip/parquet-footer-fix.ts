// hyparquet-writer 0.17 writes IntType.bitWidth as a thrift i32, but the
// Parquet format declares it i8: strict readers (DuckDB, Arrow) then reject the
// whole footer. We re-encode that one field; the rest of the file is untouched
// (nothing points into the footer). A writer that gets it right is left alone.
import { concatBytes } from '../io/stream.js';

const T_BYTE = 3;
const T_I32 = 5;
const T_LIST = 9;
const T_STRUCT = 12;

interface Cursor {
  bytes: Uint8Array;
  pos: number;
}

export function fixIntegerBitWidths(file: Uint8Array): Uint8Array {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const footerLength = view.getUint32(file.length - 8, true);
  const footerStart = file.length - 8 - footerLength;
  const c: Cursor = { bytes: file.subarray(footerStart, file.length - 8), pos: 0 };
  const patches: { header: number; start: number; end: number; value: number }[] = [];
  // FileMetaData.schema (2) -> SchemaElement.logicalType (10) -> LogicalType.INTEGER (10) -> bitWidth (1)
  const into =
    (fid: number, type: number, next: (fid: number, type: number, header: number) => boolean) =>
    (f: number, t: number) => {
      if (f !== fid || t !== type) return false;
      fields(c, next);
      return true;
    };
  const bitWidth = (fid: number, type: number, header: number) => {
    if (fid !== 1 || type !== T_I32) return false;
    const start = c.pos;
    const value = unzigzag(varint(c));
    patches.push({ header, start, end: c.pos, value });
    return true;
  };
  fields(c, (fid, type) => {
    if (fid !== 2 || type !== T_LIST) return false;
    list(c, () => fields(c, into(10, T_STRUCT, into(10, T_STRUCT, bitWidth))));
    return true;
  });
  if (c.pos !== c.bytes.length) throw new Error('parquet footer: thrift walk ended early');
  if (patches.length === 0) return file;

  const parts: Uint8Array[] = [file.subarray(0, footerStart)];
  let at = 0;
  for (const { header, start, end, value } of patches) {
    parts.push(c.bytes.subarray(at, header));
    parts.push(new Uint8Array([(c.bytes[header] & 0xf0) | T_BYTE]));
    parts.push(c.bytes.subarray(header + 1, start), new Uint8Array([value]));
    at = end;
  }
  parts.push(c.bytes.subarray(at));
  const footer = concatBytes(parts.slice(1));
  const tail = new Uint8Array(8);
  new DataView(tail.buffer).setUint32(0, footer.length, true);
  tail.set(file.subarray(file.length - 4), 4); // PAR1
  return concatBytes([parts[0], footer, tail]);
}

/** Walks a compact-protocol struct; `visit` returns true when it consumed the field. */
function fields(c: Cursor, visit: (fid: number, type: number, header: number) => boolean) {
  let fid = 0;
  for (;;) {
    const header = c.pos;
    const byte = next(c);
    if (byte === 0) return;
    const type = byte & 0x0f;
    fid = byte >> 4 ? fid + (byte >> 4) : unzigzag(varint(c));
    if (!visit(fid, type, header)) skip(c, type, false);
  }
}

function list(c: Cursor, each: (type: number) => void) {
  const header = next(c);
  const size = header >> 4 === 15 ? varint(c) : header >> 4;
  for (let i = 0; i < size; i++) each(header & 0x0f);
}

function skip(c: Cursor, type: number, element: boolean): void {
  switch (type) {
    case 1:
    case 2:
      if (element) c.pos++; // a bool in a list or map takes a byte; in a field header, none
      return;
    case T_BYTE:
      c.pos++;
      return;
    case 4:
    case T_I32:
    case 6:
      varint(c);
      return;
    case 7:
      c.pos += 8;
      return;
    case 8: {
      const length = varint(c); // not `c.pos += varint(c)`: that reads pos first
      c.pos += length;
      return;
    }
    case T_LIST:
    case 10:
      list(c, (t) => skip(c, t, true));
      return;
    case 11: {
      const size = varint(c);
      const kinds = size > 0 ? next(c) : 0;
      for (let i = 0; i < size; i++) {
        skip(c, kinds >> 4, true);
        skip(c, kinds & 0x0f, true);
      }
      return;
    }
    case T_STRUCT:
      fields(c, () => false);
      return;
    default:
      throw new Error(`parquet footer: unknown thrift type ${type}`);
  }
}

function next(c: Cursor): number {
  if (c.pos >= c.bytes.length) throw new Error('parquet footer: truncated thrift');
  return c.bytes[c.pos++];
}

/** Unsigned LEB128; multiplication keeps 64-bit values (only skipped) from wrapping. */
function varint(c: Cursor): number {
  let value = 0;
  for (let scale = 1; ; scale *= 128) {
    const byte = next(c);
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return value;
  }
}

const unzigzag = (n: number) => (n % 2 === 0 ? n / 2 : -(n + 1) / 2);
