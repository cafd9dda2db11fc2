// Entry name rules of the cozip core (spec "rules for every entry").
import { utf8Length } from '../zip/names.js';

/** Why `name` may not be a cozip entry name, or undefined when it may. */
export function cozipNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'empty name';
  if (!name.isWellFormed()) return 'not valid UTF-8 (lone surrogate)';
  if (utf8Length(name) > 0xffff) return 'longer than 65,535 UTF-8 bytes';
  if (name.startsWith('/')) return 'leading /';
  if (/^[A-Za-z]:/.test(name)) return 'drive letter';
  if (name.includes('\\')) return 'backslash (use / as the separator)';
  if (name.includes('\u0000')) return 'NUL character';
  if (name.endsWith('/')) return 'directory entries are not allowed';
  for (const part of name.split('/')) {
    if (part === '.' || part === '..') return `"${part}" path component`;
  }
  return undefined;
}
