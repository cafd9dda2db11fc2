#!/usr/bin/env node
// The `cozip` command line. Exit status: 0 ok, 1 failure (the archive or the
// input is bad, I/O failed), 2 usage error (unknown command or option, bad
// option value, bad --where). Errors print one line, `cozip: CODE: message`;
// --debug adds the stack.
//
// Start-up loads only commander and the command definitions (names,
// arguments, options, help); each action imports its body (commands/*-action.ts)
// and the library modules it uses when it runs, so --version and --help stay
// fast and no command loads what it does not use (test/cli/startup.test.ts).
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { registerCat } from './commands/cat.js';
import { registerConvert } from './commands/convert.js';
import { registerCreate } from './commands/create.js';
import { registerExtract } from './commands/extract.js';
import { registerGet } from './commands/get.js';
import { registerIndex } from './commands/index-cmd.js';
import { registerInfo } from './commands/info.js';
import { registerLs } from './commands/ls.js';
import { registerSozip } from './commands/sozip.js';
import { registerValidate } from './commands/validate.js';
import { EXIT_OK, reportError } from './errors.js';

function version(): string {
  // ../../package.json from both src/cli and dist/cli.
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  return String(pkg.version);
}

function buildProgram(): Command {
  const program = new Command('cozip')
    .description(
      'Cloud-native ZIP archives: create, list, read, extract and check cozips and ZIPs.',
    )
    .version(version())
    .option('-q, --quiet', 'no progress bars or summaries')
    .option('--debug', 'print stack traces with errors')
    // Errors come back to main() to be printed as one line with the right exit code.
    .exitOverride()
    .configureOutput({ outputError: () => {} })
    .configureHelp({ showGlobalOptions: true })
    .allowExcessArguments(false)
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      `
SRC is a local path, an http(s):// URL, or s3://bucket/key (AWS environment variables).
Exit status: 0 ok, 1 failure, 2 usage error.

Example:
  $ cozip create dataset.zip --from manifest.csv && cozip ls dataset.zip --where "split = val"`,
    );
  registerCreate(program);
  registerLs(program);
  registerCat(program);
  registerGet(program);
  registerExtract(program);
  registerInfo(program);
  registerValidate(program);
  registerConvert(program);
  registerSozip(program);
  registerIndex(program);
  return program;
}

async function main(argv: string[]): Promise<number> {
  // A reader that goes away (`cozip cat … | head`) is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(EXIT_OK);
    throw err;
  });
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (err) {
    return reportError(err, argv.includes('--debug'));
  }
}

process.exitCode = await main(process.argv);
