// `gns-sync validate-config FILE`: checks a config file and says what it describes.
import { usableCount } from '../../../shared/core/cidr.ts';
import { ConfigError, loadConfig } from '../../../shared/config/load.ts';
import { explainRouting } from './explain-routing.ts';
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';
import { previousConfigChanges } from '../config-changes.ts';

const USAGE_LINE = 'usage: gns-sync validate-config FILE [--previous FILE | --state-dir DIR]';

const plural = (n: number | bigint, one: string, many = `${one}s`): string => `${n} ${n === 1 || n === 1n ? one : many}`;

/** `--previous FILE` / `--state-dir DIR` (at most one), and the other arguments. */
function splitPrevious(argv: readonly string[]): { args: string[]; previous?: { kind: 'file' | 'state-dir'; path: string } } {
  const args: string[] = [];
  let previous: { kind: 'file' | 'state-dir'; path: string } | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    const m = /^--(previous|state-dir)(?:=(.*))?$/.exec(arg);
    if (!m) {
      args.push(arg);
      continue;
    }
    const value = m[2] ?? argv[(i += 1)];
    if (value === undefined || value === '' || value.startsWith('--')) throw new UsageError(`--${m[1]} needs a value; ${USAGE_LINE}`);
    if (previous !== undefined) throw new UsageError(`give one of --previous and --state-dir, once; ${USAGE_LINE}`);
    previous = { kind: m[1] === 'previous' ? 'file' : 'state-dir', path: value };
  }
  return previous === undefined ? { args } : { args, previous };
}

export const validateConfig: Command = {
  name: 'validate-config',
  summary: 'Check a config file (clusters, global namespaces, VIP pool); exit 2 when it is invalid',
  usage: [
    USAGE_LINE,
    '',
    'Checks FILE (YAML; see examples/kafka-gns.yaml) and prints what it describes.',
    'An invalid file gets one line naming the field at fault, and exit code 2.',
    'It also says how VIPs are routed (routing: none | istio) and, with istio, where each',
    "cluster's Istio config lives and how its network's east-west gateway is found.",
    '',
    '  --previous FILE  the config in use now: say what applying FILE instead costs (renamed or',
    '                   removed clusters and global namespaces: VIPs that change, names that drop)',
    '  --state-dir DIR  the same, with the config of the last gns-sync local in DIR, counting the',
    '                   VIPs its store holds (when gns-sync local is not running on it)',
  ].join('\n'),
  async run(argv) {
    const { args, previous } = splitPrevious(argv);
    const option = args.find((a) => a.startsWith('-') && a !== '-');
    if (option !== undefined) throw new UsageError(`unknown option "${option}"; ${USAGE_LINE}`);
    if (args.length === 0) throw new UsageError(`a config FILE is required; ${USAGE_LINE}`);
    if (args.length > 1) throw new UsageError(`expected one FILE, got ${args.length} arguments; ${USAGE_LINE}`);
    const file = args[0] ?? '';
    try {
      const config = loadConfig(file);
      const members = config.globalNamespaces.reduce((n, g) => n + g.members.length, 0);
      console.log(
        `${file}: valid (${plural(config.clusters.length, 'cluster')}, ${plural(config.globalNamespaces.length, 'global namespace')}, ` +
          `${plural(members, 'member')}, VIP pool ${config.vipPool}: ${plural(usableCount(config.vipPool), 'address', 'addresses')})`,
      );
      for (const line of explainRouting(config)) console.log(line);
      if (previous !== undefined) for (const line of await previousConfigChanges(config, previous)) console.log(line);
      return 0;
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      console.error(error.message);
      return 2;
    }
  },
};
