// `gns-sync local --config FILE --kubeconfig FILE [--state-dir DIR]`: the whole control plane
// in one process against the clusters of the kubeconfig, until SIGTERM or Ctrl-C.
import { ConfigError, loadConfig } from '../../../shared/config/load.ts';
import { parseFlags } from '../../runner/flags.ts';
import { KubeconfigError, startLocal } from '../../runner/runtime.ts';
import { DEFAULT_STATE_DIR, StateDirLockedError } from '../../runner/state-dir.ts';
import type { Command } from '../command.ts';
import { UsageError, checkStateDir } from '../command.ts';
import { chooseKubeconfig } from '../kubeconfig.ts';

const USAGE_LINE = 'usage: gns-sync local --config FILE [--kubeconfig FILE] [--state-dir DIR] [--log-format human|json] [--verbose]';

export const local: Command = {
  name: 'local',
  summary: 'Run agents, bus, functions and dynalite in one process against a kubeconfig\'s clusters',
  usage: [
    USAGE_LINE,
    '',
    '  --config FILE      the gns-sync config (clusters, global namespaces; see examples/kafka-gns.yaml)',
    '  --kubeconfig FILE  a kubeconfig with one context per cluster (the config\'s `context`, default its name);',
    '                     default, as kubectl: $KUBECONFIG, else ~/.kube/config',
    `  --state-dir DIR    where dynalite, the event archive and dead letters live (default ${DEFAULT_STATE_DIR}/)`,
    '  --log-format F     human (default): one line per sync; json: one JSON object per line',
    '  --verbose          also print the agents\' info lines and the functions\' JSON logs',
    '',
    'At start it checks every cluster and prints one line per unreachable one or missing member',
    'namespace, and keeps going. Then one line per sync (target, endpoints, writes, ms); a warning',
    'that repeats is printed once a minute with a count. SIGTERM or Ctrl-C stops it cleanly;',
    'starting it again on the same state directory resumes. While it runs, `gns-sync status` and',
    '`gns-sync replay` talk to it.',
  ].join('\n'),
  async run(args) {
    const flags = parseFlags(args, { config: 'string', kubeconfig: 'string', 'state-dir': 'string', 'log-format': 'string', verbose: 'boolean' });
    const logFormat = flags['log-format'] ?? 'human';
    if (logFormat !== 'human' && logFormat !== 'json') throw new UsageError(`--log-format must be human or json, got "${logFormat}"`);
    checkStateDir(flags['state-dir']);
    if (flags.config === undefined) throw new UsageError(`--config FILE is required; ${USAGE_LINE}`);
    const kubeconfig = chooseKubeconfig(flags.kubeconfig);
    let config;
    try {
      config = loadConfig(flags.config);
    } catch (error) {
      if (error instanceof ConfigError) throw new UsageError(error.message);
      throw error;
    }
    let runtime;
    try {
      runtime = await startLocal({
        config,
        ...(kubeconfig.path === undefined ? {} : { kubeconfigPath: kubeconfig.path }),
        stateDir: flags['state-dir'] ?? DEFAULT_STATE_DIR,
        verbose: flags.verbose ?? false,
        logFormat,
        preflight: true,
      });
    } catch (error) {
      if (error instanceof KubeconfigError) throw new UsageError(error.message);
      if (error instanceof StateDirLockedError) {
        console.error(`gns-sync local: ${error.message}`);
        return 1;
      }
      throw error;
    }
    const from = kubeconfig.path === undefined ? kubeconfig.paths.join(', ') : kubeconfig.path;
    console.log(`gns-sync local: running against ${config.clusters.length} clusters (kubeconfig ${from}, from ${kubeconfig.from}); Ctrl-C or SIGTERM stops it.`);
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        console.log(`gns-sync local: ${signal}: draining and stopping…`);
        resolve();
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    await runtime.stop();
    console.log('gns-sync local: stopped.');
    return 0;
  },
};
