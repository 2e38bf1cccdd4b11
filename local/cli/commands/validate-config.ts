// `gns-sync validate-config FILE`: checks a config file and says what it describes.
import { usableCount } from '../../../shared/core/cidr.ts';
import { ConfigError, loadConfig } from '../../../shared/config/load.ts';
import { explainRouting } from './explain-routing.ts';
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';

const USAGE_LINE = 'usage: gns-sync validate-config FILE';

const plural = (n: number | bigint, one: string, many = `${one}s`): string => `${n} ${n === 1 || n === 1n ? one : many}`;

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
  ].join('\n'),
  async run(args) {
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
      return 0;
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      console.error(error.message);
      return 2;
    }
  },
};
