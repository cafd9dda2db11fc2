/**
 * Independent ZIP implementations (Info-ZIP unzip, Python's zipfile, 7-Zip,
 * zipdetails) run on archive files, so tests check our output against readers
 * we did not write. A missing tool skips the test locally but fails it in CI,
 * where the tools are installed (unzip, zip, p7zip-full, python3).
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';

export interface ToolResult {
  ok: boolean;
  /** stdout and stderr together, for assertion messages. */
  output: string;
}

/** Where the tools live; 7z is p7zip-full's wrapper. */
const COMMANDS: Record<string, string> = {
  unzip: 'unzip',
  zip: 'zip',
  zipdetails: 'zipdetails',
  python3: 'python3',
  '7z': '/usr/bin/7z',
};

const available = new Map<string, boolean>();

export function haveTool(name: string): boolean {
  let ok = available.get(name);
  if (ok === undefined) {
    const command = COMMANDS[name] ?? name;
    const probe = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', command], { encoding: 'utf8' });
    ok = probe.status === 0 && probe.stdout.trim() !== '';
    available.set(name, ok);
  }
  return ok;
}

/**
 * True when every tool is there. Otherwise skips the test and returns false,
 * or, under CI, throws so that a missing tool cannot hide a failure.
 */
export function requireTools(t: TestContext, ...names: string[]): boolean {
  const missing = names.filter((n) => !haveTool(n));
  if (missing.length === 0) return true;
  if (process.env.CI) throw new Error(`required tools missing in CI: ${missing.join(', ')}`);
  t.skip(`missing ${missing.join(', ')}`);
  return false;
}

interface RunResult {
  code: number | null;
  stdout: Buffer;
  stderr: Buffer;
}

function run(command: string, args: string[], input?: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      COMMANDS[command] ?? command,
      args,
      { encoding: 'buffer', maxBuffer: 1 << 30, env: { ...process.env, LC_ALL: 'C.UTF-8' } },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: unknown }).code ?? null) : 0;
        if (err && typeof code !== 'number') {
          reject(err);
          return;
        }
        resolve({ code: code as number | null, stdout, stderr });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

function text(r: RunResult): string {
  return (r.stdout.toString('utf8') + r.stderr.toString('utf8')).trim();
}

/** `unzip -t`: every member inflated and CRC-checked. */
export async function unzipTest(path: string): Promise<ToolResult> {
  const r = await run('unzip', ['-t', path]);
  const output = text(r);
  return { ok: r.code === 0 && output.includes('No errors detected'), output };
}

/** `python3 -m zipfile -t`, which exits 0 even when it names a corrupt member. */
export async function pythonZipTest(path: string): Promise<ToolResult> {
  const r = await run('python3', ['-m', 'zipfile', '-t', path]);
  const output = text(r);
  return {
    ok: r.code === 0 && !output.includes('corrupted') && output.includes('Done testing'),
    output,
  };
}

/** `7z t`; warnings (exit 1) count as failures. */
export async function sevenZipTest(path: string): Promise<ToolResult> {
  const r = await run('7z', ['t', path]);
  const output = text(r);
  return { ok: r.code === 0 && output.includes('Everything is Ok'), output };
}

/** Files and folders 7z counted in its `t` summary. */
export function sevenZipCounts(output: string): { files: number; folders: number } {
  const files = /^Files: (\d+)$/m.exec(output);
  const folders = /^Folders: (\d+)$/m.exec(output);
  return { files: files ? Number(files[1]) : 0, folders: folders ? Number(folders[1]) : 0 };
}

/** `zipdetails`: a record-by-record dump; fails on records it cannot parse. */
export async function zipdetails(path: string): Promise<ToolResult> {
  const r = await run('zipdetails', [path]);
  const output = text(r);
  return { ok: r.code === 0 && !/error/i.test(r.stderr.toString('utf8')), output };
}

/** Names as `unzip -Z1` lists them, one per member. */
export async function unzipList(
  path: string,
): Promise<{ ok: boolean; names: string[]; output: string }> {
  const r = await run('unzip', ['-Z1', path]);
  const out = r.stdout.toString('utf8');
  return { ok: r.code === 0, names: out.split('\n').filter((l) => l !== ''), output: text(r) };
}

/** unzip treats member arguments as wildcards; escape them to match literally. */
function unzipPattern(name: string): string {
  return name.replace(/[[\]*?\\]/g, (c) => `\\${c}`);
}

/** `unzip -p path [name]`: the member's bytes (every file's, without a name) on stdout. */
export async function unzipPipe(
  path: string,
  name?: string,
): Promise<{ ok: boolean; bytes: Uint8Array; output: string }> {
  const r = await run(
    'unzip',
    name === undefined ? ['-p', path] : ['-p', path, unzipPattern(name)],
  );
  return { ok: r.code === 0, bytes: new Uint8Array(r.stdout), output: r.stderr.toString('utf8') };
}

export interface PythonEntry {
  size: number;
  sha256: string;
  /** Contents, for members up to the script's inline limit. */
  base64?: string;
  isDir: boolean;
  comment: string;
  /** zipfile's `date_time`, from the DOS fields. */
  dateTime: number[];
  /** Unix mode from the high 16 bits of the external attributes. */
  mode: number;
  compressType: number;
  crc: number;
}

export interface PythonArchive {
  comment: string;
  entries: Record<string, PythonEntry>;
  /** Names in central directory order. */
  names: string[];
}

const INLINE_LIMIT = 1 << 20;

const PY_READ = `
import base64, hashlib, json, sys, zipfile
out = {"entries": {}, "names": []}
with zipfile.ZipFile(sys.argv[1]) as z:
    out["comment"] = z.comment.decode("utf-8", "replace")
    for i in z.infolist():
        h = hashlib.sha256()
        n = 0
        keep = []
        if not i.is_dir():
            with z.open(i) as f:
                while True:
                    b = f.read(1 << 20)
                    if not b:
                        break
                    n += len(b)
                    h.update(b)
                    if n <= ${INLINE_LIMIT}:
                        keep.append(b)
        e = {"size": n, "sha256": h.hexdigest(), "isDir": i.is_dir(),
             "comment": i.comment.decode("utf-8", "replace"), "dateTime": list(i.date_time),
             "mode": i.external_attr >> 16, "compressType": i.compress_type, "crc": i.CRC}
        if n <= ${INLINE_LIMIT}:
            e["base64"] = base64.b64encode(b"".join(keep)).decode()
        out["entries"][i.filename] = e
        out["names"].append(i.filename)
sys.stdout.write(json.dumps(out))
`;

/** Every member read (and CRC-checked) by Python's zipfile. */
export async function pythonRead(path: string): Promise<PythonArchive> {
  const r = await run('python3', ['-c', PY_READ, path]);
  if (r.code !== 0) throw new Error(`python zipfile failed on ${path}:\n${text(r)}`);
  return JSON.parse(r.stdout.toString('utf8')) as PythonArchive;
}

/** Decodes a PythonEntry's inline contents. */
export function pythonBytes(e: PythonEntry): Uint8Array {
  if (e.base64 === undefined) throw new Error(`member of ${e.size} bytes was not inlined`);
  return new Uint8Array(Buffer.from(e.base64, 'base64'));
}

export interface ExpectedEntry {
  name: string;
  /** Contents; undefined for a directory. */
  data?: Uint8Array;
}

/**
 * The archive passes `unzip -t`, `python3 -m zipfile -t` and `7z t`, and
 * `unzip -p` and Python return exactly the `expected` members and bytes.
 * Skips (or fails under CI) when a tool is missing.
 */
export async function assertToolsAccept(
  t: TestContext,
  path: string,
  expected?: ExpectedEntry[],
): Promise<void> {
  if (!requireTools(t, 'unzip', 'python3', '7z')) return;
  const [u, p, s] = await Promise.all([unzipTest(path), pythonZipTest(path), sevenZipTest(path)]);
  assert.ok(u.ok, `unzip -t failed:\n${tail(u.output)}`);
  assert.ok(p.ok, `python3 -m zipfile -t failed:\n${tail(p.output)}`);
  assert.ok(s.ok, `7z t failed:\n${tail(s.output)}`);
  if (!expected) return;
  const py = await pythonRead(path);
  assert.deepEqual(
    py.names,
    expected.map((e) => e.name),
    'python lists the members in order',
  );
  const files = expected.filter((e) => e.data !== undefined);
  for (const e of files) {
    const got = py.entries[e.name];
    assert.equal(got.isDir, false, `${e.name} is a file for python`);
    assert.equal(got.size, e.data!.length, `python size of ${e.name}`);
    if (got.base64 !== undefined) {
      assert.ok(Buffer.from(pythonBytes(got)).equals(e.data!), `python bytes of ${e.name}`);
    }
  }
  // `unzip -p` without names writes every file's bytes in directory order.
  const all = await unzipPipe(path);
  assert.ok(all.ok, `unzip -p failed: ${all.output}`);
  const want = Buffer.concat(files.map((e) => e.data!));
  assert.ok(Buffer.from(all.bytes).equals(want), 'unzip -p returns every member byte for byte');
}

function tail(output: string): string {
  const lines = output.split('\n');
  return lines.length > 40 ? lines.slice(-40).join('\n') : output;
}

// Per entry, in central-directory order: raw name, sizes, CRC and a SHA-256
// of the content (or the error Python raised reading it).
/** One central-directory entry as Python's zipfile sees it, in archive order. */
export interface PythonIndexedEntry {
  name: string;
  rawName: string; // base64 of the header bytes
  size: number;
  compressedSize: number;
  crc: number;
  sha256?: string;
  error?: string;
}

const ENTRIES_SCRIPT = `
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

export function pythonZipEntries(path: string): PythonIndexedEntry[] {
  const out = execFileSync('python3', ['-c', ENTRIES_SCRIPT, path], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  return JSON.parse(out);
}
