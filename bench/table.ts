// Markdown tables and number formatting for the results.

/**
 * A Markdown table. The first `left` columns (default 1) are left-aligned,
 * the others right-aligned (they hold numbers).
 */
export function table(header: string[], rows: string[][], left = 1): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(3, ...all.map((r) => (r[c] ?? '').length)));
  const cell = (text: string, c: number) =>
    c < left ? text.padEnd(widths[c]) : text.padStart(widths[c]);
  const line = (cells: string[]) =>
    `| ${widths.map((_, c) => cell(cells[c] ?? '', c)).join(' | ')} |`;
  const rule = widths.map((w, c) => (c < left ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`));
  return [line(header), `| ${rule.join(' | ')} |`, ...rows.map(line)].join('\n');
}

/** A `###` section: title, table, then notes as a list. */
export function section(title: string, body: string, notes: string[] = []): string {
  const list = notes.map((n) => `- ${n}`).join('\n');
  return `### ${title}\n\n${body}\n${list ? `\n${list}\n` : ''}`;
}

export const MiB = 1024 * 1024;

/** 1234.5 -> "1,234.5"; `digits` decimals. */
export function num(n: number, digits = 0): string {
  return n.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

export function ms(n: number): string {
  return num(n, n < 10 ? 2 : n < 100 ? 1 : 0);
}

export function mib(bytes: number): string {
  return num(bytes / MiB, 1);
}

/** Throughput in MiB/s for `bytes` done in `millis`. */
export function mibPerSec(bytes: number, millis: number): string {
  return num(bytes / MiB / (millis / 1000), 1);
}

/** Items per second, rounded. */
export function perSec(count: number, millis: number): string {
  return num(count / (millis / 1000));
}
