// cozip validate: a cozip against its spec, any other ZIP through the
// integrity check. The body is in validate-action.ts, loaded only when
// validate runs.
import { type Command, Option } from 'commander';

export interface ValidateOptions {
  content?: boolean;
  json?: boolean;
  spec?: '0.1.0' | '1.0.1';
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check a cozip against the spec, or any ZIP for integrity; exit 1 on problems')
    .argument('<src>', 'archive path or http(s) URL')
    .option(
      '--content',
      'cozip: also read every member and check its CRC-32 (plain ZIPs always are)',
    )
    .option('--json', 'one JSON report')
    .addOption(
      new Option('--spec <revision>', 'cozip: the spec revision whose name rules apply')
        .choices(['0.1.0', '1.0.1'])
        .default('0.1.0'),
    )
    .addHelpText(
      'after',
      `
A cozip is checked for everything its spec requires: the index header and
payload, the integrity hash, the ZIP structure, entry rules, and the Flat
manifest's offsets; names by revision 0.1.0 (ASCII) unless --spec 1.0.1,
which accepts the UTF-8 names archives of that revision have. Any other ZIP gets structure, name-safety and CRC checks,
and its SOZip members a deep check of their hidden indexes and chunks.
Every problem is printed as CODE: message; the exit status is 1 if any.

Examples:
  $ cozip validate dataset.zip --content
  $ cozip validate https://example.com/archive.zip --json`,
    )
    .action(async (src: string, opts: ValidateOptions) => {
      const { runValidate } = await import('./validate-action.js');
      await runValidate(src, opts);
    });
}
