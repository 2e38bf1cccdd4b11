// `gns-sync demo [--once] [--state-dir DIR]` (= `npm start`): the seed's scenario on two
// simulated clusters, live; `--once` plays and verifies it, then exits 0 or 1.
import { NotADemoStateDirError, runDemo } from '../../demo/demo.ts';
import { parseFlags } from '../../runner/flags.ts';
import { DEFAULT_DEMO_STATE_DIR, StateDirLockedError } from '../../runner/state-dir.ts';
import type { Command } from '../command.ts';
import { checkStateDir } from '../command.ts';

export const demo: Command = {
  name: 'demo',
  summary: 'Two simulated clusters, Kafka and the control plane; a live table of per-pod DNS answers',
  usage: [
    'usage: gns-sync demo [--once] [--state-dir DIR]',
    '',
    '  --once           play the scenario (kafka-1 restart, scale to 5), verify it, print the table, exit 0/1',
    `  --state-dir DIR  the demo's own state directory, reset at start (default ${DEFAULT_DEMO_STATE_DIR}/); its kubeconfig`,
    '                   is DIR/kubeconfig. A directory holding gns-sync local\'s state is refused, never reset.',
    '',
    'Starts clusterOne and clusterTwo (simulated, with DNS), writes their kubeconfig, creates the',
    'namespaces ns-one and ns-two, a 3-replica Kafka StatefulSet and the selectorless headless',
    'Services, runs gns-sync, and redraws what each target resolves as you change things with kubectl.',
  ].join('\n'),
  async run(args) {
    const flags = parseFlags(args, { once: 'boolean', 'state-dir': 'string' });
    checkStateDir(flags['state-dir']);
    try {
      return await runDemo({ once: flags.once ?? false, stateDir: flags['state-dir'] ?? DEFAULT_DEMO_STATE_DIR, tty: process.stdout.isTTY });
    } catch (error) {
      if (error instanceof StateDirLockedError || error instanceof NotADemoStateDirError) {
        console.error(`gns-sync demo: ${error.message}`);
        return 1;
      }
      throw error;
    }
  },
};
