// Snappy, checked before hyparquet's decoder runs: that decoder (1.33) takes
// a literal's 4-byte length as a signed number, so a crafted length sends
// its read position backwards and it loops forever. The element lengths and
// copy offsets are walked here first, against the input and the declared
// output size. Layout from the Snappy format description.
import { snappyUncompress } from 'hyparquet';
import { CozipError } from '../errors.js';

function corrupt(message: string): CozipError {
  return new CozipError('CORRUPT_DATA', `snappy: ${message}`);
}

/** Throws CORRUPT_DATA unless `input` decodes to exactly `outputLength` bytes. */
export function checkSnappy(input: Uint8Array, outputLength: number): void {
  let pos = 0;
  let declared = 0;
  for (let shift = 0; ; shift += 7) {
    if (pos >= input.length || shift > 28) throw corrupt('bad length preamble');
    const b = input[pos++];
    declared += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  if (declared !== outputLength) {
    throw corrupt(`${declared} bytes declared, ${outputLength} expected`);
  }
  let out = 0;
  while (pos < input.length) {
    const tag = input[pos++];
    let len: number;
    if ((tag & 3) === 0) {
      len = (tag >>> 2) + 1;
      if (len > 60) {
        const bytes = len - 60;
        if (pos + bytes > input.length) throw corrupt('literal length runs past the input');
        len = 0;
        for (let k = 0; k < bytes; k++) len += input[pos + k] * 2 ** (8 * k);
        len += 1;
        pos += bytes;
      }
      if (len > input.length - pos) throw corrupt('literal runs past the input');
      pos += len;
    } else {
      let offset: number;
      if ((tag & 3) === 1) {
        if (pos + 1 > input.length) throw corrupt('copy runs past the input');
        len = ((tag >>> 2) & 7) + 4;
        offset = ((tag >>> 5) << 8) + input[pos];
        pos += 1;
      } else {
        const bytes = (tag & 3) === 2 ? 2 : 4;
        if (pos + bytes > input.length) throw corrupt('copy runs past the input');
        len = (tag >>> 2) + 1;
        offset = 0;
        for (let k = 0; k < bytes; k++) offset += input[pos + k] * 2 ** (8 * k);
        pos += bytes;
      }
      if (offset === 0 || offset > out) throw corrupt(`copy from ${offset} bytes back at ${out}`);
    }
    out += len;
    if (out > outputLength) throw corrupt(`more than the ${outputLength} bytes declared`);
  }
  if (out !== outputLength) throw corrupt(`${out} of ${outputLength} bytes`);
}

/** hyparquet's Snappy decoder behind the check (a Parquet compressor). */
export function snappyDecompress(input: Uint8Array, outputLength: number): Uint8Array {
  checkSnappy(input, outputLength);
  const out = new Uint8Array(outputLength);
  snappyUncompress(input, out);
  return out;
}
