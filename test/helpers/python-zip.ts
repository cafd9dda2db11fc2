// What Python's zipfile (an independent implementation) sees in an archive:
// per central-directory entry, the raw name, sizes, CRC and a SHA-256 of the
// content (or the error Python raised reading it).
import { execFileSync } from 'node:child_process';

export interface PythonEntry {
  name: string;
  rawName: string; // base64 of the header bytes
  size: number;
  compressedSize: number;
  crc: number;
  sha256?: string;
  error?: string;
}

const SCRIPT = `
import base64, hashlib, json, sys, zipfile
out = []
with zipfile.ZipFile(sys.argv[1]) as z:
    for i in z.infolist():
        raw = i.orig_filename.encode('utf-8' if i.flag_bits & 0x800 else 'cp437')
        e = {'name': i.filename, 'rawName': base64.b64encode(raw).decode(), 'size': i.file_size,
             'compressedSize': i.compress_size, 'crc': i.CRC}
        try:
            e['sha256'] = hashlib.sha256(z.read(i)).hexdigest()
        except Exception as err:
            e['error'] = type(err).__name__ + ': ' + str(err)
        out.append(e)
print(json.dumps(out))
`;

export function pythonZipEntries(path: string): PythonEntry[] {
  const out = execFileSync('python3', ['-c', SCRIPT, path], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  return JSON.parse(out);
}
