// The CLI's subcommands, in the order `gns-sync --help` lists them. Add one line per command.
import type { Command } from '../command.ts';
import { validateConfig } from './validate-config.ts';
import { local } from './local.ts';
import { status } from './status.ts';
import { replay } from './replay.ts';
import { demo } from './demo.ts';
import { sim } from './sim.ts';
import { manifests } from './manifests.ts';
import { trace } from './trace.ts';

export const commands: readonly Command[] = [
  validateConfig,
  local,
  status,
  replay,
  demo,
  sim,
  manifests,
  trace,
];
