// The entries suite's library sections: openZip and writeCozip of a million
// entries, random members over HTTP against unzipit and zip.js, a remote lookup
// in a Flat cozip, and `cozip validate --content` over HTTP.
import { performance } from 'node:perf_hooks';
import { openCozip, readManifest, readMember } from '../src/cozip/index.js';
import { log, pickDistinct } from './data.js';
import { type ChildResult, runInChild } from './entries-child.js';
import {
  type Ctx,
  cozip,
  describeRun,
  type Inputs,
  met,
  ratio,
  rssMiB,
  withProblems,
} from './entries-common.js';
import { memberName, tileBytes, tileCozip, tileName } from './entries-data.js';
import { type LogSummary, serveFile, summarizeLog } from './entries-http.js';
import { runOnce } from './entries-proc.js';
import { MiB, mib, ms, num, section, table } from './table.js';
import { median } from './timing.js';

// --- 9. the library: open and write a million entries ---

export async function librarySection(ctx: Ctx, inputs: Inputs): Promise<string> {
  const start = ctx.problems.length;
  const n = ctx.sizes.big;
  const rows: string[][] = [];
  const goalMs = (n / 1_000_000) * 1500;
  log(`entries: openZip of ${num(n)} entries in a child process`);
  try {
    const r = await runInChild({ kind: 'open', path: inputs.big, runs: ctx.sizes.runs });
    if (r.entries !== n) ctx.problems.push(`openZip listed ${r.entries} of ${n}`);
    rows.push([
      `\`openZip\`, ${num(n)} entries`,
      ms(r.ms),
      `<= ${ms(goalMs)} ms, heap <= ${num((n / 1_000_000) * 300)} MiB`,
      met(r.ms <= goalMs && r.heapAfter / MiB <= (n / 1_000_000) * 300),
      mib(r.heapAfter),
      mib(r.heapAfter - r.heapBefore),
      mib(r.heapPeak),
      rssMiB(r.maxRssKiB),
    ]);
  } catch (err) {
    ctx.problems.push(`openZip: ${(err as Error).message}`);
  }
  log(`entries: writeCozip of ${num(n)} in-memory rows in a child process`);
  const wGoal = (n / 1_000_000) * 3000;
  try {
    const r = await runInChild({
      kind: 'write',
      out: `${ctx.tmp}write.zip`,
      entries: n,
      runs: ctx.sizes.writeRuns,
    });
    rows.push([
      `\`writeCozip\`, ${num(n)} in-memory rows`,
      ms(r.ms),
      `<= ${ms(wGoal)} ms`,
      met(r.ms <= wGoal),
      mib(r.heapAfter),
      '–',
      mib(r.heapPeak),
      rssMiB(r.maxRssKiB),
    ]);
  } catch (err) {
    ctx.problems.push(`writeCozip: ${(err as Error).message}`);
  }
  return section(
    `Entries: the library, ${num(n)} entries`,
    table(
      [
        'Work',
        'Median (ms)',
        'Goal',
        'Met',
        'Heap after GC (MiB)',
        'Of which kept',
        'Peak heap (MiB)',
        'RSS (MiB)',
      ],
      rows,
    ),
    withProblems(ctx, start, [
      'Each in its own `node --expose-gc` child (tsx, source build). `openZip`: the stored tiny-member ' +
        `ZIP from a path, median of ${ctx.sizes.runs} runs after 1 warm-up; heap after GC holding the ` +
        'last archive (kept = minus the heap before). `writeCozip`: rows `{ name, path: Uint8Array }` of ' +
        `8–40 bytes to a file (temp file, fsync, rename), median of ${ctx.sizes.writeRuns} runs after 1 ` +
        'warm-up; heap after GC holding the rows. Peak heap sampled every 20 ms.',
      'Goals scale with the entry count (1.5 s, 300 MiB and 3 s are for 1,000,000).',
    ]),
  );
}

// --- 11. random members over HTTP ---

export async function httpReadsSection(ctx: Ctx, inputs: Inputs): Promise<string> {
  const start = ctx.problems.length;
  const set = inputs.small[inputs.small.length - 1];
  const names = pickDistinct(set.entries, ctx.sizes.httpMembers, 11).map(memberName);
  const libs = [
    { lib: 'cozip', label: 'cozip `openZip` + `readEntry`' },
    { lib: 'unzipit', label: 'unzipit `HTTPRangeReader` + `arrayBuffer()`' },
    { lib: 'zipjs', label: 'zip.js `HttpRangeReader` + `getData`' },
  ] as const;
  const results = libs.map(() => [] as Array<ChildResult & { requests: number }>);
  const failed = libs.map(() => undefined as string | undefined);
  const runs = ctx.sizes.writeRuns;
  const server = await serveFile(set.zip);
  try {
    // Round 0 is a warm-up; every library runs once per round, in turns.
    for (let round = 0; round <= runs; round++) {
      for (let l = 0; l < libs.length; l++) {
        if (failed[l]) continue;
        log(`entries: ${num(names.length)} members over HTTP, ${libs[l].lib}, round ${round}`);
        server.log.length = 0;
        try {
          const r = await runInChild({
            kind: 'http-reads',
            lib: libs[l].lib,
            url: server.url,
            names,
            concurrency: 32,
          });
          if (round > 0) results[l].push({ ...r, requests: server.log.length });
        } catch (err) {
          failed[l] = (err as Error).message;
          ctx.problems.push(`${libs[l].lib}: ${failed[l]}`);
        }
      }
    }
  } finally {
    await server.close();
  }
  const perSecond = results.map((rs) =>
    rs.length ? names.length / (median(rs.map((r) => r.ms)) / 1000) : undefined,
  );
  const digests = new Set(results.flatMap((rs) => rs.map((r) => r.digest)));
  if (digests.size > 1) ctx.problems.push(`content digests differ: ${[...digests].join(', ')}`);
  const goals = [undefined, 2, 5];
  const rows = libs.map((l, i) => {
    const rs = results[i];
    if (!rs.length) return [l.label, failed[i] ? 'failed' : 'n/a'];
    const mine = perSecond[0];
    const theirs = perSecond[i];
    const r = i > 0 && mine !== undefined && theirs !== undefined ? mine / theirs : undefined;
    const warnings = [...new Set(rs.flatMap((x) => x.warnings.map((w) => w.split(':')[0])))];
    return [
      l.label,
      ms(median(rs.map((x) => x.openMs ?? 0))),
      ms(median(rs.map((x) => x.ms))),
      num(theirs ?? 0),
      i === 0 ? '–' : r === undefined ? 'n/a' : ratio(r),
      i === 0 ? '–' : `cozip >= ${goals[i]}x`,
      i === 0 ? '–' : met(r === undefined ? undefined : r >= goals[i]!),
      num(rs[rs.length - 1].requests),
      num(Math.max(...rs.map((x) => x.maxRssKiB)) / 1024, 1),
      mib(Math.max(...rs.map((x) => x.heapPeak))),
      mib(median(rs.map((x) => x.heapAfter - x.heapBefore))),
      warnings.length ? warnings.join(', ') : 'none',
      rs[0].digest ?? '',
    ];
  });
  return section(
    `Entries: ${num(names.length)} random members over HTTP, 32 in flight, from ${num(set.entries)} entries`,
    table(
      [
        'Library',
        'Open (ms)',
        'Reads (ms)',
        'Members/s',
        'cozip vs this',
        'Goal',
        'Met',
        'Requests',
        'Peak RSS (MiB)',
        'Peak heap (MiB)',
        'Heap kept (MiB)',
        'Warnings',
        'Digest',
      ],
      rows,
    ),
    withProblems(ctx, start, [
      `The ${num(set.entries)}-entry deflated ZIP served by bench/entries-http.ts on 127.0.0.1. Each ` +
        'library runs in its own `node --expose-gc` child: open the URL (list the directory), then read ' +
        `the same ${num(names.length)} members (seeded pick) with 32 reads in flight; each child hashes every ` +
        'member, and the digests of all runs of all three must agree.',
      `Libraries in turns, 1 warm-up round then ${runs} timed rounds; medians. Members/s over the reads ` +
        'only. Peak RSS: `process.resourceUsage().maxRSS`; peak heap sampled every 20 ms; heap kept: ' +
        'after a forced GC with the opened archive still referenced, minus the heap before opening. ' +
        "Warnings: names of `process.on('warning')` events. Requests: the server's count for the last run.",
      'zip.js without Web Workers (`useCompressionStream`, `checkCrc32: true`); unzipit 2 in Node (no workers).',
    ]),
  );
}

// --- 12. remote lookup in a Flat cozip ---

export async function lookupSection(ctx: Ctx): Promise<string> {
  const start = ctx.problems.length;
  const rows: string[][] = [];
  for (const n of ctx.sizes.lookup) {
    const path = await tileCozip(n);
    const target = Math.floor(n * 0.7654321);
    const name = tileName(target);
    const expected = tileBytes(target);
    const server = await serveFile(path);
    log(`entries: lookup of ${name} in ${num(n)} tiles over HTTP`);
    try {
      const times: number[] = [];
      let summary: LogSummary | undefined;
      for (let i = 0; i <= ctx.sizes.runs; i++) {
        server.log.length = 0;
        const t0 = performance.now();
        const archive = await openCozip(server.url);
        const found = await readManifest(archive, { filter: { name } });
        if (found.length !== 1) throw new Error(`manifest filter found ${found.length} rows`);
        const bytes = await readMember(archive, found[0]);
        const elapsed = performance.now() - t0;
        await archive.source.close?.();
        if (bytes.length !== expected.length || !bytes.every((b, k) => b === expected[k]))
          throw new Error('wrong member bytes');
        if (i > 0) times.push(elapsed);
        summary = summarizeLog(server.log);
      }
      const s = summary!;
      const besides = s.bytes - expected.length;
      rows.push([
        `${num(n)} entries (${mib(server.size)} MiB)`,
        ms(median(times)),
        num(s.requests),
        num(s.rounds),
        num(besides / 1024, 1),
        '<= 4 rounds, <= 128 KiB',
        met(s.rounds <= 4 && besides <= 128 * 1024),
      ]);
    } catch (err) {
      ctx.problems.push(`lookup in ${num(n)}: ${(err as Error).message}`);
      rows.push([`${num(n)} entries`, 'failed']);
    } finally {
      await server.close();
    }
  }
  return section(
    'Entries: one member of a Flat cozip over HTTP',
    table(
      ['Archive', 'Median (ms)', 'Requests', 'Rounds', 'KiB besides the member', 'Goal', 'Met'],
      rows,
    ),
    withProblems(ctx, start, [
      'Flat cozips of 32–256-byte random members named `tiles/z/x/y.png` in zoom order, written by ' +
        '`writeCozip` from in-memory rows with `manifest: { sortByName: true }` (manifest rows in name order). In this process: `openCozip(url)` (integrity hash checked), ' +
        '`readManifest(archive, { filter: { name } })`, `readMember`; the member at 76.5 % of the names. ' +
        `Median of ${ctx.sizes.runs} runs after 1 warm-up, from nothing each run.`,
      'Rounds: from the server log, a request that arrived after another had finished is one round deeper; ' +
        'requests in flight together share one. KiB besides the member: body bytes served minus the member.',
    ]),
  );
}

// --- 13. validate --content over HTTP ---

export async function remoteValidateSection(ctx: Ctx, inputs: Inputs): Promise<string> {
  const start = ctx.problems.length;
  const set = inputs.small[inputs.small.length - 1];
  const server = await serveFile(set.zip);
  log(`entries: validate --content over HTTP, ${num(set.entries)} entries`);
  let row: string[];
  let ranges = '';
  try {
    const run = await runOnce(cozip('validate', '--content', server.url), {
      timeoutMs: ctx.sizes.timeoutMs,
      rssFile: `${ctx.tmp}rss`,
    });
    if (run.code !== 0) ctx.problems.push(`validate over HTTP: ${describeRun(run)}`);
    const s = summarizeLog(server.log);
    const share = s.bytes / server.size;
    row = [
      `validate --content http://…, ${num(set.entries)} entries`,
      run.code === 0 ? ms(run.ms) : describeRun(run),
      num(s.requests),
      mib(s.bytes),
      `${num(share, 3)}x`,
      `${num(s.repeatedBytes)} B in ${num(s.repeatedRequests)} requests`,
      '<= 1.05x, none twice',
      met(run.code === 0 ? share <= 1.05 && s.repeatedBytes === 0 : undefined),
      rssMiB(run.rssKiB),
    ];
    const served = server.log.map((r) => r.range ?? `${r.method} (no Range)`);
    ranges =
      `Range headers served, in order: ${served.slice(0, 8).join(', ')}` +
      `${served.length > 8 ? `, … (${num(served.length)} in all)` : ''}.` +
      (s.firstRepeat
        ? ` First overlap: \`${s.firstRepeat[0]}\` overlaps \`${s.firstRepeat[1]}\`.`
        : '');
  } finally {
    await server.close();
  }
  return section(
    'Entries: `cozip validate --content` over HTTP',
    table(
      [
        'Work',
        'Time (ms)',
        'Requests',
        'Fetched (MiB)',
        'Of archive',
        'Fetched twice',
        'Goal',
        'Met',
        'RSS (MiB)',
      ],
      [row],
    ),
    withProblems(ctx, start, [
      `One run against the ${num(set.entries)}-entry deflated ZIP (${mib(server.size)} MiB) on 127.0.0.1. ` +
        'Fetched twice: bytes served by more than one request (overlapping ranges).',
      ranges,
    ]),
  );
}
