// The CLI's subcommands, in the order `gns-sync --help` lists them. Add one line per command.
import type { Command } from '../command.ts';
import { validateConfig } from './validate-config.ts';

export const commands: readonly Command[] = [
  validateConfig,
];
