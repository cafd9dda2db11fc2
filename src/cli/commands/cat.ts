// cozip cat: one member's bytes to stdout. The body is in cat-action.ts,
// loaded only when cat runs.
import type { Command } from 'commander';

export function registerCat(program: Command): void {
  program
    .command('cat')
    .description("write one member's bytes to stdout")
    .argument('<src>', 'archive path or http(s) URL')
    .argument('<name>', 'the member name, as ls shows it')
    .addHelpText(
      'after',
      `
A Flat cozip finds the member through its manifest and reads it with one
range request; priority files (__metadata__) can be read too. Other ZIPs
are decompressed and CRC-checked.

Examples:
  $ cozip cat dataset.zip train/0.tif > 0.tif
  $ cozip cat https://example.com/dataset.zip __metadata__ > manifest.parquet`,
    )
    .action(async (src: string, name: string) => {
      const { runCat } = await import('./cat-action.js');
      await runCat(src, name);
    });
}
