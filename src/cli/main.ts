#!/usr/bin/env node
// The `cozip` command line. Exit status: 0 ok, 1 failure (the archive or the
// input is bad, I/O failed), 2 usage error (unknown command or option, bad
// option value, bad --where). Errors print one line, `cozip: CODE: message`;
// --debug adds the stack.
//
// Start-up loads only commander and the definitions (names, arguments,
// options, help) of the command run, or of all for help; each action
// imports its body (commands/*-action.ts)
// and the library modules it uses when it runs, so --version and --help stay
// fast and no command loads what it does not use (test/cli/startup.test.ts).
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { EXIT_OK, reportError } from './errors.js';
import { setNetworkOptions } from './network.js';
import { parseSeconds } from './options.js';

type Register = (program: Command) => void;

/**
 * The commands in help order, each with its definitions' module: running
 * one command loads its own definitions only (a dozen modules fewer).
 */
const COMMANDS: Array<[string, () => Promise<Register>]> = [
  ['create', async () => (await import('./commands/create.js')).registerCreate],
  ['ls', async () => (await import('./commands/ls.js')).registerLs],
  ['cat', async () => (await import('./commands/cat.js')).registerCat],
  ['get', async () => (await import('./commands/get.js')).registerGet],
  ['extract', async () => (await import('./commands/extract.js')).registerExtract],
  ['info', async () => (await import('./commands/info.js')).registerInfo],
  ['validate', async () => (await import('./commands/validate.js')).registerValidate],
  ['convert', async () => (await import('./commands/convert.js')).registerConvert],
  ['sozip', async () => (await import('./commands/sozip.js')).registerSozip],
  ['index', async () => (await import('./commands/index-cmd.js')).registerIndex],
];

/**
 * The definitions `argv` needs: its command's when its first argument that
 * is not an option names one (global options take no values), else all of
 * them (help, and suggestions for a mistyped command).
 */
async function registrations(argv: string[]): Promise<Register[]> {
  const first = argv.slice(2).find((a) => !a.startsWith('-'));
  const one = COMMANDS.filter(([name]) => name === first);
  return Promise.all((one.length ? one : COMMANDS).map(([, load]) => load()));
}

function version(): string {
  // ../../package.json from both src/cli and dist/cli.
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  return String(pkg.version);
}

function buildProgram(registers: Register[]): Command {
  const program = new Command('cozip')
    .description(
      'Cloud-native ZIP archives: create, list, read, extract and check cozips and ZIPs.',
    )
    .version(version())
    .option('-q, --quiet', 'no progress bars or summaries')
    .option('--debug', 'print stack traces with errors')
    .option(
      '--timeout <seconds>',
      'network: fail and retry a request that receives nothing this long (default 30, 0: never)',
      parseSeconds,
    )
    .option(
      '--require-range',
      'network: fail when a server ignores Range (default: warn and read on)',
    )
    .hook('preAction', (command) =>
      setNetworkOptions(
        command.opts<{ timeout?: number; requireRange?: boolean; quiet?: boolean }>(),
      ),
    )
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
Outputs are written to .NAME.cozip-HOST-PID-TOKEN.tmp beside NAME and renamed
when complete; the next run into that directory deletes ones a killed run left.

Example:
  $ cozip create dataset.zip --from manifest.csv && cozip ls dataset.zip --where "split = val"`,
    );
  for (const register of registers) register(program);
  return program;
}

async function main(argv: string[]): Promise<number> {
  // A reader that goes away (`cozip cat … | head`) is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(EXIT_OK);
    throw err;
  });
  try {
    await buildProgram(await registrations(argv)).parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (err) {
    return reportError(err, argv.includes('--debug'), argv.includes('--json'));
  }
}

process.exitCode = await main(process.argv);
