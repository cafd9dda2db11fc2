// Option value parsers shared by the commands: a bad value is a usage error (exit 2).
// Command definitions load this at start-up, so it imports nothing heavy;
// --where is parsed in where.ts, from the actions.
import { InvalidArgumentError } from 'commander';
import { UsageError } from './errors.js';

export function parseCount(text: string): number {
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new InvalidArgumentError('expected a whole number.');
  }
  return Number(text);
}

export function parseDate(text: string): Date {
  const date = new Date(text);
  if (Number.isNaN(date.getTime()))
    throw new InvalidArgumentError('expected an ISO date such as 2024-01-31T00:00:00Z.');
  return date;
}

/** --delimiter: one character; "tab" or "\t" for a tab. Quotes and line ends cannot separate fields. */
export function parseDelimiter(text: string): string {
  const value = text === 'tab' || text === '\\t' ? '\t' : text;
  if (value.length !== 1 || value === '"' || value === '\n' || value === '\r')
    throw new InvalidArgumentError('expected one character (not a quote or a line end), or "tab".');
  return value;
}

export function parseColumns(text: string): string[] {
  const columns = text.split(',').map((c) => c.trim());
  if (columns.some((c) => c === ''))
    throw new InvalidArgumentError('expected column names separated by commas.');
  return columns;
}

/** --meta COL=VALUE pairs to constant columns. */
export function metaColumns(pairs: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--meta expects COL=VALUE, got ${JSON.stringify(pair)}`);
    const column = pair.slice(0, eq);
    if (column in out) throw new UsageError(`--meta sets ${column} twice`);
    out[column] = pair.slice(eq + 1);
  }
  return out;
}

/** A non-negative number of seconds (fractions allowed). */
export function parseSeconds(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new InvalidArgumentError(`expected a number of seconds, got ${JSON.stringify(text)}`);
  }
  return n;
}
